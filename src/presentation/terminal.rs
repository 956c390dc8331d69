//! What fits a terminal: every line a command prints on stdout is at most [`WIDTH`] columns.
//!
//! Planners read results in terminals of 80 to 120 columns, in split panes and in e-mails; a
//! table 139 columns wide folds every row in two and turns into a mess (issue 22, item 5). So
//! a table too wide for [`WIDTH`] is split into blocks of columns, each block repeating the
//! label column and its own header ([`table`]), and a sentence too long is wrapped at spaces
//! with a hanging indent ([`wrap`]), so that its continuation reads as part of the same entry.
//!
//! Widths are counted in characters, not bytes: what buffersim writes is single-width (the
//! signs `−`, `±`, `×`, `→` and `…` included). Names taken from a scenario are counted the same
//! way; a name in a script whose characters take two columns may overrun.

/// Most columns of a line on stdout.
pub(crate) const WIDTH: usize = 100;

/// Columns between two cells of a table.
const GAP: usize = 2;

/// Columns a wrapped line's continuations are indented by, beyond the line's own indent.
const HANGING: usize = 4;

fn width(s: &str) -> usize {
    s.chars().count()
}

/// A table of cells that fits [`WIDTH`]: the first row is the header, underlined; the first
/// column holds the labels, left-aligned; the other cells are right-aligned. Columns that do
/// not fit beside the labels go into further blocks below, separated by a blank line, each
/// with the labels again: as many blocks as needed, the columns spread evenly over them. A
/// header or label too long for the space it can have is broken over several lines.
pub(crate) fn table(rows: &[Vec<String>]) -> String {
    table_indented(rows, 0)
}

/// [`table`], every line indented by `indent` columns (within [`WIDTH`]).
pub(crate) fn table_indented(rows: &[Vec<String>], indent: usize) -> String {
    let full = WIDTH.saturating_sub(indent).max(WIDTH / 2);
    let margin = " ".repeat(indent);
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    if columns == 0 {
        return String::new();
    }
    let cell = |r: &Vec<String>, c: usize| r.get(c).map_or(0, |s| width(s));
    let body = |c: usize| rows.iter().skip(1).map(|r| cell(r, c)).max().unwrap_or(0);
    // A value column is as wide as its widest value and, within what a block allows, its
    // header; the label column as its widest label, but never so wide that the widest value
    // column cannot stand beside it.
    let widest_value = (1..columns).map(body).max().unwrap_or(0);
    let label_room = full.saturating_sub(GAP + widest_value).max(full / 4);
    let label = (0..rows.len())
        .map(|r| cell(&rows[r], 0))
        .max()
        .unwrap_or(0)
        .min(label_room);
    // Room for the value columns beside the labels, each with its gap before it.
    let room = full.saturating_sub(label).max(GAP + 1);
    let header = |c: usize| {
        rows.first()
            .and_then(|r| r.get(c))
            .map_or("", String::as_str)
    };
    let mut widths: Vec<usize> = (1..columns)
        .map(|c| body(c).max(width(header(c)).min(room - GAP)).max(1))
        .collect();
    let mut split = blocks(&widths, room);
    if split.len() > 1 {
        // Headers wider than their values (long policy names) over two lines, where that
        // saves a block.
        let narrower: Vec<usize> = (1..columns)
            .map(|c| body(c).max(two_lines(header(c))).min(widths[c - 1]).max(1))
            .collect();
        let fewer = blocks(&narrower, room);
        if fewer.len() < split.len() {
            widths = narrower;
            split = fewer;
        }
    }
    let mut out = String::new();
    for (b, block) in split.into_iter().enumerate() {
        if b > 0 {
            out.push('\n');
        }
        let block_width = label + block.clone().map(|c| GAP + widths[c]).sum::<usize>();
        for (r, row) in rows.iter().enumerate() {
            let text = |c: usize| row.get(c).map_or("", String::as_str);
            let mut parts: Vec<(Vec<String>, usize)> = vec![(chunks(text(0), label), label)];
            parts.extend(
                block
                    .clone()
                    .map(|c| (chunks(text(c + 1), widths[c]), widths[c])),
            );
            let lines = parts.iter().map(|(p, _)| p.len()).max().unwrap_or(1);
            for l in 0..lines {
                let mut line = String::new();
                for (k, (part, w)) in parts.iter().enumerate() {
                    // Headers sit on their last line, next to the rule below them; labels
                    // start on the row's first line.
                    let at = if r == 0 {
                        (l + part.len()).checked_sub(lines)
                    } else {
                        Some(l)
                    };
                    let piece = at.and_then(|i| part.get(i)).map_or("", String::as_str);
                    let pad = " ".repeat(w.saturating_sub(width(piece)));
                    if k == 0 {
                        line.push_str(piece);
                        line.push_str(&pad);
                    } else {
                        line.push_str(&" ".repeat(GAP));
                        line.push_str(&pad);
                        line.push_str(piece);
                    }
                }
                out.push_str(&margin);
                out.push_str(line.trim_end());
                out.push('\n');
            }
            if r == 0 {
                out.push_str(&margin);
                out.push_str(&"-".repeat(block_width));
                out.push('\n');
            }
        }
    }
    out
}

/// The value columns of each block: as few blocks as fit `room`, the columns spread over them
/// as evenly as their widths allow (three and two of five, rather than four and one).
fn blocks(widths: &[usize], room: usize) -> Vec<std::ops::Range<usize>> {
    let fits = |r: &std::ops::Range<usize>| {
        r.len() <= 1 || r.clone().map(|c| GAP + widths[c]).sum::<usize>() <= room
    };
    // Greedy: each block takes columns while they fit.
    let mut greedy = Vec::new();
    let mut start = 0;
    while start < widths.len() {
        let mut end = start + 1;
        while end < widths.len() && fits(&(start..end + 1)) {
            end += 1;
        }
        greedy.push(start..end);
        start = end;
    }
    let n = greedy.len();
    if n <= 1 {
        return greedy;
    }
    let even: Vec<std::ops::Range<usize>> = (0..n)
        .map(|b| (b * widths.len()).div_ceil(n)..((b + 1) * widths.len()).div_ceil(n))
        .collect();
    if even.iter().all(fits) { even } else { greedy }
}

/// The narrowest width at which `text` takes at most two lines ([`chunks`]).
fn two_lines(text: &str) -> usize {
    let full = width(text);
    (full.div_ceil(2)..full)
        .find(|&w| chunks(text, w).len() <= 2)
        .unwrap_or(full)
}

/// `text` in pieces of at most `room` characters, broken after a space, `-`, `_`, `.` or `/`
/// where one is near enough, else anywhere; one piece when it fits.
fn chunks(text: &str, room: usize) -> Vec<String> {
    let room = room.max(1);
    let mut rest: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    while rest.len() > room {
        let cut = ((room / 2).max(1)..room)
            .rev()
            .find(|&i| matches!(rest[i - 1], ' ' | '-' | '_' | '.' | '/'))
            .unwrap_or(room);
        let piece: String = rest.drain(..cut).collect();
        out.push(piece.trim_end().to_string());
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
    }
    out.push(rest.into_iter().collect());
    out
}

/// One line of text fitted to [`WIDTH`]: broken at spaces, each continuation indented by the
/// line's own indent and four columns more; a word longer than a line is broken where it must
/// be. The lines are balanced: as many as filling each to the full width takes, but each about
/// as long, so that no line ends with a stray word or two ("(2,000" / "runs)"). No line break
/// at the end.
pub(crate) fn wrap(line: &str) -> String {
    if width(line) <= WIDTH {
        return line.to_string();
    }
    let lines = |text: &str| text.lines().count();
    let full = wrap_within(line, WIDTH);
    (WIDTH * 2 / 3..WIDTH)
        .map(|w| wrap_within(line, w))
        .find(|narrower| lines(narrower) == lines(&full))
        .unwrap_or(full)
}

/// [`wrap`] at `limit` columns, filling each line.
fn wrap_within(line: &str, limit: usize) -> String {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let hanging = " ".repeat((indent + HANGING).min(limit / 2));
    let mut out = String::new();
    let mut current = " ".repeat(indent);
    let mut fresh = true;
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        let room = limit.saturating_sub(width(&current) + usize::from(!fresh));
        if width(word) <= room {
            if !fresh {
                current.push(' ');
            }
            current.push_str(word);
            fresh = false;
            continue;
        }
        if !fresh {
            out.push_str(&current);
            out.push('\n');
            current.clone_from(&hanging);
        }
        let room = limit.saturating_sub(width(&current));
        let mut pieces = chunks(word, room).into_iter().peekable();
        while let Some(piece) = pieces.next() {
            current.push_str(&piece);
            if pieces.peek().is_some() {
                out.push_str(&current);
                out.push('\n');
                current.clone_from(&hanging);
            }
        }
        fresh = false;
    }
    out.push_str(&current);
    out
}

/// Every line of `text` fitted to [`WIDTH`] by [`wrap`]; a final line break is kept.
pub(crate) fn wrap_all(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        out.push_str(&wrap(body));
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widest(text: &str) -> usize {
        text.lines().map(width).max().unwrap_or(0)
    }

    #[test]
    fn a_narrow_table_is_one_block() {
        let rows = vec![
            vec!["what".into(), "a".into(), "b".into()],
            vec!["fill rate".into(), "98.00%".into(), "99.10%".into()],
        ];
        assert_eq!(
            table(&rows),
            "what            a       b\n\
             -------------------------\n\
             fill rate  98.00%  99.10%\n"
        );
    }

    #[test]
    fn a_wide_table_is_split_into_even_blocks_that_repeat_the_labels() {
        let mut header = vec!["runs".to_string()];
        let mut row = vec!["stockout rate".to_string()];
        for p in 0..5 {
            header.push(format!("policy-{p}"));
            row.push(format!("1{p}.00% [10.00, 10.00]"));
        }
        let text = table(&[header, row]);
        assert!(widest(&text) <= WIDTH, "{text}");
        let blocks: Vec<&str> = text.split("\n\n").collect();
        assert_eq!(blocks.len(), 2, "{text}");
        assert_eq!(blocks[0].matches("policy-").count(), 3);
        assert_eq!(blocks[1].matches("policy-").count(), 2);
        assert!(blocks.iter().all(|b| b.contains("stockout rate")));
    }

    #[test]
    fn long_headers_go_over_two_lines_where_that_saves_a_block() {
        let mut header = vec!["runs".to_string()];
        let mut row = vec!["stockout rate".to_string()];
        for p in 0..5 {
            header.push(format!("policy-{p}-with-a-long-name"));
            row.push(format!("{p}.00% ±0.15"));
        }
        let text = table(&[header, row]);
        assert!(widest(&text) <= WIDTH, "{text}");
        assert!(!text.contains("\n\n"), "one block: {text}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0].matches("policy-").count(), 5, "{text}");
        assert_eq!(lines[1].matches("long-name").count(), 5, "{text}");
        assert!(lines[1].starts_with("runs "), "{text}");
    }

    #[test]
    fn headers_and_labels_too_long_for_a_line_are_broken() {
        let long = "p".repeat(150);
        let rows = vec![
            vec!["x".into(), long.clone()],
            vec!["l".repeat(120), "1".into()],
        ];
        let text = table(&rows);
        assert!(widest(&text) <= WIDTH, "{text}");
        assert_eq!(text.matches('p').count(), 150);
        assert_eq!(text.matches('l').count(), 120);
    }

    #[test]
    fn long_lines_wrap_at_spaces_with_a_hanging_indent() {
        let line = format!("  item 'a': {}", "word ".repeat(40));
        let text = wrap(&line);
        assert!(widest(&text) <= WIDTH);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len() > 1);
        assert!(lines[1].starts_with("      word"));
        assert_eq!(
            text.split_whitespace().count(),
            line.split_whitespace().count()
        );
        let word = "w".repeat(250);
        assert!(widest(&wrap(&format!("a {word}"))) <= WIDTH);
        assert_eq!(wrap_all("short\nlines\n"), "short\nlines\n");
    }
}

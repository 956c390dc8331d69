//! Finding the line of a field in a TOML scenario, for messages about values that parsed but
//! are not allowed.

use toml::de::{DeTable, DeValue};

/// The 1-based line of the field at `path` (`item[2].demand.normal.sd`), or of its nearest
/// enclosing table or array element when the field itself is absent.
pub(super) fn line_of(source: &str, path: &str) -> Option<usize> {
    let root = DeTable::parse(source).ok()?;
    let mut span = None;
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    for segment in segments(path) {
        let found = match (segment, table, value) {
            (Segment::Key(key), Some(t), _) => {
                t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
            }
            (Segment::Index(i), _, Some(DeValue::Array(items))) => items.get(i),
            _ => None,
        };
        let Some(found) = found else { break };
        span = Some(found.span());
        value = Some(found.get_ref());
        table = found.get_ref().as_table();
    }
    span.map(|s| source[..s.start].matches('\n').count() + 1)
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        match part.find('[') {
            Some(open) => {
                out.push(Segment::Key(&part[..open]));
                for index in part[open..].split(['[', ']']).filter(|s| !s.is_empty()) {
                    if let Ok(i) = index.parse() {
                        out.push(Segment::Index(i));
                    }
                }
            }
            None => out.push(Segment::Key(part)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_fields_and_array_elements() {
        let src = "[simulation]\nruns = 0\n\n[[item]]\nid = \"a\"\n\n[[item]]\nid = \"b\"\ndemand = { normal = { mean = 5, sd = -1 } }\n";
        assert_eq!(line_of(src, "simulation.runs"), Some(2));
        assert_eq!(line_of(src, "item[1].id"), Some(8));
        assert_eq!(line_of(src, "item[1].demand.normal.sd"), Some(9));
        // A missing field points at its table.
        assert_eq!(line_of(src, "item[0].unit_cost"), Some(4));
    }
}

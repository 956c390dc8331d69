//! Where the fields of a scenario are in its text, TOML or JSON: the line of a field, for
//! messages about values that parsed but are not allowed; the field at a position, for
//! messages about values of the wrong shape; and, for JSON, keys given twice in one object,
//! which serde_json would silently resolve by keeping the last (TOML refuses them itself).
//!
//! Paths are written as the validator writes them: `item[2].demand.normal.sd`. The plural
//! spellings the format accepts for the top-level lists (`suppliers`, `items`, `disruptions`,
//! `policies`) are indexed under the singular, as the validator names them.

use std::collections::HashMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// Every field and list element of a scenario text, with where it is.
pub(super) struct Fields {
    entries: Vec<Entry>,
    /// Keys given twice in one JSON object.
    pub(super) duplicates: Vec<Duplicate>,
}

/// One field or list element.
struct Entry {
    /// E.g. `item[2].demand`.
    path: String,
    /// Where it starts: its key, for a JSON object member; its value otherwise (a TOML key
    /// of a table given by a header is far from the table's contents).
    start: usize,
    /// Its value.
    value: Range<usize>,
}

/// A key given twice in the same JSON object.
pub(super) struct Duplicate {
    /// Path of the key, e.g. `policy.kanban`.
    pub(super) path: String,
    /// 1-based lines of its first and its second appearance.
    pub(super) lines: (usize, usize),
}

impl Fields {
    /// The fields of a TOML text, or `None` if it does not parse.
    pub(super) fn toml(source: &str) -> Option<Fields> {
        let root = DeTable::parse(source).ok()?;
        let mut fields = Fields {
            entries: Vec::new(),
            duplicates: Vec::new(),
        };
        fields.toml_table("", root.get_ref());
        Some(fields)
    }

    fn toml_table(&mut self, at: &str, table: &DeTable<'_>) {
        for (key, value) in table.iter() {
            let path = child(at, key.get_ref());
            self.push(path.clone(), value.span().start, value.span());
            self.toml_value(&path, value.get_ref());
        }
    }

    fn toml_value(&mut self, at: &str, value: &DeValue<'_>) {
        match value {
            DeValue::Table(table) => self.toml_table(at, table),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{at}[{i}]");
                    self.push(path.clone(), item.span().start, item.span());
                    self.toml_value(&path, item.get_ref());
                }
            }
            _ => {}
        }
    }

    fn push(&mut self, path: String, start: usize, value: Range<usize>) {
        self.entries.push(Entry { path, start, value });
    }

    /// The fields of a JSON text, or `None` if it is not well-formed JSON (serde_json then
    /// says where).
    pub(super) fn json(source: &str) -> Option<Fields> {
        let mut scanner = Json {
            text: source.as_bytes(),
            pos: 0,
            fields: Fields {
                entries: Vec::new(),
                duplicates: Vec::new(),
            },
        };
        scanner.value("", 0)?;
        scanner.space();
        (scanner.pos == scanner.text.len()).then_some(scanner.fields)
    }

    /// The 1-based line of the field at `path`, or of its nearest enclosing table, object or
    /// list element when the field itself is absent (a missing field, a default).
    pub(super) fn line_of(&self, source: &str, path: &str) -> Option<usize> {
        let mut path = path;
        loop {
            if let Some(entry) = self.entries.iter().find(|e| e.path == path) {
                return Some(line_at(source.as_bytes(), entry.start));
            }
            path = parent(path)?;
        }
    }

    /// The innermost field whose text (key included) holds byte `offset`, or ends just
    /// before it (serde_json reports a wrong string after reading it), and its value as
    /// written.
    pub(super) fn field_at<'s>(&self, source: &'s str, offset: usize) -> Option<(&str, &'s str)> {
        self.entries
            .iter()
            .filter(|e| e.start <= offset && offset <= e.value.end)
            .min_by_key(|e| e.value.end - e.start)
            .map(|e| (e.path.as_str(), source.get(e.value.clone()).unwrap_or("")))
    }
}

/// The path of `key` inside `at`, with the top-level plurals made singular.
fn child(at: &str, key: &str) -> String {
    if at.is_empty() {
        match key {
            "suppliers" => "supplier",
            "items" => "item",
            "disruptions" => "disruption",
            "policies" => "policy",
            other => other,
        }
        .to_string()
    } else {
        format!("{at}.{key}")
    }
}

/// The enclosing path: `a.b[2]` for `a.b[2].c`, `a.b` for `a.b[2]`; `None` at the top.
fn parent(path: &str) -> Option<&str> {
    match path.rfind(['.', '[']) {
        Some(cut) => Some(&path[..cut]),
        None => None,
    }
}

/// The 1-based line of byte `offset`.
pub(super) fn line_at(text: &[u8], offset: usize) -> usize {
    text[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Deepest nesting scanned; serde_json refuses deeper documents (its limit is 128) and this
/// keeps the recursion from exhausting the stack on a malicious file.
const MAX_DEPTH: usize = 128;

/// A JSON scanner that records where every value is. It accepts what serde_json accepts for
/// the purpose (objects, arrays, strings, and the tokens between), and gives up on anything
/// else: a malformed file is serde_json's to report.
struct Json<'a> {
    text: &'a [u8],
    pos: usize,
    fields: Fields,
}

impl Json<'_> {
    fn space(&mut self) {
        while self
            .text
            .get(self.pos)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// One value at `at`: its nested fields are recorded, the value itself by the caller.
    fn value(&mut self, at: &str, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.space();
        match self.peek()? {
            b'{' => self.object(at, depth),
            b'[' => self.array(at, depth),
            b'"' => self.string().map(|_| ()),
            _ => {
                // A number, `true`, `false` or `null`: up to the next delimiter.
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
                {
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
            }
        }
    }

    fn object(&mut self, at: &str, depth: usize) -> Option<()> {
        self.pos += 1;
        let mut seen: HashMap<String, usize> = HashMap::new();
        loop {
            self.space();
            match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                b'"' => {}
                _ => return None,
            }
            let start = self.pos;
            let key = self.string()?;
            self.space();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            let path = child(at, &key);
            self.space();
            let value_start = self.pos;
            self.value(&path, depth + 1)?;
            if let Some(&first) = seen.get(&key) {
                self.fields.duplicates.push(Duplicate {
                    path: path.clone(),
                    lines: (line_at(self.text, first), line_at(self.text, start)),
                });
            } else {
                seen.insert(key, start);
            }
            self.fields.push(path, start, value_start..self.pos);
            self.space();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {}
                _ => return None,
            }
        }
    }

    fn array(&mut self, at: &str, depth: usize) -> Option<()> {
        self.pos += 1;
        let mut index = 0;
        loop {
            self.space();
            if self.peek()? == b']' {
                self.pos += 1;
                return Some(());
            }
            let path = format!("{at}[{index}]");
            let start = self.pos;
            self.value(&path, depth + 1)?;
            self.fields.push(path, start, start..self.pos);
            index += 1;
            self.space();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {}
                _ => return None,
            }
        }
    }

    /// A string, its escapes undone (a `\u` escape of four hex digits included; an unpaired surrogate becomes U+FFFD).
    fn string(&mut self) -> Option<String> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let escaped = self.peek()?;
                    self.pos += 1;
                    let c = match escaped {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => {
                            let hex = self.text.get(self.pos..self.pos + 4)?;
                            self.pos += 4;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        other => char::from(other),
                    };
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_fields_and_array_elements() {
        let src = "[simulation]\nruns = 0\n\n[[item]]\nid = \"a\"\n\n[[item]]\nid = \"b\"\ndemand = { normal = { mean = 5, sd = -1 } }\n";
        let fields = Fields::toml(src).unwrap();
        assert_eq!(fields.line_of(src, "simulation.runs"), Some(2));
        assert_eq!(fields.line_of(src, "item[1].id"), Some(8));
        assert_eq!(fields.line_of(src, "item[1].demand.normal.sd"), Some(9));
        // A missing field points at its table.
        assert_eq!(fields.line_of(src, "item[0].unit_cost"), Some(4));
    }

    #[test]
    fn finds_json_fields_and_keys_given_twice() {
        let src = "{\"simulation\": {\"runs\": 0},\n \"items\": [\n  {\"id\": \"a\"},\n  {\"id\": \"b\\u0041\",\n   \"demand\": {\"normal\": {\"mean\": 5, \"sd\": -1}}}],\n \"policy\": {\"p\": {},\n  \"p\": {}}}";
        let fields = Fields::json(src).unwrap();
        assert_eq!(fields.line_of(src, "simulation.runs"), Some(1));
        assert_eq!(fields.line_of(src, "item[1].id"), Some(4));
        assert_eq!(fields.line_of(src, "item[1].demand.normal.sd"), Some(5));
        assert_eq!(fields.line_of(src, "item[0].unit_cost"), Some(3));
        assert_eq!(fields.duplicates.len(), 1);
        assert_eq!(fields.duplicates[0].path, "policy.p");
        assert_eq!(fields.duplicates[0].lines, (6, 7));
        let sd = src.find("-1").unwrap();
        assert_eq!(
            fields.field_at(src, sd),
            Some(("item[1].demand.normal.sd", "-1"))
        );
        // Not JSON, or too deep: serde_json reports it.
        assert!(Fields::json("{\"a\": }").is_none());
        assert!(Fields::json(&"[".repeat(10_000)).is_none());
    }
}

//! A JSON tree that keeps what `serde_json::Value` forgets: the text of every
//! number (`1.0`, `6764.71`, `1e3`, integers beyond `u64`) and the order of keys,
//! duplicates included.
//!
//! The round-trip properties compare two texts through it: equal trees mean the
//! same values, the same number literals and the same key order, whatever the
//! whitespace and string escapes. Generated instances are built as trees too, so
//! a number is written exactly as the generator chose it.

use std::fmt;

use serde::{de, Deserialize, Deserializer};
use serde_json::value::RawValue;

/// How deep [`Exact::parse`] follows arrays and objects (serde_json's own limit).
pub const MAX_DEPTH: usize = 128;

/// One JSON value, exactly as written (strings decoded, numbers verbatim).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Exact {
    Null,
    Bool(bool),
    /// The number's literal text, e.g. `1.0` or `123456789012345678901234567890`.
    Number(String),
    String(String),
    Array(Vec<Exact>),
    /// Entries in their written order; a repeated key is kept twice.
    Object(Vec<(String, Exact)>),
}

impl Exact {
    /// Parses one JSON text; fails where serde_json fails, or past [`MAX_DEPTH`].
    pub fn parse(text: &str) -> Result<Exact, serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        from_raw(raw, 0)
    }

    /// Compact JSON text: no whitespace, numbers verbatim, strings escaped as serde_json escapes them.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    /// The value as `serde_json::Value` (numbers beyond `f64` fail, as in serde_json).
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.to_text())
    }

    /// The value at a JSON pointer (`/choices/0/message`), `""` being the whole value.
    pub fn pointer(&self, pointer: &str) -> Option<&Exact> {
        let mut current = self;
        for token in tokens(pointer)? {
            current = match current {
                Exact::Object(entries) => entries.iter().find(|(key, _)| *key == token).map(|(_, v)| v)?,
                Exact::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// The value at a JSON pointer, to change it in place.
    pub fn pointer_mut(&mut self, pointer: &str) -> Option<&mut Exact> {
        let mut current = self;
        for token in tokens(pointer)? {
            current = match current {
                Exact::Object(entries) => {
                    entries.iter_mut().find(|(key, _)| *key == token).map(|(_, v)| v)?
                }
                Exact::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// Removes `key` from the object at `pointer`; says whether it was there.
    pub fn remove(&mut self, pointer: &str, key: &str) -> bool {
        match self.pointer_mut(pointer) {
            Some(Exact::Object(entries)) => {
                let before = entries.len();
                entries.retain(|(k, _)| k != key);
                entries.len() != before
            }
            _ => false,
        }
    }

    /// The JSON type's name: `null`, `boolean`, `number`, `string`, `array` or `object`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Exact::Null => "null",
            Exact::Bool(_) => "boolean",
            Exact::Number(_) => "number",
            Exact::String(_) => "string",
            Exact::Array(_) => "array",
            Exact::Object(_) => "object",
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Exact::Null => out.push_str("null"),
            Exact::Bool(true) => out.push_str("true"),
            Exact::Bool(false) => out.push_str("false"),
            Exact::Number(text) => out.push_str(text),
            Exact::String(text) => write_string(text, out),
            Exact::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Exact::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Where two trees first differ, with both sides shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// JSON pointer of the first difference; for a key order or key set change, the object's.
    pub pointer: String,
    pub left: String,
    pub right: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "(root)" } else { &self.pointer };
        write!(f, "{pointer}: {} became {}", self.left, self.right)
    }
}

/// The first place where `left` and `right` differ, in document order, or `None` when equal.
pub fn first_difference(left: &Exact, right: &Exact) -> Option<Difference> {
    let mut pointer = String::new();
    difference_at(left, right, &mut pointer)
}

fn difference_at(left: &Exact, right: &Exact, pointer: &mut String) -> Option<Difference> {
    let differ = |pointer: &str, left: String, right: String| {
        Some(Difference { pointer: pointer.to_string(), left: shorten(left), right: shorten(right) })
    };
    match (left, right) {
        (Exact::Array(a), Exact::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                if let Some(found) = difference_at(x, y, pointer) {
                    return Some(found);
                }
                pointer.truncate(len);
            }
            (a.len() != b.len()).then(|| Difference {
                pointer: pointer.clone(),
                left: format!("{} item(s)", a.len()),
                right: format!("{} item(s)", b.len()),
            })
        }
        (Exact::Object(a), Exact::Object(b)) => {
            let keys =
                |entries: &[(String, Exact)]| entries.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
            if keys(a) != keys(b) {
                return differ(pointer, format!("keys {:?}", keys(a)), format!("keys {:?}", keys(b)));
            }
            for ((key, x), (_, y)) in a.iter().zip(b) {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_token(key));
                if let Some(found) = difference_at(x, y, pointer) {
                    return Some(found);
                }
                pointer.truncate(len);
            }
            None
        }
        _ if left == right => None,
        _ => differ(pointer, left.to_text(), right.to_text()),
    }
}

/// Escapes one key for a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Splits a JSON pointer into unescaped tokens; `None` when it does not start with `/`.
fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

fn shorten(text: String) -> String {
    const MAX: usize = 120;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn write_string(text: &str, out: &mut String) {
    // serde_json's escaping: `"`, `\` and control characters; everything else as it is.
    out.push_str(&serde_json::to_string(text).unwrap_or_default());
}

fn from_raw(raw: &RawValue, depth: usize) -> Result<Exact, serde_json::Error> {
    if depth > MAX_DEPTH {
        return Err(de::Error::custom(format_args!("nesting deeper than {MAX_DEPTH} levels")));
    }
    let text = raw.get();
    Ok(match text.as_bytes().first() {
        Some(b'{') => {
            let Entries(entries) = serde_json::from_str(text)?;
            let mut out = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                out.push((key, from_raw(value, depth + 1)?));
            }
            Exact::Object(out)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(text)?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(from_raw(item, depth + 1)?);
            }
            Exact::Array(out)
        }
        Some(b'"') => Exact::String(serde_json::from_str(text)?),
        Some(b't') => Exact::Bool(true),
        Some(b'f') => Exact::Bool(false),
        Some(b'n') => Exact::Null,
        _ => Exact::Number(text.to_string()),
    })
}

/// An object's entries in order, values still as text; duplicates are kept.
pub(crate) struct Entries<'a>(pub(crate) Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> de::Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(key) = map.next_key::<String>()? {
                    entries.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_their_text_and_keys_their_order() {
        let text = r#"{"b": 1.0, "a": [6764.71, 1e3, 123456789012345678901234567890, -0], "b": null}"#;
        let exact = Exact::parse(text).unwrap();
        assert_eq!(
            exact.to_text(),
            r#"{"b":1.0,"a":[6764.71,1e3,123456789012345678901234567890,-0],"b":null}"#
        );
    }

    #[test]
    fn escapes_are_decoded_so_equal_strings_compare_equal() {
        let escaped = Exact::parse(r#"["\u00e9\n\/"]"#).unwrap();
        let raw = Exact::parse("[\"é\\n/\"]").unwrap();
        assert_eq!(escaped, raw);
    }

    #[test]
    fn first_difference_names_the_pointer() {
        let left = Exact::parse(r#"{"a": {"x/y": [1, 2.0]}}"#).unwrap();
        let right = Exact::parse(r#"{"a": {"x/y": [1, 2]}}"#).unwrap();
        let found = first_difference(&left, &right).unwrap();
        assert_eq!(found.to_string(), "/a/x~1y/1: 2.0 became 2");
        let reordered = Exact::parse(r#"{"b": 1, "a": 2}"#).unwrap();
        let ordered = Exact::parse(r#"{"a": 2, "b": 1}"#).unwrap();
        assert_eq!(first_difference(&reordered, &ordered).unwrap().pointer, "");
        assert_eq!(first_difference(&left, &left), None);
    }

    #[test]
    fn pointers_reach_into_arrays_and_escaped_keys() {
        let mut exact = Exact::parse(r#"{"a~b": [{"c": 1}]}"#).unwrap();
        assert_eq!(exact.pointer("/a~0b/0/c"), Some(&Exact::Number("1".into())));
        assert!(exact.remove("/a~0b/0", "c"));
        assert_eq!(exact.to_text(), r#"{"a~b":[{}]}"#);
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert!(Exact::parse(&deep).is_err());
    }
}

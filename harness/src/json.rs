//! Reads a response body strictly: bytes → `serde_json::Value`, or a [`BadInput`]
//! with line and column.
//!
//! serde_json alone accepts things a conformance suite must report: it keeps the
//! last of two duplicate keys silently and turns an integer beyond 64 bits into
//! a rounded float. This module parses with serde_json (so speed and error
//! positions are serde_json's) through a visitor that rejects duplicate keys,
//! and rejects the BOM, invalid UTF-8 and empty input before parsing.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::locate::{offset_of_byte_position, ByteColumn, Position};

/// Input that is not one well-formed JSON document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {kind}")]
pub struct BadInput {
    pub position: Position,
    pub kind: BadInputKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadInputKind {
    #[error("empty input: expected one JSON value")]
    Empty,
    #[error("UTF-8 byte order mark before the JSON value: remove it (RFC 8259 forbids it)")]
    ByteOrderMark,
    #[error("invalid UTF-8: JSON text must be UTF-8")]
    InvalidUtf8,
    #[error(
        "{0}: JSON text must be UTF-8 (RFC 8259, section 8.1); convert it, e.g. `iconv -f UTF-16 -t UTF-8`"
    )]
    Utf16(Utf16),
    #[error("{} is whitespace that JSON does not allow (only space, tab, LF and CR are): not JSON", describe_char(*.0))]
    ForeignWhitespace(char),
    #[error("not JSON: {0}")]
    Syntax(String),
    #[error("trailing characters after the JSON value")]
    TrailingCharacters,
    #[error("duplicate key `{0}` in one object (serde_json would keep the last value silently)")]
    DuplicateKey(String),
    #[error("nesting deeper than {MAX_DEPTH} levels (the 128th opening bracket is refused)")]
    TooDeep,
    #[error("number `{0}` is out of range: beyond 64-bit integers or f64")]
    NumberOutOfRange(String),
}

/// How deep arrays and objects may nest: 127 levels are read, the 128th bracket
/// is refused. This is serde_json's recursion limit (its budget of 128 is spent
/// before the bracket that would use the last unit is read).
pub const MAX_DEPTH: usize = 127;

/// A UTF-16 text, told by its byte order mark or, without one, by the zero byte
/// beside the first ASCII character (RFC 4627's detection pattern).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Utf16 {
    pub big_endian: bool,
    pub byte_order_mark: bool,
}

impl Utf16 {
    /// Whether `bytes` look like UTF-16 text: a UTF-16 byte order mark, or two
    /// ASCII text characters (JSON starts with two) each beside a zero byte.
    pub fn detect(bytes: &[u8]) -> Option<Utf16> {
        let text = |b: u8| b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        match bytes {
            [0xFF, 0xFE, ..] => Some(Utf16 { big_endian: false, byte_order_mark: true }),
            [0xFE, 0xFF, ..] => Some(Utf16 { big_endian: true, byte_order_mark: true }),
            [a, 0, b, 0, ..] if text(*a) && text(*b) => {
                Some(Utf16 { big_endian: false, byte_order_mark: false })
            }
            [0, a, 0, b, ..] if text(*a) && text(*b) => {
                Some(Utf16 { big_endian: true, byte_order_mark: false })
            }
            _ => None,
        }
    }
}

impl fmt::Display for Utf16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order = if self.big_endian { "big-endian" } else { "little-endian" };
        let mark = if self.byte_order_mark { "with" } else { "without" };
        write!(f, "UTF-16 text ({order}, {mark} a byte order mark)")
    }
}

/// Whitespace to Unicode (or a byte order mark) that JSON's grammar does not allow.
fn is_foreign_whitespace(c: char) -> bool {
    (c.is_whitespace() || c == '\u{FEFF}') && !matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn describe_char(c: char) -> String {
    let name = match c {
        '\u{0B}' => " (vertical tab)",
        '\u{0C}' => " (form feed)",
        '\u{85}' => " (next line)",
        '\u{A0}' => " (no-break space)",
        '\u{2028}' => " (line separator)",
        '\u{2029}' => " (paragraph separator)",
        '\u{FEFF}' => " (byte order mark)",
        _ => "",
    };
    format!("U+{:04X}{name}", u32::from(c))
}

/// Parses `bytes` as exactly one JSON value, rejecting what [`BadInputKind`] lists.
pub fn parse(bytes: &[u8]) -> Result<Value, BadInput> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(BadInput { position: Position::START, kind: BadInputKind::ByteOrderMark });
    }
    if let Some(utf16) = Utf16::detect(bytes) {
        return Err(BadInput { position: Position::START, kind: BadInputKind::Utf16(utf16) });
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let position = Position::of_offset(bytes, err.valid_up_to());
            return Err(BadInput { position, kind: BadInputKind::InvalidUtf8 });
        }
    };
    parse_str(text)
}

/// [`parse`] for text that is already known to be UTF-8.
pub fn parse_str(text: &str) -> Result<Value, BadInput> {
    // Only JSON's own whitespace makes an input empty: a form feed is not JSON at all.
    if text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        return Err(BadInput { position: Position::START, kind: BadInputKind::Empty });
    }
    let mut suspicious_float = false;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = StrictValue { suspicious_float: &mut suspicious_float }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|err| classify(text, &err))?;
    if suspicious_float {
        if let Some((offset, literal)) = oversized_integer(text) {
            return Err(BadInput {
                position: Position::of_offset(text.as_bytes(), offset),
                kind: BadInputKind::NumberOutOfRange(literal),
            });
        }
    }
    Ok(value)
}

const DUPLICATE_MARKER: &str = "chatcompat-duplicate-key:";

fn classify(text: &str, err: &serde_json::Error) -> BadInput {
    let message = err.to_string();
    // serde_json counts lines by LF only and columns in bytes: convert once, here.
    let offset = offset_of_byte_position(text, err.line(), ByteColumn(err.column()));
    let position = Position::of_offset(text.as_bytes(), offset);
    let kind = if let Some(rest) = message.strip_prefix(DUPLICATE_MARKER) {
        let key = rest.rsplit_once(" at line").map_or(rest, |(key, _)| key);
        // serde_json stops at the key's closing quote; point at its opening one.
        let opening = text[..offset].rfind('"').unwrap_or(offset);
        let position = Position::of_offset(text.as_bytes(), opening);
        return BadInput { position, kind: BadInputKind::DuplicateKey(key.to_string()) };
    } else if message.starts_with("trailing characters") {
        BadInputKind::TrailingCharacters
    } else if message.starts_with("recursion limit exceeded") {
        BadInputKind::TooDeep
    } else if message.starts_with("number out of range") {
        let (start, literal) = number_around(text, offset);
        let position = Position::of_offset(text.as_bytes(), start);
        return BadInput { position, kind: BadInputKind::NumberOutOfRange(literal) };
    } else if let Some(c) = text[offset..].chars().next().filter(|&c| is_foreign_whitespace(c)) {
        BadInputKind::ForeignWhitespace(c)
    } else {
        let short = message.rsplit_once(" at line").map_or(message.as_str(), |(m, _)| m);
        BadInputKind::Syntax(short.to_string())
    };
    BadInput { position, kind }
}

/// The number literal around `offset` (serde_json points into or just past it), with its start.
fn number_around(text: &str, offset: usize) -> (usize, String) {
    let is_number = |c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E');
    let start = text[..offset].rfind(|c: char| !is_number(c)).map_or(0, |i| i + 1);
    let end = text[offset..].find(|c: char| !is_number(c)).map_or(text.len(), |i| offset + i);
    (start, text[start..end].to_string())
}

/// A `Value` seed that rejects duplicate keys and notes floats that may be huge integers.
struct StrictValue<'a> {
    suspicious_float: &'a mut bool,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // An integer literal beyond u64 reaches us as a rounded float; the caller
        // looks at the text to tell it from a real float like 1e20.
        if v.fract() == 0.0 && v.abs() >= 9.0e18 {
            *self.suspicious_float = true;
        }
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) =
            seq.next_element_seed(StrictValue { suspicious_float: self.suspicious_float })?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("{DUPLICATE_MARKER}{key}")));
            }
            let value = map.next_value_seed(StrictValue { suspicious_float: self.suspicious_float })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// The first integer literal (no fraction, no exponent) in `text` that fits
/// neither i64 nor u64, with its byte offset. Strings are skipped.
fn oversized_integer(text: &str) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                let literal = &text[start..i];
                let integral = !literal.contains(['.', 'e', 'E']);
                if integral && literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                    return Some((start, literal.to_string()));
                }
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn nesting_is_read_to_127_levels_and_the_128th_bracket_is_refused() {
        assert!(parse_str(&nested(MAX_DEPTH)).is_ok());
        for levels in [MAX_DEPTH + 1, MAX_DEPTH + 2] {
            let bad = parse_str(&nested(levels)).expect_err("too deep");
            assert_eq!(bad.kind, BadInputKind::TooDeep, "{levels}");
            assert_eq!(bad.position, Position::new(1, 128), "{levels}");
        }
        let objects = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(parse_str(&objects).is_ok());
    }

    #[test]
    fn a_syntax_error_after_multi_byte_text_points_at_its_character() {
        let text = "{\"名前\": \"東京都\", \"n\": tru}";
        let bad = parse_str(text).expect_err("not JSON");
        // `tru}`: serde_json stops at `}`, byte column 33; that is character column 23.
        assert_eq!(bad.position, Position::new(1, 23), "{bad}");
        let offset = crate::locate::offset_of(text, bad.position).unwrap_or_default();
        assert_eq!(&text[offset..], "}");
        assert!(matches!(bad.kind, BadInputKind::Syntax(_)), "{bad}");
    }

    #[test]
    fn a_duplicate_key_on_a_multi_byte_line_points_at_the_second_key() {
        let text = "{\n  \"é\": \"ü\", \"名\": 1, \"名\": 2\n}";
        let bad = parse_str(text).expect_err("duplicate");
        assert_eq!(bad.kind, BadInputKind::DuplicateKey("名".into()));
        assert_eq!(bad.position, Position::new(2, 21), "{bad}");
        let offset = crate::locate::offset_of(text, bad.position).unwrap_or_default();
        assert!(text[offset..].starts_with("\"名\": 2"), "{}", &text[offset..]);
    }

    #[test]
    fn cr_only_line_ends_count_as_lines() {
        let bad = parse_str("{\r\"a\": 1,\r\"b\": x\r}").expect_err("not JSON");
        assert_eq!(bad.position, Position::new(3, 6), "{bad}");
        let bad = parse_str("{\r\n\"a\": 1,\r\n\"b\": x\r\n}").expect_err("not JSON");
        assert_eq!(bad.position, Position::new(3, 6), "{bad}");
    }

    #[test]
    fn utf16_is_named_with_and_without_a_byte_order_mark() {
        let utf16le: Vec<u8> = "{\"a\": 1}".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let utf16be: Vec<u8> = "{\"a\": 1}".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let with_bom = [&[0xFF, 0xFE][..], &utf16le].concat();
        for (bytes, expected) in [
            (&with_bom, Utf16 { big_endian: false, byte_order_mark: true }),
            (&utf16le, Utf16 { big_endian: false, byte_order_mark: false }),
            (&utf16be, Utf16 { big_endian: true, byte_order_mark: false }),
        ] {
            let bad = parse(bytes).expect_err("UTF-16");
            assert_eq!(bad.kind, BadInputKind::Utf16(expected));
            assert!(bad.to_string().starts_with("1:1: UTF-16 text ("), "{bad}");
        }
        // Binary data with zero bytes is not taken for UTF-16.
        assert_eq!(Utf16::detect(b"\x00\x01\x02\xff"), None);
    }

    #[test]
    fn a_form_feed_is_not_empty_input_but_whitespace_json_does_not_allow() {
        let bad = parse_str("\u{0C}").expect_err("form feed");
        assert_eq!(bad.kind, BadInputKind::ForeignWhitespace('\u{0C}'));
        assert_eq!(bad.position, Position::START);
        assert!(
            bad.to_string().contains("U+000C (form feed) is whitespace that JSON does not allow"),
            "{bad}"
        );
        let bad = parse_str("{\"a\":\u{A0}1}").expect_err("no-break space");
        assert_eq!(bad.kind, BadInputKind::ForeignWhitespace('\u{A0}'));
        assert_eq!(bad.position, Position::new(1, 6));
        assert_eq!(parse_str(" \t\r\n").expect_err("empty").kind, BadInputKind::Empty);
    }
}

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
use serde_json::{map::Entry, Map, Number, Value};

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
    #[error("number `{0}` is out of range: beyond f64 (JavaScript reads it as Infinity, which no `number` or `integer` field takes)")]
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
    read(bytes).map(|parsed| parsed.value)
}

/// [`parse`] for text that is already known to be UTF-8.
pub fn parse_str(text: &str) -> Result<Value, BadInput> {
    read_str(text).map(|parsed| parsed.value)
}

/// A body read strictly, with what the value alone cannot tell about its numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub value: Value,
    /// Float literals (`1e20`, `9.3e18`) whose value is an integer outside ±2^63, by pointer.
    /// Empty for nearly every body: only filled when the parse met such a value.
    pub wide_floats: Vec<WideFloat>,
}

/// A float literal whose value is an integer beyond the 64-bit range: an `integer`
/// field takes it in JavaScript (`Number.isInteger`), pydantic's `int` refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WideFloat {
    pub pointer: String,
    pub literal: String,
}

/// [`parse`], keeping the [`Parsed::wide_floats`].
pub fn read(bytes: &[u8]) -> Result<Parsed, BadInput> {
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
    read_str(text)
}

/// [`read`] for text that is already known to be UTF-8.
pub fn read_str(text: &str) -> Result<Parsed, BadInput> {
    // Only JSON's own whitespace makes an input empty: a form feed is not JSON at all.
    if text.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
        return Err(BadInput { position: Position::START, kind: BadInputKind::Empty });
    }
    match deserialize(text) {
        Err(err) if is_surrogate_error(&err) => match without_lone_surrogates(text) {
            // Python's json and JavaScript's JSON.parse accept a lone surrogate escape
            // (a cut emoji, legal in RFC 8259's grammar); serde_json's `String` cannot
            // hold one. `\ufffd` has the same length, so every position stays put.
            Some(replaced) => deserialize(&replaced).map_err(|err| classify(&replaced, &err)),
            None => Err(classify(text, &err)),
        },
        Err(err) => Err(classify(text, &err)),
        Ok(parsed) => Ok(parsed),
    }
    .map(|(value, wide)| {
        let wide_floats = if wide { wide_floats(text, &value) } else { Vec::new() };
        Parsed { value, wide_floats }
    })
}

/// The value, and whether it holds an integral float beyond ±2^63.
fn deserialize(text: &str) -> Result<(Value, bool), serde_json::Error> {
    let mut wide = false;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = StrictValue { wide_float: &mut wide }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok((value, wide))
}

/// serde_json's errors for an unpaired surrogate escape (what follows it decides which).
fn is_surrogate_error(err: &serde_json::Error) -> bool {
    let message = err.to_string();
    ["surrogate", "hex escape", "unicode code point"].iter().any(|m| message.contains(m))
}

/// `text` with every unpaired surrogate escape (`\ud83d` alone) replaced by
/// `\ufffd`; `None` if there is none.
fn without_lone_surrogates(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let hex = |at: usize| -> Option<u16> {
        let digits = text.get(at..at + 4)?;
        u16::from_str_radix(digits, 16).ok()
    };
    let escape_at = |at: usize| bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u');
    let mut lone = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string && escape_at(i) => {
                match hex(i + 2) {
                    Some(high @ 0xD800..=0xDBFF) => {
                        let paired = escape_at(i + 6) && matches!(hex(i + 8), Some(0xDC00..=0xDFFF));
                        let _ = high;
                        if paired {
                            i += 12;
                            continue;
                        }
                        lone.push(i);
                    }
                    Some(0xDC00..=0xDFFF) => lone.push(i),
                    _ => {}
                }
                i += 6;
            }
            b'\\' if in_string => i += 2,
            _ => i += 1,
        }
    }
    if lone.is_empty() {
        return None;
    }
    let mut out = text.to_string();
    for at in lone {
        out.replace_range(at..at + 6, "\\ufffd");
    }
    Some(out)
}

/// 2^63 as f64: pydantic's `int` takes a float only strictly inside ±2^63.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// The float literals of `text` whose value is an integer outside ±2^63. The
/// numbers that serde_json holds as f64 stand in the same order in the value
/// (objects keep their order) as their literals in the text, so the two are zipped.
pub fn wide_floats(text: &str, value: &Value) -> Vec<WideFloat> {
    // Nearly every value has none: find that out without building a pointer per float.
    if !has_wide_float(value) {
        return Vec::new();
    }
    let mut floats = Vec::new();
    collect_floats(value, &mut String::new(), &mut floats);
    if !floats.iter().any(|(_, v)| v.fract() == 0.0 && v.abs() >= TWO_POW_63) {
        return Vec::new();
    }
    floats
        .into_iter()
        .zip(f64_literals(text))
        .filter(|((_, v), literal)| {
            literal.contains(['.', 'e', 'E']) && v.fract() == 0.0 && v.abs() >= TWO_POW_63
        })
        .map(|((pointer, _), literal)| WideFloat { pointer, literal: literal.to_string() })
        .collect()
}

/// Whether `value` holds an integral float beyond ±2^63 anywhere.
fn has_wide_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => {
            n.as_f64().is_some_and(|v| n.is_f64() && v.fract() == 0.0 && v.abs() >= TWO_POW_63)
        }
        Value::Array(items) => items.iter().any(has_wide_float),
        Value::Object(map) => map.values().any(has_wide_float),
        _ => false,
    }
}

fn collect_floats(value: &Value, pointer: &mut String, out: &mut Vec<(String, f64)>) {
    match value {
        Value::Number(n) if n.is_f64() => out.push((pointer.clone(), n.as_f64().unwrap_or_default())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                collect_floats(item, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                collect_floats(item, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// The number literals of `text` that serde_json reads as f64 (a fraction, an
/// exponent, or an integer beyond i64 and u64), in order. Strings are skipped.
fn f64_literals(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
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
                let float = literal.contains(['.', 'e', 'E']);
                // serde_json reads `-0` (any zeros after a minus) as the float -0.0, keeping its sign.
                let negative_zero = literal.len() > 1 && literal[1..].bytes().all(|b| b == b'0');
                let negative_zero = negative_zero && literal.starts_with('-');
                if float
                    || negative_zero
                    || (literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err())
                {
                    out.push(literal);
                }
            }
            _ => i += 1,
        }
    }
    out
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

/// A `Value` seed that rejects duplicate keys and notes integral floats beyond ±2^63.
struct StrictValue<'a> {
    wide_float: &'a mut bool,
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
        // An integer literal beyond u64 reaches us as a float too (the nearest one,
        // as JavaScript reads it); the caller looks at the text to tell it from `1e20`.
        if v.fract() == 0.0 && v.abs() >= TWO_POW_63 {
            *self.wide_float = true;
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
        while let Some(item) = seq.next_element_seed(StrictValue { wide_float: self.wide_float })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One lookup per key: the vacant slot is filled once its value is read.
            let slot = match object.entry(key) {
                Entry::Vacant(slot) => slot,
                Entry::Occupied(taken) => {
                    return Err(de::Error::custom(format_args!("{DUPLICATE_MARKER}{}", taken.key())));
                }
            };
            slot.insert(map.next_value_seed(StrictValue { wide_float: self.wide_float })?);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    #[test]
    fn a_negative_zero_before_a_wide_float_leaves_it_found() {
        // serde_json holds `-0` as a float: the literals and the value's floats stay in step.
        let parsed = read(br#"{"created": -0, "usage": {"n": 7670.959e85}}"#).expect("valid");
        assert_eq!(
            parsed.wide_floats,
            [WideFloat { pointer: "/usage/n".into(), literal: "7670.959e85".into() }]
        );
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

    #[test]
    fn integers_beyond_u64_are_read_as_the_nearest_double() {
        for (literal, expected) in [
            ("36893488147419103232", 36893488147419103232.0),
            ("18446744073709551616", 18446744073709551616.0),
        ] {
            let parsed = read_str(&format!("{{\"created\": {literal}}}")).expect(literal);
            assert_eq!(parsed.value["created"].as_f64(), Some(expected), "{literal}");
            assert!(parsed.wide_floats.is_empty(), "an integer literal is no float: {literal}");
        }
        let bad = parse_str("{\"created\": 1e400}").expect_err("beyond f64");
        assert_eq!(bad.kind, BadInputKind::NumberOutOfRange("1e400".into()));
    }

    #[test]
    fn wide_floats_are_the_float_literals_beyond_the_64_bit_range_with_their_pointers() {
        let text = r#"{"a": [1e20, 18446744073709551616, 9.2e18, "1e30"], "b/c": {"d": -9.3e18, "e": 1.5e300}, "f": 1.0}"#;
        let parsed = read_str(text).unwrap();
        let found: Vec<(&str, &str)> =
            parsed.wide_floats.iter().map(|w| (w.pointer.as_str(), w.literal.as_str())).collect();
        assert_eq!(found, [("/a/0", "1e20"), ("/b~1c/d", "-9.3e18"), ("/b~1c/e", "1.5e300")]);
        assert!(read_str(r#"{"a": 9.2e18, "b": 12345678901234567890}"#).unwrap().wide_floats.is_empty());
    }

    #[test]
    fn lone_surrogate_escapes_are_read_as_python_and_javascript_read_them() {
        for text in [r#"{"c": "cut \ud83d"}"#, r#"{"c": "\udc00x"}"#, r#"{"c": "\ud83d\u0041"}"#] {
            let value = parse_str(text).unwrap_or_else(|bad| panic!("{text}: {bad}"));
            assert!(value["c"].as_str().is_some_and(|s| s.contains('\u{FFFD}')), "{text}: {value}");
        }
        // A pair is still one character, and an escaped backslash before `u` is no escape.
        assert_eq!(parse_str(r#"{"c": "\ud83d\ude00"}"#).unwrap()["c"], "😀");
        assert_eq!(parse_str(r#"{"c": "\\ud83d"}"#).unwrap()["c"], "\\ud83d");
        // Positions after a replaced escape are unchanged.
        let bad = parse_str("{\"c\": \"\\ud83d\", \"d\": x}").expect_err("not JSON");
        assert_eq!(bad.position, Position::new(1, 22), "{bad}");
    }
}

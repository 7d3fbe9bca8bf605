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

use crate::locate::Position;

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
    #[error("not JSON: {0}")]
    Syntax(String),
    #[error("trailing characters after the JSON value")]
    TrailingCharacters,
    #[error("duplicate key `{0}` in one object (serde_json would keep the last value silently)")]
    DuplicateKey(String),
    #[error("nesting deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("number `{0}` is out of range: beyond 64-bit integers or f64")]
    NumberOutOfRange(String),
}

/// How deep arrays and objects may nest (serde_json's own recursion limit).
pub const MAX_DEPTH: usize = 128;

/// Parses `bytes` as exactly one JSON value, rejecting what [`BadInputKind`] lists.
pub fn parse(bytes: &[u8]) -> Result<Value, BadInput> {
    let at = |line, column, kind| BadInput { position: Position { line, column }, kind };
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(at(1, 1, BadInputKind::ByteOrderMark));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let position = Position::of_offset(&bytes[..err.valid_up_to()], err.valid_up_to());
            return Err(BadInput { position, kind: BadInputKind::InvalidUtf8 });
        }
    };
    parse_str(text)
}

/// [`parse`] for text that is already known to be UTF-8.
pub fn parse_str(text: &str) -> Result<Value, BadInput> {
    if text.trim().is_empty() {
        return Err(BadInput { position: Position { line: 1, column: 1 }, kind: BadInputKind::Empty });
    }
    let mut suspicious_float = false;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = StrictValue { suspicious_float: &mut suspicious_float }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|err| classify(text, &err))?;
    if suspicious_float {
        if let Some((offset, literal)) = crate::locate::oversized_integer(text) {
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
    let position = Position { line: err.line().max(1), column: err.column().max(1) };
    let offset = Position::offset_in(text, position).unwrap_or(0).min(text.len());
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

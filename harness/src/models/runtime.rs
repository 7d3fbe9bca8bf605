//! The hand-written half of the typed models: field states, exact numbers, the
//! ordered object reader and writer, and the four macros the generated models
//! are written in (`object!`, `closed_enum!`, `open_enum!`, `tagged_union!`, `union!`).
//!
//! Every model type implements [`Wire`]: it reads itself from the JSON text of
//! its value (a borrowed [`RawValue`]) and reports errors with a JSON pointer.
//! An object is first split into its entries in written order, values still as
//! text; documented keys are parsed into typed fields and undocumented ones are
//! kept as text in their place, so writing back yields the same keys in the same
//! order with the same number literals. serde's `Deserialize` and `Serialize`
//! are implemented on top, so the models are ordinary serde types; write them
//! with serde_json (numbers and undocumented values are raw JSON text).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
pub use serde_json::value::RawValue;

use crate::models::exact::{escape_token, Entries};

/// A model could not read a value: where it is, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", if pointer.is_empty() { "(root)" } else { pointer.as_str() })]
pub struct ModelError {
    /// JSON pointer of the value that could not be read.
    pub pointer: String,
    pub message: String,
}

impl ModelError {
    /// An error at the value being read.
    pub fn new(message: impl Into<String>) -> ModelError {
        ModelError { pointer: String::new(), message: message.into() }
    }

    /// The same error, one level deeper: under `key` (or array index) of the value being read.
    pub fn within(mut self, key: &str) -> ModelError {
        self.pointer = format!("/{}{}", escape_token(key), self.pointer);
        self
    }

    /// An error from serde_json, without its line and column (they are relative to a fragment).
    pub fn from_json(err: &serde_json::Error) -> ModelError {
        let text = err.to_string();
        let position = format!(" at line {} column {}", err.line(), err.column());
        ModelError::new(text.strip_suffix(&position).unwrap_or(&text))
    }
}

/// A type the models are made of: reads itself from its JSON text.
pub trait Wire: Sized {
    /// Reads a value from the JSON text of exactly that value.
    fn read(raw: &RawValue) -> Result<Self, ModelError>;

    /// Appends the pointer of every undocumented key under this value.
    fn undocumented(&self, _pointer: &mut String, _out: &mut Vec<String>) {}
}

/// Reads a model from a whole response body.
pub fn from_str<T: Wire>(text: &str) -> Result<T, ModelError> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|err| ModelError::from_json(&err))?;
    T::read(raw)
}

/// Writes a model as compact JSON.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, ModelError> {
    serde_json::to_string(value).map_err(|err| ModelError::from_json(&err))
}

/// Writes a model as indented JSON (undocumented values keep their own whitespace).
pub fn to_string_pretty<T: Serialize>(value: &T) -> Result<String, ModelError> {
    serde_json::to_string_pretty(value).map_err(|err| ModelError::from_json(&err))
}

/// JSON text → `T` → JSON text (compact).
pub fn roundtrip<T: Wire + Serialize>(text: &str) -> Result<String, ModelError> {
    to_string(&from_str::<T>(text)?)
}

/// JSON text → `T` → JSON text (indented).
pub fn roundtrip_pretty<T: Wire + Serialize>(text: &str) -> Result<String, ModelError> {
    to_string_pretty(&from_str::<T>(text)?)
}

/// JSON pointers of every key the model keeps as undocumented, in document order.
pub fn undocumented<T: Wire>(text: &str) -> Result<Vec<String>, ModelError> {
    let value = from_str::<T>(text)?;
    let mut out = Vec::new();
    value.undocumented(&mut String::new(), &mut out);
    Ok(out)
}

/// Visits one field's value under `key` (used by `object!`).
pub fn visit<T: Wire>(pointer: &mut String, key: &str, value: &T, out: &mut Vec<String>) {
    let len = pointer.len();
    pointer.push('/');
    pointer.push_str(&escape_token(key));
    value.undocumented(pointer, out);
    pointer.truncate(len);
}

/// serde's `Deserialize` for a [`Wire`] type (used by the macros).
pub fn deserialize<'de, T: Wire, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    T::read(&raw).map_err(serde::de::Error::custom)
}

// ---------------------------------------------------------------------------
// Field states

/// An optional, nullable field: absent, `null` and a value are three states.
///
/// A required nullable field is an `Option<T>` (`None` is `null`); an optional
/// non-nullable one is an `Option<T>` too (`None` is absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Maybe<T> {
    /// The key is not in the object.
    #[default]
    Absent,
    /// The key is there with the value `null`.
    Null,
    Value(T),
}

impl<T> Maybe<T> {
    /// Whether the key is in the object (`null` or a value).
    pub fn is_present(&self) -> bool {
        !matches!(self, Maybe::Absent)
    }

    pub fn as_value(&self) -> Option<&T> {
        match self {
            Maybe::Value(value) => Some(value),
            _ => None,
        }
    }
}

impl<T: Wire> Wire for Maybe<T> {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        if raw.get() == "null" {
            Ok(Maybe::Null)
        } else {
            T::read(raw).map(Maybe::Value)
        }
    }

    fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
        if let Maybe::Value(value) = self {
            value.undocumented(pointer, out);
        }
    }
}

impl<T: Serialize> Serialize for Maybe<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Maybe::Value(value) => value.serialize(serializer),
            Maybe::Absent | Maybe::Null => serializer.serialize_unit(),
        }
    }
}

/// A nullable value: `null` reads as `None`.
impl<T: Wire> Wire for Option<T> {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        if raw.get() == "null" {
            Ok(None)
        } else {
            T::read(raw).map(Some)
        }
    }

    fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
        if let Some(value) = self {
            value.undocumented(pointer, out);
        }
    }
}

// ---------------------------------------------------------------------------
// Scalars

impl Wire for String {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        serde_json::from_str(raw.get()).map_err(|err| ModelError::from_json(&err))
    }
}

impl Wire for bool {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        serde_json::from_str(raw.get()).map_err(|err| ModelError::from_json(&err))
    }
}

/// A number literal is not what a field expects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    #[error("`{0}` is not a JSON number")]
    NotANumber(String),
    #[error("`{0}` is not an integer")]
    NotAnInteger(String),
}

/// A JSON number whose value is an integer, kept as written: `7`, `7.0`, `7e0`,
/// `123456789012345678901234567890` (JSON Schema's `integer`: the value counts, not the spelling).
#[derive(Debug, Clone)]
pub struct Integer(Box<RawValue>);

/// Any JSON number, kept as written: `1.0` stays `1.0`, `1e3` stays `1e3`.
#[derive(Debug, Clone)]
pub struct Number(Box<RawValue>);

macro_rules! number_type {
    ($name:ident, $integral:expr) => {
        impl $name {
            /// The literal, as written.
            pub fn as_str(&self) -> &str {
                self.0.get()
            }

            /// The value, when it fits an `i64` (`7.0` does not: only integer literals).
            pub fn as_i64(&self) -> Option<i64> {
                self.as_str().parse().ok()
            }

            /// The value, when it fits a `u64` (only integer literals).
            pub fn as_u64(&self) -> Option<u64> {
                self.as_str().parse().ok()
            }

            /// The nearest `f64` (lossy: this is where precision goes, never on the wire).
            pub fn as_f64(&self) -> f64 {
                self.as_str().parse().unwrap_or(f64::NAN)
            }
        }

        impl FromStr for $name {
            type Err = NumberError;

            fn from_str(text: &str) -> Result<Self, NumberError> {
                if !is_number_literal(text) {
                    return Err(NumberError::NotANumber(text.to_string()));
                }
                if $integral && !is_integral(text) {
                    return Err(NumberError::NotAnInteger(text.to_string()));
                }
                RawValue::from_string(text.to_string())
                    .map($name)
                    .map_err(|_| NumberError::NotANumber(text.to_string()))
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                $name(RawValue::from_string(value.to_string()).expect("an i64 prints as a JSON number"))
            }
        }

        impl From<u64> for $name {
            fn from(value: u64) -> Self {
                $name(RawValue::from_string(value.to_string()).expect("a u64 prints as a JSON number"))
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $name {}

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Wire for $name {
            fn read(raw: &RawValue) -> Result<Self, ModelError> {
                let text = raw.get();
                if !is_number_literal(text) {
                    let expected = if $integral { "an integer" } else { "a number" };
                    return Err(ModelError::new(format!(
                        "invalid type: {}, expected {expected}",
                        describe(text)
                    )));
                }
                if $integral && !is_integral(text) {
                    return Err(ModelError::new(format!("invalid type: `{text}` is not an integer")));
                }
                Ok($name(raw.to_owned()))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.serialize(serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserialize(deserializer)
            }
        }
    };
}

number_type!(Integer, true);
number_type!(Number, false);

/// Whether `text` is exactly one JSON number literal (RFC 8259 grammar).
pub fn is_number_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

/// Whether a JSON number literal denotes an integer, decided on the text
/// (exactly, for any size): `7.0`, `7e2`, `700e-2` and `1.5e1` do; `7.5` does not.
pub fn is_integral(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], &unsigned[at + 1..]),
        None => (unsigned, "0"),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{int_part}{frac_part}");
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() {
        return true; // zero
    }
    let trailing_zeros = (significant.len() - significant.trim_end_matches('0').len()) as i128;
    // value = digits × 10^(exponent − fraction length)
    let exponent: i128 = exponent.trim_start_matches('+').parse().unwrap_or_else(|_| {
        if exponent.starts_with('-') {
            i128::MIN / 2
        } else {
            i128::MAX / 2
        }
    });
    exponent - frac_part.len() as i128 + trailing_zeros >= 0
}

/// A short description of a JSON value's type, for error messages.
fn describe(text: &str) -> String {
    let kind = match text.as_bytes().first() {
        Some(b'"') => "string",
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => "number",
    };
    let shown: String = text.chars().take(40).collect();
    format!("{kind} `{shown}`")
}

/// A date-time string as zod's `datetime({offset: true})` reads it (see `derive::ZOD_DATE_TIME`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime(String);

impl DateTime {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DateTime {
    type Err = ModelError;

    fn from_str(text: &str) -> Result<Self, ModelError> {
        if is_zod_date_time(text) {
            Ok(DateTime(text.to_string()))
        } else {
            Err(ModelError::new(format!(
                "`{text}` is not an RFC 3339 date-time with an offset (as zod's datetime reads it)"
            )))
        }
    }
}

impl Wire for DateTime {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        String::read(raw)?.parse()
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer)
    }
}

/// Matches `derive::ZOD_DATE_TIME` without a regex engine:
/// `YYYY-MM-DDTHH:MM[:SS[.f+]](Z|±HH[:]MM)`, hours 00–23, minutes and seconds 00–59.
pub fn is_zod_date_time(text: &str) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let all_digits = |range: std::ops::Range<usize>| range.into_iter().all(digit);
    let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
    if b.len() < 17 || !all_digits(0..4) || b[4] != b'-' || !all_digits(5..7) || b[7] != b'-' {
        return false;
    }
    if !all_digits(8..10) || b[10] != b'T' || !all_digits(11..13) || two(11) > 23 {
        return false;
    }
    if b[13] != b':' || !all_digits(14..16) || two(14) > 59 {
        return false;
    }
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        if !all_digits(i + 1..i + 3) || two(i + 1) > 59 {
            return false;
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while digit(i) {
                i += 1;
            }
            if i == start {
                return false;
            }
        }
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let rest = &b[i + 1..];
            match rest.len() {
                4 => rest.iter().all(u8::is_ascii_digit),
                5 => rest[2] == b':' && [0, 1, 3, 4].iter().all(|&j| rest[j].is_ascii_digit()),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Any JSON value, kept as its text (`*any*` in a table).
#[derive(Debug, Clone)]
pub struct Any(Box<RawValue>);

impl Any {
    /// The value's JSON text, as written.
    pub fn as_json(&self) -> &str {
        self.0.get()
    }

    /// Wraps a JSON text; fails when it is not one JSON value.
    pub fn from_json(text: &str) -> Result<Any, ModelError> {
        RawValue::from_string(text.to_string()).map(Any).map_err(|err| ModelError::from_json(&err))
    }
}

impl PartialEq for Any {
    fn eq(&self, other: &Self) -> bool {
        self.as_json() == other.as_json()
    }
}

impl Eq for Any {}

impl Wire for Any {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        Ok(Any(raw.to_owned()))
    }
}

impl Serialize for Any {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Any)
    }
}

/// Any JSON object (`*object*` in a table): its entries in order, values as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Object(pub Vec<(String, Any)>);

impl Wire for Object {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        let Entries(entries) = serde_json::from_str(raw.get()).map_err(|err| ModelError::from_json(&err))?;
        Ok(Object(entries.into_iter().map(|(key, value)| (key, Any(value.to_owned()))).collect()))
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| (key, value)))
    }
}

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer)
    }
}

// ---------------------------------------------------------------------------
// Collections

impl<T: Wire> Wire for Vec<T> {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        let items: Vec<&RawValue> =
            serde_json::from_str(raw.get()).map_err(|err| ModelError::from_json(&err))?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| T::read(item).map_err(|err| err.within(&i.to_string())))
            .collect()
    }

    fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
        for (i, item) in self.iter().enumerate() {
            visit(pointer, &i.to_string(), item, out);
        }
    }
}

/// `Record<string, T>`: an object whose every value is a `T`, in written order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Map<T>(pub Vec<(String, T)>);

impl<T> Default for Map<T> {
    fn default() -> Self {
        Map(Vec::new())
    }
}

impl<T> Map<T> {
    /// The first value under `key`.
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

impl<T: Wire> Wire for Map<T> {
    fn read(raw: &RawValue) -> Result<Self, ModelError> {
        let Entries(entries) = serde_json::from_str(raw.get()).map_err(|err| ModelError::from_json(&err))?;
        entries
            .into_iter()
            .map(|(key, value)| match T::read(value) {
                Ok(value) => Ok((key, value)),
                Err(err) => Err(err.within(&key)),
            })
            .collect::<Result<_, _>>()
            .map(Map)
    }

    fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
        for (key, value) in &self.0 {
            visit(pointer, key, value, out);
        }
    }
}

impl<T: Serialize> Serialize for Map<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| (key, value)))
    }
}

impl<'de, T: Wire> Deserialize<'de> for Map<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer)
    }
}

// ---------------------------------------------------------------------------
// Objects: reading in order, keeping what is undocumented, writing back in place

/// The key order of one object and its undocumented entries, as read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rest {
    entries: Vec<Entry>,
}

/// One key of an object, in written order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A documented field, by wire key; its value is in the typed field.
    Field(&'static str),
    /// An undocumented key and its value, as written.
    Unknown(String, Any),
}

/// What to write next (see [`Rest::slots`]).
#[derive(Debug, Clone, Copy)]
pub enum Slot<'a> {
    Field(&'static str),
    Unknown(&'a str, &'a Any),
}

impl Rest {
    /// Every key in written order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The undocumented entries, in written order.
    pub fn unknown(&self) -> impl Iterator<Item = (&str, &Any)> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::Unknown(key, value) => Some((key.as_str(), value)),
            Entry::Field(_) => None,
        })
    }

    /// Adds an undocumented entry after the others.
    pub fn push_unknown(&mut self, key: impl Into<String>, value: Any) {
        self.entries.push(Entry::Unknown(key.into(), value));
    }

    /// What to write, in order: the keys as read (documented ones only while
    /// `present`), then documented keys that are present but were not read
    /// (set by hand), in table order.
    pub fn slots(&self, keys: &'static [&'static str], present: impl Fn(&str) -> bool) -> Vec<Slot<'_>> {
        let mut written: Vec<&str> = Vec::new();
        let mut slots = Vec::with_capacity(self.entries.len() + keys.len());
        for entry in &self.entries {
            match entry {
                Entry::Field(key) if present(key) && !written.contains(key) => {
                    written.push(key);
                    slots.push(Slot::Field(key));
                }
                Entry::Field(_) => {}
                Entry::Unknown(key, value) => slots.push(Slot::Unknown(key, value)),
            }
        }
        for key in keys {
            if present(key) && !written.contains(key) {
                slots.push(Slot::Field(key));
            }
        }
        slots
    }

    /// Appends the pointer of every undocumented key of this object.
    pub fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
        for (key, _) in self.unknown() {
            out.push(format!("{pointer}/{}", escape_token(key)));
        }
    }
}

/// Reads one object's entries in order (used by `object!`).
pub struct ObjectReader<'a> {
    entries: Vec<(String, Option<&'a RawValue>, Option<&'static str>)>,
}

impl<'a> ObjectReader<'a> {
    pub fn new(raw: &'a RawValue) -> Result<Self, ModelError> {
        let Entries(entries) = serde_json::from_str(raw.get()).map_err(|err| ModelError::from_json(&err))?;
        Ok(ObjectReader { entries: entries.into_iter().map(|(k, v)| (k, Some(v), None)).collect() })
    }

    /// A required field: absent is an error.
    pub fn required<T: Wire>(&mut self, key: &'static str) -> Result<T, ModelError> {
        match self.take(key)? {
            Some(raw) => T::read(raw).map_err(|err| err.within(key)),
            None => Err(ModelError::new(format!("missing field `{key}`"))),
        }
    }

    /// A required, nullable field: absent is an error, `null` is `None`.
    pub fn required_nullable<T: Wire>(&mut self, key: &'static str) -> Result<Option<T>, ModelError> {
        self.required(key)
    }

    /// An optional field: absent is `None`, `null` is an error.
    pub fn optional<T: Wire>(&mut self, key: &'static str) -> Result<Option<T>, ModelError> {
        self.take(key)?.map(|raw| T::read(raw).map_err(|err| err.within(key))).transpose()
    }

    /// An optional, nullable field: absent, `null` or a value.
    pub fn optional_nullable<T: Wire>(&mut self, key: &'static str) -> Result<Maybe<T>, ModelError> {
        match self.take(key)? {
            Some(raw) => Maybe::read(raw).map_err(|err| err.within(key)),
            None => Ok(Maybe::Absent),
        }
    }

    /// The key order and the entries no field took.
    pub fn finish(self) -> Rest {
        let entries = self
            .entries
            .into_iter()
            .map(|(key, value, field)| match (field, value) {
                (Some(field), _) => Entry::Field(field),
                (None, Some(value)) => Entry::Unknown(key, Any(value.to_owned())),
                (None, None) => Entry::Unknown(key, Any(RawValue::NULL.to_owned())),
            })
            .collect();
        Rest { entries }
    }

    fn take(&mut self, key: &'static str) -> Result<Option<&'a RawValue>, ModelError> {
        let mut found = None;
        for (entry_key, value, field) in &mut self.entries {
            if entry_key == key {
                if found.is_some() {
                    return Err(ModelError::new(format!("duplicate field `{key}`")));
                }
                found = value.take();
                *field = Some(key);
            }
        }
        Ok(found)
    }
}

/// The string under `key` of an object: a tagged union's tag.
pub fn tag(raw: &RawValue, key: &'static str) -> Result<String, ModelError> {
    let Entries(entries) = serde_json::from_str(raw.get()).map_err(|err| ModelError::from_json(&err))?;
    match entries.iter().find(|(k, _)| k == key) {
        Some((_, value)) => String::read(value).map_err(|err| err.within(key)),
        None => Err(ModelError::new(format!("missing field `{key}`"))),
    }
}

/// Tries the members of an untagged union in order (used by `union!`).
pub struct UnionReader {
    name: &'static str,
    errors: Vec<(&'static str, ModelError)>,
}

impl UnionReader {
    pub fn new(name: &'static str) -> UnionReader {
        UnionReader { name, errors: Vec::new() }
    }

    /// The member read as `T`, or `None` (and the reason is kept).
    pub fn try_read<T: Wire>(&mut self, member: &'static str, raw: &RawValue) -> Option<T> {
        match T::read(raw) {
            Ok(value) => Some(value),
            Err(err) => {
                self.errors.push((member, err));
                None
            }
        }
    }

    /// The error when no member fits.
    pub fn fail(self) -> ModelError {
        let reasons: Vec<String> =
            self.errors.iter().map(|(member, err)| format!("{member}: {err}")).collect();
        ModelError::new(format!("matches no member of {}: {}", self.name, reasons.join("; ")))
    }
}

/// An enum's value is not one of its values.
pub fn unknown_value(value: &str, values: &[&str]) -> ModelError {
    ModelError::new(format!("unknown value `{value}`, expected one of {}", values.join(", ")))
}

// ---------------------------------------------------------------------------
// The macros the generated models are written in

/// An object type: a struct with typed fields plus the [`Rest`] of the object.
///
/// Each field is `name: kind Type = "wire_key"`, kind being `required`,
/// `required_nullable` (`Option<T>`, `None` is `null`), `optional` (`Option<T>`,
/// `None` is absent) or `optional_nullable` ([`Maybe<T>`]).
macro_rules! object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $field:ident: $kind:ident $ty:ty = $key:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $(
                $(#[$field_meta])*
                pub $field: $crate::models::runtime::object!(@type $kind $ty),
            )*
            /// The order of every key as read, and the undocumented entries in their place.
            pub rest: $crate::models::runtime::Rest,
        }

        impl $name {
            /// Wire keys of the documented fields, in table order.
            pub const KEYS: &[&str] = &[$($key),*];

            fn is_present(&self, key: &str) -> bool {
                match key {
                    $($key => $crate::models::runtime::object!(@present $kind self.$field),)*
                    _ => false,
                }
            }
        }

        impl $crate::models::runtime::Wire for $name {
            fn read(
                raw: &$crate::models::runtime::RawValue,
            ) -> Result<Self, $crate::models::runtime::ModelError> {
                #[allow(unused_mut, reason = "an object with no documented field takes nothing")]
                let mut object = $crate::models::runtime::ObjectReader::new(raw)?;
                Ok($name {
                    $($field: object.$kind($key)?,)*
                    rest: object.finish(),
                })
            }

            fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
                // An object with no documented field is "any object": nothing in it is an extension.
                if !Self::KEYS.is_empty() {
                    self.rest.undocumented(pointer, out);
                }
                $($crate::models::runtime::visit(pointer, $key, &self.$field, out);)*
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                for slot in self.rest.slots(Self::KEYS, |key| self.is_present(key)) {
                    match slot {
                        $crate::models::runtime::Slot::Field(key) => match key {
                            $($key => map.serialize_entry($key, &self.$field)?,)*
                            _ => {}
                        },
                        $crate::models::runtime::Slot::Unknown(key, value) => map.serialize_entry(key, value)?,
                    }
                }
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::models::runtime::deserialize(deserializer)
            }
        }
    };
    (@type required $ty:ty) => { $ty };
    (@type required_nullable $ty:ty) => { Option<$ty> };
    (@type optional $ty:ty) => { Option<$ty> };
    (@type optional_nullable $ty:ty) => { $crate::models::runtime::Maybe<$ty> };
    (@present required $value:expr) => { true };
    (@present required_nullable $value:expr) => { true };
    (@present optional $value:expr) => { $value.is_some() };
    (@present optional_nullable $value:expr) => { $value.is_present() };
}

/// A closed enum of strings: any other value is an error.
macro_rules! closed_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident = $value:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = concat!("`\"", $value, "\"`")] $variant,)+
        }

        impl $name {
            /// Every value, in table order.
            pub const VALUES: &[&str] = &[$($value),+];

            /// The value as it is written on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $value,)+
                }
            }
        }

        impl $crate::models::runtime::Wire for $name {
            fn read(
                raw: &$crate::models::runtime::RawValue,
            ) -> Result<Self, $crate::models::runtime::ModelError> {
                let value = <String as $crate::models::runtime::Wire>::read(raw)?;
                match value.as_str() {
                    $($value => Ok($name::$variant),)+
                    other => Err($crate::models::runtime::unknown_value(other, Self::VALUES)),
                }
            }
        }

        $crate::models::runtime::closed_enum!(@serde $name);
    };
    (@serde $name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::models::runtime::deserialize(deserializer)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// An open enum of strings: an unknown value is kept, as it came, in the last variant.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident = $value:literal,)+
            _ => $other:ident,
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $(#[doc = concat!("`\"", $value, "\"`")] $variant,)+
            /// A value the table does not list, as it came.
            $other(String),
        }

        impl $name {
            /// The known values, in table order.
            pub const VALUES: &[&str] = &[$($value),+];

            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $value,)+
                    $name::$other(value) => value,
                }
            }
        }

        impl $crate::models::runtime::Wire for $name {
            fn read(
                raw: &$crate::models::runtime::RawValue,
            ) -> Result<Self, $crate::models::runtime::ModelError> {
                let value = <String as $crate::models::runtime::Wire>::read(raw)?;
                Ok(match value.as_str() {
                    $($value => $name::$variant,)+
                    _ => $name::$other(value),
                })
            }
        }

        $crate::models::runtime::closed_enum!(@serde $name);
    };
}

/// A union whose members are told apart by a tag property (`type`, `role`).
macro_rules! tagged_union {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $tag:literal {
            $($variant:ident($ty:ty) = $value:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $(#[doc = concat!("`\"", $tag, "\": \"", $value, "\"`")] $variant($ty),)+
        }

        impl $crate::models::runtime::Wire for $name {
            fn read(
                raw: &$crate::models::runtime::RawValue,
            ) -> Result<Self, $crate::models::runtime::ModelError> {
                let tag = $crate::models::runtime::tag(raw, $tag)?;
                match tag.as_str() {
                    $($value => <$ty as $crate::models::runtime::Wire>::read(raw).map($name::$variant),)+
                    other => Err($crate::models::runtime::unknown_value(other, &[$($value),+]).within($tag)),
                }
            }

            fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
                match self {
                    $($name::$variant(member) => member.undocumented(pointer, out),)+
                }
            }
        }

        $crate::models::runtime::union!(@serde $name { $($variant)+ });
    };
}

/// A union tried member by member, in table order; the first that reads wins.
macro_rules! union {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident($ty:ty),)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name {
            $($variant($ty),)+
        }

        impl $crate::models::runtime::Wire for $name {
            fn read(
                raw: &$crate::models::runtime::RawValue,
            ) -> Result<Self, $crate::models::runtime::ModelError> {
                let mut union = $crate::models::runtime::UnionReader::new(stringify!($name));
                $(
                    if let Some(member) = union.try_read::<$ty>(stringify!($variant), raw) {
                        return Ok($name::$variant(member));
                    }
                )+
                Err(union.fail())
            }

            fn undocumented(&self, pointer: &mut String, out: &mut Vec<String>) {
                match self {
                    $($name::$variant(member) => member.undocumented(pointer, out),)+
                }
            }
        }

        $crate::models::runtime::union!(@serde $name { $($variant)+ });
    };
    (@serde $name:ident { $($variant:ident)+ }) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $($name::$variant(member) => member.serialize(serializer),)+
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::models::runtime::deserialize(deserializer)
            }
        }
    };
}

pub(crate) use {closed_enum, object, open_enum, tagged_union, union};

// ---------------------------------------------------------------------------
// The registry entry of one provider's model

/// One provider's model, as the generated index lists it.
#[derive(Clone, Copy)]
pub struct Model {
    /// The provider id (`openai`, `mistral-gcp`).
    pub provider: &'static str,
    /// The name of the response's root type.
    pub root: &'static str,
    roundtrip: fn(&str) -> Result<String, ModelError>,
    roundtrip_pretty: fn(&str) -> Result<String, ModelError>,
    undocumented: fn(&str) -> Result<Vec<String>, ModelError>,
}

impl Model {
    pub const fn new<T: Wire + Serialize>(provider: &'static str, root: &'static str) -> Model {
        Model {
            provider,
            root,
            roundtrip: roundtrip::<T>,
            roundtrip_pretty: roundtrip_pretty::<T>,
            undocumented: undocumented::<T>,
        }
    }

    /// Reads `text` into the typed model and writes it back, compact.
    pub fn roundtrip(&self, text: &str) -> Result<String, ModelError> {
        (self.roundtrip)(text)
    }

    /// Reads `text` into the typed model and writes it back, indented.
    pub fn roundtrip_pretty(&self, text: &str) -> Result<String, ModelError> {
        (self.roundtrip_pretty)(text)
    }

    /// The pointers of every key the model does not type, as `Checked::extensions` lists them.
    pub fn undocumented(&self, text: &str) -> Result<Vec<String>, ModelError> {
        (self.undocumented)(text)
    }
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Model").field("provider", &self.provider).field("root", &self.root).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_literals_follow_rfc_8259() {
        for ok in ["0", "-0", "7", "7.0", "1e3", "1E+3", "2.5e-7", "123456789012345678901234567890"] {
            assert!(is_number_literal(ok), "{ok}");
        }
        for bad in ["", "-", "01", "1.", ".5", "1e", "+1", "1.0.0", "NaN", "0x10", " 1"] {
            assert!(!is_number_literal(bad), "{bad}");
        }
    }

    #[test]
    fn integral_is_decided_on_the_text() {
        for yes in
            ["0", "-0", "7", "7.0", "7e2", "700e-2", "1.5e1", "0.0e-5", "123456789012345678901234567890"]
        {
            assert!(is_integral(yes), "{yes}");
        }
        for no in ["7.5", "1e-1", "1.25e1", "701e-2", "1e-99999999999999999999999"] {
            assert!(!is_integral(no), "{no}");
        }
        assert!(is_integral("1e99999999999999999999999"));
    }

    #[test]
    fn zod_date_times() {
        for yes in [
            "2024-05-01T12:30:00Z",
            "2024-05-01T12:30Z",
            "2024-05-01T23:59:59.123456+07:00",
            "2024-05-01T00:00:00-0700",
        ] {
            assert!(is_zod_date_time(yes), "{yes}");
        }
        for no in [
            "2024-05-01",
            "2024-05-01t12:30:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:60Z",
            "2024-05-01T12:30:00z",
            "2024-05-01T12:30:00+07",
            "2024-05-01T12:30:00.Z",
            "2024-05-01 12:30:00Z",
        ] {
            assert!(!is_zod_date_time(no), "{no}");
        }
    }

    #[test]
    fn integer_reads_integral_literals_and_keeps_them() {
        let raw = RawValue::from_string("7.0".into()).unwrap();
        assert_eq!(Integer::read(&raw).unwrap().as_str(), "7.0");
        let raw = RawValue::from_string("7.5".into()).unwrap();
        assert!(Integer::read(&raw).is_err());
        let raw = RawValue::from_string("\"7\"".into()).unwrap();
        assert_eq!(
            Integer::read(&raw).unwrap_err().message,
            "invalid type: string `\"7\"`, expected an integer"
        );
    }
}

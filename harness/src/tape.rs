//! The fast path for a conforming body: the text read strictly into a flat, reusable arena
//! (a tape) that jsonschema validates in place, so a body that conforms costs no `Value`.
//!
//! Most bodies conform, and for them building a `serde_json::Value` (a `String` per key and
//! string, a map per object) costs more than checking them. The tape keeps strings as
//! ranges of the text (only escaped ones are copied, into one shared buffer) and every node
//! in one `Vec`, reused from body to body on the same thread. jsonschema 0.61 validates any
//! representation that implements its [`Json`] trait, so the verdict comes from the same
//! validator and the same compiled keywords as for a `Value`: this module decides nothing
//! about conformance.
//!
//! The tape answers only for a body that [`crate::json::read`] would read without a
//! problem worth a second look: anything else (a syntax error, a duplicate key, a lone
//! surrogate, an integral float beyond ±2^63, an object of more than [`MAX_KEYS`] keys) makes
//! [`with_tape`] return `None`, and the caller reads the body the full way, which classifies
//! and positions every problem.
//!
//! A stream is many small documents read together: [`with_shelf`] keeps a transcript's chunks
//! side by side on the same arena, so the stream rules and the reassembly read them as
//! [`TapeNode`]s and no chunk is built as a `Value` (`stream::check_transcript`).

use std::{borrow::Cow, cell::RefCell, fmt, ops::ControlFlow};

use jsonschema::{
    json::{cmp, Array, Json, Node, NodeIdentity, Object},
    JsonType,
};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// Objects with more keys than this are left to the full reader: duplicate keys are found by
/// comparing a key with the object's earlier ones, which stays linear only for small objects.
pub const MAX_KEYS: usize = 64;

/// Slots a thread's tape keeps between bodies (16 bytes each); a larger one is dropped after use.
const KEEP_SLOTS: usize = 1 << 16;

/// One body on the tape. Reused: [`with_tape`] clears it for every body.
#[derive(Debug, Default)]
pub struct Tape {
    slots: Vec<Slot>,
    /// The children of every container, contiguous: an array's items, an object's key and
    /// value slots in turn.
    links: Vec<u32>,
    /// Escaped strings, unescaped, one after the other.
    owned: String,
    /// Children of the containers being read, innermost last.
    pending: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Null,
    Bool(bool),
    /// A number as serde_json holds one (`Number` itself is not `Copy`).
    Uint(u64),
    Int(i64),
    Float(f64),
    /// A range of the body's text.
    Text {
        start: u32,
        len: u32,
    },
    /// A range of [`Tape::owned`].
    Owned {
        start: u32,
        len: u32,
    },
    Array {
        start: u32,
        len: u32,
    },
    Object {
        start: u32,
        len: u32,
    },
}

thread_local! {
    static TAPE: RefCell<Tape> = RefCell::new(Tape::default());
}

/// Lends `f` this thread's tape, emptied, and afterwards lets go of it if one huge input made
/// it grow (memory stays what ordinary inputs need). Re-entered (a callback reading another
/// input), `f` gets a tape of its own.
fn with_thread_tape<T>(f: impl FnOnce(&mut Tape) -> T) -> T {
    TAPE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut tape) => {
            tape.clear();
            let result = f(&mut tape);
            if tape.slots.capacity() > KEEP_SLOTS || tape.owned.capacity() > KEEP_SLOTS * 16 {
                *tape = Tape::default();
            }
            result
        }
        Err(_) => f(&mut Tape::default()),
    })
}

/// Reads `text` onto this thread's tape and hands its root to `f`; `None` when the body
/// needs the full reader (see the module's note).
pub fn with_tape<T>(text: &str, f: impl FnOnce(TapeNode<'_>) -> T) -> Option<T> {
    with_thread_tape(|tape| {
        let root = tape.append(text)?;
        Some(f(TapeNode { tape, text, id: root }))
    })
}

/// Lends `f` a [`Shelf`] on this thread's tape: many documents (a transcript's chunks) kept
/// side by side until `f` returns.
pub fn with_shelf<T>(f: impl FnOnce(&mut Shelf) -> T) -> T {
    with_thread_tape(|tape| f(&mut Shelf { tape }))
}

/// Several documents on one tape, each read strictly ([`Shelf::read`]) or copied from a
/// `Value` ([`Shelf::put`]), each found again by its [`Doc`] handle.
pub struct Shelf<'t> {
    tape: &'t mut Tape,
}

/// A document on a [`Shelf`]: its root, and the text its strings are ranges of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Doc<'x> {
    text: &'x str,
    root: u32,
}

impl Shelf<'_> {
    /// Reads `text` strictly onto the shelf; `None` where [`with_tape`] gives up (the shelf
    /// is then as it was before).
    pub fn read<'x>(&mut self, text: &'x str) -> Option<Doc<'x>> {
        let root = self.tape.append(text)?;
        Some(Doc { text, root })
    }

    /// Copies `value` onto the shelf (for a document only a lenient reader takes: a repeated
    /// key, an object of many keys, a wide float).
    pub fn put(&mut self, value: &Value) -> Option<Doc<'static>> {
        let root = self.tape.push_value(value).ok()?;
        Some(Doc { text: "", root })
    }

    /// The root node of a document of this shelf.
    pub fn node<'a>(&'a self, doc: Doc<'a>) -> TapeNode<'a> {
        TapeNode { tape: self.tape, text: doc.text, id: doc.root }
    }
}

impl Tape {
    fn clear(&mut self) {
        self.slots.clear();
        self.links.clear();
        self.owned.clear();
        self.pending.clear();
    }

    /// Reads `text` strictly after what the tape holds; the root's slot, or `None` for the
    /// full reader, with the tape as it was.
    fn append(&mut self, text: &str) -> Option<u32> {
        if u32::try_from(text.len()).is_err() {
            return None;
        }
        let marks = (self.slots.len(), self.links.len(), self.owned.len());
        self.pending.clear();
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let root = Seed { tape: self, text }.deserialize(&mut deserializer).ok();
        match root.filter(|_| deserializer.end().is_ok()) {
            Some(root) => Some(root),
            None => {
                self.slots.truncate(marks.0);
                self.links.truncate(marks.1);
                self.owned.truncate(marks.2);
                None
            }
        }
    }

    /// Copies a `Value` onto the tape, its strings into [`Tape::owned`]; its root's slot.
    fn push_value(&mut self, value: &Value) -> Result<u32, Bail> {
        let slot = match value {
            Value::Null => Slot::Null,
            Value::Bool(v) => Slot::Bool(*v),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(v), _) => Slot::Uint(v),
                (None, Some(v)) => Slot::Int(v),
                (None, None) => Slot::Float(n.as_f64().ok_or(Bail)?),
            },
            Value::String(s) => return self.owned_string(s),
            Value::Array(items) => {
                let children =
                    items.iter().map(|item| self.push_value(item)).collect::<Result<Vec<_>, _>>()?;
                let (start, len) = self.link(&children)?;
                Slot::Array { start, len }
            }
            Value::Object(map) => {
                let mut children = Vec::with_capacity(2 * map.len());
                for (key, value) in map {
                    children.push(self.owned_string(key)?);
                    children.push(self.push_value(value)?);
                }
                let (start, len) = self.link(&children)?;
                Slot::Object { start, len: len / 2 }
            }
        };
        self.push(slot)
    }

    fn owned_string(&mut self, value: &str) -> Result<u32, Bail> {
        let start = u32::try_from(self.owned.len()).map_err(|_| Bail)?;
        let len = u32::try_from(value.len()).map_err(|_| Bail)?;
        self.owned.push_str(value);
        self.push(Slot::Owned { start, len })
    }

    fn link(&mut self, children: &[u32]) -> Result<(u32, u32), Bail> {
        let start = u32::try_from(self.links.len()).map_err(|_| Bail)?;
        let len = u32::try_from(children.len()).map_err(|_| Bail)?;
        self.links.extend_from_slice(children);
        Ok((start, len))
    }

    fn push(&mut self, slot: Slot) -> Result<u32, Bail> {
        let id = u32::try_from(self.slots.len()).map_err(|_| Bail)?;
        self.slots.push(slot);
        Ok(id)
    }

    /// A string: a range of `text` when serde_json lends it from there, else copied.
    fn string(&mut self, text: &str, value: &str) -> Result<u32, Bail> {
        let offset = (value.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        let slot = if offset <= text.len() && value.len() <= text.len() - offset {
            Slot::Text { start: offset as u32, len: value.len() as u32 }
        } else {
            return self.owned_string(value);
        };
        self.push(slot)
    }

    /// Moves the children read since `mark` into [`Tape::links`].
    fn close(&mut self, mark: usize) -> Result<(u32, u32), Bail> {
        let start = u32::try_from(self.links.len()).map_err(|_| Bail)?;
        let len = u32::try_from(self.pending.len() - mark).map_err(|_| Bail)?;
        self.links.extend(self.pending.drain(mark..));
        Ok((start, len))
    }

    fn text<'a>(&'a self, text: &'a str, id: u32) -> Option<&'a str> {
        match self.slots[id as usize] {
            Slot::Text { start, len } => text.get(start as usize..(start + len) as usize),
            Slot::Owned { start, len } => self.owned.get(start as usize..(start + len) as usize),
            _ => None,
        }
    }

    /// Whether slot `id` is a string of exactly these bytes (lengths first: most keys differ there).
    fn is(&self, text: &str, id: u32, key: &[u8]) -> bool {
        let (source, start, len) = match self.slots.get(id as usize) {
            Some(Slot::Text { start, len }) => (text.as_bytes(), *start as usize, *len as usize),
            Some(Slot::Owned { start, len }) => (self.owned.as_bytes(), *start as usize, *len as usize),
            _ => return false,
        };
        len == key.len() && source.get(start..start + len) == Some(key)
    }
}

/// Why the tape gave up on a body; the full reader says what is wrong, if anything.
#[derive(Debug)]
struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the full reader")
    }
}

impl std::error::Error for Bail {}

impl de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Bail {
        Bail
    }
}

/// Reads one value onto the tape and returns its slot.
struct Seed<'t, 'x> {
    tape: &'t mut Tape,
    text: &'x str,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = u32;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<u32, D::Error> {
        deserializer.deserialize_any(self)
    }
}

fn bail<E: de::Error>(_: Bail) -> E {
    E::custom(Bail)
}

/// 2^63 as f64: an integral float from here on is read by the full reader, which knows
/// what each provider's SDK does with it (see [`crate::json::Parsed::wide_floats`]).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<u32, E> {
        self.tape.push(Slot::Bool(v)).map_err(bail)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        self.tape.push(Slot::Int(v)).map_err(bail)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        self.tape.push(Slot::Uint(v)).map_err(bail)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        if v.fract() == 0.0 && v.abs() >= TWO_POW_63 {
            return Err(E::custom(Bail));
        }
        if !v.is_finite() {
            return Err(E::custom(Bail));
        }
        self.tape.push(Slot::Float(v)).map_err(bail)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        self.tape.string(self.text, v).map_err(bail)
    }

    fn visit_unit<E: de::Error>(self) -> Result<u32, E> {
        self.tape.push(Slot::Null).map_err(bail)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u32, A::Error> {
        let Seed { tape, text } = self;
        let mark = tape.pending.len();
        while let Some(item) = seq.next_element_seed(Seed { tape: &mut *tape, text })? {
            tape.pending.push(item);
        }
        let (start, len) = tape.close(mark).map_err(bail)?;
        tape.push(Slot::Array { start, len }).map_err(bail)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<u32, A::Error> {
        let Seed { tape, text } = self;
        let mark = tape.pending.len();
        while let Some(key) = map.next_key_seed(Seed { tape: &mut *tape, text })? {
            let keys = (tape.pending.len() - mark) / 2;
            if keys >= MAX_KEYS {
                return Err(de::Error::custom(Bail));
            }
            // A duplicate key: the full reader reports it, with its place.
            let name = tape.text(text, key).unwrap_or_default().as_bytes();
            let mut earlier = tape.pending[mark..].iter().step_by(2);
            if earlier.any(|&earlier| tape.is(text, earlier, name)) {
                return Err(de::Error::custom(Bail));
            }
            tape.pending.push(key);
            let value = map.next_value_seed(Seed { tape: &mut *tape, text })?;
            tape.pending.push(value);
        }
        let (start, len) = tape.close(mark).map_err(bail)?;
        tape.push(Slot::Object { start, len: len / 2 }).map_err(bail)
    }
}

/// The tape as jsonschema reads it ([`jsonschema::options_for`]).
#[derive(Debug, Clone, Copy)]
pub struct TapeJson;

/// One value on a tape: cheap to copy, borrows the tape and the body's text.
#[derive(Clone, Copy)]
pub struct TapeNode<'a> {
    tape: &'a Tape,
    text: &'a str,
    id: u32,
}

impl fmt::Debug for TapeNode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

/// As `serde_json::Value` writes it.
impl fmt::Display for TapeNode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

/// `==` as `serde_json::Value` has it: numbers by representation (`1` is not `1.0`), objects
/// whatever the order of their members.
impl PartialEq for TapeNode<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self.slot(), other.slot()) {
            (Slot::Null, Slot::Null) => true,
            (Slot::Bool(a), Slot::Bool(b)) => a == b,
            (Slot::Uint(a), Slot::Uint(b)) => a == b,
            (Slot::Int(a), Slot::Int(b)) => a == b,
            (Slot::Float(a), Slot::Float(b)) => a == b,
            (Slot::Text { .. } | Slot::Owned { .. }, Slot::Text { .. } | Slot::Owned { .. }) => {
                self.str() == other.str()
            }
            (Slot::Array { .. }, Slot::Array { .. }) | (Slot::Object { .. }, Slot::Object { .. }) => {
                self.to_value() == other.to_value()
            }
            _ => false,
        }
    }
}

impl<'a> TapeNode<'a> {
    fn slot(&self) -> Slot {
        self.tape.slots[self.id as usize]
    }

    fn child(&self, link: u32) -> TapeNode<'a> {
        TapeNode { tape: self.tape, text: self.text, id: self.tape.links[link as usize] }
    }

    /// The string this node holds, borrowed from the text or the tape.
    pub fn str(&self) -> Option<&'a str> {
        self.tape.text(self.text, self.id)
    }

    /// The object's members in document order.
    pub fn entries(&self) -> Option<TapeMembers<'a>> {
        match self.slot() {
            Slot::Object { start, len } => {
                Some(TapeMembers { node: *self, next: start, end: start + 2 * len })
            }
            _ => None,
        }
    }

    /// The array's items in order.
    pub fn items(&self) -> Option<TapeItems<'a>> {
        match self.slot() {
            Slot::Array { start, len } => Some(TapeItems { node: *self, next: start, end: start + len }),
            _ => None,
        }
    }

    /// The member named `key` of an object.
    pub fn member(&self, key: &str) -> Option<TapeNode<'a>> {
        let Slot::Object { start, len } = self.slot() else { return None };
        let links = self.tape.links.get(start as usize..(start + 2 * len) as usize)?;
        let pair = links.chunks_exact(2).find(|pair| self.tape.is(self.text, pair[0], key.as_bytes()))?;
        Some(TapeNode { tape: self.tape, text: self.text, id: pair[1] })
    }

    /// The number this node holds.
    pub fn number(&self) -> Option<Number> {
        match self.slot() {
            Slot::Uint(v) => Some(v.into()),
            Slot::Int(v) => Some(v.into()),
            Slot::Float(v) => Number::from_f64(v),
            _ => None,
        }
    }

    /// Whether this node is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.slot(), Slot::Null)
    }

    /// The boolean this node holds.
    pub fn as_bool(&self) -> Option<bool> {
        match self.slot() {
            Slot::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// Whether this node is an object.
    pub fn is_object(&self) -> bool {
        matches!(self.slot(), Slot::Object { .. })
    }

    /// The items of an array, how many.
    pub fn array_len(&self) -> Option<usize> {
        match self.slot() {
            Slot::Array { len, .. } => Some(len as usize),
            _ => None,
        }
    }

    /// The number as an `i64`, as `Value::as_i64` has it.
    pub fn as_i64(&self) -> Option<i64> {
        match self.slot() {
            Slot::Uint(v) => i64::try_from(v).ok(),
            Slot::Int(v) => Some(v),
            _ => None,
        }
    }

    /// The number as a `u64`, as `Value::as_u64` has it.
    pub fn as_u64(&self) -> Option<u64> {
        match self.slot() {
            Slot::Uint(v) => Some(v),
            Slot::Int(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The number as an `f64`, as `Value::as_f64` has it.
    pub fn as_f64(&self) -> Option<f64> {
        match self.slot() {
            Slot::Uint(v) => Some(v as f64),
            Slot::Int(v) => Some(v as f64),
            Slot::Float(v) => Some(v),
            _ => None,
        }
    }

    /// The value, built (for cold paths and tests).
    pub fn to_value(&self) -> Value {
        match self.slot() {
            Slot::Null => Value::Null,
            Slot::Bool(v) => Value::Bool(v),
            Slot::Uint(_) | Slot::Int(_) | Slot::Float(_) => self.number().map_or(Value::Null, Value::Number),
            Slot::Text { .. } | Slot::Owned { .. } => {
                Value::String(self.str().unwrap_or_default().to_string())
            }
            Slot::Array { .. } => {
                Value::Array(self.items().into_iter().flatten().map(|n| n.to_value()).collect())
            }
            Slot::Object { .. } => Value::Object(
                self.entries().into_iter().flatten().map(|(k, v)| (k.to_string(), v.to_value())).collect(),
            ),
        }
    }
}

/// An object's members, in document order.
#[derive(Clone)]
pub struct TapeMembers<'a> {
    node: TapeNode<'a>,
    next: u32,
    end: u32,
}

impl<'a> Iterator for TapeMembers<'a> {
    type Item = (&'a str, TapeNode<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let key = self.node.child(self.next);
        let value = self.node.child(self.next + 1);
        self.next += 2;
        Some((key.str().unwrap_or_default(), value))
    }
}

/// An array's items, in order.
#[derive(Clone)]
pub struct TapeItems<'a> {
    node: TapeNode<'a>,
    next: u32,
    end: u32,
}

impl<'a> Iterator for TapeItems<'a> {
    type Item = TapeNode<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        let item = self.node.child(self.next);
        self.next += 1;
        Some(item)
    }
}

impl Json for TapeJson {
    type Node<'a> = TapeNode<'a>;
    type PreparedKey = String;
    type StringBuffer = Value;
    /// A lookup scans the members, so a members pass pays off from the first lookup it replaces.
    const KEYS_PER_LOOKUP: usize = 1;
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> String {
        key.to_owned()
    }

    fn with_string_node<T>(buffer: &mut Value, string: &str, f: impl FnOnce(TapeNode<'_>) -> T) -> T {
        // `propertyNames` only, which no derived schema uses: a one-string tape.
        *buffer = Value::String(string.to_owned());
        let mut tape = Tape::default();
        let id = tape.push(Slot::Text { start: 0, len: string.len() as u32 }).unwrap_or_default();
        f(TapeNode { tape: &tape, text: string, id })
    }
}

impl<'a> Node<'a, TapeJson> for TapeNode<'a> {
    type Object = TapeNode<'a>;
    type Array = TapeNode<'a>;
    type Number = Number;

    fn as_object(&self) -> Option<TapeNode<'a>> {
        matches!(self.slot(), Slot::Object { .. }).then_some(*self)
    }

    fn as_array(&self) -> Option<TapeNode<'a>> {
        matches!(self.slot(), Slot::Array { .. }).then_some(*self)
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<Number> {
        self.number()
    }

    fn as_boolean(&self) -> Option<bool> {
        TapeNode::as_bool(self)
    }

    fn is_null(&self) -> bool {
        TapeNode::is_null(self)
    }

    fn json_type(&self) -> JsonType {
        match self.slot() {
            Slot::Null => JsonType::Null,
            Slot::Bool(_) => JsonType::Boolean,
            Slot::Uint(_) | Slot::Int(_) | Slot::Float(_) => JsonType::Number,
            Slot::Text { .. } | Slot::Owned { .. } => JsonType::String,
            Slot::Array { .. } => JsonType::Array,
            Slot::Object { .. } => JsonType::Object,
        }
    }

    fn equals_value(&self, expected: &Value) -> bool {
        // `const` and `enum` compare strings nearly always: without building a `Value`.
        match (self.slot(), expected) {
            (Slot::Text { .. } | Slot::Owned { .. }, Value::String(s)) => self.str() == Some(s.as_str()),
            (Slot::Text { .. } | Slot::Owned { .. }, _) => false,
            (Slot::Null, _) => expected.is_null(),
            (Slot::Bool(v), _) => expected.as_bool() == Some(v),
            (Slot::Uint(_) | Slot::Int(_) | Slot::Float(_), _) => {
                self.number().is_some_and(|n| cmp::equal(&Value::Number(n), expected))
            }
            _ => cmp::equal(&self.to_value(), expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(TapeNode::to_value(self))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::tagged(std::ptr::from_ref::<Tape>(self.tape) as usize, self.id))
    }
}

impl<'a> Object<'a, TapeJson> for TapeNode<'a> {
    type Node = TapeNode<'a>;
    type MemberName = &'a str;
    type MembersIter = TapeMembers<'a>;

    fn len(&self) -> usize {
        match self.slot() {
            Slot::Object { len, .. } => len as usize,
            _ => 0,
        }
    }

    fn get(&self, key: &String) -> Option<TapeNode<'a>> {
        self.member(key)
    }

    fn members(&self) -> TapeMembers<'a> {
        self.entries().unwrap_or(TapeMembers { node: *self, next: 0, end: 0 })
    }

    fn try_for_each_name_node<B>(
        &self,
        buffer: &mut Value,
        mut f: impl FnMut(TapeNode<'_>) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        for (name, _) in self.members() {
            TapeJson::with_string_node(buffer, name, &mut f)?;
        }
        ControlFlow::Continue(())
    }
}

impl<'a> Array<'a, TapeJson> for TapeNode<'a> {
    type Node = TapeNode<'a>;
    type ElementsIter = TapeItems<'a>;

    fn len(&self) -> usize {
        match self.slot() {
            Slot::Array { len, .. } => len as usize,
            _ => 0,
        }
    }

    fn elements(&self) -> TapeItems<'a> {
        self.items().unwrap_or(TapeItems { node: *self, next: 0, end: 0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Option<Value> {
        with_tape(text, |root| root.to_value())
    }

    #[test]
    fn the_tape_holds_what_the_strict_reader_reads() {
        for text in [
            r#"{"a": [1, -2, 3.5, true, false, null, "x"], "b": {"c": "d\n\u00e9", "e": {}}, "f": []}"#,
            r#""just a string""#,
            "18446744073709551615",
            r#"{"名前": "東京", "escaped\"key": "\ud83d\ude00"}"#,
        ] {
            let strict = crate::json::parse_str(text).expect("valid");
            assert_eq!(round_trip(text), Some(strict), "{text}");
        }
    }

    #[test]
    fn what_needs_the_full_reader_is_left_to_it() {
        let many =
            format!("{{{}}}", (0..=MAX_KEYS).map(|i| format!("\"k{i}\": {i}")).collect::<Vec<_>>().join(","));
        for text in [
            "",
            " ",
            "{",
            r#"{"a": 1, "a": 2}"#,
            r#"{"a": 1} x"#,
            r#""\ud83d""#,
            "1e20",
            "36893488147419103232",
            "\u{feff}{}",
            many.as_str(),
        ] {
            assert_eq!(round_trip(text), None, "{text}");
        }
        let most =
            format!("{{{}}}", (0..MAX_KEYS).map(|i| format!("\"k{i}\": {i}")).collect::<Vec<_>>().join(","));
        assert!(round_trip(&most).is_some());
    }

    #[test]
    fn the_tape_meets_jsonschemas_representation_contract() {
        let text = jsonschema::json::conformance::document().to_string();
        let checked =
            with_tape(&text, |root| jsonschema::json::conformance::assert_conformance::<TapeJson>(&root));
        assert!(checked.is_some());
    }

    #[test]
    fn a_reused_tape_forgets_the_last_body() {
        assert_eq!(round_trip(r#"{"a": "b"}"#), Some(serde_json::json!({"a": "b"})));
        assert_eq!(round_trip("[1]"), Some(serde_json::json!([1])));
    }
}

//! Documented compatibility: what provider A's contract allows that provider B's
//! rejects, read from the two derived schemas, each shown by a witness.
//!
//! "Can a client built for B read A's responses?" is answered here for every
//! response A may legally send, not only for the fixtures we have. Both schemas
//! are read into the same small tree ([`Node`]: the subset of draft 2020-12 that
//! `derive` writes) and walked side by side along wire paths. Wherever A allows
//! something B rejects there is an [`Incompatibility`]: A's field optional where
//! B requires it, A's field not documented where B requires it, `null` where B
//! wants a value, a JSON type B has no member for (an array where B wants a
//! string), a number where B wants an integer, enum values outside B's closed
//! enum, any string where B wants a date-time, a union member (tag) B does not
//! know, an undocumented field where B forbids them.
//!
//! Every incompatibility carries a **witness**: the smallest response A's schema
//! accepts, built from A's schema and, wherever both can agree, shaped to satisfy
//! B too (B's required keys present, enum values both accept), with one change
//! at the stated place. It is proved by running both compiled schemas: A must
//! accept it and B must report the stated keyword at the stated pointer. A
//! candidate whose witness does not prove it is kept apart as [`Unconfirmed`]
//! (the walk over-approximated), never reported as an incompatibility.
//!
//! What is not an incompatibility: a field B documents that A does not (A's
//! silence promises no value; a client for B still reads A's responses without
//! it unless B requires it, which is [`Kind::Missing`]), and anything B accepts
//! as an undocumented field. A pair with no incompatibility is "compatible by
//! contract".

use std::{collections::BTreeSet, fmt};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::{
    catalog::{Catalog, CatalogError, Provider, SchemaKind},
    derive::ZOD_DATE_TIME,
    models::{exact::escape_token, runtime::is_zod_date_time},
    verdict::{Schema, Violation},
};

/// What kind of incompatibility, from the worst to the mildest: a cell of the
/// matrix shows the worst of its list. Structural breaks come first (B has no
/// shape for A's value at all), then presence (a field B needs is not promised),
/// then values (a value of the right type B does not accept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A allows a JSON type B has no member for (an array where B wants a string).
    Type,
    /// B requires a field A's contract does not document: A never promises it.
    Missing,
    /// A's tagged union has a member (tag) B's does not know, or A's value fits
    /// none of the members of B's untagged union.
    Union,
    /// A's field is optional, B requires it.
    Optional,
    /// A allows `null`, B wants a value.
    Nullable,
    /// A's closed enum has values outside B's closed enum.
    Enum,
    /// A accepts any string (an open enum or a plain string) where B's enum is closed.
    OpenEnum,
    /// A allows a number with a fraction where B wants an integer.
    Integer,
    /// A allows any string where B wants an RFC 3339 date-time.
    Format,
    /// A allows undocumented fields where B forbids them.
    Additional,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Type,
        Kind::Missing,
        Kind::Union,
        Kind::Optional,
        Kind::Nullable,
        Kind::Enum,
        Kind::OpenEnum,
        Kind::Integer,
        Kind::Format,
        Kind::Additional,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Type => "type",
            Kind::Missing => "missing",
            Kind::Union => "union",
            Kind::Optional => "optional",
            Kind::Nullable => "nullable",
            Kind::Enum => "enum",
            Kind::OpenEnum => "open-enum",
            Kind::Integer => "integer",
            Kind::Format => "format",
            Kind::Additional => "additional",
        }
    }

    /// One sentence: what this kind means for a client built for B.
    pub fn meaning(self) -> &'static str {
        match self {
            Kind::Type => "A may send a JSON type B has no shape for",
            Kind::Missing => "B requires a field A does not document",
            Kind::Union => "A may send a union member B has no member for",
            Kind::Optional => "A may omit a field B requires",
            Kind::Nullable => "A may send null where B wants a value",
            Kind::Enum => "A's enum has values B's closed enum lacks",
            Kind::OpenEnum => "A may send any string where B's enum is closed",
            Kind::Integer => "A may send a fraction where B wants an integer",
            Kind::Format => "A may send any string where B wants a date-time",
            Kind::Additional => "A may send fields B forbids",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One place where A's contract allows what B's rejects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incompatibility {
    /// The wire path in the report's notation: `choices[].message.content` (`(root)` for the body).
    pub path: String,
    pub kind: Kind,
    /// What A's contract allows there, in words.
    pub allows: String,
    /// What B's contract requires there, in words.
    pub requires: String,
    /// The values A allows that B rejects (enum values, union tags); empty for other kinds.
    pub values: Vec<String>,
    pub witness: Witness,
}

/// A response A's schema accepts and B's rejects, with where and why B rejects it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Witness {
    /// The response: the smallest A instance (shaped to suit B elsewhere) with one change.
    pub response: Value,
    /// The one change, in words: "`/usage` removed".
    pub change: String,
    /// Where B's schema reports the error.
    pub pointer: String,
    /// The keyword B's schema reports there (`required`, `type`, `enum`, `pattern`, `anyOf`, ...).
    pub keyword: String,
    /// Every violation B's schema reports on the witness (the stated one among them).
    pub violations: Vec<Violation>,
}

/// A candidate the walk found whose witness did not prove it: the walk over-approximated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unconfirmed {
    pub path: String,
    pub kind: Kind,
    pub response: Value,
    /// Why the witness fails: A rejects it, or B does not report the stated error.
    pub reason: String,
}

/// One ordered pair and one kind of schema: everything A allows that B rejects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub incompatibilities: Vec<Incompatibility>,
    /// Candidates without a proof; empty when the walk is exact (the shipped schemas: tested).
    pub unconfirmed: Vec<Unconfirmed>,
}

impl Comparison {
    /// No incompatibility: compatible by contract.
    pub fn compatible(&self) -> bool {
        self.incompatibilities.is_empty()
    }

    /// The worst kind of the list, if any.
    pub fn worst(&self) -> Option<Kind> {
        self.incompatibilities.iter().map(|i| i.kind).min()
    }
}

/// Provider A (`from`, whose responses) read by a client for provider B (`to`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub from: String,
    pub to: String,
    /// The response schemas.
    pub response: Comparison,
    /// The chunk schemas, when both providers document streaming.
    pub chunk: Option<Comparison>,
    /// Why `chunk` is absent: which provider documents no streamed chunks.
    pub chunk_note: Option<String>,
}

impl Pair {
    /// Compatible by contract for responses, and for chunks where both document them.
    pub fn compatible(&self) -> bool {
        self.response.compatible() && self.chunk.as_ref().is_none_or(Comparison::compatible)
    }
}

/// A schema the walk cannot read, or a provider that cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompatError {
    #[error("{provider}: {pointer}: cannot compare this schema: {what}")]
    Unsupported { provider: String, pointer: String, what: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// Compares the committed schemas of providers `from` and `to` (responses, and chunks where both stream).
pub fn pair(catalog: &Catalog, from: &str, to: &str) -> Result<Pair, CompatError> {
    let a = catalog.provider(from)?;
    let b = catalog.provider(to)?;
    let response = compare(
        &catalog.load_schema_kind(a, SchemaKind::Response)?,
        &catalog.load_schema_kind(b, SchemaKind::Response)?,
    )?;
    let (chunk, chunk_note) = match (a.streams(), b.streams()) {
        (true, true) => (
            Some(compare(
                &catalog.load_schema_kind(a, SchemaKind::Chunk)?,
                &catalog.load_schema_kind(b, SchemaKind::Chunk)?,
            )?),
            None,
        ),
        _ => (None, Some(streaming_note(a, b))),
    };
    Ok(Pair { from: from.to_string(), to: to.to_string(), response, chunk, chunk_note })
}

fn streaming_note(a: &Provider, b: &Provider) -> String {
    let silent: Vec<&str> = [a, b].iter().filter(|p| !p.streams()).map(|p| p.id.as_str()).collect();
    format!("{} documents no streamed chunks", silent.join(" and "))
}

/// Every ordered pair of distinct providers, in catalog order (rows: `from`, columns: `to`).
pub fn matrix(catalog: &Catalog) -> Result<Vec<Pair>, CompatError> {
    let mut pairs = Vec::new();
    for a in &catalog.providers {
        for b in &catalog.providers {
            if a.id != b.id {
                pairs.push(pair(catalog, &a.id, &b.id)?);
            }
        }
    }
    Ok(pairs)
}

/// Everything schema `a` allows that schema `b` rejects, each with a proved witness.
pub fn compare(a: &Schema, b: &Schema) -> Result<Comparison, CompatError> {
    let a_root = read(a)?;
    let b_root = read(b)?;
    let mut walk = Walk { found: Vec::new() };
    walk.node(&a_root, &b_root, &Site::root());
    let mut seen: BTreeSet<(String, Kind)> = BTreeSet::new();
    let mut comparison = Comparison { incompatibilities: Vec::new(), unconfirmed: Vec::new() };
    for candidate in walk.found {
        if !seen.insert((candidate.path.clone(), candidate.kind)) {
            continue;
        }
        let proved = prove(a, b, &a_root, &b_root, &candidate).or_else(|unconfirmed| {
            candidate.fallbacks.iter().find_map(|f| prove(a, b, &a_root, &b_root, f).ok()).ok_or(unconfirmed)
        });
        match proved {
            Ok(mut incompatibility) => {
                // A union's values: every member of A's whose own witness B rejects.
                if incompatibility.kind == Kind::Union && !candidate.fallbacks.is_empty() {
                    incompatibility.values = std::iter::once(&candidate)
                        .chain(&candidate.fallbacks)
                        .filter(|c| !c.values.is_empty() && prove(a, b, &a_root, &b_root, c).is_ok())
                        .flat_map(|c| c.values.iter().cloned())
                        .collect();
                }
                comparison.incompatibilities.push(incompatibility);
            }
            Err(unconfirmed) => comparison.unconfirmed.push(*unconfirmed),
        }
    }
    Ok(comparison)
}

// ---------------------------------------------------------------------------
// The schema tree

/// One schema node, `$ref`s resolved: the subset of draft 2020-12 `derive` writes.
#[derive(Debug, Clone)]
enum Node {
    /// `{}`: any value.
    Any,
    /// A closed `enum` (may list `null`).
    Enum(Vec<Value>),
    /// A `type` keyword and what goes with it.
    Typed(Box<Typed>),
    /// `anyOf`: an untagged union, or a nullable object (`[$ref, null]`).
    AnyOf(Vec<Node>),
    /// A tagged union: an object with a required tag selecting its member by `if`/`then`.
    Tagged(Box<Tagged>),
}

#[derive(Debug, Clone)]
struct Typed {
    types: Vec<Ty>,
    nullable: bool,
    /// The zod date-time pattern on a string.
    date_time: bool,
    /// An open enum's known values (`examples`).
    known: Vec<String>,
    items: Option<Node>,
    object: Obj,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

#[derive(Debug, Clone, Default)]
struct Obj {
    properties: Vec<(String, Node)>,
    required: Vec<String>,
    additional: Additional,
}

impl Obj {
    fn property(&self, key: &str) -> Option<&Node> {
        self.properties.iter().find(|(k, _)| k == key).map(|(_, n)| n)
    }

    fn requires(&self, key: &str) -> bool {
        self.required.iter().any(|k| k == key)
    }
}

#[derive(Debug, Clone, Default)]
enum Additional {
    /// Undocumented keys are allowed (what `derive` writes).
    #[default]
    Allowed,
    /// `additionalProperties: false`.
    Forbidden,
    /// `Record<string, T>`: every value a `T`.
    Map(Box<Node>),
}

#[derive(Debug, Clone)]
struct Tagged {
    property: String,
    members: Vec<(String, Obj)>,
}

impl Tagged {
    fn member(&self, tag: &str) -> Option<&Obj> {
        self.members.iter().find(|(t, _)| t == tag).map(|(_, o)| o)
    }

    fn tags(&self) -> Vec<&str> {
        self.members.iter().map(|(t, _)| t.as_str()).collect()
    }

    /// The union as B checks it before any member applies: a required tag out of the listed ones.
    fn as_object(&self) -> Obj {
        Obj {
            properties: vec![(
                self.property.clone(),
                Node::Enum(self.members.iter().map(|(t, _)| json!(t)).collect()),
            )],
            required: vec![self.property.clone()],
            additional: Additional::Allowed,
        }
    }
}

/// The JSON types, as a value has one (an integral number is an `integer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonType {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}

fn json_type(value: &Value) -> JsonType {
    match value {
        Value::Null => JsonType::Null,
        Value::Bool(_) => JsonType::Boolean,
        Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => JsonType::Integer,
        Value::Number(_) => JsonType::Number,
        Value::String(_) => JsonType::String,
        Value::Array(_) => JsonType::Array,
        Value::Object(_) => JsonType::Object,
    }
}

fn read(schema: &Schema) -> Result<Node, CompatError> {
    let reader = Reader { document: schema.document(), provider: schema.provider() };
    reader.node(schema.document(), "", 0)
}

struct Reader<'a> {
    document: &'a Value,
    provider: &'a str,
}

/// Deeper than any derived schema nests: a `$ref` cycle, which tables never make.
const MAX_DEPTH: usize = 64;

impl Reader<'_> {
    fn unsupported(&self, pointer: &str, what: &str) -> CompatError {
        CompatError::Unsupported {
            provider: self.provider.to_string(),
            pointer: pointer.to_string(),
            what: what.to_string(),
        }
    }

    fn resolve<'v>(&'v self, schema: &'v Value, pointer: &str) -> Result<(&'v Value, String), CompatError> {
        let mut current = schema;
        let mut current_pointer = pointer.to_string();
        for _ in 0..MAX_DEPTH {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                return Ok((current, current_pointer));
            };
            let path =
                reference.strip_prefix('#').ok_or_else(|| self.unsupported(pointer, "a non-local `$ref`"))?;
            current = self
                .document
                .pointer(path)
                .ok_or_else(|| self.unsupported(pointer, &format!("`$ref` {reference} does not resolve")))?;
            current_pointer = path.to_string();
        }
        Err(self.unsupported(pointer, "a `$ref` chain that does not end"))
    }

    fn node(&self, schema: &Value, pointer: &str, depth: usize) -> Result<Node, CompatError> {
        if depth > MAX_DEPTH {
            return Err(self.unsupported(pointer, "schemas nested too deep (a `$ref` cycle?)"));
        }
        let (schema, pointer) = self.resolve(schema, pointer)?;
        let pointer = pointer.as_str();
        if schema.get("allOf").is_some() {
            return self.tagged(schema, pointer, depth).map(|t| Node::Tagged(Box::new(t)));
        }
        if let Some(values) = schema.get("enum") {
            let values =
                values.as_array().ok_or_else(|| self.unsupported(pointer, "`enum` is not an array"))?;
            return Ok(Node::Enum(values.clone()));
        }
        if let Some(branches) = schema.get("anyOf") {
            let branches =
                branches.as_array().ok_or_else(|| self.unsupported(pointer, "`anyOf` is not an array"))?;
            let mut members = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                members.push(self.node(branch, &format!("{pointer}/anyOf/{i}"), depth + 1)?);
            }
            return Ok(Node::AnyOf(members));
        }
        let names: Vec<&str> = match schema.get("type") {
            None if schema.get("properties").is_some() => vec!["object"],
            None => return Ok(Node::Any),
            Some(Value::String(name)) => vec![name.as_str()],
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            Some(_) => return Err(self.unsupported(pointer, "`type` is neither a string nor an array")),
        };
        let mut typed = Typed {
            types: Vec::new(),
            nullable: false,
            date_time: false,
            known: Vec::new(),
            items: None,
            object: Obj::default(),
        };
        for name in names {
            match name {
                "null" => typed.nullable = true,
                "string" => typed.types.push(Ty::String),
                "integer" => typed.types.push(Ty::Integer),
                "number" => typed.types.push(Ty::Number),
                "boolean" => typed.types.push(Ty::Boolean),
                "array" => typed.types.push(Ty::Array),
                "object" => typed.types.push(Ty::Object),
                other => return Err(self.unsupported(pointer, &format!("the type {other}"))),
            }
        }
        match schema.get("pattern").and_then(Value::as_str) {
            None => {}
            Some(ZOD_DATE_TIME) => typed.date_time = true,
            Some(other) => return Err(self.unsupported(pointer, &format!("the pattern {other}"))),
        }
        typed.known = schema
            .get("examples")
            .and_then(Value::as_array)
            .map(|values| values.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        if let Some(items) = schema.get("items") {
            typed.items = Some(self.node(items, &format!("{pointer}/items"), depth + 1)?);
        }
        typed.object = self.object(schema, pointer, depth)?;
        Ok(Node::Typed(Box::new(typed)))
    }

    fn object(&self, schema: &Value, pointer: &str, depth: usize) -> Result<Obj, CompatError> {
        let mut object = Obj::default();
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, property) in properties {
                let child = format!("{pointer}/properties/{}", escape_token(key));
                object.properties.push((key.clone(), self.node(property, &child, depth + 1)?));
            }
        }
        object.required = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        object.additional = match schema.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Additional::Allowed,
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(value) => Additional::Map(Box::new(self.node(
                value,
                &format!("{pointer}/additionalProperties"),
                depth + 1,
            )?)),
        };
        Ok(object)
    }

    fn tagged(&self, schema: &Value, pointer: &str, depth: usize) -> Result<Tagged, CompatError> {
        let not_tagged = || self.unsupported(pointer, "an `allOf` that is not a tagged union of `if`/`then`");
        let branches = schema.get("allOf").and_then(Value::as_array).ok_or_else(not_tagged)?;
        let mut property = None;
        let mut members = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            let (name, condition) = branch
                .get("if")
                .and_then(|c| c.get("properties")?.as_object()?.iter().next())
                .ok_or_else(not_tagged)?;
            let tag = condition.get("const").and_then(Value::as_str).ok_or_else(not_tagged)?;
            if property.get_or_insert_with(|| name.clone()) != name {
                return Err(not_tagged());
            }
            let then = branch.get("then").ok_or_else(not_tagged)?;
            let then_pointer = format!("{pointer}/allOf/{i}/then");
            let member = match self.node(then, &then_pointer, depth + 1)? {
                Node::Typed(typed) if typed.types == [Ty::Object] => typed.object,
                _ => {
                    return Err(self.unsupported(&then_pointer, "a tagged union member that is not an object"))
                }
            };
            members.push((tag.to_string(), member));
        }
        let property = property.ok_or_else(not_tagged)?;
        Ok(Tagged { property, members })
    }
}

// ---------------------------------------------------------------------------
// What a node accepts, and what B's validator says when it does not

/// One alternative of a node, `anyOf`s flattened: what a value of one JSON type looks like.
#[derive(Debug, Clone, Copy)]
enum Alt<'n> {
    Any,
    /// A closed enum's non-null values.
    Enum(&'n [Value]),
    String {
        date_time: bool,
        known: &'n [String],
    },
    Integer,
    Number,
    Boolean,
    Array(Option<&'n Node>),
    Object(&'n Obj),
    Tagged(&'n Tagged),
}

/// The alternatives of `node`, in order, and whether it accepts `null`.
fn alternatives(node: &Node) -> (Vec<Alt<'_>>, bool) {
    let mut alts = Vec::new();
    let nullable = collect_alternatives(node, &mut alts);
    (alts, nullable)
}

fn collect_alternatives<'n>(node: &'n Node, out: &mut Vec<Alt<'n>>) -> bool {
    match node {
        Node::Any => {
            out.push(Alt::Any);
            true
        }
        Node::Enum(values) => {
            let nullable = values.iter().any(Value::is_null);
            if values.iter().any(|v| !v.is_null()) {
                out.push(Alt::Enum(values));
            }
            nullable
        }
        Node::Typed(typed) => {
            for ty in &typed.types {
                out.push(match ty {
                    Ty::String => Alt::String { date_time: typed.date_time, known: &typed.known },
                    Ty::Integer => Alt::Integer,
                    Ty::Number => Alt::Number,
                    Ty::Boolean => Alt::Boolean,
                    Ty::Array => Alt::Array(typed.items.as_ref()),
                    Ty::Object => Alt::Object(&typed.object),
                });
            }
            typed.nullable
        }
        Node::AnyOf(members) => {
            let mut nullable = false;
            for member in members {
                nullable |= collect_alternatives(member, out);
            }
            nullable
        }
        Node::Tagged(tagged) => {
            out.push(Alt::Tagged(tagged));
            false
        }
    }
}

impl Alt<'_> {
    /// The JSON type of the alternative's values (`None` for any, and for an enum of mixed types).
    fn json_type(&self) -> Option<JsonType> {
        match self {
            Alt::Any => None,
            Alt::Enum(values) => {
                let types: BTreeSet<u8> =
                    values.iter().filter(|v| !v.is_null()).map(|v| json_type(v) as u8).collect();
                let first = values.iter().find(|v| !v.is_null()).map(json_type);
                if types.len() == 1 {
                    first
                } else {
                    None
                }
            }
            Alt::String { .. } => Some(JsonType::String),
            Alt::Integer => Some(JsonType::Integer),
            Alt::Number => Some(JsonType::Number),
            Alt::Boolean => Some(JsonType::Boolean),
            Alt::Array(_) => Some(JsonType::Array),
            Alt::Object(_) | Alt::Tagged(_) => Some(JsonType::Object),
        }
    }
}

/// Whether a value of JSON type `ty` gets past `node`'s own `type` keyword (not its enum or inner rules).
fn type_admits(node: &Node, ty: JsonType) -> bool {
    match node {
        Node::Any | Node::Enum(_) | Node::AnyOf(_) => true,
        Node::Tagged(_) => ty == JsonType::Object,
        Node::Typed(typed) => {
            (ty == JsonType::Null && typed.nullable)
                || typed.types.iter().any(|t| {
                    matches!(
                        (t, ty),
                        (Ty::String, JsonType::String)
                            | (Ty::Integer, JsonType::Integer)
                            | (Ty::Number, JsonType::Integer | JsonType::Number)
                            | (Ty::Boolean, JsonType::Boolean)
                            | (Ty::Array, JsonType::Array)
                            | (Ty::Object, JsonType::Object)
                    )
                })
        }
    }
}

/// The `anyOf` members a value of type `ty` could be meant for: those that do not
/// fail on its JSON type alone (verdict looks through the others).
fn plausible(members: &[Node], ty: JsonType) -> Vec<&Node> {
    members.iter().filter(|m| type_admits(m, ty)).collect()
}

/// Where a value of type `ty` goes in `node`: through `anyOf`s while one member alone is plausible.
enum Route<'n> {
    /// One node (not an `anyOf`) gets the value; its errors are reported where they are.
    One(&'n Node),
    /// Several members are plausible: an error is reported as `anyOf` at the union's pointer.
    Ambiguous(Vec<&'n Node>),
    /// No member is plausible: verdict reports one `type` error at the union.
    Rejected,
}

fn route(node: &Node, ty: JsonType) -> Route<'_> {
    match node {
        Node::AnyOf(members) => match plausible(members, ty).as_slice() {
            [] => Route::Rejected,
            [one] => route(one, ty),
            several => Route::Ambiguous(several.to_vec()),
        },
        other => Route::One(other),
    }
}

/// The keyword B's validator reports at the value's own place when `node` rejects
/// the leaf `value` there; `None` when it accepts it (objects and arrays: their own
/// keywords only, not what is inside).
fn reject_keyword(node: &Node, value: &Value) -> Option<&'static str> {
    let ty = json_type(value);
    match node {
        Node::Any => None,
        Node::Enum(values) => (!values.contains(value)).then_some("enum"),
        Node::Typed(typed) => {
            if !type_admits(node, ty) {
                return Some("type");
            }
            match value {
                Value::String(s) if typed.date_time && !is_zod_date_time(s) => Some("pattern"),
                _ => None,
            }
        }
        Node::Tagged(_) => (ty != JsonType::Object).then_some("type"),
        Node::AnyOf(members) => match plausible(members, ty).as_slice() {
            [] => Some("type"),
            [one] => reject_keyword(one, value),
            several if several.iter().any(|m| reject_keyword(m, value).is_none()) => None,
            _ => Some("anyOf"),
        },
    }
}

// ---------------------------------------------------------------------------
// The walk: A and B side by side

/// How to reach a place: the choices a witness builder makes on A's schema.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Take A's alternative `a` (an index into [`alternatives`]).
    Alt(usize),
    /// Into the object's key.
    Key(String),
    /// Into the array's first item.
    Item,
    /// Take A's member with tag `a`, and/or B's member with tag `b`.
    Member { a: Option<String>, b: Option<String> },
}

/// Where the walk is: the concrete pointer of the witness, the wire path, and the steps there.
#[derive(Debug, Clone)]
struct Site {
    pointer: String,
    path: String,
    steps: Vec<Step>,
}

impl Site {
    fn root() -> Site {
        Site { pointer: String::new(), path: String::new(), steps: Vec::new() }
    }

    fn with(&self, step: Step) -> Site {
        let mut site = self.clone();
        match &step {
            Step::Key(key) => {
                site.pointer = format!("{}/{}", self.pointer, escape_token(key));
                site.path = if self.path.is_empty() { key.clone() } else { format!("{}.{key}", self.path) };
            }
            Step::Item => {
                site.pointer = format!("{}/0", self.pointer);
                site.path = format!("{}[]", self.path);
            }
            Step::Alt(_) | Step::Member { .. } => {}
        }
        site.steps.push(step);
        site
    }

    fn shown_path(&self) -> String {
        if self.path.is_empty() {
            "(root)".to_string()
        } else {
            self.path.clone()
        }
    }
}

/// The one change that turns the base instance into the witness.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// Put `value` at `pointer`.
    Replace { pointer: String, value: Value },
    /// Remove `key` from the object at `pointer`.
    Remove { pointer: String, key: String },
    /// Add `key: value` to the object at `pointer`.
    Insert { pointer: String, key: String, value: Value },
}

/// An incompatibility before its witness is proved.
#[derive(Debug, Clone)]
struct Candidate {
    path: String,
    kind: Kind,
    allows: String,
    requires: String,
    values: Vec<String>,
    steps: Vec<Step>,
    change: Change,
    expect: (String, String),
    /// Other witnesses for the same finding (for a union of B's with several plausible members).
    fallbacks: Vec<Candidate>,
}

struct Walk {
    found: Vec<Candidate>,
}

/// Candidate fields besides the site: what, the values, the change and the expected error.
struct Finding {
    kind: Kind,
    allows: String,
    requires: String,
    values: Vec<String>,
    change: Change,
    expect: (String, String),
}

impl Walk {
    fn push(&mut self, site: &Site, finding: Finding) {
        self.found.push(candidate(site, finding));
    }

    /// Compares what A allows at `site` (node `a`) with what B accepts there (node `b`).
    fn node(&mut self, a: &Node, b: &Node, site: &Site) {
        if matches!(b, Node::Any) {
            return;
        }
        let (a_alts, a_nullable) = alternatives(a);
        if a_nullable {
            if let Some(keyword) = reject_keyword(b, &Value::Null) {
                self.push(
                    site,
                    Finding {
                        kind: Kind::Nullable,
                        allows: describe(a),
                        requires: describe(b),
                        values: Vec::new(),
                        change: Change::Replace { pointer: site.pointer.clone(), value: Value::Null },
                        expect: (site.pointer.clone(), keyword.to_string()),
                    },
                );
            }
        }
        for (i, alt) in a_alts.iter().enumerate() {
            let here = site.with(Step::Alt(i));
            self.alternative(a, *alt, b, &here);
        }
    }

    fn alternative(&mut self, a: &Node, alt: Alt<'_>, b: &Node, site: &Site) {
        let type_break = |value: Value, keyword: &str| Finding {
            kind: Kind::Type,
            allows: describe(a),
            requires: describe(b),
            values: Vec::new(),
            change: Change::Replace { pointer: site.pointer.clone(), value },
            expect: (site.pointer.clone(), keyword.to_string()),
        };
        let Some(ty) = alt.json_type() else {
            // Any value (or an enum of mixed types): the first plain value B rejects.
            let tries = match alt {
                Alt::Enum(values) => values.to_vec(),
                _ => vec![json!(""), json!(0), json!(0.5), json!(false), json!([])],
            };
            if let Some((value, keyword)) =
                tries.into_iter().find_map(|v| reject_keyword(b, &v).map(|k| (v, k)))
            {
                let mut finding = type_break(value, keyword);
                if keyword == "enum" {
                    finding.kind = Kind::Enum;
                }
                self.push(site, finding);
            }
            return;
        };
        match route(b, ty) {
            Route::Rejected => {
                if ty == JsonType::Number && !matches!(route(b, JsonType::Integer), Route::Rejected) {
                    let mut finding = type_break(json!(0.5), "type");
                    finding.kind = Kind::Integer;
                    self.push(site, finding);
                } else {
                    self.push(site, type_break(minimal_alt(alt), "type"));
                }
            }
            Route::One(one) => self.against(a, alt, b, one, site),
            Route::Ambiguous(members) => {
                // A's value must fit one of B's plausible members: compare with each.
                let mut per_member = Vec::new();
                for member in &members {
                    let mut inner = Walk { found: Vec::new() };
                    inner.against(a, alt, b, member, site);
                    if inner.found.is_empty() {
                        return; // one member reads all of it
                    }
                    per_member.push(inner.found);
                }
                // First A's own smallest values (one per member of a tagged union) put there whole,
                // then the differences found against each of B's members.
                let values: Vec<(Value, Vec<String>)> = match alt {
                    Alt::Tagged(tagged) => tagged
                        .tags()
                        .into_iter()
                        .map(|tag| {
                            let steps = [Step::Member { a: Some(tag.to_string()), b: None }];
                            (build_alt(alt, None, &steps), vec![value_text(&json!(tag))])
                        })
                        .collect(),
                    _ => vec![(minimal_alt(alt), Vec::new())],
                };
                let whole = values.into_iter().map(|(value, values)| {
                    candidate(
                        site,
                        Finding {
                            kind: Kind::Union,
                            allows: String::new(),
                            requires: String::new(),
                            values,
                            change: Change::Replace { pointer: site.pointer.clone(), value },
                            expect: (site.pointer.clone(), "anyOf".into()),
                        },
                    )
                });
                let inner = per_member.into_iter().flatten().map(|mut c| {
                    c.expect = (site.pointer.clone(), "anyOf".into());
                    c.values = Vec::new();
                    c
                });
                let mut options: Vec<Candidate> = whole.chain(inner).collect();
                let shapes = members.iter().map(|m| shape(m)).collect::<Vec<_>>().join("; ");
                for option in &mut options {
                    option.path = site.shown_path();
                    option.kind = Kind::Union;
                    option.allows = describe(a);
                    option.requires = format!("one of the union's members: {shapes}");
                }
                let mut first = options.remove(0);
                first.fallbacks = options;
                self.found.push(first);
            }
        }
    }

    /// A's alternative against the one B node a value of its type reaches.
    fn against(&mut self, a: &Node, alt: Alt<'_>, b_whole: &Node, b: &Node, site: &Site) {
        let finding = |kind: Kind, values: Vec<String>, value: Value, keyword: &str| Finding {
            kind,
            allows: describe(a),
            requires: describe(b_whole),
            values,
            change: Change::Replace { pointer: site.pointer.clone(), value },
            expect: (site.pointer.clone(), keyword.to_string()),
        };
        match alt {
            Alt::Any => {}
            Alt::Enum(values) => {
                let rejected: Vec<&Value> =
                    values.iter().filter(|v| !v.is_null() && reject_keyword(b_whole, v).is_some()).collect();
                if let Some(first) = rejected.first() {
                    let keyword = reject_keyword(b_whole, first).unwrap_or("enum");
                    let kind = match keyword {
                        "pattern" => Kind::Format,
                        "type" => Kind::Type,
                        _ => Kind::Enum,
                    };
                    let shown = rejected.iter().map(|v| value_text(v)).collect();
                    self.push(site, finding(kind, shown, (*first).clone(), keyword));
                }
            }
            Alt::String { date_time, known } => {
                let mut tries: Vec<Value> = known.iter().map(|k| json!(k)).collect();
                if date_time {
                    tries.push(json!(DATE_TIME));
                } else {
                    tries.push(json!(UNLISTED));
                }
                let rejected: Vec<(Value, &str)> =
                    tries.into_iter().filter_map(|v| reject_keyword(b_whole, &v).map(|k| (v, k))).collect();
                if let Some((value, keyword)) = rejected.first() {
                    let kind = match *keyword {
                        "pattern" => Kind::Format,
                        "type" => Kind::Type,
                        _ => Kind::OpenEnum,
                    };
                    let shown = rejected
                        .iter()
                        .filter(|(v, _)| v.as_str() != Some(UNLISTED))
                        .map(|(v, _)| value_text(v))
                        .collect();
                    self.push(site, finding(kind, shown, value.clone(), keyword));
                }
            }
            Alt::Integer | Alt::Boolean => {
                let value = minimal_alt(alt);
                if let Some(keyword) = reject_keyword(b, &value) {
                    self.push(site, finding(Kind::Type, Vec::new(), value, keyword));
                }
            }
            Alt::Number => {
                if let Some(keyword) = reject_keyword(b, &json!(0.5)) {
                    let kind =
                        if reject_keyword(b, &json!(1)).is_none() { Kind::Integer } else { Kind::Type };
                    self.push(site, finding(kind, Vec::new(), json!(0.5), keyword));
                }
            }
            Alt::Array(items) => match b {
                Node::Typed(typed) if typed.types.contains(&Ty::Array) => {
                    if let (Some(a_items), Some(b_items)) = (items, &typed.items) {
                        self.node(a_items, b_items, &site.with(Step::Item));
                    } else if let (None, Some(b_items)) = (items, &typed.items) {
                        self.node(&Node::Any, b_items, &site.with(Step::Item));
                    }
                }
                _ => {
                    if let Some(keyword) = reject_keyword(b, &json!([])) {
                        self.push(site, finding(Kind::Type, Vec::new(), json!([]), keyword));
                    }
                }
            },
            Alt::Object(object) => match b {
                Node::Typed(typed) if typed.types.contains(&Ty::Object) => {
                    self.object(object, &typed.object, site, None);
                }
                Node::Tagged(tagged) => self.object_against_tagged(object, tagged, site),
                _ => {
                    if let Some(keyword) = reject_keyword(b, &json!({})) {
                        self.push(site, finding(Kind::Type, Vec::new(), json!({}), keyword));
                    }
                }
            },
            Alt::Tagged(tagged) => match b {
                Node::Tagged(other) if other.property == tagged.property => self.tagged(tagged, other, site),
                Node::Typed(typed) if typed.types.contains(&Ty::Object) => {
                    self.tagged_against_object(tagged, &typed.object, site);
                }
                Node::Tagged(other) => {
                    for (tag, member) in &tagged.members {
                        let here = site.with(Step::Member { a: Some(tag.clone()), b: None });
                        self.object_against_tagged(member, other, &here);
                    }
                }
                _ => {
                    if let Some(keyword) = reject_keyword(b, &json!({})) {
                        self.push(site, finding(Kind::Type, Vec::new(), json!({}), keyword));
                    }
                }
            },
        }
    }

    /// Two objects: B's required keys, then every key A documents, then undocumented keys.
    fn object(&mut self, a: &Obj, b: &Obj, site: &Site, skip: Option<&str>) {
        for key in b.required.iter().filter(|k| Some(k.as_str()) != skip) {
            let kind = match (a.property(key), &a.additional) {
                (Some(_), _) if a.requires(key) => continue,
                (Some(_), _) | (None, Additional::Map(_)) => Kind::Optional,
                (None, _) => Kind::Missing,
            };
            let allows = match kind {
                Kind::Optional => "optional".to_string(),
                _ => "not documented (never promised)".to_string(),
            };
            let pointer = format!("{}/{}", site.pointer, escape_token(key));
            let child = site.with(Step::Key(key.clone()));
            let mut found = candidate(
                &child,
                Finding {
                    kind,
                    allows,
                    requires: "required".to_string(),
                    values: Vec::new(),
                    change: Change::Remove { pointer: site.pointer.clone(), key: key.clone() },
                    expect: (pointer, "required".to_string()),
                },
            );
            found.steps = site.steps.clone();
            self.found.push(found);
        }
        for (key, a_child) in a.properties.iter().filter(|(k, _)| Some(k.as_str()) != skip) {
            let child = site.with(Step::Key(key.clone()));
            match (b.property(key), &b.additional) {
                (Some(b_child), _) => self.node(a_child, b_child, &child),
                (None, Additional::Map(b_value)) => self.node(a_child, b_value, &child),
                (None, Additional::Forbidden) => self.push(
                    &child,
                    Finding {
                        kind: Kind::Additional,
                        allows: "a field B does not document".to_string(),
                        requires: "no undocumented fields".to_string(),
                        values: vec![key.clone()],
                        change: Change::Replace {
                            pointer: child.pointer.clone(),
                            value: build(a_child, None, &[]),
                        },
                        expect: (site.pointer.clone(), "additionalProperties".to_string()),
                    },
                ),
                (None, Additional::Allowed) => {}
            }
        }
        match (&a.additional, &b.additional) {
            (Additional::Map(a_value), Additional::Map(b_value)) => {
                self.node(a_value, b_value, &site.with(Step::Key(MAP_KEY.into())));
            }
            (Additional::Map(a_value), Additional::Allowed) => {
                for (key, b_child) in &b.properties {
                    self.node(a_value, b_child, &site.with(Step::Key(key.clone())));
                }
            }
            (Additional::Allowed | Additional::Map(_), Additional::Forbidden) => {
                let value = match &a.additional {
                    Additional::Map(a_value) => build(a_value, None, &[]),
                    _ => Value::Null,
                };
                self.push(
                    site,
                    Finding {
                        kind: Kind::Additional,
                        allows: "undocumented fields".to_string(),
                        requires: "no undocumented fields".to_string(),
                        values: Vec::new(),
                        change: Change::Insert {
                            pointer: site.pointer.clone(),
                            key: EXTRA_KEY.into(),
                            value,
                        },
                        expect: (site.pointer.clone(), "additionalProperties".to_string()),
                    },
                );
            }
            _ => {}
        }
    }

    /// Two tagged unions with the same tag: A's tags B lacks, then each shared member.
    fn tagged(&mut self, a: &Tagged, b: &Tagged, site: &Site) {
        let b_tags = b.tags();
        let missing: Vec<&str> = a.tags().into_iter().filter(|t| !b_tags.contains(t)).collect();
        if let Some(first) = missing.first() {
            let here = site.with(Step::Member { a: Some(first.to_string()), b: None });
            let pointer = format!("{}/{}", site.pointer, escape_token(&a.property));
            self.push(
                &here,
                Finding {
                    kind: Kind::Union,
                    allows: format!("members by `{}`: {}", a.property, a.tags().join(", ")),
                    requires: format!("members by `{}`: {}", b.property, b_tags.join(", ")),
                    values: missing.iter().map(|t| value_text(&json!(t))).collect(),
                    change: Change::Replace { pointer: pointer.clone(), value: json!(first) },
                    expect: (pointer, "enum".to_string()),
                },
            );
        }
        for (tag, a_member) in &a.members {
            if let Some(b_member) = b.member(tag) {
                let here = site.with(Step::Member { a: Some(tag.clone()), b: Some(tag.clone()) });
                self.object(a_member, b_member, &here, Some(&a.property));
            }
        }
    }

    /// A's tagged union read as B's plain object: the tag as B's field, then each member B's tag admits.
    fn tagged_against_object(&mut self, a: &Tagged, b: &Obj, site: &Site) {
        let key = &a.property;
        let pointer = format!("{}/{}", site.pointer, escape_token(key));
        let rejected: Vec<&str> = match b.property(key) {
            Some(b_tag) => {
                a.tags().into_iter().filter(|t| reject_keyword(b_tag, &json!(t)).is_some()).collect()
            }
            None => Vec::new(),
        };
        if let (Some(first), Some(b_tag)) = (rejected.first(), b.property(key)) {
            let here =
                site.with(Step::Member { a: Some(first.to_string()), b: None }).with(Step::Key(key.clone()));
            let keyword = reject_keyword(b_tag, &json!(first)).unwrap_or("enum");
            let mut finding = candidate(
                &here,
                Finding {
                    kind: Kind::Enum,
                    allows: format!("one of {}", quoted(&a.tags())),
                    requires: describe(b_tag),
                    values: rejected.iter().map(|t| value_text(&json!(t))).collect(),
                    change: Change::Replace { pointer: pointer.clone(), value: json!(first) },
                    expect: (pointer.clone(), keyword.to_string()),
                },
            );
            finding.steps.pop();
            self.found.push(finding);
        }
        // Members B's tag admits first, so that a finding they share keeps a witness B rejects for that
        // reason alone; then the others: B reports their own differences besides the tag.
        let (admitted, others): (Vec<_>, Vec<_>) =
            a.members.iter().partition(|(tag, _)| !rejected.contains(&tag.as_str()));
        for (tag, member) in admitted.into_iter().chain(others) {
            let here = site.with(Step::Member { a: Some(tag.clone()), b: None });
            self.object(member, b, &here, Some(key));
        }
    }

    /// A's plain object read as B's tagged union: A's tag field, then B's members A's tag admits.
    fn object_against_tagged(&mut self, a: &Obj, b: &Tagged, site: &Site) {
        let key = &b.property;
        self.object(a, &b.as_object(), site, None);
        let Some(a_tag) = a.property(key) else { return };
        for (tag, member) in &b.members {
            if reject_keyword(a_tag, &json!(tag)).is_some() {
                continue; // A never sends this member
            }
            let here = site.with(Step::Member { a: None, b: Some(tag.clone()) });
            self.object(a, member, &here, Some(key));
        }
    }
}

fn candidate(site: &Site, finding: Finding) -> Candidate {
    Candidate {
        path: site.shown_path(),
        kind: finding.kind,
        allows: finding.allows,
        requires: finding.requires,
        values: finding.values,
        steps: site.steps.clone(),
        change: finding.change,
        expect: finding.expect,
        fallbacks: Vec::new(),
    }
}

/// A string no enum lists.
const UNLISTED: &str = "chatcompat-unlisted-value";
/// A date-time every date-time reader accepts.
const DATE_TIME: &str = "2024-01-01T00:00:00Z";
/// The key of a witness's map entry.
const MAP_KEY: &str = "key";
/// The key of a witness's undocumented field.
const EXTRA_KEY: &str = "x_chatcompat";

// ---------------------------------------------------------------------------
// Witnesses: the smallest A instance along the steps, shaped to suit B

/// A value of `a` (following `steps`), shaped so that `b` accepts it wherever both can agree.
fn build(a: &Node, b: Option<&Node>, steps: &[Step]) -> Value {
    let (alts, nullable) = alternatives(a);
    if let Some((Step::Alt(i), rest)) = steps.split_first() {
        if let Some(alt) = alts.get(*i) {
            return build_alt(*alt, b, rest);
        }
    }
    if nullable && b.is_none_or(|b| reject_keyword(b, &Value::Null).is_none()) {
        return Value::Null;
    }
    let mut first = None;
    for alt in alts {
        let value = build_alt(alt, b, &[]);
        if b.is_none_or(|b| reject_keyword(b, &value).is_none()) {
            return value;
        }
        first.get_or_insert(value);
    }
    first.unwrap_or(Value::Null)
}

/// The node of `b` a value of type `ty` is checked against (the first plausible one when several are).
fn b_for(b: Option<&Node>, ty: Option<JsonType>) -> Option<&Node> {
    let (b, ty) = (b?, ty?);
    match route(b, ty) {
        Route::One(node) => Some(node),
        Route::Ambiguous(nodes) => nodes.first().copied(),
        Route::Rejected => None,
    }
}

fn build_alt(alt: Alt<'_>, b: Option<&Node>, steps: &[Step]) -> Value {
    let b_node = b_for(b, alt.json_type());
    let pick = |tries: Vec<Value>| -> Value {
        let first = tries.first().cloned().unwrap_or(Value::Null);
        tries.into_iter().find(|v| b.is_none_or(|b| reject_keyword(b, v).is_none())).unwrap_or(first)
    };
    match alt {
        Alt::Any => match b {
            Some(b) => build(b, None, &[]),
            None => Value::Null,
        },
        Alt::Enum(values) => pick(values.iter().filter(|v| !v.is_null()).cloned().collect()),
        Alt::String { date_time: true, .. } => json!(DATE_TIME),
        Alt::String { known, .. } => {
            let mut tries: Vec<Value> = known.iter().map(|k| json!(k)).collect();
            if let Some(Node::Enum(values)) = b_node {
                tries.extend(values.iter().filter(|v| v.is_string()).cloned());
            }
            tries.push(json!(""));
            pick(tries)
        }
        Alt::Integer | Alt::Number => json!(0),
        Alt::Boolean => json!(false),
        Alt::Array(items) => match steps.split_first() {
            Some((Step::Item, rest)) => {
                let b_items = match b_node {
                    Some(Node::Typed(typed)) => typed.items.as_ref(),
                    _ => None,
                };
                Value::Array(vec![build(items.unwrap_or(&Node::Any), b_items, rest)])
            }
            _ => json!([]),
        },
        Alt::Object(object) => {
            let (member, steps) = match steps.split_first() {
                Some((Step::Member { b: tag, .. }, rest)) => (tag.as_deref(), rest),
                _ => (None, steps),
            };
            match b_node {
                Some(Node::Tagged(tagged)) => {
                    let tag = member.map(str::to_string).or_else(|| {
                        let a_tag = object.property(&tagged.property);
                        tagged
                            .tags()
                            .into_iter()
                            .find(|t| a_tag.is_none_or(|n| reject_keyword(n, &json!(t)).is_none()))
                            .map(str::to_string)
                    });
                    match tag.as_deref().and_then(|t| tagged.member(t).map(|m| (t, m))) {
                        Some((tag, b_member)) => {
                            build_object(object, Some(b_member), steps, Some((&tagged.property, tag)))
                        }
                        None => build_object(object, Some(&tagged.as_object()), steps, None),
                    }
                }
                Some(Node::Typed(typed)) => build_object(object, Some(&typed.object), steps, None),
                _ => build_object(object, None, steps, None),
            }
        }
        Alt::Tagged(tagged) => {
            let (a_tag, b_tag, steps) = match steps.split_first() {
                Some((Step::Member { a, b }, rest)) => (a.clone(), b.clone(), rest),
                _ => (None, None, steps),
            };
            let b_object: Option<Obj> = match b_node {
                Some(Node::Tagged(other)) => {
                    let tag = b_tag.or_else(|| a_tag.clone()).or_else(|| {
                        tagged.tags().into_iter().find(|t| other.member(t).is_some()).map(str::to_string)
                    });
                    tag.and_then(|t| other.member(&t).cloned()).or_else(|| Some(other.as_object()))
                }
                Some(Node::Typed(typed)) => Some(typed.object.clone()),
                _ => None,
            };
            let tag = a_tag
                .or_else(|| {
                    tagged
                        .tags()
                        .into_iter()
                        .find(|t| {
                            b_object
                                .as_ref()
                                .and_then(|o| o.property(&tagged.property))
                                .is_none_or(|n| reject_keyword(n, &json!(t)).is_none())
                        })
                        .map(str::to_string)
                })
                .or_else(|| tagged.tags().first().map(|t| t.to_string()));
            match tag.as_deref().and_then(|t| tagged.member(t).map(|m| (t, m))) {
                Some((tag, member)) => {
                    build_object(member, b_object.as_ref(), steps, Some((&tagged.property, tag)))
                }
                None => json!({}),
            }
        }
    }
}

/// An object of `a`: its required keys, B's required keys, and the key `steps` go into.
fn build_object(a: &Obj, b: Option<&Obj>, steps: &[Step], tag: Option<(&str, &str)>) -> Value {
    let (next, rest) = match steps.split_first() {
        Some((Step::Key(key), rest)) => (Some(key.as_str()), rest),
        _ => (None, &[][..]),
    };
    let b_child = |key: &str| -> Option<&Node> {
        let b = b?;
        b.property(key).or(match &b.additional {
            Additional::Map(value) => Some(value),
            _ => None,
        })
    };
    let b_requires = |key: &str| b.is_some_and(|b| b.requires(key));
    let mut map = Map::new();
    for (key, a_child) in &a.properties {
        if let Some((property, value)) = tag.filter(|(p, _)| p == key) {
            map.insert(property.to_string(), json!(value));
            continue;
        }
        let on_path = next == Some(key.as_str());
        if !(a.requires(key) || b_requires(key) || on_path) {
            continue;
        }
        let value = build(a_child, b_child(key), if on_path { rest } else { &[] });
        map.insert(key.clone(), value);
    }
    if let Some(key) = next.filter(|k| !map.contains_key(*k)) {
        if let Additional::Map(a_value) = &a.additional {
            map.insert(key.to_string(), build(a_value, b_child(key), rest));
        }
    }
    if let Some(b) = b {
        for key in &b.required {
            if map.contains_key(key.as_str()) {
                continue;
            }
            let value = match (&a.additional, b.property(key)) {
                (Additional::Map(a_value), b_node) => build(a_value, b_node, &[]),
                (Additional::Allowed, Some(b_node)) => build(b_node, None, &[]),
                _ => continue,
            };
            map.insert(key.clone(), value);
        }
    }
    if let Some((property, value)) = tag {
        map.entry(property.to_string()).or_insert_with(|| json!(value));
    }
    Value::Object(map)
}

/// The smallest value of one alternative, on its own.
fn minimal_alt(alt: Alt<'_>) -> Value {
    build_alt(alt, None, &[])
}

fn apply(mut value: Value, change: &Change) -> Option<Value> {
    match change {
        Change::Replace { pointer, value: new } => *value.pointer_mut(pointer)? = new.clone(),
        Change::Remove { pointer, key } => {
            value.pointer_mut(pointer)?.as_object_mut()?.shift_remove(key)?;
        }
        Change::Insert { pointer, key, value: new } => {
            value.pointer_mut(pointer)?.as_object_mut()?.insert(key.clone(), new.clone());
        }
    }
    Some(value)
}

fn change_text(change: &Change) -> String {
    let at = |pointer: &str| if pointer.is_empty() { "(root)".to_string() } else { format!("`{pointer}`") };
    match change {
        Change::Replace { pointer, value } => format!("{} set to {}", at(pointer), value_text(value)),
        Change::Remove { pointer, key } => format!("`{pointer}/{}` removed", escape_token(key)),
        Change::Insert { pointer, key, value } => {
            format!("`{pointer}/{}` added as {}", escape_token(key), value_text(value))
        }
    }
}

/// Builds the candidate's witness and runs both schemas on it.
fn prove(
    a: &Schema,
    b: &Schema,
    a_root: &Node,
    b_root: &Node,
    candidate: &Candidate,
) -> Result<Incompatibility, Box<Unconfirmed>> {
    let base = build(a_root, Some(b_root), &candidate.steps);
    let unconfirmed = |response: Value, reason: String| {
        Box::new(Unconfirmed { path: candidate.path.clone(), kind: candidate.kind, response, reason })
    };
    let Some(response) = apply(base.clone(), &candidate.change) else {
        return Err(unconfirmed(
            base,
            format!("the change ({}) has no place in the base", change_text(&candidate.change)),
        ));
    };
    let a_checked = a.check(&response);
    if let Some(first) = a_checked.violations.first() {
        return Err(unconfirmed(response, format!("{}'s schema rejects the witness: {first}", a.provider())));
    }
    let b_checked = b.check(&response);
    let (pointer, keyword) = &candidate.expect;
    if !b_checked.violations.iter().any(|v| &v.pointer == pointer && &v.keyword == keyword) {
        let found: Vec<String> = b_checked.violations.iter().map(ToString::to_string).collect();
        return Err(unconfirmed(
            response,
            format!(
                "{}'s schema does not report `{keyword}` at `{pointer}` (it reports: {})",
                b.provider(),
                if found.is_empty() { "nothing".to_string() } else { found.join("; ") }
            ),
        ));
    }
    Ok(Incompatibility {
        path: candidate.path.clone(),
        kind: candidate.kind,
        allows: candidate.allows.clone(),
        requires: candidate.requires.clone(),
        values: candidate.values.clone(),
        witness: Witness {
            response,
            change: change_text(&candidate.change),
            pointer: pointer.clone(),
            keyword: keyword.clone(),
            violations: b_checked.violations,
        },
    })
}

// ---------------------------------------------------------------------------
// Rendering for people (`chatcompat compat A B`)

/// The pair as `chatcompat compat A B` prints it: per schema kind, each
/// incompatibility with its witness and B's verdict on it.
pub fn render(pair: &Pair) -> String {
    let mut out = String::new();
    let (a, b) = (&pair.from, &pair.to);
    out.push_str(&format!("Can a client built for {b} (B) read the responses of {a} (A)? By contract: "));
    out.push_str(if pair.compatible() { "yes.\n" } else { "no.\n" });
    let mut sections: Vec<(&str, Option<&Comparison>)> = vec![("responses", Some(&pair.response))];
    sections.push(("chunks", pair.chunk.as_ref()));
    for (name, comparison) in sections {
        out.push('\n');
        let Some(comparison) = comparison else {
            let note = pair.chunk_note.as_deref().unwrap_or("not compared");
            out.push_str(&format!("{name}: n/a ({note})\n"));
            continue;
        };
        out.push_str(&format!("{name}: {}\n", summary(comparison)));
        for (i, found) in comparison.incompatibilities.iter().enumerate() {
            out.push_str(&format!(
                "\n  {}. {} [{}] {}\n",
                i + 1,
                found.path,
                found.kind,
                found.kind.meaning()
            ));
            out.push_str(&format!("     {a} allows: {}\n", found.allows));
            out.push_str(&format!("     {b} requires: {}\n", found.requires));
            if !found.values.is_empty() {
                out.push_str(&format!("     values {b} rejects: {}\n", found.values.join(", ")));
            }
            let witness = &found.witness;
            out.push_str(&format!("     witness ({}): {}\n", witness.change, witness.response));
            let shown = if witness.pointer.is_empty() { "(root)" } else { &witness.pointer };
            out.push_str(&format!(
                "     {a}'s schema accepts it; {b}'s rejects it: `{}` at {shown}",
                witness.keyword
            ));
            let others = witness.violations.len().saturating_sub(1);
            if others > 0 {
                out.push_str(&format!(" (and {others} other error(s))"));
            }
            out.push('\n');
        }
        for unconfirmed in &comparison.unconfirmed {
            out.push_str(&format!(
                "\n  unconfirmed: {} [{}]: {}\n",
                unconfirmed.path, unconfirmed.kind, unconfirmed.reason
            ));
        }
    }
    out
}

/// "compatible by contract", or "3 incompatibilities (worst: type)".
pub fn summary(comparison: &Comparison) -> String {
    match comparison.worst() {
        None => "compatible by contract".to_string(),
        Some(worst) => {
            let n = comparison.incompatibilities.len();
            format!("{n} incompatibilit{} (worst: {worst})", if n == 1 { "y" } else { "ies" })
        }
    }
}

// ---------------------------------------------------------------------------
// Words

fn value_text(value: &Value) -> String {
    value.to_string()
}

fn quoted(values: &[&str]) -> String {
    values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")
}

/// One member of a union in a few words: `object requiring `text`, `type``.
fn shape(node: &Node) -> String {
    match node {
        Node::Typed(typed) if typed.types == [Ty::Object] && !typed.object.required.is_empty() => {
            let keys: Vec<String> = typed.object.required.iter().map(|k| format!("`{k}`")).collect();
            format!("object requiring {}", keys.join(", "))
        }
        other => describe(other),
    }
}

/// A node in a few words: `string or null`, `one of "stop", "length"`, `integer`.
fn describe(node: &Node) -> String {
    let (alts, nullable) = alternatives(node);
    let mut parts: Vec<String> = alts
        .iter()
        .map(|alt| match alt {
            Alt::Any => "any value".to_string(),
            Alt::Enum(values) => {
                let shown: Vec<String> = values.iter().filter(|v| !v.is_null()).map(value_text).collect();
                format!("one of {}", shown.join(", "))
            }
            Alt::String { date_time: true, .. } => "a date-time string".to_string(),
            Alt::String { known, .. } if !known.is_empty() => {
                format!(
                    "any string (known: {})",
                    quoted(&known.iter().map(String::as_str).collect::<Vec<_>>())
                )
            }
            Alt::String { .. } => "string".to_string(),
            Alt::Integer => "integer".to_string(),
            Alt::Number => "number".to_string(),
            Alt::Boolean => "boolean".to_string(),
            Alt::Array(_) => "array".to_string(),
            Alt::Object(_) => "object".to_string(),
            Alt::Tagged(tagged) => {
                format!("object tagged by `{}` ({})", tagged.property, tagged.tags().join(", "))
            }
        })
        .collect();
    parts.dedup();
    if nullable && !alts.iter().any(|a| matches!(a, Alt::Any)) {
        parts.push("null".to_string());
    }
    if parts.is_empty() {
        "nothing".to_string()
    } else {
        parts.join(" or ")
    }
}

#[cfg(test)]
mod tests;

//! Finds undocumented fields: the walk beside the schema that [`super::Schema::check`]
//! runs for every response, compiled once from the schema document.
//!
//! The rules are read from the schema: an object with `properties` documents
//! those keys, and a map's object-valued `additionalProperties` documents every
//! key; a tagged union (`allOf` of `if`/`then` members) is followed into the
//! member its tag selects; an `anyOf` into its first member that admits the value
//! (its JSON type fits and its required keys are present), as zod and pydantic
//! try members in order. Compiling resolves every `$ref` and keyword once, so
//! checking a response looks up only the response's own keys. (Walking the
//! document itself cost as much as parsing the response: see README, Performance.)

use std::collections::HashMap;

use serde_json::Value;

/// The walk, compiled: node 0 is the schema's root.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    nodes: Vec<Node>,
}

impl Plan {
    pub(super) fn compile(document: &Value) -> Plan {
        let mut builder = Builder { root: document, nodes: Vec::new(), seen: HashMap::new() };
        builder.node(document);
        Plan { nodes: builder.nodes }
    }

    /// The JSON pointer of every key of `value` that the schema does not document.
    pub(super) fn collect<'v, V: View<'v>>(&self, value: V, out: &mut Vec<String>) {
        let mut path = Vec::new();
        self.walk(0, value, &mut path, out);
    }

    /// `path` holds the keys and indices down to `value`; a pointer is written only for
    /// an undocumented key (most walks write none).
    fn walk<'v, V: View<'v>>(&self, node: usize, value: V, path: &mut Vec<Step<'v>>, out: &mut Vec<String>) {
        // Only objects have keys, at any depth: a scalar has nothing to walk.
        if !value.is_container() {
            return;
        }
        match &self.nodes[node] {
            Node::Tagged(members) => {
                if let Some((_, then)) = members.iter().find(|(condition, _)| condition.holds(value)) {
                    self.walk(*then, value, path, out);
                }
            }
            Node::Union(members) => {
                if let Some((_, member)) = members.iter().find(|(admission, _)| admission.admits(value)) {
                    self.walk(*member, value, path, out);
                }
            }
            Node::Shape(shape) => {
                if let Some(members) = value.members() {
                    let documents = shape.properties.as_ref().is_some_and(|p| !p.is_empty());
                    for (key, child) in members {
                        match shape.property(key).or(shape.additional) {
                            Some(child_node) => {
                                path.push(Step::Key(key));
                                self.walk(child_node, child, path, out);
                                path.pop();
                            }
                            None if documents => out.push(pointer(path, Step::Key(key))),
                            None => {}
                        }
                    }
                } else if let (Some(items), Some(item_node)) = (value.items(), shape.items) {
                    for (i, item) in items.enumerate() {
                        path.push(Step::Index(i));
                        self.walk(item_node, item, path, out);
                        path.pop();
                    }
                }
            }
        }
    }
}

/// One step down a value: a key or an index.
#[derive(Debug, Clone, Copy)]
enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// The JSON pointer of `path` followed by `last`, keys escaped (`~0`, `~1`).
fn pointer(path: &[Step<'_>], last: Step<'_>) -> String {
    let mut pointer = String::new();
    for step in path.iter().chain(std::iter::once(&last)) {
        pointer.push('/');
        match step {
            Step::Key(key) if key.contains(['~', '/']) => {
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Step::Key(key) => pointer.push_str(key),
            Step::Index(i) => pointer.push_str(itoa(*i, &mut [0; 20])),
        }
    }
    pointer
}

/// What the walk reads of a value: a `&Value`, or a node of a body on the
/// [`crate::tape`] (the fast path for conforming bodies). Both answer alike.
pub(crate) trait View<'v>: Copy {
    fn members(self) -> Option<impl Iterator<Item = (&'v str, Self)>>;
    fn items(self) -> Option<impl Iterator<Item = Self>>;
    fn get(self, key: &str) -> Option<Self>;
    /// `==` as `serde_json::Value` has it (numbers by representation, not by value).
    fn equals(self, expected: &Value) -> bool;
    fn is_container(self) -> bool;
    fn is_type(self, name: &str) -> bool;
}

impl<'v> View<'v> for &'v Value {
    fn members(self) -> Option<impl Iterator<Item = (&'v str, Self)>> {
        self.as_object().map(|map| map.iter().map(|(k, v)| (k.as_str(), v)))
    }

    fn items(self) -> Option<impl Iterator<Item = Self>> {
        self.as_array().map(|items| items.iter())
    }

    fn get(self, key: &str) -> Option<Self> {
        Value::get(self, key)
    }

    fn equals(self, expected: &Value) -> bool {
        self == expected
    }

    fn is_container(self) -> bool {
        self.is_object() || self.is_array()
    }

    fn is_type(self, name: &str) -> bool {
        match name {
            "null" => self.is_null(),
            "boolean" => self.is_boolean(),
            "object" => self.is_object(),
            "array" => self.is_array(),
            "string" => self.is_string(),
            "number" => self.is_number(),
            "integer" => self.as_f64().is_some_and(|n| n.fract() == 0.0),
            _ => false,
        }
    }
}

impl<'v> View<'v> for crate::tape::TapeNode<'v> {
    fn members(self) -> Option<impl Iterator<Item = (&'v str, Self)>> {
        self.entries()
    }

    fn items(self) -> Option<impl Iterator<Item = Self>> {
        crate::tape::TapeNode::items(&self)
    }

    fn get(self, key: &str) -> Option<Self> {
        self.member(key)
    }

    fn equals(self, expected: &Value) -> bool {
        match (self.str(), self.number(), expected) {
            (Some(text), _, Value::String(s)) => text == s,
            (Some(_), _, _) => false,
            (None, Some(n), Value::Number(m)) => n == *m,
            (None, Some(_), _) => false,
            _ => self.to_value() == *expected,
        }
    }

    fn is_container(self) -> bool {
        self.entries().is_some() || crate::tape::TapeNode::items(&self).is_some()
    }

    fn is_type(self, name: &str) -> bool {
        use jsonschema::json::Node as _;
        let kind = self.json_type();
        match name {
            "null" => kind == jsonschema::JsonType::Null,
            "boolean" => kind == jsonschema::JsonType::Boolean,
            "object" => kind == jsonschema::JsonType::Object,
            "array" => kind == jsonschema::JsonType::Array,
            "string" => kind == jsonschema::JsonType::String,
            "number" => kind == jsonschema::JsonType::Number,
            "integer" => self.number().and_then(|n| n.as_f64()).is_some_and(|n| n.fract() == 0.0),
            _ => false,
        }
    }
}

/// One schema (after `$ref`s), as the walk reads it.
#[derive(Debug, Clone)]
enum Node {
    /// `allOf`: its `if`/`then` members; the first whose condition holds is followed, or none.
    Tagged(Vec<(Condition, usize)>),
    /// `anyOf`: the first member that admits the value is followed, or none.
    Union(Vec<(Admission, usize)>),
    Shape(Shape),
}

#[derive(Debug, Clone, Default)]
struct Shape {
    /// `properties`, when it is an object, each under its [`KeyOrder`] and sorted by it (a lookup
    /// compares two integers per step, and bytes only past the eighth).
    properties: Option<Vec<(KeyOrder, String, usize)>>,
    /// `additionalProperties`, when it is a schema object (a map's values).
    additional: Option<usize>,
    items: Option<usize>,
}

impl Shape {
    fn property(&self, key: &str) -> Option<usize> {
        let properties = self.properties.as_ref()?;
        let order = KeyOrder::of(key);
        let at = properties
            .binary_search_by(|(other, name, _)| {
                other.cmp(&order).then_with(|| {
                    name.as_bytes()[8.min(name.len())..].cmp(&key.as_bytes()[8.min(key.len())..])
                })
            })
            .ok()?;
        Some(properties[at].2)
    }
}

/// A key's length and its first eight bytes as one big-endian integer: ordered by these, then by
/// the bytes after the eighth, keys are ordered shortest first, then bytewise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct KeyOrder {
    len: usize,
    head: u64,
}

impl KeyOrder {
    fn of(key: &str) -> KeyOrder {
        let mut head = [0; 8];
        let bytes = key.as_bytes();
        let n = bytes.len().min(8);
        head[..n].copy_from_slice(&bytes[..n]);
        KeyOrder { len: bytes.len(), head: u64::from_be_bytes(head) }
    }
}

/// An `if` of a tagged union: `{"properties": {key: {"const": value}}}`. Without
/// `properties` it never holds; keys without `const` always do.
#[derive(Debug, Clone)]
struct Condition(Option<Vec<(String, Value)>>);

impl Condition {
    fn of(condition: &Value) -> Condition {
        Condition(condition.get("properties").and_then(Value::as_object).map(|properties| {
            properties
                .iter()
                .filter_map(|(key, rule)| Some((key.clone(), rule.get("const")?.clone())))
                .collect()
        }))
    }

    fn holds<'v, V: View<'v>>(&self, value: V) -> bool {
        match &self.0 {
            Some(constants) => {
                constants.iter().all(|(key, expected)| value.get(key).is_some_and(|v| v.equals(expected)))
            }
            None => false,
        }
    }
}

/// Whether a union member could be the one a value was meant for.
#[derive(Debug, Clone)]
struct Admission {
    /// `None`: no `type`, any value; otherwise the type names (empty: nothing fits).
    types: Option<Vec<String>>,
    required: Vec<String>,
}

impl Admission {
    fn of(member: &Value) -> Admission {
        let types = match member.get("type") {
            None => None,
            Some(Value::String(name)) => Some(vec![name.clone()]),
            Some(Value::Array(names)) => {
                Some(names.iter().filter_map(Value::as_str).map(String::from).collect())
            }
            Some(_) => Some(Vec::new()),
        };
        let required = member
            .get("required")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        Admission { types, required }
    }

    fn admits<'v, V: View<'v>>(&self, value: V) -> bool {
        let type_fits = match &self.types {
            None => true,
            Some(names) => names.iter().any(|name| value.is_type(name)),
        };
        let required_present = match value.members() {
            Some(_) => self.required.iter().all(|key| value.get(key).is_some()),
            None => true,
        };
        type_fits && required_present
    }
}

/// Compiles nodes depth-first; a schema reached twice (or through a cycle) is one node.
struct Builder<'a> {
    root: &'a Value,
    nodes: Vec<Node>,
    seen: HashMap<*const Value, usize>,
}

impl<'a> Builder<'a> {
    fn node(&mut self, schema: &'a Value) -> usize {
        let schema = self.resolve(schema);
        let key: *const Value = schema;
        if let Some(&index) = self.seen.get(&key) {
            return index;
        }
        let index = self.nodes.len();
        self.nodes.push(Node::Shape(Shape::default()));
        self.seen.insert(key, index);
        let node = if let Some(Value::Array(members)) = schema.get("allOf") {
            let mut tagged = Vec::new();
            for member in members {
                if let (Some(condition), Some(then)) = (member.get("if"), member.get("then")) {
                    tagged.push((Condition::of(condition), self.node(then)));
                }
            }
            Node::Tagged(tagged)
        } else if let Some(Value::Array(members)) = schema.get("anyOf") {
            let mut union = Vec::new();
            for member in members {
                union.push((Admission::of(self.resolve(member)), self.node(member)));
            }
            Node::Union(union)
        } else {
            let properties = schema.get("properties").and_then(Value::as_object).map(|properties| {
                let mut compiled: Vec<(KeyOrder, String, usize)> = properties
                    .iter()
                    .map(|(key, property)| (KeyOrder::of(key), key.clone(), self.node(property)))
                    .collect();
                compiled.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
                compiled
            });
            let additional =
                schema.get("additionalProperties").filter(|a| a.is_object()).map(|a| self.node(a));
            let items = schema.get("items").map(|items| self.node(items));
            Node::Shape(Shape { properties, additional, items })
        };
        self.nodes[index] = node;
        index
    }

    /// Follows local `$ref`s (`#/$defs/Name`) to their target; a cycle of bare `$ref`s stops after a few hops.
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..64 {
            let target = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|reference| super::resolve_ref(self.root, reference));
            match target {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }
}

/// `n` in decimal, without allocating.
fn itoa(mut n: usize, buffer: &mut [u8; 20]) -> &str {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[at..]).unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn extensions(schema: &Value, value: &Value) -> Vec<String> {
        let mut out = Vec::new();
        Plan::compile(schema).collect(value, &mut out);
        out
    }

    #[test]
    fn undocumented_keys_are_found_at_every_depth_but_maps_document_all() {
        let schema = json!({
            "$ref": "#/$defs/Root",
            "$defs": {
                "Root": {"type": "object", "properties": {
                    "a": {"type": "object", "properties": {"b": {"type": "integer"}}},
                    "list": {"type": "array", "items": {"$ref": "#/$defs/Item"}},
                    "map": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Item"}},
                    "free": {"type": "object"}
                }},
                "Item": {"type": "object", "properties": {"x": {"type": "string"}}}
            }
        });
        let value = json!({
            "a": {"b": 1, "c/d~": 2}, "list": [{"x": "1"}, {"x": "2", "y": 3}],
            "map": {"k": {"x": "", "z": 1}}, "free": {"anything": 1}, "top": true
        });
        assert_eq!(extensions(&schema, &value), ["/a/c~1d~0", "/list/1/y", "/map/k/z", "/top"]);
    }

    #[test]
    fn unions_follow_the_tagged_member_or_the_first_that_admits() {
        let schema = json!({"type": "object", "properties": {
            "tagged": {"allOf": [
                {"if": {"properties": {"type": {"const": "a"}}}, "then": {"properties": {"type": {}, "a": {}}}},
                {"if": {"properties": {"type": {"const": "b"}}}, "then": {"properties": {"type": {}, "b": {}}}}
            ]},
            "either": {"anyOf": [
                {"type": "object", "required": ["p"], "properties": {"p": {}}},
                {"type": "object", "properties": {"q": {}}},
                {"type": "null"}
            ]}
        }});
        let value = json!({"tagged": {"type": "b", "a": 1, "b": 2}, "either": {"q": 1, "r": 2}});
        assert_eq!(extensions(&schema, &value), ["/tagged/a", "/either/r"]);
        let untagged = json!({"tagged": {"type": "c", "x": 1}, "either": null});
        assert!(extensions(&schema, &untagged).is_empty());
    }

    #[test]
    fn a_cycle_of_references_compiles_and_walks() {
        let schema = json!({"$ref": "#/$defs/Node", "$defs": {"Node": {"type": "object", "properties": {
            "next": {"$ref": "#/$defs/Node"}, "loop": {"$ref": "#/$defs/Loop"}
        }}, "Loop": {"$ref": "#/$defs/Loop"}}});
        let value = json!({"next": {"next": {"extra": 1}}, "loop": {"anything": 1}});
        assert_eq!(extensions(&schema, &value), ["/next/next/extra"]);
    }

    #[test]
    fn a_property_is_found_whatever_its_length_and_shared_head() {
        let names =
            ["a", "id", "index", "model", "created", "logprobs", "logprobs_extra", "logprobs_other", "é"];
        let schema = json!({"type": "object", "properties": names.iter().map(|n| (n.to_string(), json!({"type": "object"}))).collect::<serde_json::Map<_, _>>()});
        let plan = Plan::compile(&schema);
        let Node::Shape(shape) = &plan.nodes[0] else { panic!("a shape") };
        for name in names {
            assert!(shape.property(name).is_some(), "{name}");
        }
        for other in ["", "b", "ids", "logprobs_", "logprobs_extr", "logprobs_extrb", "e"] {
            assert_eq!(shape.property(other), None, "{other}");
        }
    }

    #[test]
    fn indices_are_written_in_decimal() {
        assert_eq!(itoa(0, &mut [0; 20]), "0");
        assert_eq!(itoa(1207, &mut [0; 20]), "1207");
        assert_eq!(itoa(usize::MAX, &mut [0; 20]), usize::MAX.to_string());
    }
}

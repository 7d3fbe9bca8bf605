//! The field matrix: every wire field path × provider, read from the derived
//! schemas, with how many valid fixtures actually show each path.
//!
//! Paths use the report's notation, `choices[].message.tool_calls[].function.arguments`,
//! so one row lines up the same field across providers whatever their type names.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::verdict::Schema;

/// One wire path and what each provider says about it (absent from the map = not documented).
#[derive(Debug, Clone, Serialize)]
pub struct FieldRow {
    pub path: String,
    pub providers: BTreeMap<String, FieldFacts>,
}

/// What one provider's schema says about one path, and what its corpus shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldFacts {
    /// `required` (the key must be present) or `optional`.
    pub presence: Presence,
    /// JSON types accepted, besides `null`: `string`, `integer`, `array`, `object`, ...; `enum` for a closed set.
    pub types: Vec<String>,
    pub nullable: bool,
    /// The values of an enum (closed), or its known values (open).
    pub values: Vec<String>,
    /// Whether values outside `values` are accepted.
    pub open: bool,
    /// How many of the provider's valid fixtures contain this path.
    pub seen: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Required,
    Optional,
}

/// Builds the field matrix of `schemas`, counting paths seen in `valid` bodies
/// (provider, fixture id, value).
pub fn field_matrix(schemas: &[Schema], valid: &[(String, String, Value)]) -> Vec<FieldRow> {
    let mut rows: BTreeMap<String, BTreeMap<String, FieldFacts>> = BTreeMap::new();
    for schema in schemas {
        let facts = documented(schema);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (_, _, value) in valid.iter().filter(|(p, _, _)| p == schema.provider()) {
            let mut paths = BTreeSet::new();
            observed_paths(value, "", &mut paths);
            for path in paths {
                *seen.entry(path).or_default() += 1;
            }
        }
        for (path, mut fact) in facts {
            fact.seen = seen.get(&path).copied().unwrap_or(0);
            rows.entry(path).or_default().insert(schema.provider().to_string(), fact);
        }
    }
    rows.into_iter().map(|(path, providers)| FieldRow { path, providers }).collect()
}

/// Every wire path `schema` documents, with its facts (`seen` left at 0).
pub fn documented(schema: &Schema) -> BTreeMap<String, FieldFacts> {
    let mut facts = BTreeMap::new();
    let root = schema.document();
    walk(root, root, "", &mut facts, &mut Vec::new());
    facts
}

/// Every path present in `value` (objects' keys and `[]` for array items).
pub fn observed_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = join(prefix, key);
                out.insert(path.clone());
                observed_paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            let path = format!("{prefix}[]");
            for item in items {
                observed_paths(item, &path, out);
            }
        }
        _ => {}
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Records the properties of the object schema `schema` found at `prefix`.
/// `stack` holds the `$ref`s being expanded, so a recursive schema cannot loop.
fn walk(
    root: &Value,
    schema: &Value,
    prefix: &str,
    out: &mut BTreeMap<String, FieldFacts>,
    stack: &mut Vec<String>,
) {
    let (schema, reference) = resolve(root, schema);
    if let Some(reference) = &reference {
        if stack.contains(reference) {
            return;
        }
        stack.push(reference.clone());
    }
    walk_members(root, schema, prefix, out, stack);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (key, child) in properties {
            let path = join(prefix, key);
            let facts = describe(root, child, required.contains(key.as_str()));
            // A union's members may each declare the field: keep the most accepting facts.
            match out.get_mut(&path) {
                Some(existing) => merge(existing, facts),
                None => {
                    out.insert(path.clone(), facts);
                }
            }
            descend(root, child, &path, out, stack);
        }
    }
    if reference.is_some() {
        stack.pop();
    }
}

/// Walks a union's object members. A field is required at the union's place only
/// when every object member requires it; a field of one member alone is optional there.
fn walk_members(
    root: &Value,
    schema: &Value,
    prefix: &str,
    out: &mut BTreeMap<String, FieldFacts>,
    stack: &mut Vec<String>,
) {
    let mut maps = Vec::new();
    for member in members(schema) {
        let mut map = BTreeMap::new();
        descend(root, member, prefix, &mut map, stack);
        if !map.is_empty() {
            maps.push(map);
        }
    }
    let mut combined: BTreeMap<String, (FieldFacts, usize)> = BTreeMap::new();
    for map in &maps {
        for (path, facts) in map {
            match combined.get_mut(path) {
                Some((existing, count)) => {
                    merge(existing, facts.clone());
                    *count += 1;
                }
                None => {
                    combined.insert(path.clone(), (facts.clone(), 1));
                }
            }
        }
    }
    for (path, (mut facts, count)) in combined {
        let direct_child = path.strip_prefix(prefix).is_some_and(|rest| {
            let rest = rest.strip_prefix('.').unwrap_or(rest);
            !rest.contains('.') && !rest.contains("[]")
        });
        if direct_child && count < maps.len() {
            facts.presence = Presence::Optional;
        }
        match out.get_mut(&path) {
            Some(existing) => merge(existing, facts),
            None => {
                out.insert(path, facts);
            }
        }
    }
}

/// Walks into a property's value: its object properties, or its array items'.
fn descend(
    root: &Value,
    schema: &Value,
    path: &str,
    out: &mut BTreeMap<String, FieldFacts>,
    stack: &mut Vec<String>,
) {
    let (schema, _) = resolve(root, schema);
    if let Some(items) = schema.get("items") {
        descend(root, items, &format!("{path}[]"), out, stack);
        return;
    }
    if schema.get("properties").is_some() || schema.get("allOf").is_some() {
        walk(root, schema, path, out, stack);
        return;
    }
    walk_members(root, schema, path, out, stack);
}

/// The member schemas of a union: `anyOf` branches, or the `then`s of a tagged union.
fn members(schema: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        out.extend(branches.iter());
    }
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        out.extend(branches.iter().filter_map(|b| b.get("then")));
    }
    out
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> (&'a Value, Option<String>) {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => match crate::verdict::resolve_ref(root, reference) {
            Some(target) => (resolve(root, target).0, Some(reference.to_string())),
            None => (schema, None),
        },
        None => (schema, None),
    }
}

/// The facts of one property's schema.
fn describe(root: &Value, schema: &Value, required: bool) -> FieldFacts {
    let mut facts = FieldFacts {
        presence: if required { Presence::Required } else { Presence::Optional },
        types: Vec::new(),
        nullable: false,
        values: Vec::new(),
        open: false,
        seen: 0,
    };
    collect_types(root, schema, &mut facts);
    facts.types.sort();
    facts.types.dedup();
    facts
}

fn collect_types(root: &Value, schema: &Value, facts: &mut FieldFacts) {
    let (schema, _) = resolve(root, schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        facts.types.push("enum".into());
        for value in values {
            match value {
                Value::Null => facts.nullable = true,
                Value::String(s) => facts.values.push(s.clone()),
                other => facts.values.push(other.to_string()),
            }
        }
    }
    if let Some(examples) = schema.get("examples").and_then(Value::as_array) {
        facts.open = true;
        facts.values.extend(examples.iter().filter_map(Value::as_str).map(str::to_string));
    }
    match schema.get("type") {
        Some(Value::String(t)) => push_type(facts, t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).for_each(|t| push_type(facts, t)),
        _ => {}
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        for branch in branches {
            collect_types(root, branch, facts);
        }
    }
    if schema.as_object().is_some_and(|o| o.is_empty()) {
        facts.types.push("any".into());
    }
}

fn push_type(facts: &mut FieldFacts, name: &str) {
    if name == "null" {
        facts.nullable = true;
    } else {
        facts.types.push(name.to_string());
    }
}

fn merge(existing: &mut FieldFacts, other: FieldFacts) {
    if other.presence == Presence::Optional {
        existing.presence = Presence::Optional;
    }
    existing.nullable |= other.nullable;
    existing.open |= other.open;
    existing.types.extend(other.types);
    existing.types.sort();
    existing.types.dedup();
    for value in other.values {
        if !existing.values.contains(&value) {
            existing.values.push(value);
        }
    }
}

//! What a corpus actually shows, against what a provider's tables document:
//! the inventory behind `chatcompat observe` and the coverage index.
//!
//! One pass over the responses counts, for every wire path, how often it is
//! present, absent (its parent object is there without it) and null, which JSON
//! types and which short string values it has. Comparing that with the documented
//! facts gives the coverage index (how much of the contract the corpus
//! exercises) and the differences between documentation and traffic.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::{
    fields::{documented, FieldFacts, Presence},
    verdict::Schema,
};

/// Strings up to this many characters are kept as values (enum-like fields).
const SHORT_STRING: usize = 40;
/// At most this many distinct values are kept per path.
const MAX_VALUES: usize = 24;

/// Counts per wire path over a set of responses.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    pub responses: usize,
    pub paths: BTreeMap<String, PathStats>,
    /// How many objects were seen at each object path (`""` is the body).
    #[serde(skip)]
    objects: BTreeMap<String, usize>,
}

/// What one path showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PathStats {
    /// Occurrences with the key present (null included).
    pub present: usize,
    /// Occurrences of the parent object without the key.
    pub absent: usize,
    pub null: usize,
    /// JSON type → count; numbers are `integer` or `float` as written.
    pub types: BTreeMap<String, usize>,
    /// Short string values → count (at most a few dozen kept).
    pub values: BTreeMap<String, usize>,
}

impl Inventory {
    /// Adds one response.
    pub fn add(&mut self, value: &Value) {
        self.responses += 1;
        self.visit("", value);
    }

    /// Adds every JSON chunk of an event-stream transcript (`data:` other than
    /// `[DONE]`); returns how many were added. Data that is not JSON is skipped:
    /// `check --stream` is where it is reported.
    pub fn add_transcript(&mut self, text: &str) -> usize {
        let mut added = 0;
        for event in crate::stream::sse::parse(text).events {
            let Some(data) = event.data else { continue };
            if data.trim_start().starts_with("[DONE]") {
                continue;
            }
            if let Ok(value) = crate::json::parse_str(&data) {
                self.add(&value);
                added += 1;
            }
        }
        added
    }

    fn visit(&mut self, path: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                *self.objects.entry(path.to_string()).or_default() += 1;
                for (key, child) in map {
                    let child_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    let stats = self.paths.entry(child_path.clone()).or_default();
                    stats.present += 1;
                    *stats.types.entry(type_name(child).to_string()).or_default() += 1;
                    match child {
                        Value::Null => stats.null += 1,
                        Value::String(s)
                            if s.chars().count() <= SHORT_STRING
                                && (stats.values.len() < MAX_VALUES || stats.values.contains_key(s)) =>
                        {
                            *stats.values.entry(s.clone()).or_default() += 1;
                        }
                        _ => {}
                    }
                    self.visit(&child_path, child);
                }
            }
            Value::Array(items) => {
                let item_path = format!("{path}[]");
                for item in items {
                    self.visit(&item_path, item);
                }
            }
            _ => {}
        }
    }

    /// Fills in absences: for every path, how many parent objects lacked it.
    /// `documented` paths are counted too when never present.
    fn absences(&mut self, documented: &BTreeMap<String, FieldFacts>) {
        let all: BTreeSet<String> = self.paths.keys().chain(documented.keys()).cloned().collect();
        for path in all {
            let parent = parent_of(&path);
            let instances = self.objects.get(parent).copied().unwrap_or(0);
            let stats = self.paths.entry(path).or_default();
            stats.absent = instances.saturating_sub(stats.present);
        }
    }
}

fn parent_of(path: &str) -> &str {
    match path.rfind('.') {
        Some(i) => &path[..i],
        None => "",
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// How much of a provider's documented contract a corpus exercises.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub provider: String,
    pub responses: usize,
    /// Checklist items: each path present; each optional path absent; each
    /// nullable path null; each enum value seen.
    pub items: usize,
    pub covered: usize,
    /// `covered / items`, in whole percent, rounded down.
    pub percent: usize,
    /// The uncovered items: `path present`, `path absent`, `path null`, `path = value`.
    pub gaps: Vec<String>,
}

/// Where documentation and traffic disagree.
#[derive(Debug, Clone, Serialize)]
pub struct Observation {
    pub provider: String,
    pub responses: usize,
    pub coverage: Coverage,
    /// Paths the corpus shows that the tables do not document.
    pub undocumented: Vec<String>,
    /// Documented paths no response shows.
    pub never_seen: Vec<String>,
    /// `path = value` for values outside a documented enum (closed or open).
    pub outside_enum: Vec<String>,
    /// Integer fields that were sent as floats (`1.0`, `1.5`).
    pub integer_as_float: Vec<String>,
    /// Required fields whose parent object was seen without them.
    pub required_absent: Vec<String>,
    /// The full inventory, path by path.
    pub inventory: BTreeMap<String, PathStats>,
}

/// Compares the responses in `inventory` with what `schema` documents.
pub fn observe(schema: &Schema, inventory: &Inventory) -> Observation {
    let facts = documented(schema);
    let mut inventory = inventory.clone();
    inventory.absences(&facts);
    let stats = |path: &str| inventory.paths.get(path).cloned().unwrap_or_default();

    let mut items = 0;
    let mut gaps = Vec::new();
    let mut check = |covered: bool, item: String| {
        items += 1;
        if !covered {
            gaps.push(item);
        }
    };
    let mut outside_enum = Vec::new();
    let mut integer_as_float = Vec::new();
    let mut required_absent = Vec::new();
    for (path, fact) in &facts {
        let seen = stats(path);
        check(seen.present > 0, format!("{path} present"));
        if fact.presence == Presence::Optional {
            check(seen.absent > 0, format!("{path} absent"));
        } else if seen.absent > 0 {
            required_absent.push(path.clone());
        }
        if fact.nullable {
            check(seen.null > 0, format!("{path} null"));
        }
        for value in &fact.values {
            check(seen.values.contains_key(value), format!("{path} = {value}"));
        }
        if !fact.values.is_empty() {
            for value in seen.values.keys().filter(|v| !fact.values.contains(v)) {
                outside_enum.push(format!("{path} = {value}"));
            }
        }
        if fact.types.iter().any(|t| t == "integer") && seen.types.contains_key("float") {
            integer_as_float.push(path.clone());
        }
    }
    let covered = items - gaps.len();
    let documented_paths: BTreeSet<&String> = facts.keys().collect();
    let undocumented = inventory
        .paths
        .iter()
        .filter(|(path, s)| s.present > 0 && !documented_paths.contains(path) && !under_map(path, &facts))
        .map(|(path, _)| path.clone())
        .collect();
    let never_seen = facts.keys().filter(|p| stats(p).present == 0).cloned().collect();
    Observation {
        provider: schema.provider().to_string(),
        responses: inventory.responses,
        coverage: Coverage {
            provider: schema.provider().to_string(),
            responses: inventory.responses,
            items,
            covered,
            percent: (covered * 100).checked_div(items).unwrap_or(0),
            gaps,
        },
        undocumented,
        never_seen,
        outside_enum,
        integer_as_float,
        required_absent,
        inventory: inventory.paths,
    }
}

/// Whether `path` sits below a documented map or any-object (`metadata.x`, `tool_calls[].foo`
/// of a provider whose tool call is "any object"), where keys are free.
fn under_map(path: &str, facts: &BTreeMap<String, FieldFacts>) -> bool {
    let mut current = path;
    while let Some(i) = current.rfind('.') {
        current = &current[..i];
        let key = current.trim_end_matches("[]");
        if let Some(fact) = facts.get(key) {
            let free = fact.types.iter().any(|t| t == "any")
                || (fact.types.iter().any(|t| t == "object")
                    && !facts
                        .keys()
                        .any(|p| p.starts_with(&format!("{key}.")) || p.starts_with(&format!("{key}[]."))));
            return free;
        }
    }
    false
}

//! Checks one response against one compiled schema and says what it found.
//!
//! A [`Checked`] holds every violation (pointer, keyword, expected, actual) and
//! every undocumented field; [`Verdict`] sums it up as the design defines:
//! `conforms`, `conforms-with-extensions` or `violates`. Errors are collected,
//! never stopped at the first, so one deviant field hides nothing else.

use std::fmt;

use jsonschema::{error::ValidationErrorKind, Draft, ValidationError, Validator};
use serde_json::Value;

use crate::locate::{self, Position};

/// A provider's derived schema, compiled once and reused for every response.
pub struct Schema {
    provider: String,
    document: Value,
    validator: Validator,
}

/// The schema document could not be compiled.
#[derive(Debug, Clone, thiserror::Error)]
#[error("schema of `{provider}` does not compile: {message}")]
pub struct SchemaError {
    pub provider: String,
    pub message: String,
}

impl Schema {
    /// Compiles `document` as a draft 2020-12 schema. `$ref`s resolve inside the document only.
    pub fn compile(provider: &str, document: Value) -> Result<Schema, SchemaError> {
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .build(&document)
            .map_err(|err| SchemaError { provider: provider.to_string(), message: err.to_string() })?;
        Ok(Schema { provider: provider.to_string(), document, validator })
    }

    /// The provider this schema belongs to.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The schema document as derived.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Every violation and every undocumented field of `value`.
    pub fn check(&self, value: &Value) -> Checked {
        let mut violations = Vec::new();
        if !self.validator.is_valid(value) {
            for error in self.validator.iter_errors(value) {
                flatten(error, &mut violations);
            }
            violations.sort_by(|a, b| (&a.pointer, &a.keyword).cmp(&(&b.pointer, &b.keyword)));
            violations.dedup_by(|a, b| {
                a.pointer == b.pointer && a.keyword == b.keyword && a.expected == b.expected
            });
        }
        let mut extensions = Vec::new();
        let mut pointer = String::new();
        collect_extensions(&self.document, &self.document, value, &mut pointer, &mut extensions);
        Checked { violations, extensions }
    }

    /// [`Schema::check`] plus the line and column of every violation in `text`.
    pub fn check_text(&self, value: &Value, text: &str) -> Checked {
        let mut checked = self.check(value);
        checked.locate(text);
        checked
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schema").field("provider", &self.provider).finish_non_exhaustive()
    }
}

/// What checking one response found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Checked {
    pub violations: Vec<Violation>,
    /// JSON pointers of fields the provider's tables do not document.
    pub extensions: Vec<String>,
}

impl Checked {
    pub fn verdict(&self) -> Verdict {
        match (self.violations.is_empty(), self.extensions.is_empty()) {
            (false, _) => Verdict::Violates,
            (true, true) => Verdict::Conforms,
            (true, false) => Verdict::ConformsWithExtensions,
        }
    }

    /// Fills in each violation's position from the text the value was parsed from.
    pub fn locate(&mut self, text: &str) {
        for violation in &mut self.violations {
            violation.position = locate::find(text, &violation.pointer);
        }
    }
}

/// The design's three verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Conforms,
    ConformsWithExtensions,
    Violates,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Conforms, Verdict::ConformsWithExtensions, Verdict::Violates];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Conforms => "conforms",
            Verdict::ConformsWithExtensions => "conforms-with-extensions",
            Verdict::Violates => "violates",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One way a response breaks its schema.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// Where the value is; for a missing required key, where it should be.
    pub pointer: String,
    /// The JSON Schema keyword that failed (`required`, `type`, `enum`, ...).
    pub keyword: String,
    /// What the schema expected, in words.
    pub expected: String,
    /// What the response has (`absent` for a missing key), shortened.
    pub actual: String,
    /// Line and column in the file, when the text is known.
    pub position: Option<Position>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "(root)" } else { &self.pointer };
        write!(f, "{pointer}: {}: expected {}, found {}", self.keyword, self.expected, self.actual)
    }
}

/// Longest rendering of an actual value before it is cut.
const ACTUAL_MAX: usize = 80;

/// Turns one validator error into violations, looking through an `anyOf` when
/// only one of its members could have been meant (the others fail on the value's
/// JSON type alone, as the `null` member of a nullable object does).
fn flatten(error: ValidationError<'_>, out: &mut Vec<Violation>) {
    let parts = error.into_parts();
    let pointer = parts.instance_path.as_str().to_string();
    let actual = render(&parts.instance);
    let (keyword, expected, pointer, actual) = match parts.kind {
        ValidationErrorKind::AnyOf { context } => {
            let context_types: Vec<String> = context
                .iter()
                .filter_map(|branch| match branch.first().map(ValidationError::kind) {
                    Some(ValidationErrorKind::Type { kind }) => Some(type_names(kind)),
                    _ => None,
                })
                .collect();
            let mut plausible: Vec<Vec<ValidationError<'static>>> =
                context.into_iter().filter(|branch| !is_type_mismatch_at(branch, &pointer)).collect();
            if plausible.len() == 1 {
                for inner in plausible.remove(0) {
                    flatten(inner, out);
                }
                return;
            }
            if plausible.is_empty() {
                // Every member wants another JSON type: say which types, as one `type` error.
                let expected = member_types(&context_types).join(" or ");
                ("type", expected, pointer, actual)
            } else {
                ("anyOf", "a value matching one of the union's members".to_string(), pointer, actual)
            }
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let child = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
            ("required", "the key to be present".to_string(), child, "absent".to_string())
        }
        ValidationErrorKind::Type { kind } => ("type", type_names(&kind), pointer, actual),
        ValidationErrorKind::Enum { options } => {
            let expected = match options.as_array() {
                Some(values) => {
                    format!("one of {}", values.iter().map(Value::to_string).collect::<Vec<_>>().join(", "))
                }
                None => options.to_string(),
            };
            ("enum", expected, pointer, actual)
        }
        ValidationErrorKind::Constant { expected_value } => {
            ("const", expected_value.to_string(), pointer, actual)
        }
        ValidationErrorKind::Pattern { pattern } => {
            let expected = if pattern == crate::derive::ZOD_DATE_TIME {
                "an RFC 3339 date-time with an offset (as zod's datetime reads it)".to_string()
            } else {
                format!("a string matching {pattern}")
            };
            ("pattern", expected, pointer, actual)
        }
        other => {
            let keyword = other.keyword().to_string();
            out.push(Violation { pointer, expected: format!("{other:?}"), keyword, actual, position: None });
            return;
        }
    };
    out.push(Violation { pointer, keyword: keyword.to_string(), expected, actual, position: None });
}

/// The JSON type(s) a `type` keyword wants, in words: `integer`, `string or null`.
fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(set) => {
            set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or ")
        }
    }
}

/// The distinct member types of a union whose every member rejected the value's type.
fn member_types(types: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in types.iter().flat_map(|t| t.split(" or ")) {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// A branch that failed only because the value has another JSON type than the
/// branch wants at the union's own place: the value was never meant for it.
fn is_type_mismatch_at(branch: &[ValidationError<'static>], pointer: &str) -> bool {
    branch.len() == 1
        && matches!(branch[0].kind(), ValidationErrorKind::Type { .. })
        && branch[0].instance_path().as_str() == pointer
}

/// A compact rendering of a value, cut at [`ACTUAL_MAX`] characters.
pub fn render(value: &Value) -> String {
    let text = match value {
        Value::Object(map) if map.is_empty() => "{}".to_string(),
        Value::Object(_) => "an object".to_string(),
        Value::Array(items) => format!("an array of {} item(s)", items.len()),
        other => other.to_string(),
    };
    if text.chars().count() > ACTUAL_MAX {
        let cut: String = text.chars().take(ACTUAL_MAX).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Walks `value` beside `schema` and records the pointer of every key that no
/// `properties` (or map `additionalProperties`) documents.
fn collect_extensions(
    root: &Value,
    schema: &Value,
    value: &Value,
    pointer: &mut String,
    out: &mut Vec<String>,
) {
    let schema = resolve(root, schema);
    if let Some(Value::Array(branches)) = schema.get("allOf") {
        // A discriminated union: follow the member its tag selects.
        for branch in branches {
            let (Some(condition), Some(then)) = (branch.get("if"), branch.get("then")) else { continue };
            if matches_const(condition, value) {
                return collect_extensions(root, then, value, pointer, out);
            }
        }
        return;
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        if let Some(branch) = branches.iter().find(|b| admits(root, b, value)) {
            collect_extensions(root, branch, value, pointer, out);
        }
        return;
    }
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            for (key, child) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                match properties.and_then(|p| p.get(key)).or(additional) {
                    Some(child_schema) => collect_extensions(root, child_schema, child, pointer, out),
                    None if properties.is_some_and(|p| !p.is_empty()) => out.push(pointer.clone()),
                    None => {}
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    collect_extensions(root, item_schema, item, pointer, out);
                    pointer.truncate(len);
                }
            }
        }
        _ => {}
    }
}

/// Follows a local `$ref` (`#/$defs/Name`) to its target; other schemas are returned as they are.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(path) => root.pointer(path).map_or(schema, |target| resolve(root, target)),
        None => schema,
    }
}

/// Whether a union branch could be the one `value` was meant for: its JSON type
/// fits and its required keys are present. (Zod and pydantic try members in order.)
fn admits(root: &Value, branch: &Value, value: &Value) -> bool {
    let branch = resolve(root, branch);
    let type_fits = match branch.get("type") {
        None => true,
        Some(Value::String(t)) => json_type_is(value, t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(|t| json_type_is(value, t)),
        Some(_) => false,
    };
    let required_present = match (branch.get("required").and_then(Value::as_array), value.as_object()) {
        (Some(keys), Some(map)) => keys.iter().filter_map(Value::as_str).all(|k| map.contains_key(k)),
        _ => true,
    };
    type_fits && required_present
}

fn json_type_is(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        _ => false,
    }
}

/// Whether `{"properties": {p: {"const": c}}}` holds for `value`.
fn matches_const(condition: &Value, value: &Value) -> bool {
    let Some(properties) = condition.get("properties").and_then(Value::as_object) else { return false };
    properties.iter().all(|(key, rule)| match rule.get("const") {
        Some(expected) => value.get(key) == Some(expected),
        None => true,
    })
}

//! Checks one response against one compiled schema and says what it found.
//!
//! A [`Checked`] holds every violation (pointer, keyword, expected, actual) and
//! every undocumented field; [`Verdict`] sums it up as the design defines:
//! `conforms`, `conforms-with-extensions` or `violates`. Errors are collected,
//! never stopped at the first, so one deviant field hides nothing else.

use std::fmt;

use jsonschema::{error::ValidationErrorKind, Draft, ValidationError, Validator};
use serde_json::Value;

use crate::{
    locate::{self, Position, Spot},
    tape::{TapeJson, TapeNode},
};

/// The date-time pattern zod's `z.string().datetime({offset: true})` applies.
///
/// It is not JSON Schema's `format: date-time`: seconds are optional, `+0700` is
/// accepted, lowercase `t`/`z` and an hours-only offset are not.
pub const ZOD_DATE_TIME: &str =
    r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$";

mod extensions;

/// A provider's derived schema, compiled once and reused for every response.
pub struct Schema {
    provider: String,
    document: Value,
    validator: Validator,
    /// The same schema, compiled for bodies read onto a [`crate::tape`]: the fast path of a
    /// conforming body ([`Schema::check_tape`]).
    tape_validator: Validator<TapeJson>,
    /// The walk that finds undocumented fields, compiled from `document`.
    extensions: extensions::Plan,
    /// How the provider's SDK reads numbers that JSON Schema's `integer` cannot tell apart.
    numbers: Numbers,
    /// Where a later SDK than the one the tables follow reads responses differently (`[[later]]`).
    later: Vec<Later>,
}

/// What a later SDK than the seed the tables follow does differently: a `[[later]]` row of
/// `provider.toml`. The tables keep the seed's reading; a difference between `check` and the SDK users
/// install today that such a row explains is a version difference, said with its source, not a
/// disagreement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Later {
    /// The later SDK and version: `atoma-sdk 0.1.1 (npm)`.
    pub sdk: String,
    /// `reads`: the later SDK reads what the seed's tables reject; `raises`: it rejects what they accept.
    pub does: LaterDoes,
    /// For `reads`: where the seed's violations are (a JSON pointer; `*` is any one token, a final `**`
    /// any rest), with `keyword` naming which of them (any when empty); or `rule`, a stream rule.
    #[serde(default)]
    pub pointer: Option<String>,
    #[serde(default)]
    pub keyword: Vec<String>,
    #[serde(default)]
    pub rule: Option<String>,
    /// For `raises`: a piece of the later SDK's error message that names the refusal.
    #[serde(default)]
    pub error: Option<String>,
    /// The later SDK's file (and the code in it) that does it.
    pub source: String,
}

/// Which way a [`Later`] row goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LaterDoes {
    Reads,
    Raises,
}

impl Later {
    /// What is wrong with the row itself, if anything.
    pub fn problem(&self) -> Option<&'static str> {
        match self.does {
            LaterDoes::Reads if self.pointer.is_none() && self.rule.is_none() => {
                Some("a `reads` row names the `pointer` (with `keyword`) or the `rule` it explains")
            }
            LaterDoes::Raises if self.error.as_deref().is_none_or(str::is_empty) => {
                Some("a `raises` row names the `error` text the later SDK raises with")
            }
            _ => None,
        }
    }

    /// Whether the later SDK reads past this violation of the seed's schema.
    pub fn explains_violation(&self, pointer: &str, keyword: &str) -> bool {
        self.does == LaterDoes::Reads
            && self.pointer.as_deref().is_some_and(|pattern| pointer_matches(pattern, pointer))
            && (self.keyword.is_empty() || self.keyword.iter().any(|k| k == keyword))
    }

    /// Whether the later SDK reads past a breach of this stream rule.
    pub fn explains_rule(&self, rule: &str) -> bool {
        self.does == LaterDoes::Reads && self.rule.as_deref() == Some(rule)
    }

    /// Whether this is the later SDK's refusal of something the seed accepts.
    pub fn explains_refusal(&self, error: &str) -> bool {
        self.does == LaterDoes::Raises && self.error.as_deref().is_some_and(|piece| error.contains(piece))
    }
}

/// `pattern` against a JSON pointer, token by token: `*` is any one token, a final `**` any rest.
fn pointer_matches(pattern: &str, pointer: &str) -> bool {
    let mut tokens = pointer.split('/');
    for part in pattern.split('/') {
        if part == "**" {
            return true;
        }
        match tokens.next() {
            Some(token) if part == "*" || part == token => {}
            _ => return false,
        }
    }
    tokens.next().is_none()
}

/// How a provider's SDK reads number literals where JSON Schema alone would
/// decide otherwise: `[numbers]` in `provider.toml`, with the SDK fact it rests on.
/// Integer literals of any size are read by every SDK in the reference (a Python
/// `int`, or the nearest double in JavaScript, which `Number.isInteger` accepts),
/// so the strict reader takes them; what differs is a float literal in an `integer` field.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numbers {
    #[serde(default)]
    pub float_in_integer: FloatInInteger,
    /// The SDK code or behaviour this rests on.
    #[serde(default)]
    pub source: String,
}

/// What an `integer` field takes of a float literal whose value is an integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FloatInInteger {
    /// Any integral value (`1.0`, `1e20`): zod's `.int()` is `Number.isInteger`, JSON Schema's `integer` too.
    #[default]
    Integral,
    /// Only strictly inside ±2^63 (`9.2e18` yes, `1e20` no): pydantic v2's `int` (`float_as_int`).
    WithinI64,
}

/// The node a local `$ref` (`#` and a JSON pointer, percent-encoded as a URI fragment, as
/// `derive::def_ref` writes it) names inside `root`; `None` for another document or a
/// pointer to nothing.
pub fn resolve_ref<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let fragment = reference.strip_prefix('#')?;
    if !fragment.contains('%') {
        return root.pointer(fragment);
    }
    let bytes = fragment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                decoded.push(u8::try_from(high * 16 + low).ok()?);
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    root.pointer(std::str::from_utf8(&decoded).ok()?)
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
        let tape_validator = jsonschema::options_for::<TapeJson>()
            .with_draft(Draft::Draft202012)
            .build(&document)
            .map_err(|err| SchemaError { provider: provider.to_string(), message: err.to_string() })?;
        let extensions = extensions::Plan::compile(&document);
        Ok(Schema {
            provider: provider.to_string(),
            document,
            validator,
            tape_validator,
            extensions,
            numbers: Numbers::default(),
            later: Vec::new(),
        })
    }

    /// This schema, with the `[[later]]` rows of its provider.
    pub fn with_later(mut self, later: Vec<Later>) -> Schema {
        self.later = later;
        self
    }

    /// Where a later SDK than the tables' reads responses differently.
    pub fn later(&self) -> &[Later] {
        &self.later
    }

    /// This schema, reading numbers as `numbers` says (the provider's `[numbers]`).
    pub fn with_numbers(mut self, numbers: Numbers) -> Schema {
        self.numbers = numbers;
        self
    }

    /// How this schema's SDK reads numbers.
    pub fn numbers(&self) -> &Numbers {
        &self.numbers
    }

    /// [`Schema::check`] of a strictly read body, applying [`Numbers`]: where the
    /// SDK refuses a wide float for an `integer`, the schema sees a non-integer there
    /// and the violation shows the literal.
    pub fn check_parsed(&self, parsed: &crate::json::Parsed) -> Checked {
        if parsed.wide_floats.is_empty() || self.numbers.float_in_integer == FloatInInteger::Integral {
            return self.check(&parsed.value);
        }
        let mut value = parsed.value.clone();
        for wide in &parsed.wide_floats {
            if let Some(slot) = value.pointer_mut(&wide.pointer) {
                // Any non-integral number: a `number` field still takes it, an `integer` field does not.
                *slot = Value::from(0.5);
            }
        }
        let mut checked = self.check(&value);
        for violation in &mut checked.violations {
            if let Some(wide) = parsed.wide_floats.iter().find(|w| w.pointer == violation.pointer) {
                violation.actual = format!(
                    "{} (a float beyond the 64-bit integer range, which this SDK refuses for an integer)",
                    wide.literal
                );
            }
        }
        checked
    }

    /// The provider this schema belongs to.
    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// The schema document as derived.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The fast path of [`Schema::check_parsed`] for a body on the tape: its undocumented
    /// fields when it conforms, `None` when it does not (the caller then reads it into a
    /// `Value` and calls [`Schema::check_parsed`], which finds and places every violation).
    /// The same keywords decide both ways: jsonschema validates the tape as it does a `Value`.
    pub fn check_tape(&self, root: TapeNode<'_>) -> Option<Checked> {
        if !self.tape_validator.is_valid(root) {
            return None;
        }
        let mut extensions = Vec::new();
        self.extensions.collect(root, &mut extensions);
        Some(Checked { violations: Vec::new(), extensions })
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
        self.extensions.collect(value, &mut extensions);
        Checked { violations, extensions }
    }

    /// [`Schema::check_parsed`] plus the line and column of every violation in `text`.
    pub fn check_text(&self, value: &Value, text: &str) -> Checked {
        let wide_floats = match self.numbers.float_in_integer {
            FloatInInteger::Integral => Vec::new(),
            FloatInInteger::WithinI64 => crate::json::wide_floats(text, value),
        };
        let mut checked = if wide_floats.is_empty() {
            self.check(value)
        } else {
            self.check_parsed(&crate::json::Parsed { value: value.clone(), wide_floats })
        };
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

    /// Fills in each violation's position from the text the value was parsed from,
    /// and puts the violations in the order they stand in the file. One scan of the
    /// text for all of them ([`locate::locate_all`]); returns where each (in the new
    /// order) stands, with its byte offset, for [`locate::excerpt_at`].
    pub fn locate(&mut self, text: &str) -> Vec<Option<Spot>> {
        let pointers: Vec<&str> = self.violations.iter().map(|v| v.pointer.as_str()).collect();
        let spots = locate::locate_all(text, &pointers);
        let mut located: Vec<(Violation, Option<Spot>)> = std::mem::take(&mut self.violations)
            .into_iter()
            .zip(spots)
            .map(|(mut violation, spot)| {
                violation.position = spot.map(|s| s.position);
                (violation, spot)
            })
            .collect();
        located.sort_by(|(a, _), (b, _)| (a.position, &a.pointer).cmp(&(b.position, &b.pointer)));
        let (violations, spots) = located.into_iter().unzip();
        self.violations = violations;
        spots
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
            let expected = if pattern == ZOD_DATE_TIME {
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

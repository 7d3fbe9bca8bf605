//! Generates arbitrary responses from a provider's derived JSON Schema (a proptest
//! [`Strategy`]), and for each one every way to break it that the schema must catch.
//!
//! The strategy reads the subset of draft 2020-12 that `derive` writes: objects
//! with `properties`/`required`, `type` (arrays of types with `null`), `anyOf`,
//! tagged unions as `allOf` of `if`/`then`, `enum`, `additionalProperties` maps,
//! the zod date-time `pattern` and local `$ref`s. Optional keys are present or
//! absent, nullable ones sometimes `null`, and every object gets undocumented
//! keys in random places; strings are hard (escapes, control characters, Unicode,
//! very long) and numbers are literals with a spelling of their own (`1.0`, `1e3`,
//! integers beyond 2^53 and, on request, beyond `u64`).
//!
//! Each generated value carries its [`Rule`]s: removing a required key, giving
//! a value another JSON type, a string outside a closed enum, a date-time that is
//! not one; each with the violation (pointer and keyword) it must cause. The
//! generator knows which schema node made each value, so a rule is exact where a
//! walk after the fact would have to guess which union member was meant.
//! [`Strictness`] applies them; [`sample`] and [`sample_invalid`] write JSON Lines
//! that are byte-for-byte reproducible from a seed.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt,
};

use proptest::{
    prelude::*,
    strategy::{BoxedStrategy, Strategy, ValueTree},
    test_runner::{Config, RngAlgorithm, TestRng, TestRunner},
};
use serde_json::Value;

use crate::{
    derive::ZOD_DATE_TIME,
    models::{
        exact::{escape_token, Exact},
        Model,
    },
    verdict::Schema,
};

/// What kind of instances a strategy makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Every optional key present, no `null` where a value can go, every union
    /// member in every array of a union: instances that reach every rule.
    pub full: bool,
    /// Integer literals beyond `u64` (the strict reader, `json::parse`, rejects them as out of range).
    pub huge_integers: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { full: false, huge_integers: true }
    }
}

/// The schema uses something the generator does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    #[error("{pointer}: cannot generate from this schema: {what}")]
    Unsupported { pointer: String, what: String },
    #[error("{pointer}: `$ref` {reference} does not resolve inside the document")]
    BadReference { pointer: String, reference: String },
    #[error("generation failed: {0}")]
    Generation(String),
}

/// A generated response and every rule that applies to it.
#[derive(Clone, PartialEq)]
pub struct Instance {
    pub value: Exact,
    pub rules: Vec<Rule>,
}

/// The JSON text and the number of rules: what a proptest failure (and its regression file) shows.
impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} rules)", self.value, self.rules.len())
    }
}

/// One thing the schema must enforce at one place of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: RuleId,
    /// The value's pointer, or for `Required` the object's.
    pub site: String,
    pub action: Action,
    /// The violation the change must cause.
    pub expect: Expected,
}

/// A rule of the schema, named by where it is written: the same id for every instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleId {
    /// JSON pointer into the schema document: the object for `required`, else the value's schema.
    pub schema: String,
    pub kind: RuleKind,
    /// The required key, or the JSON type of the replacement.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleKind {
    /// Removing a required key is rejected.
    Required,
    /// A value of another JSON type is rejected.
    Type,
    /// A string outside a closed enum is rejected.
    Enum,
    /// A string that is not a date-time is rejected where one is expected.
    Pattern,
}

/// How a rule changes an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Remove { key: String },
    Replace { value: Exact },
}

/// A violation by pointer and keyword, as `Checked::violations` reports it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expected {
    pub pointer: String,
    pub keyword: String,
}

impl fmt::Display for RuleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleKind::Required => "required",
            RuleKind::Type => "type",
            RuleKind::Enum => "enum",
            RuleKind::Pattern => "pattern",
        })
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            RuleKind::Required => write!(f, "{}: required key `{}` removed", self.schema, self.detail),
            RuleKind::Type => write!(f, "{}: a value of type {}", self.schema, self.detail),
            RuleKind::Enum => write!(f, "{}: a string outside the enum", self.schema),
            RuleKind::Pattern => write!(f, "{}: a string that is not a date-time", self.schema),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let site = if self.site.is_empty() { "(root)" } else { &self.site };
        match &self.action {
            Action::Remove { key } => write!(f, "removed required key `{key}` at {site}"),
            Action::Replace { value } => write!(f, "replaced the value at {site} with {value}"),
        }
    }
}

impl Rule {
    /// The instance with this rule's change applied (`None` when the site is gone).
    pub fn apply(&self, instance: &Exact) -> Option<Exact> {
        let mut changed = instance.clone();
        match &self.action {
            Action::Remove { key } => changed.remove(&self.site, key).then_some(changed),
            Action::Replace { value } => {
                *changed.pointer_mut(&self.site)? = value.clone();
                Some(changed)
            }
        }
    }

    fn nest(&mut self, token: &str) {
        let prefix = format!("/{}", escape_token(token));
        self.site.insert_str(0, &prefix);
        self.expect.pointer.insert_str(0, &prefix);
    }
}

/// A strategy for instances of `schema`.
pub fn strategy(schema: &Schema, options: Options) -> Result<BoxedStrategy<Instance>, GenerateError> {
    Generator { document: schema.document(), options }.site(schema.document(), "")
}

/// `count` instances as JSON Lines, the same bytes for the same seed.
///
/// Integer literals stay within 64 bits, so that every line passes the strict
/// reader (`json::parse`) that `chatcompat check` uses.
pub fn sample(schema: &Schema, count: usize, seed: u64) -> Result<Vec<String>, GenerateError> {
    let options = Options { full: false, huge_integers: false };
    let strategy = strategy(schema, options)?;
    let mut runner = seeded_runner(seed);
    (0..count).map(|_| Ok(new_value(&strategy, &mut runner)?.value.to_text())).collect()
}

/// `count` broken instances as JSON Lines, each
/// `{"instance": …, "expect": [{"pointer": …, "keyword": …}], "mutation": …}`:
/// a validator must report at least the expected violations. Only changes the
/// schema does reject are written (see [`Strictness`] for those it does not).
pub fn sample_invalid(schema: &Schema, count: usize, seed: u64) -> Result<Vec<String>, GenerateError> {
    let options = Options { full: false, huge_integers: false };
    let strategy = (strategy(schema, options)?, any::<prop::sample::Index>());
    let mut runner = seeded_runner(seed);
    let mut lines = Vec::with_capacity(count);
    let mut attempts = 0usize;
    while lines.len() < count {
        attempts += 1;
        if attempts > count.saturating_mul(20).max(100) {
            return Err(GenerateError::Generation("the schema rejects none of the changes tried".into()));
        }
        let (instance, index) = new_value(&strategy, &mut runner)?;
        let rules = &instance.rules;
        if rules.is_empty() {
            return Err(GenerateError::Generation("the schema has no rule to break".into()));
        }
        let start = index.index(rules.len());
        let chosen = (0..rules.len()).map(|i| &rules[(start + i) % rules.len()]).find_map(|rule| {
            let changed = rule.apply(&instance.value)?;
            let checked = schema.check(&changed.to_value().ok()?);
            let found = checked
                .violations
                .iter()
                .any(|v| v.pointer == rule.expect.pointer && v.keyword == rule.expect.keyword);
            found.then_some((rule, changed))
        });
        if let Some((rule, changed)) = chosen {
            lines.push(format!(
                "{{\"instance\":{},\"expect\":[{{\"pointer\":{},\"keyword\":{}}}],\"mutation\":{}}}",
                changed.to_text(),
                Exact::String(rule.expect.pointer.clone()).to_text(),
                Exact::String(rule.expect.keyword.clone()).to_text(),
                Exact::String(rule.to_string()).to_text()
            ));
        }
    }
    Ok(lines)
}

/// A runner whose random numbers depend on `seed` only (ChaCha, the seed in its first eight bytes).
pub fn seeded_runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

fn new_value<S: Strategy>(strategy: &S, runner: &mut TestRunner) -> Result<S::Value, GenerateError> {
    strategy
        .new_tree(runner)
        .map(|tree| tree.current())
        .map_err(|reason| GenerateError::Generation(reason.to_string()))
}

// ---------------------------------------------------------------------------
// Strictness: apply every rule, see what the schema (and the model) say

/// A rule that was not enforced as it should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleId,
    pub what: FindingKind,
    /// The changed instance, shortened.
    pub instance: String,
    /// What was changed, and where.
    pub mutation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// The schema accepts the broken instance.
    SchemaAccepts,
    /// The schema rejects it, but not with the expected violation.
    Misattributed { expected: Expected, found: Vec<Expected> },
    /// The schema rejects it and the typed model reads it anyway.
    ModelAccepts,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.what {
            FindingKind::SchemaAccepts => {
                write!(f, "{}: the schema accepts it ({})", self.rule, self.mutation)?
            }
            FindingKind::Misattributed { expected, found } => {
                let found: Vec<String> =
                    found.iter().map(|e| format!("{} {}", e.pointer, e.keyword)).collect();
                write!(
                    f,
                    "{}: rejected, but without `{} {}` (found: {}) ({})",
                    self.rule,
                    expected.pointer,
                    expected.keyword,
                    found.join(", "),
                    self.mutation
                )?;
            }
            FindingKind::ModelAccepts => write!(
                f,
                "{}: the schema rejects it, the typed model reads it ({})",
                self.rule, self.mutation
            )?,
        }
        write!(f, "\n    instance: {}", self.instance)
    }
}

/// Applies rules to instances and remembers which rules were exercised and what failed.
#[derive(Debug, Default)]
pub struct Strictness {
    pub exercised: BTreeSet<RuleId>,
    /// At most one finding per rule (the first).
    pub findings: BTreeMap<RuleId, Finding>,
}

impl Strictness {
    /// Applies every rule of `instance`: the schema must reject each change with
    /// the expected violation, and `model`, when given, must fail to read it.
    pub fn exercise(&mut self, schema: &Schema, model: Option<&Model>, instance: &Instance) {
        self.exercise_rules(schema, model, instance, instance.rules.iter());
    }

    /// [`Strictness::exercise`] for the rules of `instance` not exercised before:
    /// one change per rule of the schema, however often the instance repeats it.
    pub fn exercise_new(&mut self, schema: &Schema, model: Option<&Model>, instance: &Instance) {
        let exercised = std::mem::take(&mut self.exercised);
        let mut fresh: BTreeSet<&RuleId> = BTreeSet::new();
        let new: Vec<&Rule> =
            instance.rules.iter().filter(|r| !exercised.contains(&r.id) && fresh.insert(&r.id)).collect();
        self.exercised = exercised;
        self.exercise_rules(schema, model, instance, new.into_iter());
    }

    /// Applies the given rules of `instance`.
    pub fn exercise_rules<'r>(
        &mut self,
        schema: &Schema,
        model: Option<&Model>,
        instance: &Instance,
        rules: impl Iterator<Item = &'r Rule>,
    ) {
        let mut done: BTreeSet<(String, String)> = BTreeSet::new();
        for rule in rules {
            self.exercised.insert(rule.id.clone());
            let Some(changed) = rule.apply(&instance.value) else { continue };
            let text = changed.to_text();
            if !done.insert((text.clone(), rule.expect.pointer.clone() + " " + &rule.expect.keyword)) {
                continue;
            }
            let Ok(value) = changed.to_value() else { continue };
            let checked = schema.check(&value);
            let what = if checked.violations.is_empty() {
                Some(FindingKind::SchemaAccepts)
            } else if !checked
                .violations
                .iter()
                .any(|v| v.pointer == rule.expect.pointer && v.keyword == rule.expect.keyword)
            {
                let found = checked
                    .violations
                    .iter()
                    .map(|v| Expected { pointer: v.pointer.clone(), keyword: v.keyword.clone() })
                    .collect();
                Some(FindingKind::Misattributed { expected: rule.expect.clone(), found })
            } else if model.is_some_and(|model| model.roundtrip(&text).is_ok()) {
                Some(FindingKind::ModelAccepts)
            } else {
                None
            };
            if let Some(what) = what {
                self.findings.entry(rule.id.clone()).or_insert_with(|| Finding {
                    rule: rule.id.clone(),
                    what,
                    instance: shorten(&text),
                    mutation: rule.to_string(),
                });
            }
        }
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 400;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        text.to_string()
    }
}

/// Every rule the schema states, found by walking it: what [`Strictness::exercised`] should reach.
pub fn universe(schema: &Schema) -> Result<BTreeSet<RuleId>, GenerateError> {
    let document = schema.document();
    let generator = Generator { document, options: Options::default() };
    let mut out = BTreeSet::new();
    generator.walk_site(document, "", &mut out)?;
    if let Some(defs) = document.get("$defs").and_then(Value::as_object) {
        for (name, def) in defs {
            generator.walk_shape(def, &format!("/$defs/{}", escape_token(name)), &mut out)?;
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// The generator

struct Generator<'a> {
    document: &'a Value,
    options: Options,
}

/// The JSON types, in the order replacements are tried.
const JSON_TYPES: [&str; 7] = ["null", "boolean", "integer", "number", "string", "array", "object"];

impl<'a> Generator<'a> {
    /// A value described by the schema node `schema` at `pointer`, with its own rules
    /// (another type, an unknown enum value, a non-date-time) and those of its parts.
    fn site(&self, schema: &'a Value, pointer: &str) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let rules = self.site_rules(schema, pointer)?;
        let (target, target_pointer) = self.resolve(schema, pointer)?;
        let shape = self.shape(target, &target_pointer)?;
        Ok(shape
            .prop_map(move |mut instance| {
                instance.rules.extend(rules.iter().filter(|rule| rule_fits(rule, &instance.value)).cloned());
                instance
            })
            .boxed())
    }

    /// The rules of the value itself, relative to it.
    fn site_rules(&self, schema: &Value, pointer: &str) -> Result<Vec<Rule>, GenerateError> {
        let mut rules = Vec::new();
        let accepted = self.accepted(schema, pointer)?;
        if accepted.len() < JSON_TYPES.len() {
            for ty in JSON_TYPES {
                let is_accepted = accepted.contains(ty) || (ty == "integer" && accepted.contains("number"));
                if is_accepted {
                    continue;
                }
                let value = match ty {
                    "null" => Exact::Null,
                    "boolean" => Exact::Bool(true),
                    "integer" if accepted.contains("integer") => continue,
                    "integer" => Exact::Number("7".into()),
                    "number" if accepted.contains("integer") => Exact::Number("0.5".into()),
                    "number" => continue, // `7` above already is another type
                    "string" => Exact::String("chatcompat".into()),
                    "array" => Exact::Array(Vec::new()),
                    _ => Exact::Object(Vec::new()),
                };
                let keyword = self.expected_keyword(schema, pointer)?;
                rules.push(Rule {
                    id: RuleId { schema: pointer.to_string(), kind: RuleKind::Type, detail: ty.to_string() },
                    site: String::new(),
                    action: Action::Replace { value },
                    expect: Expected { pointer: String::new(), keyword: keyword.to_string() },
                });
            }
        }
        let (target, _) = self.resolve(schema, pointer)?;
        if target.get("enum").is_some() {
            rules.push(Rule {
                id: RuleId { schema: pointer.to_string(), kind: RuleKind::Enum, detail: "string".into() },
                site: String::new(),
                action: Action::Replace { value: Exact::String("chatcompat-unlisted-value".into()) },
                expect: Expected { pointer: String::new(), keyword: "enum".into() },
            });
        }
        if target.get("pattern").and_then(Value::as_str) == Some(ZOD_DATE_TIME) {
            rules.push(Rule {
                id: RuleId { schema: pointer.to_string(), kind: RuleKind::Pattern, detail: "string".into() },
                site: String::new(),
                action: Action::Replace { value: Exact::String("2024-05-01 12:30:00".into()) },
                expect: Expected { pointer: String::new(), keyword: "pattern".into() },
            });
        }
        Ok(rules)
    }

    /// The structure of a (resolved) schema node: what values look like.
    fn shape(&self, schema: &'a Value, pointer: &str) -> Result<BoxedStrategy<Instance>, GenerateError> {
        if schema.get("allOf").is_some() {
            return self.tagged_union(schema, pointer);
        }
        if let Some(branches) = schema.get("anyOf") {
            return self.any_of(branches, pointer);
        }
        if let Some(values) = schema.get("enum") {
            let values = values.as_array().ok_or_else(|| unsupported(pointer, "`enum` is not an array"))?;
            let choices: Vec<Exact> = values.iter().map(exact_of).collect();
            if choices.is_empty() {
                return Err(unsupported(pointer, "an empty `enum`"));
            }
            return Ok(prop::sample::select(choices).prop_map(leaf).boxed());
        }
        let types: Vec<&str> = match schema.get("type") {
            None => return Ok(any_value(self.options).prop_map(leaf).boxed()),
            Some(Value::String(ty)) => vec![ty.as_str()],
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
            Some(_) => return Err(unsupported(pointer, "`type` is neither a string nor an array")),
        };
        let nullable = types.contains(&"null");
        let mut branches = Vec::new();
        for ty in types.iter().filter(|t| **t != "null") {
            branches.push(self.typed(schema, pointer, ty)?);
        }
        let value = match branches.len() {
            0 => return Ok(Just(leaf(Exact::Null)).boxed()),
            1 => branches.remove(0),
            _ => proptest::strategy::Union::new(branches).boxed(),
        };
        Ok(if nullable && !self.options.full {
            prop_oneof![1 => Just(leaf(Exact::Null)), 4 => value].boxed()
        } else {
            value
        })
    }

    fn typed(
        &self,
        schema: &'a Value,
        pointer: &str,
        ty: &str,
    ) -> Result<BoxedStrategy<Instance>, GenerateError> {
        Ok(match ty {
            "string" => match schema.get("pattern").and_then(Value::as_str) {
                Some(ZOD_DATE_TIME) => date_time().prop_map(|s| leaf(Exact::String(s))).boxed(),
                Some(other) => return Err(unsupported(pointer, &format!("the pattern {other}"))),
                None => match schema.get("examples").and_then(Value::as_array) {
                    // An open enum: mostly its known values, sometimes anything.
                    Some(known) if !known.is_empty() => {
                        let known: Vec<String> =
                            known.iter().filter_map(|v| v.as_str().map(String::from)).collect();
                        prop_oneof![3 => prop::sample::select(known), 1 => hard_string()]
                            .prop_map(|s| leaf(Exact::String(s)))
                            .boxed()
                    }
                    _ => hard_string().prop_map(|s| leaf(Exact::String(s))).boxed(),
                },
            },
            "integer" => {
                integer_literal(self.options.huge_integers).prop_map(|n| leaf(Exact::Number(n))).boxed()
            }
            "number" => {
                number_literal(self.options.huge_integers).prop_map(|n| leaf(Exact::Number(n))).boxed()
            }
            "boolean" => any::<bool>().prop_map(|b| leaf(Exact::Bool(b))).boxed(),
            "array" => self.array(schema, pointer)?,
            "object" => self.object(schema, pointer)?,
            other => return Err(unsupported(pointer, &format!("the type {other}"))),
        })
    }

    fn array(&self, schema: &'a Value, pointer: &str) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let items_pointer = format!("{pointer}/items");
        let Some(items) = schema.get("items") else {
            let item = any_value(self.options).prop_map(leaf).boxed();
            return Ok(list(vec(item, 0..3)));
        };
        if self.options.full {
            // One item per union member (or two plain items), so every member's rules are reached.
            let members = self.members(items, &items_pointer)?;
            if members.len() > 1 {
                return Ok(list(members.prop_shuffle().boxed()));
            }
            let item = self.site(items, &items_pointer)?;
            return Ok(list(vec(item, 1..3)));
        }
        let item = self.site(items, &items_pointer)?;
        Ok(list(vec(item, 0..4)))
    }

    /// For the items of a union: one strategy per member, each with the item's own rules.
    fn members(
        &self,
        items: &'a Value,
        pointer: &str,
    ) -> Result<Vec<BoxedStrategy<Instance>>, GenerateError> {
        let (target, target_pointer) = self.resolve(items, pointer)?;
        let rules = self.site_rules(items, pointer)?;
        let mut members = Vec::new();
        if let Some(tags) = tagged_branches(target) {
            for (tag, member) in tags {
                members.push(self.tagged_member(target, &target_pointer, &tag, member)?);
            }
        } else if let Some(Value::Array(branches)) = target.get("anyOf") {
            for (i, branch) in branches.iter().enumerate() {
                if branch.get("type").and_then(Value::as_str) == Some("null") {
                    continue;
                }
                members.push(self.any_of_branch(branches, i, &target_pointer)?);
            }
        }
        Ok(members
            .into_iter()
            .map(|member| {
                let rules = rules.clone();
                member
                    .prop_map(move |mut instance| {
                        instance
                            .rules
                            .extend(rules.iter().filter(|r| rule_fits(r, &instance.value)).cloned());
                        instance
                    })
                    .boxed()
            })
            .collect())
    }

    fn object(&self, schema: &'a Value, pointer: &str) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let properties = schema.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            // A map: any keys, every value a `T`.
            let value = self.site(additional, &format!("{pointer}/additionalProperties"))?;
            let size = if self.options.full { 1..4 } else { 0..4 };
            let entries = vec((extra_key(), value), size).prop_map(|entries| dedupe(entries, &[])).boxed();
            return Ok(entries.prop_map(assemble).boxed());
        }
        let mut fields: Vec<BoxedStrategy<Option<(String, Instance)>>> = Vec::new();
        let mut documented: Vec<String> = Vec::new();
        for (key, property) in properties.into_iter().flatten() {
            documented.push(key.clone());
            let value = self.site(property, &format!("{pointer}/properties/{}", escape_token(key)))?;
            let key_for_map = key.clone();
            let entry = value.prop_map(move |instance| (key_for_map.clone(), instance));
            let field = if required.contains(&key.as_str()) || self.options.full {
                entry.prop_map(Some).boxed()
            } else {
                prop::option::weighted(0.6, entry).boxed()
            };
            fields.push(field);
        }
        let required_rules: Vec<Rule> = required
            .iter()
            .map(|key| Rule {
                id: RuleId { schema: pointer.to_string(), kind: RuleKind::Required, detail: key.to_string() },
                site: String::new(),
                action: Action::Remove { key: key.to_string() },
                expect: Expected { pointer: format!("/{}", escape_token(key)), keyword: "required".into() },
            })
            .collect();
        let extra_count = if documented.is_empty() { 0..5 } else { 0..3 };
        let extras = vec((extra_key(), any_value(self.options).prop_map(leaf)), extra_count);
        Ok((fields, extras)
            .prop_map(move |(fields, extras)| {
                let mut entries: Vec<(String, Instance)> = fields.into_iter().flatten().collect();
                entries.extend(dedupe(extras, &documented));
                entries
            })
            .prop_shuffle()
            .prop_map(move |entries| {
                let mut instance = assemble(entries);
                instance.rules.extend(required_rules.iter().cloned());
                instance
            })
            .boxed())
    }

    /// `allOf` of `if {tag: const}` / `then {$ref}`: pick a tag, then make that member.
    fn tagged_union(
        &self,
        schema: &'a Value,
        pointer: &str,
    ) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let tags = tagged_branches(schema)
            .ok_or_else(|| unsupported(pointer, "an `allOf` that is not a tagged union of `if`/`then`"))?;
        let mut members = Vec::new();
        for (tag, member) in tags {
            members.push(self.tagged_member(schema, pointer, &tag, member)?);
        }
        Ok(proptest::strategy::Union::new(members).boxed())
    }

    fn tagged_member(
        &self,
        union: &'a Value,
        pointer: &str,
        tag: &str,
        member: &'a Value,
    ) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let (property, _) = union
            .get("properties")
            .and_then(Value::as_object)
            .and_then(|p| p.iter().next())
            .ok_or_else(|| unsupported(pointer, "a tagged union without its tag property"))?;
        let member_pointer = format!("{pointer}/allOf"); // `then` of the branch of `tag`
        let branch_index =
            tagged_branches(union).and_then(|t| t.iter().position(|(t, _)| t == tag)).unwrap_or(0);
        let then_pointer = format!("{member_pointer}/{branch_index}/then");
        let member = self.site_shape_of_ref(member, &then_pointer)?;
        // The union's own rules: its tag is required and one of the tags.
        let tag_schema = union.get("properties").and_then(|p| p.get(property)).unwrap_or(&Value::Null);
        let tag_pointer = format!("{pointer}/properties/{}", escape_token(property));
        let mut union_rules = self.site_rules(tag_schema, &tag_pointer)?;
        for rule in &mut union_rules {
            rule.nest(property);
        }
        union_rules.push(Rule {
            id: RuleId { schema: pointer.to_string(), kind: RuleKind::Required, detail: property.clone() },
            site: String::new(),
            action: Action::Remove { key: property.clone() },
            expect: Expected { pointer: format!("/{}", escape_token(property)), keyword: "required".into() },
        });
        Ok(member
            .prop_map(move |mut instance| {
                instance.rules.extend(union_rules.iter().cloned());
                instance
            })
            .boxed())
    }

    /// The shape behind a `{"$ref": …}` member, with no site rules of its own.
    fn site_shape_of_ref(
        &self,
        member: &'a Value,
        pointer: &str,
    ) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let (target, target_pointer) = self.resolve(member, pointer)?;
        self.shape(target, &target_pointer)
    }

    /// `anyOf`: `null` sometimes, else one member; errors inside a member are
    /// reported at the union itself when another member could also have been meant.
    fn any_of(&self, branches: &'a Value, pointer: &str) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let branches = branches.as_array().ok_or_else(|| unsupported(pointer, "`anyOf` is not an array"))?;
        let mut values = Vec::new();
        let mut null = None;
        for (i, branch) in branches.iter().enumerate() {
            if branch.get("type").and_then(Value::as_str) == Some("null") {
                null = Some(Just(leaf(Exact::Null)).boxed());
                continue;
            }
            if self.options.full && branches.len() > 1 && self.is_scalar(branch, pointer)? {
                let any_structured = branches.iter().any(|b| !self.is_scalar(b, pointer).unwrap_or(true));
                if any_structured {
                    continue; // full instances take the member with structure, to reach its rules
                }
            }
            values.push(self.any_of_branch(branches, i, pointer)?);
        }
        if values.is_empty() {
            return Err(unsupported(pointer, "an `anyOf` with no member"));
        }
        let value = proptest::strategy::Union::new(values).boxed();
        Ok(match null {
            Some(null) if !self.options.full => prop_oneof![1 => null, 4 => value].boxed(),
            _ => value,
        })
    }

    fn any_of_branch(
        &self,
        branches: &'a [Value],
        i: usize,
        pointer: &str,
    ) -> Result<BoxedStrategy<Instance>, GenerateError> {
        let branch_pointer = format!("{pointer}/anyOf/{i}");
        let (target, target_pointer) = self.resolve(&branches[i], &branch_pointer)?;
        let shape = self.shape(target, &target_pointer)?;
        // Other members that the value's JSON type does not rule out make the validator report the union.
        let mut rivals: Vec<BTreeSet<&'static str>> = Vec::new();
        for (j, other) in branches.iter().enumerate() {
            if j != i {
                rivals.push(self.accepted(other, &format!("{pointer}/anyOf/{j}"))?);
            }
        }
        Ok(shape
            .prop_map(move |mut instance| {
                let ty = json_type(&instance.value);
                if rivals.iter().any(|accepted| accepts(accepted, ty)) {
                    for rule in &mut instance.rules {
                        rule.expect = Expected { pointer: String::new(), keyword: "anyOf".into() };
                    }
                }
                instance
            })
            .boxed())
    }

    fn is_scalar(&self, schema: &'a Value, pointer: &str) -> Result<bool, GenerateError> {
        let accepted = self.accepted(schema, pointer)?;
        Ok(!accepted.contains("object") && !accepted.contains("array"))
    }

    /// The JSON types a schema node accepts (all seven for `{}`).
    fn accepted(&self, schema: &Value, pointer: &str) -> Result<BTreeSet<&'static str>, GenerateError> {
        let (target, target_pointer) = self.resolve(schema, pointer)?;
        if let Some(values) = target.get("enum").and_then(Value::as_array) {
            return Ok(values.iter().map(|v| json_type(&exact_of(v))).collect());
        }
        if let Some(Value::Array(branches)) = target.get("anyOf") {
            let mut all = BTreeSet::new();
            for (i, branch) in branches.iter().enumerate() {
                all.extend(self.accepted(branch, &format!("{target_pointer}/anyOf/{i}"))?);
            }
            return Ok(all);
        }
        let names: Vec<&str> = match target.get("type") {
            None => return Ok(JSON_TYPES.into_iter().collect()),
            Some(Value::String(ty)) => vec![ty.as_str()],
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
            Some(_) => return Err(unsupported(&target_pointer, "`type` is neither a string nor an array")),
        };
        Ok(JSON_TYPES.into_iter().filter(|t| names.contains(t)).collect())
    }

    /// The keyword a validator reports when the value at a `schema` node gets
    /// another JSON type (verdict looks through `anyOf` branches that fail on the type alone).
    fn expected_keyword(&self, schema: &Value, pointer: &str) -> Result<&'static str, GenerateError> {
        let (target, target_pointer) = self.resolve(schema, pointer)?;
        if target.get("enum").is_some() {
            return Ok("enum");
        }
        if let Some(Value::Array(branches)) = target.get("anyOf") {
            let mut plausible = Vec::new();
            for (i, branch) in branches.iter().enumerate() {
                let branch_pointer = format!("{target_pointer}/anyOf/{i}");
                let (resolved, _) = self.resolve(branch, &branch_pointer)?;
                let simple = ["enum", "anyOf", "allOf"].iter().all(|k| resolved.get(k).is_none())
                    && resolved.get("type").is_some();
                if !simple {
                    plausible.push((branch, branch_pointer));
                }
            }
            return match plausible.as_slice() {
                [(branch, branch_pointer)] => self.expected_keyword(branch, branch_pointer),
                // Every member wants another JSON type: verdict says so as one `type` error.
                [] => Ok("type"),
                _ => Ok("anyOf"),
            };
        }
        Ok("type")
    }

    /// Follows `$ref`s to the node they name; returns it and its pointer.
    fn resolve(&self, schema: &'a Value, pointer: &str) -> Result<(&'a Value, String), GenerateError> {
        let mut current = schema;
        let mut current_pointer = pointer.to_string();
        for _ in 0..32 {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                return Ok((current, current_pointer));
            };
            let target = reference.strip_prefix('#').and_then(|path| self.document.pointer(path));
            match target {
                Some(target) => {
                    current = target;
                    current_pointer = reference.trim_start_matches('#').to_string();
                }
                None => {
                    return Err(GenerateError::BadReference {
                        pointer: current_pointer,
                        reference: reference.to_string(),
                    })
                }
            }
        }
        Err(unsupported(pointer, "a `$ref` chain longer than 32"))
    }

    // -- The same walk without generating: every rule the schema states --------

    fn walk_site(
        &self,
        schema: &'a Value,
        pointer: &str,
        out: &mut BTreeSet<RuleId>,
    ) -> Result<(), GenerateError> {
        out.extend(self.site_rules(schema, pointer)?.into_iter().map(|rule| rule.id));
        if schema.get("$ref").is_none() {
            self.walk_shape(schema, pointer, out)?;
        }
        Ok(())
    }

    fn walk_shape(
        &self,
        schema: &'a Value,
        pointer: &str,
        out: &mut BTreeSet<RuleId>,
    ) -> Result<(), GenerateError> {
        if schema.get("$ref").is_some() {
            return Ok(()); // every `$defs` entry is walked on its own
        }
        for key in
            schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
        {
            out.insert(RuleId {
                schema: pointer.to_string(),
                kind: RuleKind::Required,
                detail: key.to_string(),
            });
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for (key, property) in properties {
                self.walk_site(property, &format!("{pointer}/properties/{}", escape_token(key)), out)?;
            }
        }
        if let Some(items) = schema.get("items") {
            self.walk_site(items, &format!("{pointer}/items"), out)?;
        }
        if let Some(additional) = schema.get("additionalProperties").filter(|a| a.is_object()) {
            self.walk_site(additional, &format!("{pointer}/additionalProperties"), out)?;
        }
        if let Some(Value::Array(branches)) = schema.get("anyOf") {
            for (i, branch) in branches.iter().enumerate() {
                self.walk_shape(branch, &format!("{pointer}/anyOf/{i}"), out)?;
            }
        }
        Ok(())
    }
}

/// The (tag, member schema) pairs of an `allOf` of `if`/`then`, when that is what it is.
fn tagged_branches(schema: &Value) -> Option<Vec<(String, &Value)>> {
    let branches = schema.get("allOf")?.as_array()?;
    branches
        .iter()
        .map(|branch| {
            let (_, condition) = branch.get("if")?.get("properties")?.as_object()?.iter().next()?;
            Some((condition.get("const")?.as_str()?.to_string(), branch.get("then")?))
        })
        .collect()
}

/// Whether a type rule still makes sense for this value (a nullable site that came out `null` keeps them all).
fn rule_fits(rule: &Rule, value: &Exact) -> bool {
    match (&rule.action, rule.id.kind) {
        (Action::Replace { .. }, RuleKind::Enum) => matches!(value, Exact::String(_)),
        (Action::Replace { .. }, RuleKind::Pattern) => matches!(value, Exact::String(_)),
        _ => true,
    }
}

fn accepts(accepted: &BTreeSet<&str>, ty: &str) -> bool {
    accepted.contains(ty) || (ty == "integer" && accepted.contains("number"))
}

fn json_type(value: &Exact) -> &'static str {
    match value {
        Exact::Number(text) if crate::models::runtime::is_integral(text) => "integer",
        other => other.type_name(),
    }
}

fn unsupported(pointer: &str, what: &str) -> GenerateError {
    GenerateError::Unsupported { pointer: pointer.to_string(), what: what.to_string() }
}

fn exact_of(value: &Value) -> Exact {
    Exact::parse(&value.to_string()).unwrap_or(Exact::Null)
}

fn leaf(value: Exact) -> Instance {
    Instance { value, rules: Vec::new() }
}

fn list(items: BoxedStrategy<Vec<Instance>>) -> BoxedStrategy<Instance> {
    items
        .prop_map(|items| {
            let mut rules = Vec::new();
            let mut values = Vec::with_capacity(items.len());
            for (i, mut item) in items.into_iter().enumerate() {
                for rule in &mut item.rules {
                    rule.nest(&i.to_string());
                }
                rules.extend(item.rules);
                values.push(item.value);
            }
            Instance { value: Exact::Array(values), rules }
        })
        .boxed()
}

fn assemble(entries: Vec<(String, Instance)>) -> Instance {
    let mut rules = Vec::new();
    let mut values = Vec::with_capacity(entries.len());
    for (key, mut item) in entries {
        for rule in &mut item.rules {
            rule.nest(&key);
        }
        rules.extend(item.rules);
        values.push((key, item.value));
    }
    Instance { value: Exact::Object(values), rules }
}

/// Drops entries whose key is documented or already taken.
fn dedupe(entries: Vec<(String, Instance)>, documented: &[String]) -> Vec<(String, Instance)> {
    let mut seen: BTreeSet<String> = documented.iter().cloned().collect();
    entries.into_iter().filter(|(key, _)| seen.insert(key.clone())).collect()
}

fn vec<S: Strategy + 'static>(item: S, size: std::ops::Range<usize>) -> BoxedStrategy<Vec<S::Value>> {
    prop::collection::vec(item, size).boxed()
}

// ---------------------------------------------------------------------------
// Leaves: hard strings, number literals, date-times, any JSON

/// Characters that break naive readers and writers.
const HARD_CHARS: &[char] = &[
    '"',
    '\\',
    '/',
    '\u{0}',
    '\u{1}',
    '\u{8}',
    '\t',
    '\n',
    '\r',
    '\u{1b}',
    '\u{1f}',
    '\u{7f}',
    '\u{80}',
    '\u{9f}',
    '\u{a0}',
    '\u{ad}',
    '\u{2028}',
    '\u{2029}',
    '\u{200b}',
    '\u{200d}',
    '\u{202e}',
    '\u{feff}',
    '\u{fffd}',
    '\u{ffff}',
    'é',
    'ß',
    'İ',
    'ı',
    '中',
    '文',
    'ع',
    'ر',
    'ש',
    '\u{301}',
    '😀',
    '🇮',
    '🇩',
    '👩',
    '𝄞',
    '\u{10ffff}',
];

/// Strings: mostly plain, often with escapes, control characters and Unicode, sometimes very long.
pub fn hard_string() -> BoxedStrategy<String> {
    let hard_char = prop_oneof![2 => prop::sample::select(HARD_CHARS), 1 => any::<char>()];
    let short = prop_oneof![
        8 => "[a-zA-Z0-9 ._-]{0,24}",
        4 => prop::collection::vec(prop_oneof![1 => hard_char, 1 => prop::char::range('a', 'z')], 0..24)
            .prop_map(|chars| chars.into_iter().collect()),
        1 => prop::collection::vec(any::<char>(), 0..64).prop_map(|chars| chars.into_iter().collect()),
    ];
    let long = (1_000usize..20_000, prop::sample::select(HARD_CHARS)).prop_map(|(len, c)| {
        let mut text = "Selamat pagi, dunia! ".repeat(len / 21);
        text.push(c);
        text
    });
    prop_oneof![60 => short, 1 => long].boxed()
}

/// Keys for undocumented entries: mostly vendor-like, sometimes hard.
fn extra_key() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "x_[a-z_]{1,10}",
        1 => "[a-z]{1,6}(-[a-z]{1,6})?",
        1 => prop::collection::vec(prop_oneof![prop::sample::select(HARD_CHARS), prop::char::range('a', 'z')], 0..8)
            .prop_map(|chars| chars.into_iter().collect()),
    ]
    .boxed()
}

/// Integer literals: small, 32- and 64-bit, beyond 2^53, spelled `7.0` or `7e2`, and (when `huge`) beyond `u64`.
pub fn integer_literal(huge: bool) -> BoxedStrategy<String> {
    let common = prop_oneof![
        8 => (-1000i64..=1000).prop_map(|n| n.to_string()),
        3 => any::<u32>().prop_map(|n| n.to_string()),
        2 => any::<i64>().prop_map(|n| n.to_string()),
        2 => any::<u64>().prop_map(|n| n.to_string()),
        2 => ((1u64 << 53) + 1..u64::MAX).prop_map(|n| n.to_string()),
        1 => (-1000i64..=1000, 1usize..4).prop_map(|(n, zeros)| format!("{n}.{}", "0".repeat(zeros))),
        1 => (1u32..1000, 0u32..6, any::<bool>()).prop_map(|(n, e, upper)| format!("{n}{}{e}", if upper { "E" } else { "e" })),
        1 => Just("-0".to_string()),
    ];
    if huge {
        prop_oneof![16 => common, 1 => huge_integer()].boxed()
    } else {
        common.boxed()
    }
}

fn huge_integer() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::char::range('1', '9'), prop::collection::vec(prop::char::range('0', '9'), 19..40))
        .prop_map(|(negative, first, rest)| {
            let digits: String = std::iter::once(first).chain(rest).collect();
            if negative {
                format!("-{digits}")
            } else {
                digits
            }
        })
}

/// Number literals: every integer spelling, decimals (`6764.71`, `1.0`, `-0.0`) and exponents (`2.5e-7`, `1E+3`).
pub fn number_literal(huge: bool) -> BoxedStrategy<String> {
    let digits = |range: std::ops::Range<usize>| {
        prop::collection::vec(prop::char::range('0', '9'), range)
            .prop_map(|d| d.into_iter().collect::<String>())
    };
    let int_part = prop_oneof![3 => (0u32..10_000).prop_map(|n| n.to_string()), 1 => Just("0".to_string())];
    let decimal = (any::<bool>(), int_part.clone(), digits(1..8))
        .prop_map(|(negative, int, frac)| format!("{}{int}.{frac}", if negative { "-" } else { "" }));
    let exponent = (
        any::<bool>(),
        int_part,
        prop::option::of(digits(1..6)),
        prop::sample::select(vec!["e", "E", "e+", "E-", "e-"]),
        0u32..250,
    )
        .prop_map(|(negative, int, frac, marker, e)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{}{int}{frac}{marker}{e}", if negative { "-" } else { "" })
        });
    prop_oneof![
        3 => integer_literal(huge),
        4 => decimal,
        2 => exponent,
        1 => prop::sample::select(vec!["1.0", "6764.71", "-0.0", "0.1", "1e3", "0.30000000000000004", "1.7976931348623157e308", "5e-324"])
            .prop_map(String::from),
    ]
    .boxed()
}

/// RFC 3339 date-times (seconds always, fraction and offset varied), all matching zod's pattern.
pub fn date_time() -> BoxedStrategy<String> {
    let offset = prop_oneof![
        2 => Just("Z".to_string()),
        3 => (any::<bool>(), 0u32..24, prop::sample::select(vec![0u32, 30, 45, 59]))
            .prop_map(|(west, h, m)| format!("{}{h:02}:{m:02}", if west { '-' } else { '+' })),
    ];
    let fraction = prop::option::weighted(
        0.4,
        (1usize..10, any::<u64>()).prop_map(|(len, n)| {
            let digits = format!("{n:020}");
            digits[..len].to_string()
        }),
    );
    (0u32..10_000, 1u32..=12, 1u32..=31, 0u32..24, 0u32..60, 0u32..60, fraction, offset)
        .prop_map(|(year, month, day, hour, minute, second, fraction, offset)| {
            let day = day.min(days_in_month(year, month));
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{offset}")
        })
        .boxed()
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Any JSON value, up to two levels deep (undocumented fields, `*any*` fields).
pub fn any_value(options: Options) -> BoxedStrategy<Exact> {
    let leaf = prop_oneof![
        1 => Just(Exact::Null),
        1 => any::<bool>().prop_map(Exact::Bool),
        2 => number_literal(options.huge_integers).prop_map(Exact::Number),
        3 => hard_string().prop_map(Exact::String),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Exact::Array),
            prop::collection::vec((extra_key(), inner), 0..3).prop_map(|entries| {
                let mut seen = BTreeSet::new();
                Exact::Object(entries.into_iter().filter(|(k, _)| seen.insert(k.clone())).collect())
            }),
        ]
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(document: Value) -> Schema {
        Schema::compile("test", document).unwrap()
    }

    #[test]
    fn literals_are_json_numbers_of_their_kind() {
        let mut runner = seeded_runner(7);
        for _ in 0..500 {
            let integer = new_value(&integer_literal(true), &mut runner).unwrap();
            assert!(crate::models::runtime::is_number_literal(&integer), "{integer}");
            assert!(crate::models::runtime::is_integral(&integer), "{integer}");
            let number = new_value(&number_literal(false), &mut runner).unwrap();
            assert!(serde_json::from_str::<f64>(&number).is_ok(), "{number}");
            let date_time = new_value(&date_time(), &mut runner).unwrap();
            assert!(crate::models::runtime::is_zod_date_time(&date_time), "{date_time}");
        }
    }

    #[test]
    fn required_rules_name_the_missing_key() {
        let schema = schema(serde_json::json!({
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": ["string", "null"]}},
            "required": ["a"]
        }));
        let instance = new_value(
            &strategy(&schema, Options { full: true, huge_integers: false }).unwrap(),
            &mut seeded_runner(1),
        )
        .unwrap();
        let removal = instance.rules.iter().find(|r| r.id.kind == RuleKind::Required).unwrap();
        assert_eq!(removal.expect, Expected { pointer: "/a".into(), keyword: "required".into() });
        let kinds: BTreeSet<String> =
            instance.rules.iter().filter(|r| r.id.kind == RuleKind::Type).map(|r| r.id.to_string()).collect();
        assert!(kinds.contains("/properties/a: a value of type number"), "{kinds:?}");
        assert!(kinds.contains("/properties/b: a value of type integer"), "{kinds:?}");
        assert!(!kinds.iter().any(|k| k.starts_with("/properties/b: a value of type null")), "{kinds:?}");
    }

    #[test]
    fn strictness_reports_a_rule_the_schema_cannot_enforce() {
        // `x` is a union of an object that needs `a` and any object: removing `a` breaks nothing.
        let schema = schema(serde_json::json!({
            "type": "object",
            "properties": {"x": {"anyOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
                {"type": "object"}
            ]}},
            "required": ["x"]
        }));
        let full = strategy(&schema, Options { full: true, huge_integers: false }).unwrap();
        let mut strictness = Strictness::default();
        for seed in 0..16 {
            strictness.exercise(&schema, None, &new_value(&full, &mut seeded_runner(seed)).unwrap());
        }
        let accepted: Vec<String> = strictness
            .findings
            .values()
            .filter(|f| f.what == FindingKind::SchemaAccepts)
            .map(|f| f.rule.to_string())
            .collect();
        assert!(
            accepted.contains(&"/properties/x/anyOf/0: required key `a` removed".to_string()),
            "{accepted:?}"
        );
        assert!(accepted.contains(&"/properties/x/anyOf/0/properties/a: a value of type integer".to_string()));
        assert!(
            !strictness.exercised.is_empty() && universe(&schema).unwrap().is_subset(&strictness.exercised)
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_lines() {
        let schema = schema(serde_json::json!({"type": "object", "properties": {"s": {"type": "string"}}}));
        assert_eq!(sample(&schema, 5, 42).unwrap(), sample(&schema, 5, 42).unwrap());
        assert_ne!(sample(&schema, 5, 42).unwrap(), sample(&schema, 5, 43).unwrap());
    }
}

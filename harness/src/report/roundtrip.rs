//! The report's round-trip and strictness section: per provider, whether its
//! typed model reads and writes back every valid fixture without change, and
//! whether its schema enforces every rule it states, on instances generated
//! from fixed seeds (so the committed report stays reproducible).

use serde::Serialize;

use crate::{
    generate::{self, Options, Strictness},
    models,
    verdict::Schema,
};

/// Fixed seeds of the generated "full" instances the section is measured on.
pub const SEEDS: u64 = 4;

/// One provider's round-trip and strictness results.
#[derive(Debug, Clone, Serialize)]
pub struct RoundtripRow {
    pub provider: String,
    /// Whether a typed model exists for the provider.
    pub model: bool,
    /// Valid fixtures read and written back by the model.
    pub fixtures: usize,
    pub fixtures_lossless: usize,
    /// `fixture id: what changed`, for those that were not lossless.
    pub fixture_failures: Vec<String>,
    /// Generated instances (one per seed), how many validate, how many round-trip losslessly.
    pub generated: usize,
    pub generated_valid: usize,
    pub generated_lossless: usize,
    /// Rules the schema states (required keys, types, closed enums), and how many were exercised.
    pub rules: usize,
    pub rules_exercised: usize,
    /// Rules the schema (or the model) failed to enforce.
    pub findings: Vec<String>,
}

/// Measures one provider. `valid` holds (fixture id, body text) of its valid fixtures.
pub fn measure(schema: &Schema, valid: &[(String, String)]) -> RoundtripRow {
    let model = models::find(schema.provider());
    let mut row = RoundtripRow {
        provider: schema.provider().to_string(),
        model: model.is_some(),
        fixtures: 0,
        fixtures_lossless: 0,
        fixture_failures: Vec::new(),
        generated: 0,
        generated_valid: 0,
        generated_lossless: 0,
        rules: 0,
        rules_exercised: 0,
        findings: Vec::new(),
    };
    let Some(model) = model else { return row };
    for (id, text) in valid {
        row.fixtures += 1;
        match models::roundtrip_lossless(model, text) {
            Ok(_) => row.fixtures_lossless += 1,
            Err(err) => row.fixture_failures.push(format!("{id}: {err}")),
        }
    }
    let Ok(strategy) = generate::strategy(schema, Options { full: true, huge_integers: false }) else {
        row.findings.push("the generator cannot read this schema".to_string());
        return row;
    };
    let mut strictness = Strictness::default();
    for seed in 0..SEEDS {
        let mut runner = generate::seeded_runner(seed);
        let Ok(tree) = proptest::strategy::Strategy::new_tree(&strategy, &mut runner) else { continue };
        let instance = proptest::strategy::ValueTree::current(&tree);
        row.generated += 1;
        let text = instance.value.to_text();
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
            if schema.check(&value).violations.is_empty() {
                row.generated_valid += 1;
            }
        }
        if models::roundtrip_lossless(model, &text).is_ok() {
            row.generated_lossless += 1;
        }
        strictness.exercise_new(schema, Some(model), &instance);
    }
    row.rules = generate::universe(schema).map_or(0, |rules| rules.len());
    row.rules_exercised = strictness.exercised.len();
    row.findings = strictness
        .findings
        .values()
        .map(|f| f.to_string().lines().next().unwrap_or("").to_string())
        .collect();
    row
}

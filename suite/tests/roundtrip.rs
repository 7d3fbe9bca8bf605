//! The round-trip suite: for every provider, generated instances validate
//! (generator soundness), JSON → typed model → JSON is lossless (generated
//! instances and every valid fixture), the model and the schema agree on what is
//! undocumented, and the schema rejects every broken variant (strictness); plus
//! the models' drift check, snapshots and `chatcompat sample`'s stability.
//!
//! One libtest-mimic trial per provider and property (`roundtrip/openai/lossless`),
//! so `cargo test -p chatcompat-suite --test roundtrip -- openai` runs one provider.
//! All logic is in the library (`chatcompat::generate`, `chatcompat::models`);
//! this file runs it under proptest and turns the answers into trials.
//!
//! With `CHATCOMPAT_FIXTURES` set (a user's own captures), it runs nothing.
//!
//! `PROPTEST_CASES=N` sets the cases per provider and property (default 64).
//! A failing case shrinks, and its seed is appended to
//! `suite/proptest-regressions/roundtrip/<provider>-<property>.txt`: commit it,
//! and it runs first, forever after.

#![expect(clippy::print_stdout, reason = "a trial may print what it found")]

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
    sync::Arc,
};

use chatcompat::{
    catalog::Catalog,
    generate::{self, FindingKind, Instance, Options, Strictness},
    models::{self, exact::Exact, Model},
    Schema,
};
use libtest_mimic::{Arguments, Failed, Trial};
use proptest::{
    strategy::{BoxedStrategy, Strategy, ValueTree},
    test_runner::{Config, FileFailurePersistence, TestCaseError, TestError, TestRunner},
};

/// Cases per provider and property unless `PROPTEST_CASES` says otherwise.
const DEFAULT_CASES: u32 = 64;
/// Full instances (every optional key, every union member) per provider for strictness.
const FULL_CASES: u64 = 8;

fn main() {
    let args = Arguments::from_args();
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut trials = Vec::new();
    // Pointed at a user's own captures (`CHATCOMPAT_FIXTURES`), `cargo test` runs their trials
    // (tests/corpus.rs); the round trips are about this repository's models, not their captures.
    if std::env::var_os("CHATCOMPAT_FIXTURES").is_some() {
        libtest_mimic::run(&args, trials).exit();
    }
    let catalog = match Catalog::discover(&workspace) {
        Ok(catalog) => catalog,
        Err(err) => {
            let message = err.to_string();
            trials.push(Trial::test("roundtrip/catalog", move || Err(message.into())));
            libtest_mimic::run(&args, trials).exit();
        }
    };
    trials.push(drift_trial(catalog.clone()));
    trials.push(every_provider_has_a_model(catalog.clone()));
    for provider in &catalog.providers {
        let id = provider.id.clone();
        let schema = match catalog.load_schema(provider) {
            Ok(schema) => Arc::new(schema),
            Err(err) => {
                let message = err.to_string();
                trials.push(Trial::test(format!("roundtrip/{id}/schema"), move || Err(message.into())));
                continue;
            }
        };
        let Some(model) = models::find(&id) else { continue };
        let fixtures = valid_fixtures(&workspace.join("fixtures").join(&id));
        trials.push(property(&id, "valid", &schema, move |schema, instance| {
            generated_validates(schema, instance)
        }));
        trials.push(property(&id, "lossless", &schema, move |_, instance| lossless(model, instance)));
        trials.push(property(&id, "undocumented", &schema, move |schema, instance| {
            undocumented_agree(schema, model, &instance.value.to_text())
        }));
        trials.push(fixtures_trial(&id, schema.clone(), model, fixtures));
        trials.push(strictness_trial(&id, schema.clone(), model));
        trials.push(snapshot_trial(&id, schema.clone(), model, workspace.join("fixtures").join(&id)));
        trials.push(sample_trial(&id, schema));
    }
    libtest_mimic::run(&args, trials).exit();
}

// ---------------------------------------------------------------------------
// Properties over generated instances

type Property = dyn Fn(&Schema, &Instance) -> Result<(), String> + Send + Sync;

/// A proptest property over `schema`'s generated instances, as the trial `roundtrip/<id>/<name>`.
fn property(
    id: &str,
    name: &'static str,
    schema: &Arc<Schema>,
    check: impl Fn(&Schema, &Instance) -> Result<(), String> + Send + Sync + 'static,
) -> Trial {
    let schema = schema.clone();
    let check: Box<Property> = Box::new(check);
    let regressions = format!("proptest-regressions/roundtrip/{id}-{name}.txt");
    Trial::test(format!("roundtrip/{id}/{name}"), move || {
        let strategy = generate::strategy(&schema, Options::default()).map_err(|err| err.to_string())?;
        run_cases(&strategy, &regressions, |instance| check(&schema, &instance))
    })
}

/// Runs a property under proptest: cases from `PROPTEST_CASES`, failures shrunk and persisted.
fn run_cases(
    strategy: &BoxedStrategy<Instance>,
    regressions: &str,
    check: impl Fn(Instance) -> Result<(), String>,
) -> Result<(), Failed> {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(DEFAULT_CASES);
    let mut config = Config { cases, ..Config::default() };
    // `Config::default()` already honours PROPTEST_DISABLE_FAILURE_PERSISTENCE.
    if config.failure_persistence.is_some() {
        let persistence: &'static str = Box::leak(regressions.to_string().into_boxed_str());
        config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(persistence)));
    }
    let mut runner = TestRunner::new(config);
    match runner.run(strategy, |instance| check(instance).map_err(TestCaseError::fail)) {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, instance)) => Err(format!(
            "{reason}\n  minimal failing instance: {}\n  (its seed is saved in suite/{regressions}: commit it)",
            instance.value
        )
        .into()),
        Err(TestError::Abort(reason)) => Err(format!("aborted: {reason}").into()),
    }
}

/// Property 1: every generated instance validates against the schema it was generated from.
fn generated_validates(schema: &Schema, instance: &Instance) -> Result<(), String> {
    let value = instance.value.to_value().map_err(|err| format!("not JSON: {err}"))?;
    let checked = schema.check(&value);
    if checked.violations.is_empty() {
        return Ok(());
    }
    let violations: Vec<String> = checked.violations.iter().map(|v| format!("  {v}")).collect();
    Err(format!("a generated instance violates its own schema:\n{}", violations.join("\n")))
}

/// Property 2: JSON → typed model → JSON changes nothing.
fn lossless(model: &Model, instance: &Instance) -> Result<(), String> {
    models::roundtrip_lossless(model, &instance.value.to_text()).map(|_| ()).map_err(|err| err.to_string())
}

/// The model's undocumented keys are the schema's extensions.
fn undocumented_agree(schema: &Schema, model: &Model, text: &str) -> Result<(), String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?;
    let from_schema: BTreeSet<String> = schema.check(&value).extensions.into_iter().collect();
    let from_model: BTreeSet<String> = model
        .undocumented(text)
        .map_err(|err| format!("the model cannot read it: {err}"))?
        .into_iter()
        .collect();
    if from_schema == from_model {
        return Ok(());
    }
    Err(format!(
        "the model and the schema disagree on undocumented keys:\n  only the schema: {:?}\n  only the model: {:?}",
        from_schema.difference(&from_model).collect::<Vec<_>>(),
        from_model.difference(&from_schema).collect::<Vec<_>>()
    ))
}

// ---------------------------------------------------------------------------
// The corpus through the models

fn valid_fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("valid"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// Property 2 over the corpus: every valid fixture survives the round trip, and the
/// model and the schema agree on its undocumented keys.
fn fixtures_trial(id: &str, schema: Arc<Schema>, model: &'static Model, fixtures: Vec<PathBuf>) -> Trial {
    Trial::test(format!("roundtrip/{id}/fixtures"), move || {
        let mut problems = Vec::new();
        for path in &fixtures {
            let Ok(text) = fs::read_to_string(path) else { continue };
            // Bad input (not JSON, a BOM, ...) is the corpus trial's business, not the model's.
            let Ok(value) = chatcompat::json::parse_str(&text) else { continue };
            if !schema.check(&value).violations.is_empty() {
                continue; // an invalid "valid" fixture fails its own corpus trial
            }
            if let Err(err) = models::roundtrip_lossless(model, &text) {
                problems.push(format!("{}: {err}", path.display()));
            }
            if let Err(err) = undocumented_agree(&schema, model, &text) {
                problems.push(format!("{}: {err}", path.display()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

// ---------------------------------------------------------------------------
// Property 3: strictness

/// Findings a provider's schema is known to have, each with its reason; a known
/// finding that no longer shows fails the trial too, so this list cannot rot.
const KNOWN_FINDINGS: &[(&str, &str, &str)] = &[];

/// Rules applied per random instance (every rule of the schema is reached by the full instances).
const RULES_PER_CASE: usize = 16;

fn picks() -> BoxedStrategy<Vec<proptest::sample::Index>> {
    proptest::collection::vec(proptest::arbitrary::any::<proptest::sample::Index>(), RULES_PER_CASE).boxed()
}

fn strictness_trial(id: &str, schema: Arc<Schema>, model: &'static Model) -> Trial {
    let regressions = format!("proptest-regressions/roundtrip/{id}-strictness.txt");
    let id = id.to_string();
    Trial::test(format!("roundtrip/{id}/strictness"), move || {
        let known: Vec<&(&str, &str, &str)> = KNOWN_FINDINGS.iter().filter(|(p, _, _)| *p == id).collect();
        let is_known = |rule: &str| known.iter().any(|(_, r, _)| *r == rule);
        // Random instances under proptest, a few of each one's rules (chosen by the case's
        // seed): a finding that is not known fails and shrinks.
        let random =
            (generate::strategy(&schema, Options::default()).map_err(|err| err.to_string())?, picks())
                .prop_map(|(mut instance, picks)| {
                    if !instance.rules.is_empty() {
                        let all = std::mem::take(&mut instance.rules);
                        instance.rules =
                            picks.iter().map(|pick| all[pick.index(all.len())].clone()).collect();
                    }
                    instance
                })
                .boxed();
        run_cases(&random, &regressions, |instance| {
            let mut strictness = Strictness::default();
            strictness.exercise(&schema, Some(model), &instance);
            let new: Vec<String> = strictness
                .findings
                .values()
                .filter(|finding| !is_known(&finding.rule.to_string()))
                .map(|finding| format!("  {finding}"))
                .collect();
            if new.is_empty() {
                Ok(())
            } else {
                Err(format!("the schema does not enforce:\n{}", new.join("\n")))
            }
        })?;
        // Full instances from fixed seeds: every rule of the schema must be exercised.
        let full = generate::strategy(&schema, Options { full: true, huge_integers: true })
            .map_err(|err| err.to_string())?;
        let mut strictness = Strictness::default();
        for seed in 0..FULL_CASES {
            let mut runner = generate::seeded_runner(seed);
            let instance = full.new_tree(&mut runner).map_err(|err| err.to_string())?.current();
            strictness.exercise_new(&schema, Some(model), &instance);
        }
        let mut problems = Vec::new();
        for finding in strictness.findings.values() {
            let kind = match finding.what {
                FindingKind::SchemaAccepts => "accepted",
                FindingKind::Misattributed { .. } => "misattributed",
                FindingKind::ModelAccepts => "model accepts",
            };
            if !is_known(&finding.rule.to_string()) {
                problems.push(format!("  {kind}: {finding}"));
            }
        }
        let universe = generate::universe(&schema).map_err(|err| err.to_string())?;
        let missed: Vec<String> = universe
            .difference(&strictness.exercised)
            .map(|rule| format!("  never exercised: {rule}"))
            .collect();
        problems.extend(missed);
        for (_, rule, reason) in &known {
            if !strictness.findings.values().any(|f| f.rule.to_string() == *rule) {
                problems.push(format!(
                    "  known finding no longer found (remove it from KNOWN_FINDINGS): {rule} ({reason})"
                ));
            }
        }
        println!(
            "{id}: {} rules, {} exercised, {} finding(s) ({} known)",
            universe.len(),
            strictness.exercised.len(),
            strictness.findings.len(),
            known.len()
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("strictness of {id}'s schema:\n{}", problems.join("\n")).into())
        }
    })
}

// ---------------------------------------------------------------------------
// Snapshots and samples

/// The docs example through the model, and one generated instance at a fixed seed, as reviewed snapshots.
fn snapshot_trial(id: &str, schema: Arc<Schema>, model: &'static Model, fixtures: PathBuf) -> Trial {
    let id = id.to_string();
    Trial::test(format!("roundtrip/{id}/snapshots"), move || {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        // A provider without a docs example (openai-compatible is a core, not an API) has the sample only.
        let docs_through_model = match fs::read_to_string(fixtures.join("valid/docs-example.json")) {
            Ok(docs) => Some(model.roundtrip_pretty(&docs).map_err(|err| err.to_string())?),
            Err(_) => None,
        };
        let sample = generate::sample(&schema, 1, 0).map_err(|err| err.to_string())?.remove(0);
        let sample_through_model = model.roundtrip_pretty(&sample).map_err(|err| err.to_string())?;
        settings.bind(|| {
            if let Some(docs_through_model) = docs_through_model {
                insta::assert_snapshot!(format!("roundtrip__{id}__docs-example"), docs_through_model);
            }
            insta::assert_snapshot!(format!("roundtrip__{id}__sample-seed-0"), sample_through_model);
        });
        Ok(())
    })
}

/// `chatcompat sample` is byte-for-byte stable for a seed, every line validates,
/// and every `--invalid` line causes the violation it promises.
fn sample_trial(id: &str, schema: Arc<Schema>) -> Trial {
    let id = id.to_string();
    Trial::test(format!("roundtrip/{id}/sample"), move || {
        let first = generate::sample(&schema, 8, 2024).map_err(|err| err.to_string())?;
        let again = generate::sample(&schema, 8, 2024).map_err(|err| err.to_string())?;
        if first != again {
            return Err("two runs with seed 2024 wrote different lines".into());
        }
        let mut problems = Vec::new();
        for (i, line) in first.iter().enumerate() {
            let value = chatcompat::json::parse_str(line).map_err(|err| format!("line {}: {err}", i + 1))?;
            let checked = chatcompat::check(&id, &value).map_err(|err| err.to_string())?;
            problems.extend(checked.violations.iter().map(|v| format!("line {}: {v}", i + 1)));
        }
        let invalid = generate::sample_invalid(&schema, 8, 2024).map_err(|err| err.to_string())?;
        if invalid != generate::sample_invalid(&schema, 8, 2024).map_err(|err| err.to_string())? {
            return Err("two runs of --invalid with seed 2024 wrote different lines".into());
        }
        for (i, line) in invalid.iter().enumerate() {
            let record = Exact::parse(line).map_err(|err| format!("invalid line {}: {err}", i + 1))?;
            let instance =
                record.pointer("/instance").ok_or("no instance")?.to_value().map_err(|e| e.to_string())?;
            let pointer = record.pointer("/expect/0/pointer").ok_or("no expected pointer")?;
            let keyword = record.pointer("/expect/0/keyword").ok_or("no expected keyword")?;
            let checked = chatcompat::check(&id, &instance).map_err(|err| err.to_string())?;
            let found = checked.violations.iter().any(|v| {
                Exact::String(v.pointer.clone()) == *pointer && Exact::String(v.keyword.clone()) == *keyword
            });
            if !found {
                problems.push(format!(
                    "invalid line {}: expected {pointer} {keyword}, found {:?}",
                    i + 1,
                    checked.violations
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

// ---------------------------------------------------------------------------
// The models themselves

/// The committed models equal a fresh generation from the tables.
fn drift_trial(catalog: Catalog) -> Trial {
    Trial::test("models/drift", move || {
        let stale = models::codegen::check(&catalog).map_err(|err| err.to_string())?;
        if stale.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = stale
            .iter()
            .map(|(path, first)| {
                format!(
                    "{}: differs from a fresh generation ({first}); run `cargo run -p chatcompat -- models` and commit it",
                    path.display()
                )
            })
            .collect();
        Err(lines.join("\n").into())
    })
}

/// Every provider has a model and every model a provider.
fn every_provider_has_a_model(catalog: Catalog) -> Trial {
    Trial::test("models/providers", move || {
        let providers: BTreeSet<String> = catalog.ids().into_iter().collect();
        let modelled: BTreeSet<String> = models::MODELS.iter().map(|m| m.provider.to_string()).collect();
        if providers == modelled {
            return Ok(());
        }
        Err(format!(
            "providers without a model: {:?}; models without a provider: {:?}; run `cargo run -p chatcompat -- models`",
            providers.difference(&modelled).collect::<Vec<_>>(),
            modelled.difference(&providers).collect::<Vec<_>>()
        )
        .into())
    })
}

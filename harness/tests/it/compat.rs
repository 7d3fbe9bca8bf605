//! Documented compatibility (`chatcompat::compat`, `chatcompat compat A B`): every
//! witness of every shipped pair is proved again here by running both schemas,
//! generated responses of A never break B anywhere the walk did not report, and
//! the command's output, formats and exit codes.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use chatcompat::{
    catalog::SchemaKind,
    compat::{self, Comparison, Kind},
    generate::{self, Options},
    report::pattern,
    Catalog, Schema,
};
use proptest::test_runner::{Config, TestRunner};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn catalog() -> Catalog {
    Catalog::discover(&workspace()).unwrap()
}

/// `chatcompat ARGS`: exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .arg("--workspace")
        .arg(workspace())
        .args(args)
        .output()
        .expect("the chatcompat binary runs");
    (
        output.status.code().expect("exited"),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Every ordered pair of providers and kind of schema both have: (A, B, kind, A's schema, B's schema).
fn schema_pairs(catalog: &Catalog) -> Vec<(String, String, SchemaKind, Schema, Schema)> {
    let mut out = Vec::new();
    for a in &catalog.providers {
        for b in &catalog.providers {
            for kind in a.schema_kinds() {
                if a.id == b.id || !b.schema_kinds().contains(&kind) {
                    continue;
                }
                let a_schema = catalog.load_schema_kind(a, kind).unwrap();
                let b_schema = catalog.load_schema_kind(b, kind).unwrap();
                out.push((a.id.clone(), b.id.clone(), kind, a_schema, b_schema));
            }
        }
    }
    out
}

/// A accepts the witness; B reports the stated keyword at the stated pointer, and exactly what the witness records.
fn assert_proved(label: &str, a: &Schema, b: &Schema, comparison: &Comparison) {
    assert!(
        comparison.unconfirmed.is_empty(),
        "{label}: unconfirmed candidates: {:#?}",
        comparison.unconfirmed
    );
    for found in &comparison.incompatibilities {
        let witness = &found.witness;
        let at = format!("{label}: {} [{}]", found.path, found.kind);
        let by_a = a.check(&witness.response);
        assert!(by_a.violations.is_empty(), "{at}: A rejects its witness: {:?}", by_a.violations);
        let by_b = b.check(&witness.response);
        assert!(
            by_b.violations.iter().any(|v| v.pointer == witness.pointer && v.keyword == witness.keyword),
            "{at}: B does not report `{}` at {}: {:?}",
            witness.keyword,
            witness.pointer,
            by_b.violations
        );
        assert_eq!(by_b.violations, witness.violations, "{at}");
        if matches!(found.kind, Kind::Enum | Kind::Union) && found.witness.keyword == "enum" {
            assert!(!found.values.is_empty(), "{at}: names no value");
        }
    }
}

#[test]
fn every_witness_of_every_shipped_pair_is_proved_by_both_schemas() {
    let catalog = catalog();
    let mut witnesses = 0;
    let mut alone = 0;
    for (a_id, b_id, kind, a, b) in schema_pairs(&catalog) {
        let comparison = compat::compare(&a, &b).unwrap();
        assert_proved(&format!("{a_id} → {b_id} ({kind:?})"), &a, &b, &comparison);
        witnesses += comparison.incompatibilities.len();
        alone += comparison.incompatibilities.iter().filter(|i| i.witness.violations.len() == 1).count();
    }
    assert!(witnesses > 100, "{witnesses} witnesses only");
    // Witnesses are shaped to suit B everywhere else: nearly all of them break B for their one reason alone.
    assert!(alone * 10 >= witnesses * 9, "{alone} of {witnesses} witnesses have a single error");
}

#[test]
fn every_provider_is_compatible_with_itself() {
    let catalog = catalog();
    for provider in &catalog.providers {
        for kind in provider.schema_kinds() {
            let schema = catalog.load_schema_kind(provider, kind).unwrap();
            let comparison = compat::compare(&schema, &schema).unwrap();
            assert!(
                comparison.compatible(),
                "{} ({kind:?}): {:#?}",
                provider.id,
                comparison.incompatibilities
            );
        }
    }
}

/// One B to check A's generated responses against: its id, its schema, the
/// (pointer pattern, keyword) of every reported incompatibility, and their summary.
type Against<'a> = (&'a str, &'a Schema, Vec<(String, String)>, String);

/// Generated responses of A (proptest, from A's schema) against every B: every
/// error B reports, outside the fields A does not document, is one the walk
/// reported (by pointer pattern and keyword), and a pair compatible by contract has none.
#[test]
fn generated_responses_of_a_break_b_only_where_reported() {
    let catalog = catalog();
    let cases: u32 = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(32);
    let pairs = schema_pairs(&catalog);
    let mut compatible_pairs = 0;
    for a in &catalog.providers {
        for kind in a.schema_kinds() {
            let a_schema = catalog.load_schema_kind(a, kind).unwrap();
            // (B, what the walk reported) for every B with this kind of schema.
            let against: Vec<Against<'_>> = pairs
                .iter()
                .filter(|(from, _, k, _, _)| *from == a.id && *k == kind)
                .map(|(_, to, _, _, b_schema)| {
                    let comparison = compat::compare(&a_schema, b_schema).unwrap();
                    let reported = comparison
                        .incompatibilities
                        .iter()
                        .map(|i| (pattern(&i.witness.pointer), i.witness.keyword.clone()))
                        .collect();
                    (to.as_str(), b_schema, reported, compat::summary(&comparison))
                })
                .collect();
            compatible_pairs += against.iter().filter(|(_, _, reported, _)| reported.is_empty()).count();
            let strategy =
                generate::strategy(&a_schema, Options { full: false, huge_integers: false }).unwrap();
            let mut runner =
                TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
            let result = runner.run(&strategy, |instance| {
                let Ok(value) = instance.value.to_value() else { return Ok(()) };
                let by_a = a_schema.check(&value);
                proptest::prop_assert!(by_a.violations.is_empty(), "A rejects its own instance");
                for (b_id, b_schema, reported, summary) in &against {
                    for violation in b_schema.check(&value).violations {
                        // Under a field A does not document, A promised nothing: not a contract difference.
                        let undocumented = by_a.extensions.iter().any(|e| {
                            violation.pointer == *e || violation.pointer.starts_with(&format!("{e}/"))
                        });
                        let key = (pattern(&violation.pointer), violation.keyword.clone());
                        proptest::prop_assert!(
                            undocumented || reported.contains(&key),
                            "{} → {b_id} ({kind:?}): B reports `{}` at {} and no incompatibility says so ({summary})",
                            a.id,
                            violation.keyword,
                            violation.pointer,
                        );
                    }
                }
                Ok(())
            });
            if let Err(failure) = result {
                panic!("{failure}");
            }
        }
    }
    assert!(compatible_pairs >= 2, "openai and openai-compatible read each other: {compatible_pairs}");
}

#[test]
fn compat_openrouter_openai_lists_each_incompatibility_with_a_proved_witness() {
    let (code, human, stderr) = run(&["compat", "openrouter", "openai"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, json, _) = run(&["compat", "openrouter", "openai", "--format", "json"]);
    assert_eq!(code, 1);
    let pair: serde_json::Value = serde_json::from_str(&json).unwrap();
    let catalog = catalog();
    let (a, b) = (catalog.provider("openrouter").unwrap(), catalog.provider("openai").unwrap());
    let mut listed = 0;
    for (key, kind) in [("response", SchemaKind::Response), ("chunk", SchemaKind::Chunk)] {
        let a_schema = catalog.load_schema_kind(a, kind).unwrap();
        let b_schema = catalog.load_schema_kind(b, kind).unwrap();
        let list = pair[key]["incompatibilities"].as_array().unwrap();
        assert!(!list.is_empty(), "{key}");
        assert_eq!(pair[key]["unconfirmed"], serde_json::json!([]));
        for found in list {
            let witness = &found["witness"];
            assert!(a_schema.check(&witness["response"]).violations.is_empty(), "{found}");
            let by_b = b_schema.check(&witness["response"]);
            assert!(
                by_b.violations
                    .iter()
                    .any(|v| v.pointer == witness["pointer"] && v.keyword == witness["keyword"]),
                "{found}"
            );
            // The human output shows the same finding and the same witness.
            let path = found["path"].as_str().unwrap();
            assert!(human.contains(&format!("{path} [{}]", found["kind"].as_str().unwrap())), "{path}");
            assert!(human.contains(&witness["response"].to_string()), "{path}");
            listed += 1;
        }
    }
    assert_eq!(human.matches("'s schema accepts it;").count(), listed);
    // The finding issue 16 names: OpenRouter's `error` finish reason, outside OpenAI's closed enum.
    assert!(human.contains("values openai rejects: \"error\""), "{human}");
}

#[test]
fn compat_exit_codes() {
    let (code, out, _) = run(&["compat", "openai", "openai-compatible"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("responses: compatible by contract"), "{out}");
    let (code, out, _) = run(&["compat", "openai", "nusantaraai"]);
    assert_eq!(code, 1);
    assert!(out.contains("chunks: n/a (nusantaraai documents no streamed chunks)"), "{out}");
    let (code, _, err) = run(&["compat", "openai", "nobody"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown provider `nobody`"), "{err}");
    let (code, _, _) = run(&["compat", "openai"]);
    assert_eq!(code, 2);
}

#[test]
fn compat_output_for_mistral_gcp_read_by_atoma() {
    let (code, out, _) = run(&["compat", "mistral-gcp", "atoma"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("compat-mistral-gcp-atoma", out);
}

//! Every class of bad input fails its own fixture with file, line and column, and nothing else is lost.
//! The bad files live in `tests/data/bad-corpus/`, outside the shipped corpus.

use std::path::{Path, PathBuf};

use chatcompat::{corpus, Catalog};
use rstest::rstest;

fn bad_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad-corpus")
}

fn schemas() -> Vec<chatcompat::Schema> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Catalog::discover(&workspace).unwrap().load_schemas().unwrap()
}

/// The message of the trial for fixture `id`, which must fail.
fn failure(id: &str) -> String {
    let found = corpus::discover(&bad_corpus());
    let fixture = found.fixtures.iter().find(|f| f.id() == id).unwrap_or_else(|| panic!("no fixture {id}"));
    let schemas = schemas();
    let schema = schemas.iter().find(|s| s.provider() == fixture.provider);
    corpus::evaluate(fixture, schema).expect_err("bad input must fail its trial").to_string()
}

#[rstest]
#[case::not_json("openrouter/valid/not-json", "not-json.json:2:10: not JSON: expected ident")]
#[case::trailing_garbage(
    "openrouter/valid/trailing-garbage",
    "trailing-garbage.json:8:1: trailing characters"
)]
#[case::empty("openrouter/valid/empty", "empty.json:1:1: empty input")]
#[case::bom("openrouter/valid/byte-order-mark", "byte-order-mark.json:1:1: UTF-8 byte order mark")]
#[case::invalid_utf8("openrouter/valid/invalid-utf8", "invalid-utf8.json:2:14: invalid UTF-8")]
#[case::duplicate_key("openrouter/valid/duplicate-key", "duplicate-key.json:6:3: duplicate key `model`")]
#[case::too_deep(
    "openrouter/valid/too-deep",
    "too-deep.json:1:148: nesting deeper than 127 levels (the 128th opening bracket is refused)"
)]
#[case::beyond_f64(
    "openrouter/valid/number-beyond-f64",
    "number-beyond-f64.json:4:14: number `1e400` is out of range"
)]
#[case::utf16(
    "openrouter/valid/utf-16",
    "utf-16.json:1:1: UTF-16 text (little-endian, with a byte order mark): JSON text must be UTF-8"
)]
#[case::utf16_without_bom(
    "openrouter/valid/utf-16-without-bom",
    "utf-16-without-bom.json:1:1: UTF-16 text (big-endian, without a byte order mark)"
)]
#[case::form_feed(
    "openrouter/valid/form-feed",
    "form-feed.json:1:1: U+000C (form feed) is whitespace that JSON does not allow (only space, tab, LF and CR are): not JSON"
)]
#[case::no_schema("nosuchprovider/valid/no-schema", "no schema for provider `nosuchprovider`")]
#[case::missing_sidecar("openrouter/valid/missing-sidecar", "missing sidecar: add")]
#[case::malformed_sidecar(
    "openrouter/valid/malformed-sidecar",
    "malformed-sidecar.toml:1:28: malformed sidecar: invalid basic string"
)]
#[case::no_expectations(
    "openrouter/invalid/no-expectations",
    "an invalid fixture must list the errors it produces"
)]
#[case::violation_with_position(
    "openrouter/valid/violates-with-position",
    "violates-with-position.json:4:14: /created: type: expected number, found \"yesterday\" (unexpected)\n4 |   \"created\": \"yesterday\",\n  |              ^"
)]
fn each_bad_input_class_fails_with_its_place(#[case] id: &str, #[case] expected: &str) {
    let message = failure(id);
    assert!(message.contains(expected), "{id}:\n{message}\n---\nexpected to contain:\n{expected}");
}

/// Read as the SDKs read them: an integer beyond u64 (a Python int, the nearest
/// double in JavaScript) and a lone surrogate escape (a cut emoji) are not bad input.
#[rstest]
#[case::beyond_u64("openrouter/valid/integer-beyond-u64")]
#[case::lone_surrogate("openrouter/valid/lone-surrogate")]
fn inputs_the_sdks_read_pass(#[case] id: &str) {
    let found = corpus::discover(&bad_corpus());
    let fixture = found.fixtures.iter().find(|f| f.id() == id).unwrap_or_else(|| panic!("no fixture {id}"));
    let schemas = schemas();
    let schema = schemas.iter().find(|s| s.provider() == fixture.provider);
    if let Err(err) = corpus::evaluate(fixture, schema) {
        panic!("{id}: {err}");
    }
}

#[test]
fn files_outside_valid_and_invalid_are_reported_not_lost() {
    let found = corpus::discover(&bad_corpus());
    let misplaced: Vec<String> = found
        .misplaced
        .iter()
        .map(|m| m.path.strip_prefix(bad_corpus()).unwrap().display().to_string())
        .collect();
    assert!(misplaced.contains(&"openrouter/stray.json".to_string()), "{misplaced:?}");
    assert!(misplaced.contains(&"openrouter/other/elsewhere.json".to_string()), "{misplaced:?}");
    // Every body placed correctly is still a fixture, whatever is wrong with it.
    assert_eq!(found.fixtures.len(), 18);
}

#[test]
fn lint_reports_every_problem_with_its_fix() {
    let found = corpus::discover(&bad_corpus());
    let problems = chatcompat::lint::lint(&found, &["openrouter".to_string()]);
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for fragment in [
        "stray.json: outside `<provider>/valid/`",
        "no-schema.json: provider `nosuchprovider` has no schema",
        "missing-sidecar.json: missing sidecar",
        "no-expectations.toml: invalid fixture without expected errors",
        "duplicate-key.json: ",
        "empty.json: ",
    ] {
        assert!(
            text.iter().any(|t| t.contains(fragment)),
            "no lint problem contains {fragment:?}: {text:#?}"
        );
    }
    assert!(text.iter().all(|t| t.ends_with("(see CONTRIBUTING.md)")));
}

/// What a provider's CI does: a copy of one provider folder, one body broken,
/// run as `CHATCOMPAT_FIXTURES` would run it: exactly that fixture fails, with its place.
#[test]
fn a_copied_corpus_with_one_broken_body_fails_only_that_fixture() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/mistral-gcp/valid");
    let copy = tempfile::tempdir().unwrap();
    let valid = copy.path().join("mistral-gcp/valid");
    std::fs::create_dir_all(&valid).unwrap();
    for name in ["docs-example.json", "docs-example.toml"] {
        std::fs::copy(shipped.join(name), valid.join(name)).unwrap();
    }
    let body = std::fs::read_to_string(shipped.join("docs-example.json")).unwrap();
    std::fs::write(
        valid.join("broken.json"),
        body.replace("\"created\": 1702256327", "\"created\": \"1702256327\""),
    )
    .unwrap();
    std::fs::copy(shipped.join("docs-example.toml"), valid.join("broken.toml")).unwrap();

    let found = corpus::discover(copy.path());
    let results = corpus::run_all(&found, &schemas());
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(fixture, outcome)| outcome.as_ref().err().map(|err| format!("{} {err}", fixture.id())))
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(failed[0].starts_with("mistral-gcp/valid/broken "), "{failed:#?}");
    assert!(failed[0].contains("broken.json:10:14: /created: type: expected integer"), "{failed:#?}");
}

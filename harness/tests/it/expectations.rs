//! Living in an SDK's CI: `check --expectations`, `--update-expectations`,
//! `--coverage` and `observe`, run as a user runs them (the built binary, a temp corpus).

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

fn chatcompat(dir: &Path, args: &[&str]) -> Output {
    let workspace = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .arg("--workspace")
        .arg(workspace)
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A corpus of three OpenAI responses, two of which deviate.
fn corpus() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let responses = dir.path().join("captured");
    std::fs::create_dir_all(&responses).unwrap();
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/openai/valid/docs-example.json"
    ))
    .unwrap();
    std::fs::write(responses.join("ok.json"), &body).unwrap();
    std::fs::write(
        responses.join("tier.json"),
        body.replace("\"service_tier\": \"default\"", "\"service_tier\": \"on_demand\""),
    )
    .unwrap();
    std::fs::write(responses.join("no-model.json"), body.replace("\"model\": \"gpt-4.1-2025-04-14\",", ""))
        .unwrap();
    (dir, responses)
}

const TWO_ENTRIES: &str = r#"
[[expect]]
fixtures = "captured/tier.json"
pointer = "/service_tier"
keyword = "enum"
reason = "the gateway names its own tier"
link = "https://example.invalid/1"

[[expect]]
fixtures = "captured/no-model.json"
reason = "the proxy drops model"
"#;

#[test]
fn two_known_violations_pass_with_two_entries_and_a_fixed_one_turns_stale() {
    let (dir, responses) = corpus();
    std::fs::write(dir.path().join("waivers.toml"), TWO_ENTRIES).unwrap();
    let without = chatcompat(dir.path(), &["check", "-p", "openai", "captured"]);
    assert_eq!(without.status.code(), Some(1), "{}", text(&without));

    let with =
        chatcompat(dir.path(), &["check", "-p", "openai", "captured", "--expectations", "waivers.toml"]);
    assert_eq!(with.status.code(), Some(0), "{}", text(&with));
    assert_eq!(text(&with).matches("expected failure: ").count(), 2, "{}", text(&with));

    let junit = chatcompat(
        dir.path(),
        &["check", "-p", "openai", "captured", "--expectations", "waivers.toml", "--format", "junit"],
    );
    assert!(text(&junit).contains("skipped=\"2\""), "{}", text(&junit));

    // The proxy is fixed: the entry that waived it must fail the run, by name.
    std::fs::copy(responses.join("ok.json"), responses.join("no-model.json")).unwrap();
    let stale =
        chatcompat(dir.path(), &["check", "-p", "openai", "captured", "--expectations", "waivers.toml"]);
    assert_eq!(stale.status.code(), Some(1), "{}", text(&stale));
    assert!(
        text(&stale).contains("waivers.toml:9: entry waives an error that no longer happens"),
        "{}",
        text(&stale)
    );
    assert!(text(&stale).contains("fixtures = \"captured/no-model.json\""), "{}", text(&stale));
}

#[test]
fn an_entry_whose_glob_matches_nothing_is_reported() {
    let (dir, _) = corpus();
    let typo = format!("{TWO_ENTRIES}\n[[expect]]\nfixtures = \"captrued/*.json\"\nreason = \"typo\"\n");
    std::fs::write(dir.path().join("waivers.toml"), typo).unwrap();
    let output =
        chatcompat(dir.path(), &["check", "-p", "openai", "captured", "--expectations", "waivers.toml"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("entry matches no checked file"), "{}", text(&output));
    assert!(text(&output).contains("captrued/*.json"), "{}", text(&output));
}

#[test]
fn update_expectations_adopts_a_legacy_corpus_in_one_command_and_is_stable() {
    let (dir, _) = corpus();
    let update = chatcompat(dir.path(), &["check", "-p", "openai", "captured", "--update-expectations"]);
    assert_eq!(update.status.code(), Some(0), "{}", text(&update));
    let file = dir.path().join("chatcompat-expectations.toml");
    let first = std::fs::read_to_string(&file).unwrap();
    assert_eq!(first.matches("[[expect]]").count(), 2, "{first}");

    let after = chatcompat(
        dir.path(),
        &["check", "-p", "openai", "captured", "--expectations", "chatcompat-expectations.toml"],
    );
    assert_eq!(after.status.code(), Some(0), "{}", text(&after));

    // Reasons written by hand survive a second update, and nothing else changes.
    let edited = first.replacen("TODO: say why this deviation is accepted", "known gateway behaviour", 1);
    std::fs::write(&file, &edited).unwrap();
    let again = chatcompat(
        dir.path(),
        &[
            "check",
            "-p",
            "openai",
            "captured",
            "--expectations",
            "chatcompat-expectations.toml",
            "--update-expectations",
        ],
    );
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);
}

#[test]
fn a_malformed_expectations_file_is_a_usage_error_with_its_place() {
    let (dir, _) = corpus();
    std::fs::write(dir.path().join("waivers.toml"), "[[expect]]\nfixtures = \"x\"\n").unwrap();
    let output =
        chatcompat(dir.path(), &["check", "-p", "openai", "captured", "--expectations", "waivers.toml"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("waivers.toml:1:1: malformed expectations file: missing field `reason`"),
        "{}",
        text(&output)
    );
}

#[test]
fn coverage_reports_a_thin_corpus_as_thin() {
    let (dir, _) = corpus();
    let output = chatcompat(dir.path(), &["check", "-p", "openai", "captured/ok.json", "--coverage"]);
    let shown = text(&output);
    assert!(shown.contains("coverage: openai: "), "{shown}");
    let percent: usize =
        shown.split("coverage: openai: ").nth(1).unwrap().split('%').next().unwrap().parse().unwrap();
    assert!(percent < 30, "one response cannot exercise most of the contract: {percent}%");
    assert!(
        shown.contains("not exercised: usage.prompt_tokens_details.cache_write_tokens present"),
        "{shown}"
    );
}

#[test]
fn observe_lists_differences_between_tables_and_traffic() {
    let (dir, _) = corpus();
    let output = chatcompat(dir.path(), &["observe", "-p", "openai", "--format", "json", "captured"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let responses = &document["responses"];
    assert_eq!(responses["responses"], 3);
    assert_eq!(responses["outside_enum"], serde_json::json!(["service_tier = on_demand"]));
    assert_eq!(responses["required_absent"], serde_json::json!(["model"]));
    assert!(responses["never_seen"].as_array().unwrap().iter().any(|p| p == "moderation"));
    assert_eq!(document["chunks"], serde_json::Value::Null);
}

#[test]
fn observe_reads_transcripts_against_the_chunk_tables() {
    let dir = tempfile::tempdir().unwrap();
    let streams = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/openai/streams/valid"));
    let output =
        chatcompat(dir.path(), &["observe", "-p", "openai", "--format", "json", streams.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(document["chunks"]["responses"].as_u64().unwrap() > 10, "{document:#}");
    assert_eq!(document["chunks"]["provider"], "openai");
}

#[test]
fn observe_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let unknown = chatcompat(dir.path(), &["observe", "-p", "nosuch", "x.json"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown).contains("unknown provider `nosuch`"), "{}", text(&unknown));
    let missing = chatcompat(dir.path(), &["observe", "-p", "openai", "does-not-exist.json"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(text(&missing).contains("could not be read"), "{}", text(&missing));
}

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

/// One repository, two providers, one expectations file: `captured/openai/` and
/// `captured/openrouter/`, each with deviations waived by a glob entry naming its provider.
fn two_provider_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let read =
        |path: &str| std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    let openai = read("../fixtures/openai/valid/docs-example.json");
    let openrouter = read("../fixtures/openrouter/valid/assistant-text-stop.json");
    let put = |name: &str, body: String| {
        let path = dir.path().join("captured").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    };
    let on_demand = openai.replace("\"service_tier\": \"default\"", "\"service_tier\": \"on_demand\"");
    assert_ne!(on_demand, openai);
    put("openai/ok.json", openai.clone());
    put("openai/tier-1.json", on_demand.clone());
    put("openai/tier-2.json", on_demand);
    let created = openrouter.replacen("\"created\": ", "\"created\": \"", 1).replacen(
        ",\n  \"model\"",
        "\",\n  \"model\"",
        1,
    );
    assert!(created.contains("\"created\": \""), "{created}");
    put("openrouter/ok.json", openrouter.clone());
    put("openrouter/created-1.json", created.clone());
    put("openrouter/created-2.json", created);
    std::fs::write(dir.path().join("chatcompat-expectations.toml"), SHARED).unwrap();
    dir
}

const SHARED: &str = r#"# Shared by the openai and openrouter jobs.

# The gateway names its own tiers.
[[expect]]
fixtures = "captured/openai/tier-*.json"
provider = "openai"
pointer = "/service_tier"
keyword = "enum"
reason = "the gateway names its own tier"
link = "https://example.invalid/1"

[[expect]]
fixtures = "captured/openrouter/created-*.json"   # every quoted timestamp
provider = "openrouter"
pointer = "/created"
keyword = "type"
reason = "the router quotes timestamps"
link = "https://example.invalid/2"
"#;

#[test]
fn a_run_uses_only_its_providers_entries_and_shows_each_waivers_link() {
    let dir = two_provider_corpus();
    let file = "chatcompat-expectations.toml";
    for (provider, folder, link) in [
        ("openai", "captured/openai", "example.invalid/1"),
        ("openrouter", "captured/openrouter", "example.invalid/2"),
    ] {
        let output = chatcompat(dir.path(), &["check", "-p", provider, folder, "--expectations", file]);
        let shown = text(&output);
        assert_eq!(output.status.code(), Some(0), "{shown}");
        assert!(
            !shown.contains("no longer happens") && !shown.contains("matches no checked file"),
            "{shown}"
        );
        assert!(
            shown.contains(&format!(
                "{provider}: 3 responses: 1 conform, 0 with extensions, 2 waived, 0 violate"
            )),
            "{shown}"
        );
        assert!(shown.contains("passed: all 3 responses pass (2 waived by expectations)"), "{shown}");
        assert_eq!(shown.matches("waived: ").count(), 2, "{shown}");
        assert!(shown.contains(&format!("(https://{link})")), "{shown}");
        for format in ["json", "junit", "github"] {
            let output = chatcompat(
                dir.path(),
                &["check", "-p", provider, folder, "--expectations", file, "--format", format],
            );
            assert_eq!(output.status.code(), Some(0), "{}", text(&output));
            assert!(text(&output).contains(link), "{format}: {}", text(&output));
        }
    }
    // A clean run says so plainly.
    let clean = chatcompat(dir.path(), &["check", "-p", "openai", "captured/openai/ok.json"]);
    assert_eq!(clean.status.code(), Some(0), "{}", text(&clean));
    assert!(
        text(&clean).contains("openai: 1 response: 1 conform, 0 with extensions, 0 waived, 0 violate\n"),
        "{}",
        text(&clean)
    );
    assert!(text(&clean).ends_with("passed: the 1 response passes\n"), "{}", text(&clean));
}

#[test]
fn two_providers_expectations_survive_updates_in_turn_with_their_globs() {
    let dir = two_provider_corpus();
    let path = dir.path().join("chatcompat-expectations.toml");
    let update = |provider: &str| {
        let folder = format!("captured/{provider}");
        let output = chatcompat(
            dir.path(),
            &[
                "check",
                "-p",
                provider,
                &folder,
                "--expectations",
                "chatcompat-expectations.toml",
                "--update-expectations",
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", text(&output));
        text(&output)
    };
    let check = |provider: &str| {
        let folder = format!("captured/{provider}");
        chatcompat(
            dir.path(),
            &["check", "-p", provider, &folder, "--expectations", "chatcompat-expectations.toml"],
        )
    };

    // Nothing new: an update changes nothing, for either provider.
    update("openrouter");
    update("openai");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), SHARED);

    // A new deviation of each: openrouter's update adds its entry and keeps openai's, then the other way round.
    let openrouter_ok = std::fs::read_to_string(dir.path().join("captured/openrouter/ok.json")).unwrap();
    std::fs::write(
        dir.path().join("captured/openrouter/no-id.json"),
        openrouter_ok.replacen("\"id\"", "\"x_id\"", 1),
    )
    .unwrap();
    let openai_ok = std::fs::read_to_string(dir.path().join("captured/openai/ok.json")).unwrap();
    let no_model = openai_ok.replace("\"model\": \"gpt-4.1-2025-04-14\",", "");
    std::fs::write(dir.path().join("captured/openai/no-model.json"), &no_model).unwrap();
    let said = update("openrouter");
    assert!(said.contains("kept 2 entries, removed 0, added 1"), "{said}");
    let after_openrouter = std::fs::read_to_string(&path).unwrap();
    assert!(after_openrouter.starts_with(SHARED), "{after_openrouter}");
    assert!(
        after_openrouter.contains(
            "fixtures = \"captured/openrouter/no-id.json\"\nprovider = \"openrouter\"\npointer = \"/id\"\nkeyword = \"required\""
        ),
        "{after_openrouter}"
    );
    assert!(!after_openrouter.contains("no-model"), "{after_openrouter}");
    let said = update("openai");
    assert!(said.contains("kept 3 entries, removed 0, added 1"), "{said}");
    let after_openai = std::fs::read_to_string(&path).unwrap();
    assert!(after_openai.starts_with(&after_openrouter), "{after_openai}");
    assert!(
        after_openai.contains(
            "fixtures = \"captured/openai/no-model.json\"\nprovider = \"openai\"\npointer = \"/model\""
        ),
        "{after_openai}"
    );
    for provider in ["openai", "openrouter"] {
        let output = check(provider);
        assert_eq!(output.status.code(), Some(0), "{provider}: {}", text(&output));
    }

    // openai fixes the missing model: its next update removes that entry only; both globs stay.
    std::fs::write(dir.path().join("captured/openai/no-model.json"), &openai_ok).unwrap();
    let said = update("openai");
    assert!(
        said.contains("removed the entry at") && said.contains("captured/openai/no-model.json"),
        "{said}"
    );
    let fixed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(fixed, after_openrouter, "only the fixed entry went");
    assert!(fixed.contains("fixtures = \"captured/openai/tier-*.json\""), "{fixed}");
    assert!(
        fixed.contains("fixtures = \"captured/openrouter/created-*.json\"   # every quoted timestamp"),
        "{fixed}"
    );
    for provider in ["openai", "openrouter"] {
        let output = check(provider);
        assert_eq!(output.status.code(), Some(0), "{provider}: {}", text(&output));
    }
}

//! The input layer as users meet it (issue 13): symbolic links followed by every
//! walker (`check`, `check --stream`, `observe`, the corpus), loops reported and not
//! followed forever, skipped files named; every subcommand quiet on a closed pipe;
//! `derive --tables` on page titles that need escaping. Runs the built binary.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

const CONFORMING: &str = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Halo!","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}"#;

/// `created` is a string: one `type` violation.
const VIOLATING: &str =
    "{\"id\": \"chatcmpl-2\", \"object\": \"chat.completion\", \"created\": \"yesterday\", \"model\": \"m\", \"choices\": []}\n";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatcompat"));
    command.arg("--workspace").arg(workspace()).args(args).current_dir(dir).env("NO_COLOR", "1");
    command
}

/// Runs the binary, killing it (and failing) if it has not ended within a minute: a walk that
/// follows a link loop forever must fail the test, not hang it.
fn run(dir: &Path, args: &[&str]) -> Output {
    let mut child = command(dir, args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the chatcompat binary runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chatcompat {args:?} did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[cfg(unix)]
fn link(target: &Path, link: &Path) {
    fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// A store of bodies outside the checked folder, as Bazel runfiles or pnpm keep them.
#[cfg(unix)]
fn store() -> tempfile::TempDir {
    let store = tempfile::tempdir().unwrap();
    write(&store.path().join("ok.json"), CONFORMING);
    write(&store.path().join("bad.json"), VIOLATING);
    store
}

#[cfg(unix)]
#[test]
fn a_folder_whose_violating_body_is_a_link_fails() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("captured/ok.json"), CONFORMING);
    link(&store.path().join("bad.json"), &dir.path().join("captured/bad.json"));
    let output = run(dir.path(), &["check", "-p", "openai", "captured"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let shown = text(&output);
    assert!(shown.contains("captured/bad.json:1:") && shown.contains("/created: type"), "{shown}");
    assert!(shown.contains("failed: 1 of 2 responses fail"), "{shown}");
}

#[cfg(unix)]
#[test]
fn a_folder_of_links_only_is_checked() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    link(&store.path().join("ok.json"), &dir.path().join("captured/one.json"));
    link(&store.path().join("ok.json"), &dir.path().join("captured/two.json"));
    // A linked folder too.
    link(store.path(), &dir.path().join("captured/store"));
    let output = run(dir.path(), &["check", "-p", "openai", "captured"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let shown = text(&output);
    assert!(shown.contains("captured/store/bad.json:1:"), "{shown}");
    assert!(shown.contains("failed: 1 of 4 responses fail"), "{shown}");
}

#[cfg(unix)]
#[test]
fn check_stream_counts_a_linked_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = workspace().join("fixtures/openai/streams/valid/keep-alive-comments.sse");
    link(&fixture, &dir.path().join("captured/stream.sse"));
    write(&dir.path().join("captured/notes.txt"), "not a transcript");
    let output = run(dir.path(), &["check", "--stream", "-p", "openai", "captured"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let shown = text(&output);
    assert!(
        shown.contains("openai: 1 transcript: 1 conform, 0 with extensions, 0 waived, 0 violate"),
        "{shown}"
    );
    assert!(shown.contains("passed: the 1 transcript passes"), "{shown}");
    assert!(shown.contains("skipped 1 file") && shown.contains("captured/notes.txt"), "{shown}");
}

#[cfg(unix)]
#[test]
fn a_link_loop_is_reported_and_the_other_files_are_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("captured/a/bad.json"), VIOLATING);
    link(&dir.path().join("captured/a"), &dir.path().join("captured/a/again"));
    write(&dir.path().join("captured/z.json"), CONFORMING);
    let output = run(dir.path(), &["check", "-p", "openai", "captured"]);
    let shown = text(&output);
    // Unreadable input makes the run incomplete (2); the violation is still reported.
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(shown.contains("captured/a/again: cannot read: symbolic link loop"), "{shown}");
    assert!(shown.contains("captured/a/bad.json:1:") && shown.contains("/created: type"), "{shown}");
    assert!(shown.contains("3 responses"), "the loop, bad.json and z.json: {shown}");

    let json = run(dir.path(), &["check", "-p", "openai", "--format", "json", "captured"]);
    let kinds: Vec<String> = String::from_utf8_lossy(&json.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|record| record["error"]["kind"].as_str().map(String::from))
        .collect();
    assert_eq!(kinds, ["symlink-loop"], "{}", text(&json));
}

#[cfg(unix)]
#[test]
fn observe_reports_walk_errors_and_follows_links() {
    let store = store();
    let dir = tempfile::tempdir().unwrap();
    link(&store.path().join("ok.json"), &dir.path().join("captured/ok.json"));
    link(&dir.path().join("nowhere.json"), &dir.path().join("captured/dangling.json"));
    let output = run(dir.path(), &["observe", "-p", "openai", "--format", "json", "captured"]);
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(shown.contains("captured/dangling.json: cannot read"), "{shown}");
    assert!(shown.contains("1 input(s) could not be read"), "{shown}");

    fs::remove_file(dir.path().join("captured/dangling.json")).unwrap();
    let output = run(dir.path(), &["observe", "-p", "openai", "--format", "json", "captured"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["responses"]["responses"], 1, "the linked body is observed");
}

#[test]
fn skipped_files_are_counted_and_named_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("captured/ok.json"), CONFORMING);
    write(&dir.path().join("captured/ok.toml"), "description = \"sidecar\"\n");
    write(&dir.path().join("captured/log.txt"), CONFORMING);
    let output = run(dir.path(), &["check", "-p", "openai", "captured"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().find(|l| l.starts_with("skipped")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        line.starts_with("skipped 2 files in the given folders (only *.json, *.jsonl, *.ndjson"),
        "{line}"
    );
    assert!(line.contains("captured/log.txt") && line.contains("captured/ok.toml"), "{line}");
    // A file named on the command line is read whatever its extension.
    let named = run(dir.path(), &["check", "-p", "openai", "captured/log.txt"]);
    assert_eq!(named.status.code(), Some(0), "{}", text(&named));
    assert!(!text(&named).contains("skipped"), "{}", text(&named));
}

#[cfg(unix)]
#[test]
fn the_corpus_follows_links_and_reports_loops_as_misplaced() {
    let dir = tempfile::tempdir().unwrap();
    let valid = workspace().join("fixtures/openai/valid");
    link(&valid.join("docs-example.json"), &dir.path().join("openai/valid/docs-example.json"));
    link(&valid.join("docs-example.toml"), &dir.path().join("openai/valid/docs-example.toml"));
    link(&dir.path().join("openai"), &dir.path().join("openai/invalid/loop"));
    let corpus = chatcompat::corpus::discover(dir.path());
    let ids: Vec<String> = corpus.fixtures.iter().map(|f| f.id()).collect();
    assert_eq!(ids, ["openai/valid/docs-example"]);
    assert_eq!(corpus.misplaced.len(), 1, "{:?}", corpus.misplaced);
    assert!(corpus.misplaced[0].path.ends_with("openai/invalid/loop"), "{:?}", corpus.misplaced);
    assert!(corpus.misplaced[0].reason.contains("symbolic link loop"), "{:?}", corpus.misplaced);

    // The lint reads the corpus through the same walk: the loop is its one problem.
    let output = run(dir.path(), &["lint", "--fixtures", dir.path().to_str().unwrap()]);
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(1), "{shown}");
    assert!(shown.contains("1 fixture(s), 0 transcript(s), 1 problem(s)"), "{shown}");
}

/// Every subcommand, with its standard output a pipe whose reader is gone before the first
/// write: none panics (exit 101); each ends quietly with exit code 0, as ripgrep does.
#[test]
fn every_subcommand_is_quiet_when_its_reader_closes_the_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    let fixtures = workspace().join("fixtures");
    let fixtures = fixtures.to_str().unwrap();
    let openai = workspace().join("fixtures/openai/valid");
    let openai = openai.to_str().unwrap();
    let streams = workspace().join("fixtures/openai/streams/valid");
    let streams = streams.to_str().unwrap();
    let tables = workspace().join("schemas/openai");
    let tables = tables.to_str().unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["derive", "--check"],
        vec!["derive", "--tables", tables, "--root", "ChatCompletion"],
        vec!["models", "--check"],
        vec!["sample", "-p", "openai", "-n", "50"],
        vec!["lint", "--fixtures", fixtures],
        vec!["report", "--out", reports.to_str().unwrap()],
        vec!["observe", "-p", "openai", openai],
        vec!["observe", "-p", "openai", "--format", "json", openai],
        vec!["check", "-p", "openai", openai],
        vec!["check", "-p", "openai", "--coverage", openai],
        vec!["check", "-p", "openai", "--format", "junit", openai],
        vec!["check", "--stream", "-p", "openai", streams],
        vec!["compat", "openrouter", "openai"],
        vec!["compat", "openrouter", "openai", "--format", "json"],
    ];
    for args in runs {
        let mut child = command(dir.path(), &args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("error"), "{args:?}: a closed pipe is not reported: {stderr}");
    }
}

#[test]
fn derive_tables_escapes_titles_and_compiles_what_it_prints() {
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("tables");
    write(
        &tables.join("chat completion.md"),
        "# Chat Completion\n\nA response.\n\n## Fields\n\n\
         | Field | Type | Required | Nullable | Wire key | Source | Description |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n\
         | `usage` | [Usage / 100%](usage.md) | :heavy_check_mark: | :heavy_minus_sign: | | sdk | Counts. |\n",
    );
    write(
        &tables.join("usage.md"),
        "# Usage / 100%\n\nCounts.\n\n## Fields\n\n\
         | Field | Type | Required | Nullable | Wire key | Source | Description |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n\
         | `total` | *integer* | :heavy_check_mark: | :heavy_minus_sign: | | sdk | All tokens. |\n",
    );
    let output = run(dir.path(), &["derive", "--tables", "tables", "--root", "chat completion.md"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["$ref"], "#/$defs/Chat%20Completion", "{schema:#}");
    assert!(schema["$defs"]["Chat Completion"].is_object(), "{schema:#}");
    let compiled = chatcompat::Schema::compile("custom", schema).expect("what derive prints compiles");
    let checked = compiled.check(&serde_json::json!({"usage": {"total": "many"}}));
    let pointers: Vec<&str> = checked.violations.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/usage/total"], "the escaped $refs are followed");
}

//! `chatcompat sample` and `chatcompat models` (issue #4), by running the built
//! binary: the same seed writes the same bytes, every line validates, `--invalid`
//! lines cause the violation they promise, and the output pipes into `chatcompat check`.

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use chatcompat::{models::exact::Exact, Catalog};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `chatcompat ARGS`, feeding `stdin` if given; returns exit code, stdout bytes and stderr.
fn run(args: &[&str], stdin: Option<&[u8]>) -> (i32, Vec<u8>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .arg("--workspace")
        .arg(workspace())
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the chatcompat binary runs");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().expect("exited"),
        output.stdout,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn providers() -> Vec<String> {
    Catalog::discover(&workspace()).unwrap().ids()
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_every_line_validates() {
    for provider in providers() {
        let args = ["sample", "--provider", &provider, "--count", "12", "--seed", "7"];
        let (code, first, stderr) = run(&args, None);
        assert_eq!(code, 0, "{provider}: {stderr}");
        let (_, second, _) = run(&args, None);
        assert_eq!(first, second, "{provider}: two runs with seed 7 differ");
        let (_, other_seed, _) =
            run(&["sample", "--provider", &provider, "--count", "12", "--seed", "8"], None);
        assert_ne!(first, other_seed, "{provider}: seeds 7 and 8 wrote the same lines");
        let text = String::from_utf8(first).unwrap();
        assert_eq!(text.lines().count(), 12, "{provider}");
        for (i, line) in text.lines().enumerate() {
            // The strict reader `chatcompat check` uses accepts every line (no integer beyond 64 bits).
            let value =
                chatcompat::json::parse_str(line).unwrap_or_else(|err| panic!("{provider}:{}: {err}", i + 1));
            let checked = chatcompat::check(&provider, &value).unwrap();
            assert!(checked.violations.is_empty(), "{provider}:{}: {:?}", i + 1, checked.violations);
        }
    }
}

#[test]
fn samples_pipe_into_check() {
    let (_, lines, _) = run(&["sample", "-p", "openrouter", "-n", "20", "--seed", "3"], None);
    let (code, stdout, stderr) = run(
        &["check", "--provider", "openrouter", "--input", "jsonl", "--format", "json", "-"],
        Some(&lines),
    );
    assert_eq!(code, 0, "{}\n{stderr}", String::from_utf8_lossy(&stdout));
}

#[test]
fn invalid_samples_cause_the_violation_they_promise() {
    for provider in providers() {
        let args = ["sample", "--provider", &provider, "--count", "10", "--seed", "5", "--invalid"];
        let (code, first, stderr) = run(&args, None);
        assert_eq!(code, 0, "{provider}: {stderr}");
        assert_eq!(first, run(&args, None).1, "{provider}: two runs of --invalid with seed 5 differ");
        let text = String::from_utf8(first).unwrap();
        assert_eq!(text.lines().count(), 10, "{provider}");
        for line in text.lines() {
            let record = Exact::parse(line).unwrap();
            let Some(Exact::Object(entries)) = Some(&record) else { panic!("{line}") };
            let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys, ["instance", "expect", "mutation"]);
            let instance = record.pointer("/instance").unwrap().to_value().unwrap();
            let Some(Exact::String(pointer)) = record.pointer("/expect/0/pointer") else { panic!("{line}") };
            let Some(Exact::String(keyword)) = record.pointer("/expect/0/keyword") else { panic!("{line}") };
            let checked = chatcompat::check(&provider, &instance).unwrap();
            assert!(
                checked.violations.iter().any(|v| &v.pointer == pointer && &v.keyword == keyword),
                "{provider}: expected {pointer} {keyword}, found {:?}\n{line}",
                checked.violations
            );
        }
    }
}

#[test]
fn an_unknown_provider_is_a_usage_error() {
    let (code, stdout, stderr) = run(&["sample", "--provider", "nope"], None);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("unknown provider `nope`"), "{stderr}");
}

#[test]
fn committed_models_are_up_to_date() {
    let (code, stdout, stderr) = run(&["models", "--check"], None);
    let stdout = String::from_utf8(stdout).unwrap();
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("up to date  harness/src/models/openai.rs"), "{stdout}");
}

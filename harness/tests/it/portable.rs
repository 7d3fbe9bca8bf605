//! The binary away from its checkout: run from a folder that has its own `schemas/` and `Cargo.toml` (as a
//! provider SDK's repository does) with no `CHATCOMPAT_ROOT`, it checks against the schemas built into it,
//! and judges `tests/data/portable` as its `expected.json` says. `check --schema FILE` checks against a file.

use std::{path::Path, process::Command};

use serde_json::Value;

fn portable() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/portable"))
}

/// A temporary SDK repository: an unrelated `schemas/openai/` and `Cargo.toml`, and the portable inputs.
fn sdk_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("schemas/openai")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"my-sdk\"\nversion = \"0.1.0\"\n")
        .unwrap();
    std::fs::write(dir.path().join("schemas/openai/provider.toml"), "name = \"not ours\"\n").unwrap();
    std::fs::write(dir.path().join("schemas/openai/chat-completion.schema.json"), "{\"type\": \"string\"}")
        .unwrap();
    for entry in std::fs::read_dir(portable()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, Vec<Value>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .current_dir(dir)
        .env_remove("CHATCOMPAT_ROOT")
        .env_remove("CHATCOMPAT_FIXTURES")
        .args(args)
        .output()
        .unwrap();
    let lines = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    (output.status.code(), lines, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_binary_checks_with_its_built_in_schemas_from_an_sdk_repository() {
    let dir = sdk_folder();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(portable().join("expected.json")).unwrap()).unwrap();
    let files: Vec<&str> =
        expected["bodies"].as_array().unwrap().iter().map(|b| b["file"].as_str().unwrap()).collect();
    let mut args = vec!["check", "--provider", "openai", "--format", "json"];
    args.extend(&files);
    let (code, results, stderr) = run(dir.path(), &args);
    assert_eq!(code, Some(1), "one body violates: {stderr}");
    for body in expected["bodies"].as_array().unwrap() {
        let result = results.iter().find(|r| r["file"] == body["file"]).expect("a result per body");
        assert_eq!(result["verdict"], body["verdict"], "{result}");
        let violations: Vec<Value> = result["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| serde_json::json!({"pointer": v["pointer"], "keyword": v["keyword"], "line": v["line"], "column": v["column"]}))
            .collect();
        assert_eq!(Value::from(violations), body["violations"], "{result}");
        assert_eq!(result["extensions"], body["extensions"], "{result}");
    }
    let (code, results, stderr) =
        run(dir.path(), &["check", "--stream", "--provider", "openai", "--format", "json", "stream.sse"]);
    assert_eq!(code, Some(0), "{stderr}");
    let stream = &expected["streams"][0];
    assert_eq!(results[0]["verdict"], stream["verdict"]);
    assert_eq!(results[0]["events"], stream["events"]);
    assert_eq!(results[0]["chunks"], stream["chunks"]);
}

#[test]
fn a_checkout_is_used_only_when_named() {
    let dir = sdk_folder();
    // The folder's own schemas/ is not a chatcompat checkout; naming it is an error that says what is wrong.
    let (code, _, stderr) =
        run(dir.path(), &["--workspace", ".", "check", "--provider", "openai", "conforms.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("provider.toml"), "{stderr}");
}

#[test]
fn check_schema_checks_against_a_schema_file() {
    let dir = sdk_folder();
    std::fs::write(
        dir.path().join("mine.schema.json"),
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["id", "model"],
            "properties": {"model": {"const": "gpt-4o"}}}"#,
    )
    .unwrap();
    let (code, results, stderr) = run(
        dir.path(),
        &["check", "--schema", "mine.schema.json", "--format", "json", "conforms.json", "violates.json"],
    );
    assert!(code.is_some(), "{stderr}");
    assert!(results.iter().all(|r| r["schema"] == "mine"), "{results:?}");
    // The same bodies, judged by the file's rule alone: `model` must be gpt-4o.
    let model = |file: &str| -> Value {
        let body: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(file)).unwrap()).unwrap();
        body["model"].clone()
    };
    for result in &results {
        let file = result["file"].as_str().unwrap();
        let expected = if model(file) == "gpt-4o" { "conforms" } else { "violates" };
        assert_eq!(result["verdict"], expected, "{result}");
    }
    // --schema and --provider together: both schemas, in that order.
    let (_, results, _) = run(
        dir.path(),
        &[
            "check",
            "--provider",
            "openai",
            "--schema",
            "mine.schema.json",
            "--format",
            "json",
            "violates.json",
        ],
    );
    let schemas: Vec<&Value> = results.iter().map(|r| &r["schema"]).collect();
    assert_eq!(schemas, ["openai", "mine"]);
    // A file that is no schema fails alone, with its name.
    std::fs::write(dir.path().join("broken.json"), "{\"type\": 12}").unwrap();
    let (code, _, stderr) = run(dir.path(), &["check", "--schema", "broken.json", "conforms.json"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("broken.json"), "{stderr}");
}

#[test]
fn report_says_where_it_wrote() {
    let out = tempfile::tempdir().unwrap();
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .args(["--workspace", workspace, "report", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let shown = std::fs::canonicalize(out.path()).unwrap();
    assert!(stdout.contains(&format!("in {}", shown.display())), "{stdout}");
    assert!(out.path().join("index.html").is_file());
}

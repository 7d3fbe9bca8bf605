//! `chatcompat check` (issue #6): exit codes, the four formats, JSON Lines streams
//! with bad records, standard input and output order, by running the built binary
//! on small inputs made in a temporary directory.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use chatcompat::{
    check::{CheckOptions, Checker, Input, Response, Summary},
    format::{Reporter, RunInfo},
    Catalog,
};

const CONFORMING: &str = r#"{"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Halo!","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29}}"#;

/// `created` is a string: one `type` violation at line 4, column 14.
const VIOLATING: &str = "{\n  \"id\": \"chatcmpl-2\",\n  \"object\": \"chat.completion\",\n  \"created\": \"yesterday\",\n  \"model\": \"gpt-4.1\",\n  \"choices\": []\n}\n";

/// Conforms, plus one undocumented top-level field.
fn extended() -> String {
    CONFORMING.replacen('{', "{\"x_gateway\":{\"region\":\"id\"},", 1)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `chatcompat check ARGS` in `dir`, feeding `stdin` if given.
fn check(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .arg("--workspace")
        .arg(workspace())
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the chatcompat binary runs");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))).collect()
}

fn tempdir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    dir
}

#[test]
fn exit_codes_are_0_conform_1_violation_2_usage_or_io() {
    let ext = extended();
    let dir = tempdir_with(&[
        ("ok.json", CONFORMING.as_bytes()),
        ("bad.json", VIOLATING.as_bytes()),
        ("ext.json", ext.as_bytes()),
        ("empty/README.md", b"no responses here"),
    ]);
    let at = dir.path();
    assert_eq!(check(at, &["--provider", "openai", "ok.json"], None).code, 0);
    assert_eq!(check(at, &["--provider", "openai", "ext.json"], None).code, 0);
    assert_eq!(check(at, &["--provider", "openai", "--strict", "ext.json"], None).code, 1);
    assert_eq!(check(at, &["--provider", "openai", "--strict", "ok.json"], None).code, 0);

    let violation = check(at, &["--provider", "openai", "ok.json", "bad.json"], None);
    assert_eq!(violation.code, 1, "{}", violation.stdout);
    assert!(
        violation
            .stdout
            .contains("error: bad.json:4:14: /created: type: expected integer, found \"yesterday\" [openai]"),
        "{}",
        violation.stdout
    );

    let missing = check(at, &["--provider", "openai", "ok.json", "nowhere.json"], None);
    assert_eq!(missing.code, 2);
    assert!(missing.stdout.contains("nowhere.json: cannot read: No such file"), "{}", missing.stdout);

    // An unreadable input outweighs a violation: the run is incomplete.
    assert_eq!(check(at, &["--provider", "openai", "bad.json", "nowhere.json"], None).code, 2);

    let unknown = check(at, &["--provider", "nosuch", "ok.json"], None);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown provider `nosuch`"), "{}", unknown.stderr);

    let nothing = check(at, &["--provider", "openai", "empty"], None);
    assert_eq!(nothing.code, 2);
    assert!(nothing.stdout.contains("no response found"), "{}", nothing.stdout);

    assert_eq!(check(at, &["ok.json"], None).code, 2, "--provider is required");
    assert_eq!(check(at, &["--provider", "openai", "--format", "xml", "ok.json"], None).code, 2);
}

#[test]
fn help_groups_input_schemas_output_and_ends_with_exit_codes() {
    let help = check(Path::new("."), &["--help"], None);
    assert_eq!(help.code, 0);
    let order: Vec<usize> = ["Input:", "Schemas:", "Output:", "Exit codes:"]
        .iter()
        .map(|heading| help.stdout.find(heading).unwrap_or_else(|| panic!("{heading}\n{}", help.stdout)))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{}", help.stdout);
    assert!(help.stdout.trim_end().ends_with("no response found"), "{}", help.stdout);
}

/// A stream with every kind of bad record: each is reported at its line, the rest is checked.
fn troubled_stream() -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"\xEF\xBB\xBF");
    bytes.extend_from_slice(CONFORMING.as_bytes()); // 1: BOM
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(CONFORMING.as_bytes()); // 2: CRLF
    bytes.extend_from_slice(b"\r\n\n   \n"); // 3, 4: blank
    bytes.extend_from_slice(b"{\"id\": 1}\n"); // 5: violates
    bytes.extend_from_slice(b"not json\n"); // 6
    bytes.extend_from_slice(b"\x00\x01\x02\xff binary\n"); // 7
    bytes.extend_from_slice(extended().as_bytes()); // 8: extensions
    bytes.extend_from_slice(b"\n{\"id\": \"x\", \"choices\": ["); // 9: truncated, no newline
    bytes
}

#[test]
fn a_json_lines_stream_reports_each_bad_record_at_its_line_and_checks_the_rest() {
    let dir = tempdir_with(&[("stream.jsonl", &troubled_stream())]);
    let run = check(dir.path(), &["--provider", "openai", "--format", "json", "stream.jsonl"], None);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let records = json_lines(&run.stdout);
    let seen: Vec<(u64, &str, &str)> = records
        .iter()
        .map(|r| {
            let kind = r["error"]["kind"].as_str().or(r["verdict"].as_str()).unwrap();
            (r["line"].as_u64().unwrap(), r["status"].as_str().unwrap(), kind)
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "error", "byte-order-mark"),
            (2, "pass", "conforms"),
            (5, "fail", "violates"),
            (6, "error", "syntax"),
            (7, "error", "binary"),
            (8, "pass", "conforms-with-extensions"),
            (9, "error", "truncated"),
        ]
    );
    assert_eq!(records[4]["error"]["line"], 7);
    assert_eq!(records[5]["extensions"], serde_json::json!(["/x_gateway"]));
    let id_type =
        records[2]["violations"].as_array().unwrap().iter().find(|v| v["pointer"] == "/id").unwrap();
    assert_eq!(
        (id_type["keyword"].as_str(), id_type["line"].as_u64(), id_type["column"].as_u64()),
        (Some("type"), Some(5), Some(8))
    );

    let human = check(dir.path(), &["--provider", "openai", "stream.jsonl"], None);
    for expected in [
        "stream.jsonl:1:1: UTF-8 byte order mark",
        "stream.jsonl:5:8: /id: type: expected string, found 1 [openai]",
        "5 | {\"id\": 1}",
        "stream.jsonl:6:2: not JSON",
        "stream.jsonl:7:1: binary data",
        "stream.jsonl:8: 1 undocumented field [openai]: /x_gateway",
        "stream.jsonl:9:24: truncated",
        "failed: 5 of 7 responses fail",
    ] {
        assert!(human.stdout.contains(expected), "missing {expected:?} in\n{}", human.stdout);
    }
}

#[test]
fn json_format_has_one_object_per_response_per_schema_with_stable_keys() {
    let dir = tempdir_with(&[("a.json", CONFORMING.as_bytes()), ("b.json", VIOLATING.as_bytes())]);
    let args = ["--provider", "openai", "--against", "openai-compatible", "--format", "json", "."];
    let run = check(dir.path(), &args, None);
    assert_eq!(run.code, 1);
    let records = json_lines(&run.stdout);
    let order: Vec<(&str, &str)> =
        records.iter().map(|r| (r["file"].as_str().unwrap(), r["schema"].as_str().unwrap())).collect();
    assert_eq!(
        order,
        [
            ("./a.json", "openai"),
            ("./a.json", "openai-compatible"),
            ("./b.json", "openai"),
            ("./b.json", "openai-compatible")
        ]
    );
    for record in &records {
        let keys: Vec<&String> = record.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["file", "line", "schema", "status", "verdict", "violations", "extensions", "error", "waived"]
        );
    }
    let violation = &records[2]["violations"][0];
    let keys: Vec<&String> = violation.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["pointer", "keyword", "expected", "actual", "line", "column", "waiver"]);
    assert_eq!(violation["pointer"], "/created");
    assert_eq!(violation["actual"], "\"yesterday\"");
}

#[test]
fn junit_has_testsuites_testsuite_per_schema_testcase_per_response_and_failures() {
    let mut stream = CONFORMING.as_bytes().to_vec();
    stream.extend_from_slice(b"\n{\"id\": 1}\nnot json\n");
    let dir = tempdir_with(&[("a.json", VIOLATING.as_bytes()), ("s.jsonl", &stream)]);
    let args = ["--provider", "openai", "--against", "openrouter", "--format", "junit", "a.json", "s.jsonl"];
    let run = check(dir.path(), &args, None);
    assert_eq!(run.code, 1);
    let document = roxmltree::Document::parse(&run.stdout).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("8"));
    let suites: Vec<roxmltree::Node> = root.children().filter(|n| n.is_element()).collect();
    let names: Vec<&str> = suites.iter().map(|s| s.attribute("name").unwrap()).collect();
    assert_eq!(names, ["openai", "openrouter"]);
    for suite in &suites {
        assert_eq!(suite.tag_name().name(), "testsuite");
        let cases: Vec<roxmltree::Node> = suite.children().filter(|n| n.is_element()).collect();
        assert!(cases.iter().all(|c| c.tag_name().name() == "testcase"));
        let case_names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
        assert_eq!(case_names, ["a.json", "s.jsonl:1", "s.jsonl:2", "s.jsonl:3"]);
        assert_eq!(suite.attribute("tests"), Some("4"));
        assert_eq!(suite.attribute("errors"), Some("1"));
        let failed = cases.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure"))).count();
        assert_eq!(suite.attribute("failures"), Some(failed.to_string().as_str()));
        let error = cases[3].children().find(|n| n.has_tag_name("error")).expect("not json is an error");
        assert_eq!(error.attribute("type"), Some("syntax"));
        assert!(error.attribute("message").unwrap().starts_with("s.jsonl:3:2: not JSON"));
    }
    let openai_a = suites[0].children().find(|n| n.has_tag_name("testcase")).unwrap();
    let failure = openai_a.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("type"));
    assert_eq!(
        failure.attribute("message"),
        Some("a.json:4:14: /created: type: expected integer, found \"yesterday\"")
    );
    assert!(failure.text().unwrap().contains("4 |   \"created\": \"yesterday\","), "{:?}", failure.text());
}

#[test]
fn github_format_writes_workflow_annotations_with_file_line_and_column() {
    let ext = extended();
    let dir = tempdir_with(&[("bad.json", VIOLATING.as_bytes()), ("ext.json", ext.as_bytes())]);
    let run =
        check(dir.path(), &["--provider", "openai", "--format", "github", "bad.json", "ext.json"], None);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "::error file=bad.json,line=4,col=14,title=chatcompat%3A openai%3A type::/created: type: expected integer, found \"yesterday\""
    );
    assert!(
        lines[1].starts_with("::warning file=ext.json,title=chatcompat%3A openai%3A extensions::"),
        "{}",
        lines[1]
    );
    let strict = check(dir.path(), &["-p", "openai", "--format", "github", "--strict", "ext.json"], None);
    assert_eq!(strict.code, 1);
    assert!(strict.stdout.starts_with("::error file=ext.json"), "{}", strict.stdout);
}

#[test]
fn standard_input_is_read_as_json_lines_or_as_one_pretty_document() {
    let dir = tempfile::tempdir().unwrap();
    let lines = format!("{CONFORMING}\n{CONFORMING}\n");
    let run = check(dir.path(), &["-p", "openai", "--format", "json", "-"], Some(lines.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stdout);
    let records = json_lines(&run.stdout);
    assert_eq!(records.len(), 2);
    assert_eq!((records[1]["file"].as_str(), records[1]["line"].as_u64()), (Some("<stdin>"), Some(2)));

    let pretty = check(dir.path(), &["-p", "openai", "-"], Some(VIOLATING.as_bytes()));
    assert_eq!(pretty.code, 1);
    assert!(pretty.stdout.contains("<stdin>:4:14: /created: type"), "{}", pretty.stdout);
}

#[test]
fn folders_are_walked_for_json_and_json_lines_and_sidecars_are_skipped() {
    let stream = format!("{CONFORMING}\n{CONFORMING}\n");
    let dir = tempdir_with(&[
        ("corpus/a.json", CONFORMING.as_bytes()),
        ("corpus/a.toml", b"description = \"not a response\""),
        ("corpus/notes.txt", b"not a response"),
        ("corpus/deeper/b.jsonl", stream.as_bytes()),
    ]);
    let run = check(dir.path(), &["-p", "openai", "--format", "json", "corpus"], None);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let sources: Vec<String> = json_lines(&run.stdout)
        .iter()
        .map(|r| format!("{}:{}", r["file"].as_str().unwrap(), r["line"]))
        .collect();
    assert_eq!(sources, ["corpus/a.json:null", "corpus/deeper/b.jsonl:1", "corpus/deeper/b.jsonl:2"]);
}

#[test]
fn oversized_responses_and_unreadable_files_get_a_clear_message() {
    let mut stream = format!("{CONFORMING}\n").into_bytes();
    stream.extend(std::iter::repeat_n(b'x', 100 << 20));
    stream.extend_from_slice(format!("\n{CONFORMING}\n").as_bytes());
    let dir = tempdir_with(&[("huge.jsonl", &stream)]);
    std::os::unix::fs::symlink(dir.path().join("gone.json"), dir.path().join("dangling.json")).unwrap();
    let run = check(dir.path(), &["-p", "openai", "--format", "json", "huge.jsonl", "dangling.json"], None);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let records = json_lines(&run.stdout);
    let seen: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["error"]["kind"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(seen, [("pass", ""), ("error", "too-large"), ("pass", ""), ("error", "unreadable")]);
    assert_eq!(
        records[1]["error"]["message"],
        "response of 104857600 bytes is larger than the limit of 67108864 bytes: skipped (raise --max-response-bytes to check it)"
    );
    assert_eq!(records[1]["line"], 2);
    drop(stream);

    let small = check(dir.path(), &["-p", "openai", "--max-response-bytes", "100", "huge.jsonl"], None);
    let expected = format!(
        "huge.jsonl:1:1: response of {} bytes is larger than the limit of 100 bytes",
        CONFORMING.len()
    );
    assert!(small.stdout.contains(&expected), "{}", small.stdout);
}

#[test]
fn the_shipped_corpus_conforms_in_every_format() {
    for format in ["human", "json", "junit", "github"] {
        let run =
            check(&workspace(), &["--provider", "openai", "--format", format, "fixtures/openai/valid"], None);
        assert_eq!(run.code, 0, "{format}:\n{}{}", run.stdout, run.stderr);
        assert!(!run.stdout.is_empty(), "{format}");
    }
}

/// Collects every response, in the order the reporter sees them.
#[derive(Default)]
struct Collect(Vec<Response>);

impl Reporter for Collect {
    fn begin(&mut self, _info: &RunInfo) -> std::io::Result<()> {
        Ok(())
    }
    fn response(&mut self, response: &Response) -> std::io::Result<()> {
        self.0.push(response.clone());
        Ok(())
    }
    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn parallel_batches_report_in_input_order_and_agree_with_one_at_a_time() {
    let catalog = Catalog::discover(&workspace()).unwrap();
    let schema = catalog.load_schema(catalog.provider("openai").unwrap()).unwrap();
    let bodies = [CONFORMING.to_string(), "{\"id\": 1}".to_string(), extended(), "[".to_string()];
    let stream: String = (0..2_000).map(|i| format!("{}\n", bodies[i % bodies.len()])).collect();
    let dir = tempdir_with(&[("s.jsonl", stream.as_bytes())]);
    let options = CheckOptions { batch_responses: 7, batch_bytes: 1 << 12, ..CheckOptions::default() };
    let checker = Checker::new(vec![&schema], options);
    let mut collected = Collect::default();
    let summary = checker.run(&[Input::Path(dir.path().join("s.jsonl"))], &mut collected).unwrap();
    assert_eq!(summary.responses, 2_000);
    assert_eq!(
        (summary.tallies[0].conforms, summary.tallies[0].violates, summary.malformed),
        (500, 500, 500)
    );
    for (i, response) in collected.0.iter().enumerate() {
        assert_eq!(response.source.line, Some(i + 1));
        let alone = checker.check_bytes("s.jsonl", bodies[i % bodies.len()].as_bytes());
        assert_eq!(response.outcome.is_ok(), alone.outcome.is_ok(), "line {}", i + 1);
        if let (Ok(batched), Ok(single)) = (&response.outcome, &alone.outcome) {
            assert_eq!(batched[0].checked.verdict(), single[0].checked.verdict());
            assert_eq!(batched[0].checked.extensions, single[0].checked.extensions);
        }
    }
}

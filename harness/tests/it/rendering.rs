//! Snapshots of every `check` output format over one fixed JSON Lines input that
//! has each kind of outcome: conforming, an undocumented field, violations, a line
//! that is not JSON and a truncated last line. A change to any rendering is a
//! reviewed diff (`cargo insta review`).

use std::path::Path;

use chatcompat::{
    check::{CheckOptions, Checker, InputMode},
    expectations::Expectations,
    format::{self, Format},
    Catalog,
};

const INPUT: &str = concat!(
    r#"{"id": "a", "object": "chat.completion", "created": 1, "model": "m", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Halo"}}]}"#,
    "\n",
    r#"{"id": "b", "object": "chat.completion", "created": 2, "model": "m", "choices": [], "x_gateway": {"region": "sg"}}"#,
    "\n",
    r#"{"id": 3, "object": "chat.completion.chunk", "model": "m", "choices": [{"index": 0, "finish_reason": "eos", "message": {"role": "assistant"}}]}"#,
    "\n",
    "{\"id\": \"d\", oops}\n",
    "\n",
    r#"{"id": "e", "object": "chat.completion", "created": 5, "model": "m", "choices": ["#,
);

fn render(format: Format) -> String {
    render_with(format, None)
}

/// With `expectations`, the run waives what that file says (`captured.jsonl` is matched as a
/// file in the expectations file's folder).
fn render_with(format: Format, expectations: Option<&Expectations>) -> String {
    let catalog = Catalog::discover(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))).unwrap();
    let openai = catalog.load_schema(catalog.provider("openai").unwrap()).unwrap();
    let core = catalog.load_schema(catalog.provider("openai-compatible").unwrap()).unwrap();
    let options = CheckOptions { excerpts: format.shows_excerpts(), ..CheckOptions::default() };
    let mut checker = Checker::new(vec![&openai, &core], options);
    if let Some(expectations) = expectations {
        checker = checker.with_expectations(expectations);
    }
    let name = expectations
        .map_or("captured.jsonl".to_string(), |e| e.base.join("captured.jsonl").display().to_string());
    let mut out = Vec::new();
    {
        let mut reporter = format::reporter(format, &mut out, false);
        checker.run_stream(&name, INPUT.as_bytes(), InputMode::Jsonl, reporter.as_mut()).unwrap();
    }
    let text = String::from_utf8(out).unwrap();
    match expectations {
        Some(e) => text.replace(&format!("{}/", e.base.display()), "<dir>/"),
        None => text,
    }
}

/// The third record's violations of the openai schema waived by an entry with a link (the
/// openai-compatible schema's are not: the entry names its provider).
fn render_waived(format: Format) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chatcompat-expectations.toml");
    std::fs::write(
        &path,
        "[[expect]]\nfixtures = \"captured.jsonl\"\nprovider = \"openai\"\nreason = \"the gateway relays chunks\"\n\
         link = \"https://example.invalid/issues/7\"\n",
    )
    .unwrap();
    let expectations = Expectations::load(&path).unwrap();
    render_with(format, Some(&expectations))
}

#[test]
fn human() {
    insta::assert_snapshot!("check-human", render(Format::Human));
}

#[test]
fn json_lines() {
    insta::assert_snapshot!("check-json", render(Format::Json));
}

#[test]
fn junit() {
    insta::assert_snapshot!("check-junit", render(Format::Junit));
}

#[test]
fn github() {
    insta::assert_snapshot!("check-github", render(Format::Github));
}

#[test]
fn waived_in_every_format() {
    for format in Format::ALL {
        insta::assert_snapshot!(format!("check-waived-{}", format.as_str()), render_waived(format));
    }
}

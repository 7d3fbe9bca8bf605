//! Snapshots of every `check` output format over one fixed JSON Lines input that
//! has each kind of outcome: conforming, an undocumented field, violations, a line
//! that is not JSON and a truncated last line. A change to any rendering is a
//! reviewed diff (`cargo insta review`).

use std::path::Path;

use chatcompat::{
    check::{CheckOptions, Checker, InputMode},
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
    let catalog = Catalog::discover(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))).unwrap();
    let openai = catalog.load_schema(catalog.provider("openai").unwrap()).unwrap();
    let core = catalog.load_schema(catalog.provider("openai-compatible").unwrap()).unwrap();
    let options = CheckOptions { excerpts: format.shows_excerpts(), ..CheckOptions::default() };
    let checker = Checker::new(vec![&openai, &core], options);
    let mut out = Vec::new();
    {
        let mut reporter = format::reporter(format, &mut out, false);
        checker.run_stream("captured.jsonl", INPUT.as_bytes(), InputMode::Jsonl, reporter.as_mut()).unwrap();
    }
    String::from_utf8(out).unwrap()
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

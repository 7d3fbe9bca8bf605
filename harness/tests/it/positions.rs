//! Positions (issue 13): one line model (LF, CR, CRLF) in the body, JSON Lines and
//! stream readers, character columns after multi-byte text, carets under wide
//! characters, and many violations of one body located in one pass.

use std::{path::Path, sync::OnceLock};

use chatcompat::{
    check::{CheckOptions, Checker},
    locate::{Line, Position},
    stream::{self, FindingKind, StreamCatalog},
    Catalog, Schema,
};
use unicode_width::UnicodeWidthStr;

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn openai() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let catalog = Catalog::discover(workspace()).unwrap();
        catalog.load_schema(catalog.provider("openai").unwrap()).unwrap()
    })
}

/// A pretty-printed OpenAI body with `n` choices whose `index` is a string: one
/// choice per line, so choice `i` is on line `i + 3`.
fn many_violations(n: usize) -> String {
    let mut text = String::from(
        "{\n  \"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"created\": 1, \"model\": \"m\",\n  \"choices\": [\n",
    );
    for i in 0..n {
        let comma = if i + 1 < n { "," } else { "" };
        text.push_str(&format!(
            "    {{\"message\": {{\"role\": \"assistant\", \"content\": \"ü{i}\"}}, \"finish_reason\": \"stop\", \"index\": \"{i}\"}}{comma}\n"
        ));
    }
    text.push_str("  ]\n}\n");
    text
}

#[test]
fn twenty_thousand_violations_of_one_body_each_get_their_own_line_and_column() {
    let n = 20_000;
    let text = many_violations(n);
    let value: serde_json::Value = chatcompat::json::parse_str(&text).unwrap();
    let checked = openai().check_text(&value, &text);
    assert_eq!(checked.violations.len(), n);
    for (i, violation) in checked.violations.iter().enumerate() {
        assert_eq!(violation.pointer, format!("/choices/{i}/index"), "in file order");
        // `    {"message": {"role": "assistant", "content": "ü<i>"}, "finish_reason": "stop", "index": ` then the value.
        let column = 4 + format!("{{\"message\": {{\"role\": \"assistant\", \"content\": \"ü{i}\"}}, \"finish_reason\": \"stop\", \"index\": ").chars().count() + 1;
        assert_eq!(violation.position, Some(Position::new(i + 4, column)), "{violation}");
    }
}

/// The column of the caret, in terminal cells, and the character shown in that cell.
fn caret_target(excerpt: &str) -> Option<char> {
    let mut rows = excerpt.lines();
    let line = rows.next()?;
    let caret = rows.next()?;
    let cells = caret.find('^')?;
    let mut width = 0;
    for c in line.chars() {
        if width == cells {
            return Some(c);
        }
        width += c.to_string().width();
    }
    None
}

#[test]
fn the_caret_under_a_line_with_cjk_text_points_at_the_value() {
    let body = "{\"id\": \"一二三四五六七八九十\", \"object\": \"chat.completion\", \"created\": \"昨日\", \"model\": \"m\", \"choices\": []}";
    let checker = Checker::new(vec![openai()], CheckOptions { excerpts: true, ..CheckOptions::default() });
    let response = checker.check_bytes("cjk.json", body.as_bytes());
    let judgement = &response.outcome.as_ref().unwrap()[0];
    let violation = &judgement.checked.violations[0];
    assert_eq!(violation.pointer, "/created");
    // Columns count characters: each CJK character is one.
    let column = body[..body.find("\"昨日\"").unwrap()].chars().count() + 1;
    assert_eq!(violation.position, Some(Position::new(1, column)));
    let excerpt = judgement.excerpts[0].as_deref().unwrap();
    assert_eq!(caret_target(excerpt), Some('"'), "{excerpt}");
    let before_caret: String = excerpt.lines().next().unwrap().chars().take_while(|&c| c != '昨').collect();
    assert!(before_caret.ends_with("\"created\": \""), "{excerpt}");
}

#[test]
fn a_cr_only_body_and_a_cr_only_json_lines_file_number_lines_as_editors_do() {
    let pretty = "{\r  \"id\": \"x\",\r  \"object\": \"chat.completion\",\r  \"created\": \"yesterday\",\r  \"model\": \"m\",\r  \"choices\": []\r}";
    let checker = Checker::new(vec![openai()], CheckOptions { excerpts: true, ..CheckOptions::default() });
    let response = checker.check_bytes("cr.json", pretty.as_bytes());
    let judgement = &response.outcome.as_ref().unwrap()[0];
    assert_eq!(judgement.checked.violations[0].position, Some(Position::new(4, 14)));
    assert_eq!(
        judgement.excerpts[0].as_deref(),
        Some("4 |   \"created\": \"yesterday\",\n  |              ^\n")
    );

    let records =
        "{\"id\": \"x\", \"object\": \"chat.completion\", \"created\": 1, \"model\": \"m\", \"choices\": []}";
    let bad = records.replace("\"created\": 1", "\"created\": \"1\"");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cr.jsonl");
    std::fs::write(&path, format!("{records}\r{records}\r\n\r{bad}\r")).unwrap();
    let mut collected = Collect::default();
    let summary = checker.run(&[chatcompat::check::Input::Path(path)], &mut collected).unwrap();
    assert_eq!(summary.responses, 3, "CR ends a record as LF and CRLF do");
    let lines: Vec<Option<usize>> = collected.0.iter().map(|r| r.source.line).collect();
    assert_eq!(lines, [Some(1), Some(2), Some(4)]);
    let violation = &collected.0[2].outcome.as_ref().unwrap()[0].checked.violations[0];
    assert_eq!(violation.position.map(|p| p.line), Some(Line(4)));
}

#[test]
fn a_cr_only_transcript_numbers_lines_as_the_body_reader_does() {
    let catalog = Catalog::discover(workspace()).unwrap();
    let streams = StreamCatalog::load(&catalog);
    let schemas = streams.schemas("openai").unwrap();
    let good = r#"{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"content": "é"}, "finish_reason": null}]}"#;
    let bad = good.replace("\"created\": 1", "\"created\": \"1\"");
    for end in ["\n", "\r", "\r\n"] {
        let transcript = [
            ": keep-alive",
            "",
            &format!("data: {good}"),
            "",
            &format!("data: {bad}"),
            "",
            "data: [DONE]",
            "",
            "",
        ]
        .join(end);
        let report = stream::check_transcript(schemas, transcript.as_bytes());
        let finding = report
            .findings
            .iter()
            .find(|f| matches!(&f.kind, FindingKind::Schema { violation, .. } if violation.pointer == "/created"))
            .unwrap_or_else(|| panic!("{end:?}: {:#?}", report.findings));
        let column = "data: ".len() + bad[..bad.find("\"1\"").unwrap()].chars().count() + 1;
        assert_eq!(finding.position, Some(Position::new(5, column)), "{end:?}");
        // The body reader puts the same text's line 5 at the same place.
        let offset = chatcompat::locate::offset_of(&transcript, Position::new(5, column)).unwrap();
        assert!(transcript[offset..].starts_with("\"1\""), "{end:?}");
    }
}

#[derive(Default)]
struct Collect(Vec<chatcompat::check::Response>);

impl chatcompat::format::Reporter for Collect {
    fn begin(&mut self, _: &chatcompat::format::RunInfo) -> std::io::Result<()> {
        Ok(())
    }

    fn response(&mut self, response: &chatcompat::check::Response) -> std::io::Result<()> {
        self.0.push(response.clone());
        Ok(())
    }

    fn finish(&mut self, _: &chatcompat::check::Summary) -> std::io::Result<()> {
        Ok(())
    }
}

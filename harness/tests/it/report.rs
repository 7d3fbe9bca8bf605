//! The compatibility report: its JSON follows its published schema, hostile
//! fixture content shows as text, and the matrix is snapshot-tested.

use std::path::Path;

use chatcompat::{corpus, report, Catalog};

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn build(fixtures: &Path) -> report::Report {
    let catalog = Catalog::discover(workspace()).unwrap();
    let schemas = catalog.load_schemas().unwrap();
    report::build(&catalog, &schemas, &corpus::discover(fixtures), &|_, _| {})
}

#[test]
fn report_json_validates_against_reports_report_schema() {
    let report = build(&workspace().join("fixtures"));
    let schema_text = std::fs::read_to_string(workspace().join("reports/report.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let value: serde_json::Value = serde_json::from_str(&report::to_json(&report)).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A broken report must not pass: the schema really constrains the shape.
    let mut broken = value.clone();
    broken["matrix"][0]["total"] = serde_json::json!(-1);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn every_provider_accepts_all_its_own_valid_fixtures() {
    let report = build(&workspace().join("fixtures"));
    for row in &report.corpus {
        let diagonal =
            report.matrix.iter().find(|c| c.fixtures == row.provider && c.schema == row.provider).unwrap();
        assert!(diagonal.total > 0);
        assert_eq!(
            diagonal.violates, 0,
            "{} rejects its own fixtures: {:#?}",
            row.provider, diagonal.blocking
        );
    }
}

#[test]
fn hostile_fixture_content_appears_only_as_text() {
    let report = build(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile-corpus"));
    let html = report::html::render(&report);
    for raw in ["<script>alert", "<img src=x", "<svg onload", "<b>stop</b>", "href=\"javascript:"] {
        assert!(!html.contains(raw), "the page contains raw {raw:?}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;~1script&gt;"), "the hostile key is shown, escaped");
    assert!(html.contains("javascript:alert(3)"), "the hostile key is shown as text");
    assert!(!html.contains("<script"), "the page has no script element at all");

    let markdown = report::markdown::render(&report);
    for line in markdown.lines().filter(|l| l.contains("alert")) {
        assert!(!line.contains("<script") || line.contains('`'), "unescaped HTML in Markdown: {line}");
    }
    assert!(markdown.contains("`/x\\|y'z`"), "a `|` or backtick in a key cannot break out of its code span");
}

#[test]
fn matrix_snapshot() {
    let report = build(&workspace().join("fixtures"));
    let markdown = report::markdown::render(&report);
    let matrix: String = markdown
        .lines()
        .skip_while(|l| !l.starts_with("## Can a client"))
        .take_while(|l| !l.starts_with("## Fields"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("compatibility-matrix", matrix);
}

//! The compatibility report: its JSON follows its published schema, hostile
//! fixture content shows as text, and the matrix is snapshot-tested.

use std::path::Path;

use chatcompat::{catalog::SchemaKind, corpus, report, Catalog};

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
        // A row is a provider, or `provider · server` for an OpenAI-compatible server's captured fixtures:
        // its diagonal is the row checked against its provider's own schema.
        let diagonal =
            report.matrix.iter().find(|c| c.fixtures == row.row && c.schema == row.provider).unwrap();
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

/// Writes a fixture body and its sidecar into `root/<provider>/<validity>/<name>.{json,toml}`.
fn put(root: &Path, provider: &str, validity: &str, name: &str, body: &str, sidecar: &str) {
    let dir = root.join(provider).join(validity);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.json")), body).unwrap();
    std::fs::write(dir.join(format!("{name}.toml")), sidecar).unwrap();
}

const CORE_BODY: &str = r#"{"id":"x","object":"chat.completion","created":1,"model":"m",
  "choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#;

/// A corpus with captured fixtures of two servers, one synthetic core fixture and an openai provider
/// with only synthetic and docs fixtures.
fn evidence_corpus() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let captured = |server: &str| {
        format!(
            "description = \"d\"\nsource = \"captured\"\ndate = \"2026-01-02\"\nserver = \"{server}\"\n\n\
             [origin]\nrepository = \"o/n\"\ncommit = \"1a2b3c4d\"\npath = \"p.yaml\"\n"
        )
    };
    put(root, "openai-compatible", "valid", "groq-one", CORE_BODY, &captured("groq"));
    // A reasoning field the core does not document: accepted with an extension.
    let with_extension = CORE_BODY.replace("\"content\":\"hi\"", "\"content\":\"hi\",\"reasoning\":\"r\"");
    put(root, "openai-compatible", "valid", "groq-two", &with_extension, &captured("groq"));
    put(root, "openai-compatible", "valid", "vllm-one", CORE_BODY, &captured("vllm"));
    let synthetic = "description = \"d\"\nsource = \"synthetic\"\ndate = \"2026-01-01\"\n";
    put(root, "openai-compatible", "valid", "core", CORE_BODY, synthetic);
    let openai =
        std::fs::read_to_string(workspace().join("fixtures/openai/valid/all-fields-present.json")).unwrap();
    put(root, "openai", "valid", "synthetic", &openai, synthetic);
    let docs = "description = \"d\"\nsource = \"docs-example\"\ndate = \"2026-01-01\"\n";
    put(root, "openai", "valid", "docs-example", CORE_BODY, docs);
    // Captured, but it breaks the core (no `choices`): a captured fixture that a cell counts as violating.
    put(
        root,
        "openai-compatible",
        "valid",
        "groq-broken",
        r#"{"id":"x","object":"chat.completion","created":1,"model":"m"}"#,
        &captured("groq"),
    );
    dir
}

#[test]
fn cells_count_each_source_apart_and_servers_get_their_own_rows() {
    let corpus = evidence_corpus();
    let report = build(corpus.path());
    let rows: Vec<&str> = report::row_ids(&report).into_iter().collect();
    assert_eq!(rows, ["openai", "openai-compatible", "openai-compatible · groq", "openai-compatible · vllm"]);
    let groq = report::corpus_row(&report, "openai-compatible · groq").unwrap();
    assert_eq!((groq.provider.as_str(), groq.server.as_deref()), ("openai-compatible", Some("groq")));
    assert_eq!(groq.valid.get(&corpus::Origin::Captured), Some(&3));
    assert!(report::has_captured(groq));
    assert!(!report::has_captured(report::corpus_row(&report, "openai").unwrap()));
    assert!(
        !report::has_captured(report::corpus_row(&report, "openai-compatible").unwrap()),
        "only the servers' rows are captured"
    );

    let cell = |row: &str, schema: &str| {
        report.matrix.iter().find(|c| c.fixtures == row && c.schema == schema).unwrap()
    };
    let groq_core = cell("openai-compatible · groq", "openai-compatible");
    assert_eq!((groq_core.total, groq_core.violates), (3, 1));
    let captured = groq_core.sources[&corpus::Origin::Captured];
    assert_eq!((captured.total, captured.accepted(), captured.violates), (3, 2, 1));
    assert_eq!(groq_core.sources[&corpus::Origin::Synthetic].total, 0);
    assert!(groq_core.blocking.iter().any(|g| g.pointer == "/choices" && g.captured == 1));
    let openai_own = cell("openai", "openai");
    assert_eq!(openai_own.sources[&corpus::Origin::Captured].total, 0);
    assert_eq!(openai_own.sources[&corpus::Origin::Synthetic].total, 1);
    assert_eq!(openai_own.sources[&corpus::Origin::DocsExample].total, 1);
    // The core row holds only the fixture without a server.
    assert_eq!(cell("openai-compatible", "openai-compatible").total, 1);

    let markdown = report::markdown::render(&report);
    assert!(markdown.contains("| **openai**<br>_no captured evidence_ |"), "{markdown}");
    assert!(markdown.contains("| **openai-compatible · groq** |"), "a captured row has no note");
    // Captured first, then docs, then synthetic; the row's own schema in bold.
    let by_fixtures = section(&markdown, "## Can a client");
    let groq_line = by_fixtures.lines().find(|l| l.starts_with("| **openai-compatible · groq** |")).unwrap();
    assert!(groq_line.contains("**◕ captured 2/3**<br>**+ext 1**"), "{groq_line}");
    let openai_line = by_fixtures.lines().find(|l| l.starts_with("| **openai**<br>")).unwrap();
    let (docs, synthetic) = (openai_line.find("docs").unwrap(), openai_line.find("synthetic").unwrap());
    assert!(docs < synthetic, "{openai_line}");
    assert!(
        markdown.contains("| openai | **none**: no captured evidence | 1 / 0 | 1 / 0 | 0 | 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| openai-compatible · groq | 3 / 0 | 0 / 0 | 0 / 0 | 1 | 0 |"),
        "the broken one fails its own trial"
    );

    let html = report::html::render(&report);
    assert!(html.contains(
        "<th scope=\"row\"><span class=\"label\">openai</span><span class=\"nocap\">no captured evidence</span></th>"
    ));
    assert!(html.contains(
        "<th scope=\"row\"><span class=\"label\">openai-compatible</span> <span class=\"label\">· vllm</span></th>"
    ));
    assert!(
        html.contains("<td class=\"cell own\"><a href=\"#cell-openai-compatible---groq-openai-compatible\">")
    );
    assert!(html.contains(
        "<span class=\"part most\"><span class=\"sym\" aria-hidden=\"true\">◕</span> captured 2/3</span>"
    ));
    assert!(html.contains("<li class=\"captured\"><code>openai-compatible/valid/groq-broken</code></li>"));
    for anchor in ["matrix", "sdk", "details", "fields", "corpus", "streams", "roundtrip"] {
        assert!(html.contains(&format!("<li><a href=\"#{anchor}\">")), "contents lists #{anchor}");
        assert!(html.contains(&format!("id=\"{anchor}\"")), "#{anchor} exists");
    }

    let schema_text = std::fs::read_to_string(workspace().join("reports/report.schema.json")).unwrap();
    let validator = jsonschema::draft202012::new(&serde_json::from_str(&schema_text).unwrap()).unwrap();
    let value: serde_json::Value = serde_json::from_str(&report::to_json(&report)).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn shares_tell_all_most_few_and_none_apart() {
    use report::Share;
    assert_eq!(Share::of(3, 3), Share::All);
    assert_eq!(Share::of(2, 3), Share::Most);
    assert_eq!(Share::of(1, 2), Share::Most, "half is most");
    assert_eq!(Share::of(1, 3), Share::Few);
    assert_eq!(Share::of(0, 3), Share::None);
    assert_eq!(Share::of(0, 0), Share::Empty);
    let symbols: std::collections::BTreeSet<&str> =
        [Share::All, Share::Most, Share::Few, Share::None, Share::Empty].iter().map(|s| s.symbol()).collect();
    assert_eq!(symbols.len(), 5, "each shade has its own symbol, for readers who do not see the colour");
}

/// The Markdown section that starts with `heading`, up to the next `## ` heading.
fn section(markdown: &str, heading: &str) -> String {
    let mut lines = markdown.lines().skip_while(|l| !l.starts_with(heading));
    let first = lines.next().unwrap_or_default();
    std::iter::once(first).chain(lines.take_while(|l| !l.starts_with("## "))).collect::<Vec<_>>().join("\n")
}

#[test]
fn contract_sections_snapshot() {
    let report = build(&workspace().join("fixtures"));
    let markdown = report::markdown::render(&report);
    insta::assert_snapshot!("evidence-side-by-side", section(&markdown, "## Three kinds of evidence"));
    insta::assert_snapshot!("by-contract", section(&markdown, "## By contract"));
    // One pair's list as the HTML page shows it: the issue's example, OpenRouter's responses read by an OpenAI client.
    let html = report::html::render(&report);
    let start = html.find("<section id=\"contract-openrouter-openai\"").expect("the pair has a section");
    let end = start + html[start..].find("</section>").unwrap() + "</section>".len();
    insta::assert_snapshot!("contract-openrouter-openai-html", &html[start..end]);
}

#[test]
fn every_contract_cell_links_to_its_list_and_every_witness_is_proved() {
    let report = build(&workspace().join("fixtures"));
    let catalog = Catalog::discover(workspace()).unwrap();
    let evidence = &report.contract;
    assert!(evidence.available, "{:?}", evidence.error);
    let n = catalog.providers.len();
    assert_eq!(evidence.pairs.len(), n * (n - 1), "every ordered pair of distinct providers");
    let html = report::html::render(&report);
    let markdown = report::markdown::render(&report);
    for pair in &evidence.pairs {
        let anchor = report::contract::anchor(&pair.from, &pair.to);
        assert!(html.contains(&format!("href=\"#{anchor}\"")), "a cell links to {anchor}");
        assert!(html.contains(&format!("<section id=\"{anchor}\"")), "{anchor} exists");
        for (kind, list) in
            [(SchemaKind::Response, Some(&pair.response)), (SchemaKind::Chunk, pair.chunk.as_ref())]
        {
            let Some(list) = list else { continue };
            assert_eq!(list.count, list.items.len());
            assert_eq!(list.unconfirmed, 0, "{} → {}: unconfirmed candidates", pair.from, pair.to);
            assert_eq!(list.worst, list.items.iter().map(|i| i.kind).min());
            let a = catalog.load_schema_kind(catalog.provider(&pair.from).unwrap(), kind).unwrap();
            let b = catalog.load_schema_kind(catalog.provider(&pair.to).unwrap(), kind).unwrap();
            for item in &list.items {
                let witness = &item.witness;
                let at = format!("{} → {} {kind:?} {} [{}]", pair.from, pair.to, item.path, item.kind);
                assert!(
                    a.check(&witness.response).violations.is_empty(),
                    "{at}: A rejects the report's witness"
                );
                let by_b = b.check(&witness.response).violations;
                assert!(
                    by_b.iter().any(|v| v.pointer == witness.pointer && v.keyword == witness.keyword),
                    "{at}: B does not report `{}` at {}",
                    witness.keyword,
                    witness.pointer
                );
                assert_eq!(witness.other_errors + 1, by_b.len(), "{at}");
            }
        }
        if !pair.compatible() {
            assert!(
                markdown.contains(&format!("- **{} → {}**: ", pair.from, pair.to)),
                "the Markdown lists {anchor}"
            );
        }
    }
    // The side-by-side matrix: each row's contract part comes from the row's provider, servers included.
    assert!(html.contains("<h2 id=\"evidence\">") && html.contains("<h2 id=\"contract\">"));
}

#[test]
fn a_server_row_reads_its_providers_contract() {
    let corpus = evidence_corpus();
    let report = build(corpus.path());
    let html = report::html::render(&report);
    let row = html
        .lines()
        .find(|l| l.contains("<span class=\"label\">· groq</span>") && l.contains("contract"))
        .unwrap();
    assert!(row.contains("href=\"#contract-openai-compatible-openai\""), "{row}");
    assert!(row.contains("own contract"), "the core column is the server row's own contract");
}

#[test]
fn the_terminal_summary_lines_up_whatever_the_row_names() {
    let out = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .current_dir(workspace())
        .args(["report", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let mut tables = 0;
    for block in stdout.split("\n\n") {
        let rows: Vec<&str> = block
            .lines()
            .skip_while(|l| !l.contains("openai-compatible  failing"))
            .filter(|l| !l.starts_with("  ") && !l.starts_with("streaming not documented"))
            .collect();
        let Some(header) = rows.first() else { continue };
        tables += 1;
        // Server rows (`openai-compatible · perplexity`) are longer than the providers' names.
        assert!(rows.iter().any(|r| r.contains(" · ")), "{block}");
        for row in &rows {
            assert_eq!(
                row.chars().count(),
                header.chars().count(),
                "misaligned row {row:?} under {header:?}"
            );
        }
    }
    assert_eq!(tables, 2, "{stdout}");
}

//! The tape (the fast path for conforming bodies) judges as the full path does: on every
//! shipped body and on generated valid and invalid instances, against every provider's schema.

use std::path::{Path, PathBuf};

use chatcompat::{generate, json, tape, Catalog};

/// The shipped fixtures whose file name ends with `suffix` (bodies: `.json`, transcripts: `.sse`),
/// without the expected outputs (`.expected.json`).
fn fixtures(suffix: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = path.to_string_lossy();
            if path.is_dir() {
                walk(&path, suffix, out);
            } else if name.ends_with(suffix) && !name.ends_with(".expected.json") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"), suffix, &mut out);
    out
}

#[test]
fn the_tape_and_the_full_reader_agree_on_every_body_and_schema() {
    let catalog = Catalog::embedded().unwrap();
    let schemas: Vec<_> =
        catalog.ids().iter().map(|id| catalog.load_schema(catalog.provider(id).unwrap()).unwrap()).collect();
    let paths = fixtures(".json");
    assert!(paths.len() > 300, "{} bodies", paths.len());
    let mut texts: Vec<String> = paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    for (seed, schema) in schemas.iter().enumerate() {
        texts.extend(generate::sample(schema, 60, seed as u64).unwrap());
        texts.extend(generate::sample_invalid(schema, 60, seed as u64).unwrap());
    }
    let (mut conforming, mut violating, mut unread) = (0, 0, 0);
    for text in &texts {
        let parsed = match json::read(text.as_bytes()) {
            Ok(parsed) if parsed.wide_floats.is_empty() => parsed,
            _ => {
                assert!(
                    tape::with_tape(text, |_| ()).is_none(),
                    "the tape read what the full reader refuses:\n{text}"
                );
                unread += 1;
                continue;
            }
        };
        for schema in &schemas {
            let full = schema.check_parsed(&parsed);
            let fast = tape::with_tape(text, |root| schema.check_tape(root));
            let fast =
                fast.unwrap_or_else(|| panic!("the tape refused a body the full reader read:\n{text}"));
            if agree(schema.provider(), fast, &full, text) {
                conforming += 1;
            } else {
                violating += 1;
            }
        }
    }
    // Both ways exercised, on many bodies.
    assert!(conforming > 500 && violating > 500 && unread > 10, "{conforming} {violating} {unread}");
}

/// Holds the tape's answer (`Some`: conforms, with these extensions) to the full path's;
/// returns whether it conforms.
fn agree(
    provider: &str,
    fast: Option<chatcompat::verdict::Checked>,
    full: &chatcompat::verdict::Checked,
    text: &str,
) -> bool {
    match fast {
        Some(checked) => {
            assert!(
                full.violations.is_empty(),
                "{provider}: tape says conforms, full path {:?}\n{text}",
                full.violations
            );
            assert_eq!(checked.extensions, full.extensions, "{provider}: extensions\n{text}");
            true
        }
        None => {
            assert!(
                !full.violations.is_empty(),
                "{provider}: tape says violates, full path conforms\n{text}"
            );
            false
        }
    }
}

/// Every `data` of every shipped transcript, and generated chunks.
fn chunk_texts(chunk_schemas: &[&chatcompat::Schema]) -> Vec<String> {
    let paths = fixtures(".sse");
    assert!(paths.len() > 80, "{} transcripts", paths.len());
    let mut texts = Vec::new();
    for path in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let parsed = chatcompat::stream::sse::parse(&text);
        texts.extend(
            parsed
                .events
                .into_iter()
                .filter_map(|e| e.data)
                .filter(|d| d != "[DONE]")
                .map(|d| d.into_owned()),
        );
    }
    for (seed, schema) in chunk_schemas.iter().enumerate() {
        texts.extend(generate::sample(schema, 40, seed as u64).unwrap());
        texts.extend(generate::sample_invalid(schema, 40, seed as u64).unwrap());
    }
    texts
}

/// A transcript's chunks are read onto one shelf, one after another (`stream::check_transcript`
/// judges conforming chunks there): each reads back as serde_json reads it, whatever was read or
/// refused before it, and the chunk schemas judge it on the shelf as they judge its `Value`.
#[test]
fn a_shelf_of_chunks_holds_and_judges_each_as_the_full_path_does() {
    let catalog = Catalog::embedded().unwrap();
    let streams = chatcompat::stream::StreamCatalog::load(&catalog);
    let chunk_schemas: Vec<_> = streams.supported.iter().map(|s| &s.chunk).collect();
    let mut texts = chunk_texts(&chunk_schemas);
    // Refused half-way (a repeated key, a cut document, a wide float), between chunks it holds.
    for (at, refused) in [r#"{"id": "a", "id": "b"}"#, r#"{"choices": [{"index": 0"#, r#"{"created": 1e20}"#]
        .into_iter()
        .enumerate()
    {
        texts.insert(at * 7 + 1, refused.to_string());
    }
    let (mut conforming, mut violating, mut refused) = (0, 0, 0);
    tape::with_shelf(|shelf| {
        let mut docs = Vec::new();
        for text in &texts {
            match shelf.read(text) {
                Some(doc) => docs.push((text, doc)),
                None => refused += 1,
            }
        }
        let shelf = &*shelf;
        for (text, doc) in docs {
            let node = shelf.node(doc);
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(node.to_value(), value, "{text}");
            for schema in &chunk_schemas {
                let full = schema.check_text(&value, text);
                if agree(schema.provider(), schema.check_tape(node), &full, text) {
                    conforming += 1;
                } else {
                    violating += 1;
                }
            }
        }
    });
    assert!(conforming > 300 && violating > 300 && refused > 3, "{conforming} {violating} {refused}");
}

/// What only a lenient reader takes is copied onto the shelf from its `Value`, member for member.
#[test]
fn a_value_put_on_the_shelf_reads_back_the_same() {
    for text in [
        r#"{"a": 1, "a": 2, "b": [1, -2, 3.5, 1e300, "x\n", null, true, {}], "c": {"d": []}}"#,
        r#"{"created": 1e20, "id": "é"}"#,
        "[]",
        "-0",
    ] {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        tape::with_shelf(|shelf| {
            let first = shelf.read(r#"{"before": "x"}"#).unwrap();
            let doc = shelf.put(&value).unwrap();
            let shelf = &*shelf;
            assert_eq!(shelf.node(doc).to_value(), value, "{text}");
            assert_eq!(shelf.node(first).to_value(), serde_json::json!({"before": "x"}));
        });
    }
}

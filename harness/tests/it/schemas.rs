//! The committed schemas: valid draft 2020-12 documents, with stable ids, and each
//! provider's docs example accepted by its own schema.

use std::path::Path;

use chatcompat::Catalog;

fn catalog() -> Catalog {
    Catalog::discover(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))).unwrap()
}

#[test]
fn every_committed_schema_is_a_valid_draft_2020_12_schema() {
    let catalog = catalog();
    assert!(catalog.providers.len() >= 7, "{:?}", catalog.ids());
    for provider in &catalog.providers {
        let text = std::fs::read_to_string(provider.schema_path()).unwrap();
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        if let Err(err) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{}: not a draft 2020-12 schema: {err}", provider.schema_path().display());
        }
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(schema["$id"], provider.schema_id());
    }
}

#[test]
fn the_seven_providers_of_the_mission_are_there() {
    let ids = catalog().ids();
    for id in
        ["atoma", "mistral-gcp", "neosantaraai", "nusantaraai", "openai", "openai-compatible", "openrouter"]
    {
        assert!(ids.iter().any(|known| known == id), "missing provider {id}: {ids:?}");
    }
}

#[test]
fn the_smallest_body_openai_python_accepts_passes_the_core_and_openai() {
    // The reference's smallest accepted body of the openai-compatible core.
    let body = serde_json::json!({"id": "x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant"}}]});
    for provider in ["openai", "openai-compatible"] {
        assert_eq!(
            chatcompat::check(provider, &body).unwrap().verdict(),
            chatcompat::Verdict::Conforms,
            "{provider}"
        );
    }
}

/// Issue #13: every `lenient` row cites the fact on each side, file and all, and its columns take
/// the more accepting reading (the table reader refuses anything else; this walks every page).
#[test]
fn every_lenient_row_cites_the_facts_it_rests_on() {
    use chatcompat::tables::{self, Source, TypeKind};
    let catalog = catalog();
    let mut lenient = 0;
    for provider in &catalog.providers {
        let roots = std::iter::once(provider.root.as_str()).chain(provider.chunk_root.as_deref());
        for root in roots {
            let set = tables::load(&provider.dir, root)
                .unwrap_or_else(|errors| panic!("{}: {errors:?}", provider.id));
            for ty in &set.types {
                let TypeKind::Object { fields } = &ty.kind else { continue };
                for field in fields.iter().filter(|f| f.source == Some(Source::Lenient)) {
                    let where_ = format!("{}:{} `{}`", ty.file.display(), field.line, field.name);
                    let sides = tables::citation(field.description.as_deref().unwrap_or(""))
                        .unwrap_or_else(|err| panic!("{where_}: {err}"));
                    assert!(sides.len() >= 2, "{where_}");
                    lenient += 1;
                }
            }
        }
    }
    // The shipped tables have about sixty lenient rows (some reached from both roots).
    assert!(lenient >= 50, "only {lenient} lenient rows found");
}

/// The NeosantaraAI rows issue #13 names: written back as they were (nullable, `lenient`) with
/// their two sources cited as they are (neither allows `null`), the reader refuses both rows.
#[test]
fn a_lenient_row_that_contradicts_its_sources_is_refused() {
    use chatcompat::tables::{self, TableErrorKind};
    let provider = catalog().provider("neosantaraai").unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&provider.dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let page = dir.path().join("metadata.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let mut changed = 0;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if !(line.starts_with("| `userTotalUsage`") || line.starts_with("| `keySpecificUsage`")) {
                return line.to_string();
            }
            changed += 1;
            let mut cells: Vec<&str> = line.split('|').collect();
            cells[4] = " :heavy_check_mark: ";
            cells[6] = " lenient ";
            cells[7] = " Lenient: ErRickow/nusaai src/models/components/metadata.ts says optional, not nullable; \
                        openapi.json says optional, not nullable (`nullable: true` beside a `$ref` is ignored). ";
            cells.join("|")
        })
        .collect();
    assert_eq!(changed, 2);
    std::fs::write(&page, lines.join("\n")).unwrap();
    let errors = tables::load(dir.path(), &provider.root).unwrap_err();
    let lenient: Vec<_> =
        errors.iter().filter(|e| matches!(e.kind, TableErrorKind::Lenient { .. })).collect();
    assert_eq!(lenient.len(), 2, "{errors:?}");
    assert!(lenient.iter().all(|e| e.file.ends_with("metadata.md")));
    assert!(lenient[0].to_string().contains("every source cited says not nullable"), "{}", lenient[0]);
    // Uncited, the same rows are refused too.
    std::fs::write(&page, text.replace("| sdk     | Quota state", "| lenient | Quota state")).unwrap();
    let errors = tables::load(dir.path(), &provider.root).unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].to_string().contains("has no `Lenient:`"), "{}", errors[0]);
}

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

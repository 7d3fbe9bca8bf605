//! `observe` and the coverage index: documentation against traffic.

use std::path::Path;

use chatcompat::{observe, Catalog};
use serde_json::json;

fn schema(provider: &str) -> chatcompat::Schema {
    let catalog = Catalog::discover(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))).unwrap();
    catalog.load_schema(catalog.provider(provider).unwrap()).unwrap()
}

#[test]
fn differences_between_tables_and_traffic_are_called_out() {
    let mut inventory = observe::Inventory::default();
    inventory.add(&json!({"id": "a", "object": "chat.completion", "created": 1.0, "model": "m",
        "service_tier": "on_demand", "x_groq": {"id": "req_1"},
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}]}));
    inventory.add(&json!({"id": "b", "object": "chat.completion", "created": 2,
        "choices": [{"index": 0, "finish_reason": "length", "message": {"role": "assistant", "content": null}}]}));
    let found = observe::observe(&schema("openai"), &inventory);
    assert_eq!(found.responses, 2);
    assert_eq!(found.undocumented, ["x_groq", "x_groq.id"]);
    assert!(found.outside_enum.contains(&"service_tier = on_demand".to_string()), "{:?}", found.outside_enum);
    assert_eq!(found.integer_as_float, ["created"]);
    assert_eq!(found.required_absent, ["model"]);
    assert!(found.never_seen.contains(&"usage".to_string()));
    assert!(!found.never_seen.contains(&"choices[].message.content".to_string()));
    let stats = &found.inventory["choices[].message.content"];
    assert_eq!((stats.present, stats.null, stats.absent), (2, 1, 0));

    let gaps = &found.coverage.gaps;
    assert!(gaps.contains(&"usage present".to_string()));
    assert!(gaps.contains(&"choices[].finish_reason = tool_calls".to_string()));
    assert!(!gaps.contains(&"choices[].message.content null".to_string()));
    assert_eq!(found.coverage.covered + gaps.len(), found.coverage.items);
    assert!(found.coverage.percent < 50, "two responses exercise little of the contract");
}

#[test]
fn an_empty_corpus_covers_nothing_without_dividing_by_zero() {
    let found = observe::observe(&schema("nusantaraai"), &observe::Inventory::default());
    assert_eq!((found.coverage.covered, found.coverage.percent), (0, 0));
    assert_eq!(
        found.never_seen.len(),
        found.coverage.gaps.iter().filter(|g| g.ends_with(" present")).count()
    );
}

//! Verdicts on inline responses: each error is reported once, at its own place, with its keyword.

use serde_json::json;

fn violations(provider: &str, response: serde_json::Value) -> Vec<String> {
    let checked = chatcompat::check(provider, &response).unwrap();
    checked.violations.iter().map(ToString::to_string).collect()
}

fn openrouter(message: serde_json::Value) -> serde_json::Value {
    json!({"id": "gen-1", "object": "chat.completion", "created": 1735689600, "model": "m",
           "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null, "message": message}]})
}

#[test]
fn a_missing_union_tag_is_the_only_error() {
    let message = json!({"role": "assistant", "content": "x", "refusal": null,
                         "reasoning_details": [{"summary": "thought"}]});
    assert_eq!(
        violations("openrouter", openrouter(message)),
        ["/choices/0/message/reasoning_details/0/type: required: expected the key to be present, found absent"]
    );
}

#[test]
fn an_error_inside_a_tagged_member_is_reported_inside_it() {
    let message = json!({"role": "assistant", "content": "x", "refusal": null,
                         "reasoning_details": [{"type": "reasoning.summary", "summary": 3}]});
    assert_eq!(
        violations("openrouter", openrouter(message)),
        ["/choices/0/message/reasoning_details/0/summary: type: expected string, found 3"]
    );
}

#[test]
fn a_nullable_object_of_the_wrong_type_is_a_type_error() {
    let response = json!({"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [],
                          "usage": "lots"});
    assert_eq!(violations("atoma", response), ["/usage: type: expected object or null, found \"lots\""]);
}

#[test]
fn an_error_inside_a_nullable_object_is_not_hidden_by_its_null_branch() {
    let response = json!({"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": [],
                          "usage": {"prompt_tokens": 1, "completion_tokens": "2", "total_tokens": 3}});
    assert_eq!(
        violations("atoma", response),
        ["/usage/completion_tokens: type: expected integer, found \"2\""]
    );
}

#[test]
fn every_error_is_reported_not_only_the_first() {
    let response = json!({"object": "chat.completion.chunk", "created": "now", "choices": []});
    let found = violations("openai", response);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found.iter().any(|v| v.starts_with("/id: required")));
    assert!(found.iter().any(|v| v.starts_with("/model: required")));
    assert!(found.iter().any(|v| v.starts_with("/created: type")));
    assert!(found.iter().any(|v| v.starts_with("/object: enum")));
}

#[test]
fn undocumented_fields_are_listed_and_change_the_verdict() {
    let response = json!({"id": "c", "object": "chat.completion", "created": 1, "model": "m",
                          "choices": [{"index": 0, "finish_reason": "stop", "stop_reason": null,
                                       "message": {"role": "assistant", "content": "hi", "reasoning_content": "…"}}],
                          "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "cost": 0.1}});
    let checked = chatcompat::check("openai", &response).unwrap();
    assert_eq!(checked.verdict(), chatcompat::Verdict::ConformsWithExtensions);
    assert_eq!(
        checked.extensions,
        ["/choices/0/stop_reason", "/choices/0/message/reasoning_content", "/usage/cost"]
    );
}

#[test]
fn an_unknown_provider_is_an_error_naming_the_known_ones() {
    let err = chatcompat::check("nosuch", &json!({})).unwrap_err().to_string();
    assert!(err.contains("unknown provider `nosuch`") && err.contains("openrouter"), "{err}");
}

/// Numbers as each provider's SDK reads them (`[numbers]` in provider.toml): an
/// integer literal of any size passes everywhere; a float literal beyond ±2^63 in
/// an `integer` field fails where pydantic's `int` reads it (openai, openai-compatible)
/// and passes where zod's `.int()` does (atoma).
#[test]
fn wide_numbers_are_judged_per_provider_as_its_sdk_reads_them() {
    let catalog =
        chatcompat::Catalog::discover(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")).unwrap();
    let schema = |id: &str| catalog.load_schema(catalog.provider(id).unwrap()).unwrap();
    let (openai, compatible, atoma) = (schema("openai"), schema("openai-compatible"), schema("atoma"));
    let checker = chatcompat::check::Checker::new(vec![&openai, &compatible, &atoma], Default::default());
    let body = |created: &str| {
        format!(
            r#"{{"id": "x", "object": "chat.completion", "created": {created}, "model": "m", "choices": [], "usage": {{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "prompt_tokens_details": {{"audio_tokens": 0, "cached_tokens": 0}}}}}}"#
        )
    };
    let verdicts = |created: &str| -> Vec<(bool, String)> {
        let response = checker.check_bytes("n.json", body(created).as_bytes());
        let judgements = response.outcome.unwrap_or_else(|err| panic!("{created}: {err}"));
        judgements
            .iter()
            .map(|j| {
                (
                    j.checked.violations.is_empty(),
                    j.checked.violations.iter().map(ToString::to_string).collect(),
                )
            })
            .collect()
    };
    for created in ["36893488147419103232", "18446744073709551616", "9.2e18", "1.0"] {
        assert!(verdicts(created).iter().all(|(ok, _)| *ok), "{created}: {:?}", verdicts(created));
    }
    for created in ["1e20", "9.3e18", "-9.3e18"] {
        let found = verdicts(created);
        assert!(!found[0].0 && !found[1].0, "{created} must fail openai and openai-compatible: {found:?}");
        assert!(
            found[0]
                .1
                .contains(&format!("/created: type: expected integer, found {created} (a float beyond")),
            "{found:?}"
        );
        assert!(found[2].0, "{created} passes atoma (zod .int()): {found:?}");
    }
}

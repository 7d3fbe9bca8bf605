//! `chatcompat derive --tables DIR --root TYPE` on SDK docs folders (issue #17), by running the
//! built binary on the page sets in `harness/tests/data/derive/`, one per dialect current
//! Speakeasy generators write: TypeScript with const literals, `.mdx` with front matter, Python.
//! Each derived schema is a golden snapshot, compiles, and holds the facts its pages carry.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use serde_json::{json, Value};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `chatcompat ARGS` from the workspace (so paths in the output are relative);
/// returns exit code, stdout and stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .current_dir(workspace())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the chatcompat binary runs");
    (
        output.status.code().expect("exited"),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const DATA: &str = "harness/tests/data/derive";

/// Derives `root` from `DATA/<docs>`, asserting success; the schema text and stderr.
fn derive(docs: &str, root: &str, extra: &[&str]) -> (String, String) {
    let tables = format!("{DATA}/{docs}");
    let mut args = vec!["derive", "--tables", tables.as_str(), "--root", root];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "derive failed: {err}");
    (out, err)
}

fn compile(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).expect("derive prints JSON");
    jsonschema::draft202012::new(&schema).expect("the derived schema compiles")
}

#[test]
fn typescript_pages_with_const_literals_derive() {
    // The root is found in `components/` below the folder given.
    let (text, _) = derive("ts-literal/docs/models", "ChatCompletionResponse", &[]);
    insta::assert_snapshot!("derive-ts-literal", text);
    let schema: Value = serde_json::from_str(&text).unwrap();
    let defs = &schema["$defs"];
    assert_eq!(defs["AssistantMessage"]["properties"]["role"], json!({"const": "assistant"}));
    // A union whose members carry a const `type` selects its member by that tag.
    assert_eq!(defs["ContentChunk"]["properties"]["type"], json!({"enum": ["text", "image_url"]}));
    // The open enum keeps unknown strings.
    assert_eq!(defs["ChatCompletionChoice"]["properties"]["finish_reason"]["type"], json!("string"));
    // Digits split as the SDK's remap$ does; `additionalProperties` is not a field.
    let usage = defs["UsageInfo"]["properties"].as_object().unwrap();
    assert!(usage.contains_key("ephemeral_5m_input_tokens"), "{usage:?}");
    assert!(!usage.contains_key("additional_properties"), "{usage:?}");
    let validator = compile(&text);
    let body = json!({"id": "1", "object": "chat.completion", "model": "m", "usage": {}, "created": 1,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": [{"type": "text", "text": "hi"}]}, "finish_reason": "other"}]});
    assert!(validator.is_valid(&body));
    let wrong_role = json!({"id": "1", "object": "chat.completion", "model": "m", "usage": {}, "created": 1,
        "choices": [{"index": 0, "message": {"role": "user"}, "finish_reason": "stop"}]});
    assert!(!validator.is_valid(&wrong_role));
}

#[test]
fn mdx_pages_with_front_matter_derive() {
    let (text, _) = derive("mdx/docs/models", "chatresult", &[]);
    insta::assert_snapshot!("derive-mdx", text);
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(schema["title"], json!("ChatResult"));
    assert_eq!(schema["description"].as_str().map(|d| d.starts_with("Chat completion response")), Some(true));
    let defs = &schema["$defs"];
    assert_eq!(
        defs["ChatUsage"]["properties"]["is_byok"],
        json!({"const": true, "description": "Set only when the request used the caller's own key"})
    );
    assert!(defs["CacheCreation"]["properties"]["ephemeral_1h_input_tokens"].is_object());
    compile(&text);
    // The page file works as the root too.
    let (same, _) = derive("mdx/docs/models", "chatresult.mdx", &[]);
    assert_eq!(same, text);
}

#[test]
fn python_pages_derive_with_their_nullability_and_integers() {
    let (text, _) = derive("python/docs/models", "ChatCompletionResponse", &[]);
    insta::assert_snapshot!("derive-python", text);
    let schema: Value = serde_json::from_str(&text).unwrap();
    let defs = &schema["$defs"];
    assert_eq!(defs["UsageInfo"]["properties"]["prompt_tokens"], json!({"type": "integer"}));
    assert_eq!(defs["UsageInfo"]["properties"]["cost"], json!({"type": ["number", "null"]}));
    assert_eq!(
        defs["AssistantMessage"]["properties"]["content"],
        json!({"anyOf": [{"$ref": "#/$defs/AssistantMessageContent"}, {"type": "null"}]})
    );
    assert_eq!(defs["ChatCompletionChoice"]["required"], json!(["index", "message", "finish_reason"]));
    assert!(defs["FunctionCall"]["properties"]["format"].is_object(), "`format_` is sent as `format`");
    compile(&text);
}

#[test]
fn a_missing_root_says_where_it_looked_and_what_is_near() {
    let tables = format!("{DATA}/mdx/docs/models");
    let (code, out, err) = run(&["derive", "--tables", &tables, "--root", "ChatReslt"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("no page for the root type `ChatReslt`"), "{err}");
    assert!(err.contains("chatreslt.md(x) in harness/tests/data/derive/mdx/docs/models/"), "{err}");
    assert!(err.contains("harness/tests/data/derive/mdx/docs/models/chatresult.mdx"), "{err}");
    assert!(err.contains("fix: "), "{err}");
}

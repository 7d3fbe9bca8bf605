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

/// `(required, nullable, JSON type)` of `defs[ty].properties[key]` (the type with `null` dropped).
fn facts(defs: &Value, ty: &str, key: &str) -> (bool, bool, Value) {
    let def = &defs[ty];
    let property = &def["properties"][key];
    assert!(property.is_object(), "{ty} has no property `{key}`: {def}");
    let required = def["required"].as_array().is_some_and(|r| r.contains(&json!(key)));
    let (nullable, ty) = match &property["type"] {
        Value::Array(types) => {
            let rest: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
            (types.contains(&json!("null")), json!(rest[0]))
        }
        Value::Null => {
            let any_of = property["anyOf"].as_array();
            (any_of.is_some_and(|a| a.contains(&json!({"type": "null"}))), Value::Null)
        }
        one => (false, one.clone()),
    };
    (required, nullable, ty)
}

#[test]
fn typescript_pages_say_what_they_cannot_know() {
    let (text, err) = derive("ts-literal/docs/models", "ChatCompletionResponse", &[]);
    // On stderr and in the schema: which types have no nullability, which numbers may be integers.
    assert!(err.contains("note: 8 types come from TypeScript pages"), "{err}");
    assert!(
        err.contains("numbers that may be integers: ChatCompletionResponse.created, UsageInfo.promptTokens"),
        "{err}"
    );
    assert!(err.contains("--sdk-source DIR") && err.contains("--overrides FILE"), "{err}");
    let schema: Value = serde_json::from_str(&text).unwrap();
    let description = schema["description"].as_str().unwrap();
    assert!(description.starts_with("Not known from the docs pages"), "{description}");
    assert!(description.contains("ToolCall.index as any number"), "{description}");
    // The Python pages carry both facts: nothing to say.
    let (_, err) = derive("python/docs/models", "ChatCompletionResponse", &[]);
    assert!(!err.contains("TypeScript pages"), "{err}");
}

/// Issue #17: with `--sdk-source`, a TypeScript SDK tree in the current Speakeasy layout
/// (`ts-literal/src/models/components/*.ts`, zod v4 and two zod 3 files) yields the
/// nullable, integer, required and wire-key facts its zod code states, row by row.
#[test]
fn sdk_source_supplies_the_zod_facts() {
    let sdk = format!("{DATA}/ts-literal/src");
    let (text, err) = derive("ts-literal/docs/models", "ChatCompletionResponse", &["--sdk-source", &sdk]);
    insta::assert_snapshot!("derive-ts-literal-sdk-source", text);
    assert!(err.contains("8 models in 8 files; 8 of the pages' object types matched"), "{err}");
    assert!(!err.contains("TypeScript pages"), "nothing is left unknown: {err}");
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert!(schema.get("description").is_none(), "{schema}");
    let defs = &schema["$defs"];
    let (integer, string, array) = (json!("integer"), json!("string"), json!("array"));
    // (type, wire key, required, nullable, type): each read off the zod line that declares it.
    let expected = [
        ("ChatCompletionResponse", "id", true, false, string.clone()), // z.string()
        ("ChatCompletionResponse", "created", true, false, integer.clone()), // z.int()
        ("ChatCompletionResponse", "_metadata", false, false, json!("object")), // remap$ "_metadata": "metadata"
        ("ChatCompletionResponse", "choices", true, false, array.clone()),      // z.array(...)
        ("UsageInfo", "prompt_tokens", false, false, integer.clone()),          // z.int().default(0)
        ("UsageInfo", "total_tokens", false, false, integer.clone()),
        ("UsageInfo", "ephemeral_5m_input_tokens", false, true, integer.clone()), // z.nullable(z.int()).optional()
        ("ChatCompletionChoice", "index", true, false, integer.clone()),          // z.int()
        ("ChatCompletionChoice", "finish_reason", true, true, string.clone()),    // z.nullable(open enum)
        ("AssistantMessage", "content", false, true, Value::Null), // z.nullable(smartUnion(...)).optional()
        ("AssistantMessage", "tool_calls", false, true, array.clone()), // z.nullable(z.array(...)).optional()
        ("AssistantMessage", "prefix", false, false, json!("boolean")), // z.boolean().default(false)
        ("ImageURLChunk", "image_url", true, false, string.clone()), // remap$ "image_url": "imageUrl"
        ("ToolCall", "id", false, false, string.clone()),          // z.string().default("null")
        ("ToolCall", "index", false, false, integer.clone()),      // zod 3: z.number().int().default(0)
        ("FunctionCall", "arguments", true, false, string.clone()),
    ];
    for (ty, key, required, nullable, json_type) in expected {
        assert_eq!(facts(defs, ty, key), (required, nullable, json_type), "{ty}.{key}");
    }
    assert!(defs["ChatCompletionResponse"]["properties"].get("metadata").is_none());
    let validator = compile(&text);
    let body = json!({"id": "1", "object": "chat.completion", "model": "m", "created": 1,
        "usage": {"ephemeral_5m_input_tokens": null},
        "choices": [{"index": 0, "finish_reason": null, "message": {"content": null, "tool_calls": null}}]});
    assert!(validator.is_valid(&body));
    let fraction = json!({"id": "1", "object": "chat.completion", "model": "m", "created": 1.5, "usage": {}, "choices": []});
    assert!(!validator.is_valid(&fraction), "created is z.int()");
}

#[test]
fn overrides_in_our_table_format_replace_and_add_rows() {
    let file = format!("{DATA}/ts-literal/overrides.md");
    let (text, err) = derive("ts-literal/docs/models", "ChatCompletionResponse", &["--overrides", &file]);
    assert!(
        err.contains(
            "--overrides harness/tests/data/derive/ts-literal/overrides.md: 3 rows replaced, 1 added"
        ),
        "{err}"
    );
    let schema: Value = serde_json::from_str(&text).unwrap();
    let defs = &schema["$defs"];
    assert_eq!(facts(defs, "UsageInfo", "prompt_tokens"), (false, false, json!("integer")));
    assert_eq!(facts(defs, "UsageInfo", "ephemeral_5m_input_tokens"), (false, true, json!("integer")));
    assert_eq!(facts(defs, "UsageInfo", "cached_tokens"), (false, true, json!("integer")));
    assert_eq!(facts(defs, "AssistantMessage", "content"), (false, true, Value::Null));
    // Rows not overridden are still unknown, and said so.
    assert!(err.contains("UsageInfo.completionTokens"), "{err}");
    assert!(!err.contains("UsageInfo.promptTokens"), "{err}");
    compile(&text);
}

#[test]
fn an_override_of_a_type_the_pages_lack_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("overrides.md");
    std::fs::write(
        &file,
        "# Nowhere\n\n## Fields\n\n| Field | Type | Required | Nullable |\n| --- | --- | --- | --- |\n\
         | `x` | *integer* | :heavy_check_mark: | :heavy_minus_sign: |\n",
    )
    .unwrap();
    let tables = format!("{DATA}/ts-literal/docs/models");
    let (code, out, err) = run(&[
        "derive",
        "--tables",
        &tables,
        "--root",
        "ChatCompletionResponse",
        "--overrides",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("overrides.md:1: overrides: the pages have no type `Nowhere`; fix: "), "{err}");
    let (code, _, err) =
        run(&["derive", "--tables", &tables, "--root", "ChatCompletionResponse", "--sdk-source", &tables]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no zod `X$inboundSchema = z.object(...)` or pydantic `class X(BaseModel)` found"),
        "{err}"
    );
}

/// `--sdk-source` on a Python SDK tree (`python/src/example_sdk/models/*.py`, pydantic models written here
/// in Speakeasy's layout): pydantic accepts `None` for `Optional[T]` too, a default makes a field optional,
/// and `pydantic.Field(alias=...)` is the wire key.
#[test]
fn sdk_source_supplies_the_pydantic_facts() {
    let sdk = format!("{DATA}/python/src");
    let (text, err) = derive("python/docs/models", "ChatCompletionResponse", &["--sdk-source", &sdk]);
    assert!(err.contains("6 models in 6 files; 6 of the pages' object types matched"), "{err}");
    assert!(err.contains("no SDK model for: TextChunk"), "{err}");
    let schema: Value = serde_json::from_str(&text).unwrap();
    let defs = &schema["$defs"];
    let expected = [
        ("UsageInfo", "prompt_tokens", false, true, json!("integer")), // Optional[int] = 0
        ("UsageInfo", "cost", false, true, json!("number")),           // OptionalNullable[float] = UNSET
        ("AssistantMessage", "tool_calls", false, true, json!("array")), // the page says List[...], the model OptionalNullable
        ("ToolCall", "index", false, true, json!("integer")),
        ("FunctionCall", "format", false, true, json!("string")), // `format_`, alias "format"
        ("ChatCompletionResponse", "object", false, false, Value::Null), // aliased, with a default
        ("ChatCompletionChoice", "index", true, false, json!("integer")),
    ];
    for (ty, key, required, nullable, json_type) in expected {
        assert_eq!(facts(defs, ty, key), (required, nullable, json_type), "{ty}.{key}");
    }
    compile(&text);
}

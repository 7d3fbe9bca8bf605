//! Stream transcripts: every sequence rule passing and failing, the providers'
//! differing conventions, reassembly, positions, unsupported providers, and the
//! corpus layout of `<provider>/streams/`.

use std::{
    path::Path,
    sync::{Arc, OnceLock},
};

use chatcompat::{
    corpus::{self, FixtureError, FixtureKind, Validity},
    stream::{
        self, Consequence, Finding, FindingKind, Rule, Scope, StreamCatalog, Support, TranscriptReport,
    },
    Catalog, Verdict,
};
use serde_json::{json, Value};

fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn streams() -> Arc<StreamCatalog> {
    static STREAMS: OnceLock<Arc<StreamCatalog>> = OnceLock::new();
    STREAMS.get_or_init(|| Arc::new(StreamCatalog::load(&Catalog::discover(workspace()).unwrap()))).clone()
}

fn check(provider: &str, body: &str) -> TranscriptReport {
    let streams = streams();
    let schemas = streams.schemas(provider).unwrap_or_else(|| panic!("{provider} has no stream schemas"));
    stream::check_transcript(schemas, body.as_bytes())
}

/// A chunk in OpenAI's shape (also valid for OpenRouter and the core).
fn chunk(choices: Value) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1732406400, "model": "gpt-4o",
           "choices": choices})
}

fn delta(delta: Value, finish: Value) -> Value {
    chunk(json!([{"index": 0, "delta": delta, "finish_reason": finish}]))
}

/// `data: <json>` events, then `[DONE]`.
fn body(chunks: &[Value]) -> String {
    let mut out: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    out.push_str("data: [DONE]\n\n");
    out
}

fn hello() -> Vec<Value> {
    vec![
        delta(json!({"role": "assistant", "content": ""}), Value::Null),
        delta(json!({"content": "Halo"}), Value::Null),
        delta(json!({"content": " dunia"}), Value::Null),
        delta(json!({}), json!("stop")),
    ]
}

/// The errors as `event/name` strings, e.g. `4/stable-id`, `-/one-finish-reason`.
fn errors(report: &TranscriptReport) -> Vec<String> {
    report
        .errors()
        .map(|f| format!("{}/{}", f.event.map_or("-".to_string(), |e| e.to_string()), f.name()))
        .collect()
}

/// The losses as `event/name` strings.
fn losses(report: &TranscriptReport) -> Vec<String> {
    report
        .losses()
        .map(|f| format!("{}/{}", f.event.map_or("-".to_string(), |e| e.to_string()), f.name()))
        .collect()
}

/// The notes of named rules (the reassembled response's schema notes left out).
fn notes(report: &TranscriptReport) -> Vec<&str> {
    report.notes().filter(|f| matches!(f.kind, FindingKind::Rule { .. })).map(Finding::name).collect()
}

fn rule_message(report: &TranscriptReport, rule: Rule) -> &str {
    report
        .findings
        .iter()
        .find_map(|f| match &f.kind {
            FindingKind::Rule { rule: r, message } if *r == rule => Some(message.as_str()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no {rule} finding in {:#?}", report.findings))
}

#[test]
fn a_plain_stream_passes_and_reassembles() {
    let report = check("openai", &body(&hello()));
    assert!(report.passed(), "{:#?}", report.findings);
    assert_eq!(report.verdict(), Verdict::Conforms);
    assert_eq!((report.events, report.chunks, report.done), (5, 4, true));
    assert_eq!(
        report.reassembled.unwrap(),
        json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1732406400, "model": "gpt-4o",
               "choices": [{"index": 0, "finish_reason": "stop",
                            "message": {"role": "assistant", "content": "Halo dunia", "refusal": null}}]})
    );
}

#[test]
fn every_line_end_kind_gives_the_same_result_and_lines() {
    let lf = body(&hello());
    for text in [lf.clone(), lf.replace('\n', "\r\n"), lf.replace('\n', "\r")] {
        let report = check("openai", &text);
        assert!(report.passed(), "{text:?}: {:#?}", report.findings);
        assert_eq!(report.reassembled.as_ref().unwrap()["choices"][0]["message"]["content"], "Halo dunia");
    }
    // Positions count a CRLF or a CR as one line end.
    let mut chunks = hello();
    chunks[2]["choices"][0]["index"] = json!("0");
    for text in [body(&chunks), body(&chunks).replace('\n', "\r\n"), body(&chunks).replace('\n', "\r")] {
        let report = check("openai", &text);
        let finding = report.errors().find(|f| f.name() == "type").expect("a type error");
        assert_eq!(finding.event, Some(3));
        assert_eq!(finding.position.unwrap().line.get(), 5, "{text:?}");
    }
}

#[test]
fn a_violation_in_multi_line_data_points_at_its_own_line_and_column() {
    let text =
        "data: {\"id\": \"c\", \"object\": \"chat.completion.chunk\", \"created\": 1, \"model\": \"m\",\n\
                data: \"choices\": [{\"index\": \"0\", \"delta\": {}, \"finish_reason\": \"stop\"}]}\n\n\
                data: [DONE]\n\n";
    let report = check("openai", text);
    let finding = report.errors().next().expect("an error");
    assert_eq!(finding.expected().pointer, "/choices/0/index");
    let position = finding.position.unwrap();
    assert_eq!((position.line.get(), position.column.get()), (2, 6 + "\"choices\": [{\"index\": ".len() + 1));
}

#[test]
fn comments_a_byte_order_mark_and_an_unterminated_sentinel_are_notes() {
    let text = format!(
        "\u{FEFF}: keep-alive\n\n{}data: [DONE]",
        body(&hello()).trim_end_matches("data: [DONE]\n\n")
    );
    let report = check("openai", &text);
    assert!(report.passed(), "{:#?}", report.findings);
    assert_eq!(report.comments, 1);
    assert_eq!(notes(&report), ["done-missing"], "an unterminated [DONE] is never dispatched: no sentinel");
    assert!(rule_message(&report, Rule::DoneMissing).contains("harmless"));
    // openai-python decodes lines as "utf-8": the first line is a field named "\u{FEFF}:" ... a loss.
    assert_eq!(losses(&report), ["-/byte-order-mark"]);
    let report = check("openrouter", &text);
    assert!(report.passes(true), "TextDecoder strips the mark: {:#?}", report.findings);
}

#[test]
fn an_unterminated_chunk_is_noted_as_lost_to_clients() {
    let text = body(&hello()).trim_end_matches("data: [DONE]\n\n").trim_end().to_string();
    let report = check("openai", &text);
    assert!(report.passed());
    assert_eq!(losses(&report), ["4/unterminated-event"]);
    assert!(rule_message(&report, Rule::UnterminatedEvent).contains("a client never sees it"));
    // Not dispatched, so not checked: the choice then never finishes (a note), and no schema error.
    assert_eq!(notes(&report), ["done-missing", "one-finish-reason"]);
    assert_eq!(report.chunks, 3);
}

#[test]
fn stable_id() {
    let mut chunks = hello();
    chunks[2]["model"] = json!("gpt-4o-mini");
    let report = check("openai", &body(&chunks));
    // No SDK reads `id`, `model` or `created` twice (xAI, Groq and Azure tick `created`): a note.
    assert!(report.passes(true), "{:#?}", report.findings);
    assert_eq!(notes(&report), ["stable-id"]);
    assert!(rule_message(&report, Rule::StableId).contains("`model` changes from \"gpt-4o\" (event 1)"));
    assert!(check("openai", &body(&hello())).passed());
}

fn fragment(index: Value, id: Option<&str>, name: Option<&str>, arguments: &str) -> Value {
    let mut call = json!({"index": index, "function": {"arguments": arguments}});
    if let Some(id) = id {
        call["id"] = json!(id);
        call["type"] = json!("function");
    }
    if let Some(name) = name {
        call["function"]["name"] = json!(name);
    }
    call
}

fn tool_stream(fragments: &[Value]) -> Vec<Value> {
    let mut chunks = vec![delta(json!({"role": "assistant", "content": null}), Value::Null)];
    chunks.extend(fragments.iter().map(|f| delta(json!({"tool_calls": [f]}), Value::Null)));
    chunks.push(delta(json!({}), json!("tool_calls")));
    chunks
}

#[test]
fn tool_call_index_in_fragments() {
    let good = tool_stream(&[
        fragment(json!(0), Some("call_a"), Some("get_weather"), "{\"city\":"),
        fragment(json!(1), Some("call_b"), Some("get_time"), "{}"),
        fragment(json!(0), None, None, "\"Jakarta\"}"),
    ]);
    let report = check("openai", &body(&good));
    assert!(report.passed(), "{:#?}", report.findings);
    let calls = &report.reassembled.unwrap()["choices"][0]["message"]["tool_calls"];
    assert_eq!(
        calls[0],
        json!({"id": "call_a", "type": "function",
                                "function": {"name": "get_weather", "arguments": "{\"city\":\"Jakarta\"}"}})
    );
    assert_eq!(calls[1]["function"]["arguments"], "{}");

    let unnamed = tool_stream(&[fragment(json!(0), Some("call_a"), None, "{}")]);
    let report = check("openai", &body(&unnamed));
    assert!(report.passes(true), "{:#?}", report.findings);
    assert_eq!(notes(&report), ["tool-call-first-fragment"]);
    assert!(rule_message(&report, Rule::ToolCallFirstFragment).contains("lacks `function.name`"));

    // Qwen: continuation fragments carry `id: ""`; openai-python appends "" to the id, nothing changes.
    let qwen = tool_stream(&[
        fragment(json!(0), Some("call_a"), Some("f"), "{"),
        fragment(json!(0), Some(""), None, "}"),
    ]);
    let report = check("openai", &body(&qwen));
    assert!(report.passes(true), "{:#?}", report.findings);
    // Two ids at one index: openai-python merges them into one call (a loss); a re-sent id is doubled.
    let merged = tool_stream(&[
        fragment(json!(0), Some("call_a"), Some("f"), "{}"),
        fragment(json!(0), Some("call_b"), Some("g"), "{}"),
    ]);
    assert_eq!(losses(&check("openai", &body(&merged))), ["3/calls-merged"]);
    let resent = tool_stream(&[
        fragment(json!(0), Some("call_a"), Some("f"), "{"),
        fragment(json!(0), Some("call_a"), None, "}"),
    ]);
    assert_eq!(losses(&check("openai", &body(&resent))), ["3/call-fields-repeated"]);
    // A first index above 0: openai-python's accumulator looks the call up by index and raises.
    let gap = tool_stream(&[fragment(json!(1), Some("call_a"), Some("f"), "{}")]);
    assert_eq!(errors(&check("openai", &body(&gap))), ["2/tool-call-index-gap"]);
    assert!(check("openrouter", &body(&gap)).passes(true), "no accumulator in the Speakeasy SDKs");

    // OpenRouter's plain-number index: 1.0 is the same call as 1, 0.5 is no call at all.
    let numbers = tool_stream(&[
        fragment(json!(1.0), Some("call_a"), Some("f"), "{"),
        fragment(json!(1), None, None, "}"),
    ]);
    assert!(check("openrouter", &body(&numbers)).passed());
    let fraction = tool_stream(&[fragment(json!(0.5), Some("call_a"), Some("f"), "{}")]);
    assert_eq!(errors(&check("openrouter", &body(&fraction))), ["2/tool-call-index"]);
}

#[test]
fn atoma_requires_id_and_type_on_every_fragment_through_its_schema() {
    let openai_style = tool_stream(&[
        fragment(json!(0), Some("call_a"), Some("f"), "{"),
        fragment(json!(0), None, None, "}"),
    ]);
    assert!(check("openai", &body(&openai_style)).passed());
    let report = check("atoma", &body(&openai_style));
    let pinned: Vec<String> = report.errors().map(|f| f.expected().to_string()).collect();
    assert_eq!(
        pinned,
        [
            "event 3: /choices/0/delta/tool_calls/0/id required",
            "event 3: /choices/0/delta/tool_calls/0/type required"
        ]
    );
    let repeated = tool_stream(&[
        fragment(json!(0), Some("call_a"), Some("f"), "{"),
        fragment(json!(0), Some("call_a"), None, "}"),
    ]);
    assert!(check("atoma", &body(&repeated)).passed());
}

fn mistral_chunk(delta: Value, finish: Value) -> Value {
    json!({"id": "cmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "mistral-small",
           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
}

fn mistral_usage() -> Value {
    json!({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3})
}

#[test]
fn mistral_sends_whole_tool_calls_and_a_repeated_call_is_reported() {
    let call = json!({"id": "D681PevKs", "type": "function", "function": {"name": "f", "arguments": "{}"}});
    let mut last = mistral_chunk(json!({"content": ""}), json!("tool_calls"));
    last["usage"] = mistral_usage();
    let once = [mistral_chunk(json!({"role": "assistant", "tool_calls": [call]}), Value::Null), last.clone()];
    let report = check("mistral-gcp", &body(&once));
    assert!(report.passed(), "{:#?}", report.findings);
    assert_eq!(report.reassembled.unwrap()["choices"][0]["message"]["tool_calls"], json!([call]));

    let twice = [
        mistral_chunk(json!({"role": "assistant", "tool_calls": [call]}), Value::Null),
        mistral_chunk(json!({"tool_calls": [call]}), Value::Null),
        last,
    ];
    let report = check("mistral-gcp", &body(&twice));
    assert!(report.passed(), "{:#?}", report.findings);
    assert_eq!(notes(&report), ["tool-call-resent"]);
    assert!(rule_message(&report, Rule::ToolCallResent).contains("sends every tool call whole"));
}

#[test]
fn one_finish_reason() {
    // A second, different reason: openai-python keeps the last (a loss); the Speakeasy SDKs fold nothing.
    let mut twice = hello();
    twice.push(delta(json!({}), json!("tool_calls")));
    let report = check("openai", &body(&twice));
    assert_eq!(losses(&report), ["5/finish-reason-overwritten"]);
    assert!(report.passed() && !report.passes(true));
    assert!(check("openrouter", &body(&twice)).passes(true));
    // OpenRouter repeats `stop` on its usage chunk: read whole.
    let mut repeated = hello();
    repeated.push(with_usage(delta(json!({}), json!("stop"))));
    let report = check("openai", &body(&repeated));
    assert!(report.passes(true), "{:#?}", report.findings);
    assert!(notes(&report).contains(&"one-finish-reason"));

    let mut never = hello();
    never.pop();
    let report = check("openai", &body(&never));
    assert!(report.passed());
    assert_eq!(notes(&report), ["one-finish-reason"]);
    assert!(rule_message(&report, Rule::OneFinishReason).contains("ends without a finish reason"));

    // `length` and `content_filter`: openai-python's get_final_completion() raises on them.
    let mut length = hello();
    length[3]["choices"][0]["finish_reason"] = json!("length");
    assert_eq!(errors(&check("openai", &body(&length))), ["4/final-finish-reason"]);
    assert!(check("openrouter", &body(&length)).passed());
}

#[test]
fn an_empty_finish_reason_counts_only_where_the_schema_accepts_it() {
    let mut empty = hello();
    empty[3]["choices"][0]["finish_reason"] = json!("");
    // OpenAI's closed enum rejects "": a schema error, and the choice never finishes.
    let report = check("openai", &body(&empty));
    assert_eq!(errors(&report), ["4/enum"]);
    assert!(rule_message(&report, Rule::OneFinishReason).contains("event 4 sent \"\""));
    // Atoma's finish reason is a free string: "" ends the choice, and a later "stop" is a second one.
    let report = check("atoma", &body(&empty));
    assert!(report.passed(), "{:#?}", report.findings);
    let mut then_stop = empty.clone();
    then_stop.push(delta(json!({}), json!("stop")));
    let report = check("atoma", &body(&then_stop));
    assert!(report.passes(true), "atoma-sdk folds nothing: {:#?}", report.findings);
    assert_eq!(notes(&report), ["finish-reason-overwritten"]);
}

fn with_usage(mut chunk: Value) -> Value {
    chunk["usage"] = json!({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3});
    chunk
}

#[test]
fn usage_last_follows_each_providers_placement() {
    let mut openai_way = hello();
    openai_way.push(with_usage(chunk(json!([]))));
    assert!(check("openai", &body(&openai_way)).passed());
    assert!(check("openrouter", &body(&openai_way)).passed());

    // Usage on the finishing chunk: OpenAI sends it in a chunk of its own, OpenRouter only asks for last.
    let mut on_finish = hello();
    let last = on_finish.pop().unwrap();
    on_finish.push(with_usage(last));
    // DeepSeek, Groq, Mistral, Z.ai, DeepInfra and OpenRouter do this; no SDK notices.
    let report = check("openai", &body(&on_finish));
    assert!(report.passes(true), "{:#?}", report.findings);
    assert_eq!(notes(&report), ["usage-last"]);
    assert!(rule_message(&report, Rule::UsageLast).contains("choices: []"));
    assert!(check("openrouter", &body(&on_finish)).passes(true));

    // Perplexity: a running usage on every chunk. openai-python keeps the last: read whole.
    let running: Vec<Value> = hello().into_iter().map(with_usage).collect();
    let report = check("openai", &body(&running));
    assert!(report.passes(true), "{:#?}", report.findings);

    // OpenAI's moderation chunk after the usage chunk: openai-python sets usage from every chunk
    // and ends with `usage: None` — read, but the usage is lost.
    let mut moderated = openai_way.clone();
    moderated.push(chunk(json!([])));
    let report = check("openai", &body(&moderated));
    assert_eq!(losses(&report), ["6/usage-lost"]);
    assert!(report.passed() && !report.passes(true));
    assert!(check("openrouter", &body(&moderated)).passes(true), "open-router 0.1.1 folds nothing");

    // Mistral lets any chunk carry it.
    let mistral = [
        with_usage(mistral_chunk(json!({"role": "assistant", "content": "Hi"}), Value::Null)),
        mistral_chunk(json!({"content": ""}), json!("stop")),
    ];
    assert!(check("mistral-gcp", &body(&mistral)).passed());
}

#[test]
fn nothing_after_done() {
    let mut text = body(&hello());
    text.push_str(&format!("data: {}\n\n", delta(json!({"content": "!"}), Value::Null)));
    let report = check("openai", &text);
    assert_eq!(losses(&report), ["6/nothing-after-done"]);
    assert_eq!(report.chunks, 4, "events after [DONE] are not read as chunks");
}

#[test]
fn a_missing_sentinel_is_a_note_everywhere() {
    let text = body(&hello()).replace("data: [DONE]\n\n", "");
    for provider in ["openai", "openrouter", "atoma", "openai-compatible"] {
        let report = check(provider, &text);
        assert!(report.passed(), "{provider}: {:#?}", report.findings);
        assert_eq!(notes(&report), ["done-missing"], "{provider}");
    }
}

#[test]
fn the_sentinel_is_matched_as_each_sdk_matches_it() {
    let text = body(&hello()).replace("data: [DONE]", "data: [DONE] ");
    assert!(check("openai", &text).passed(), "openai-python: data that starts with [DONE]");
    let report = check("openrouter", &text);
    assert_eq!(errors(&report), ["5/data-json"]);
    assert!(rule_message(&report, Rule::DataJson).contains("exactly `[DONE]`"));
}

#[test]
fn error_event() {
    let mut chunks = hello();
    chunks.insert(2, json!({"error": {"message": "overloaded", "code": 529}}));
    chunks.pop();
    let report = check("openai", &body(&chunks));
    assert_eq!(errors(&report), ["3/error-event"]);
    assert!(rule_message(&report, Rule::ErrorEvent).contains("\"overloaded\" (code 529)"));
    // The Speakeasy SDKs drop the `error` key and read the event as a chunk, which this one is not.
    let report = check("openrouter", &body(&chunks));
    assert_eq!(losses(&report), ["3/error-event"]);
    assert!(errors(&report).iter().all(|e| e.starts_with("3/required")), "{:#?}", report.findings);
    // `error: {}` is falsy for openai-python's `data.get("error")`: no error.
    let mut empty_error = hello();
    empty_error[1]["error"] = json!({});
    assert!(check("openai", &body(&empty_error)).passed());
    // `error: null` is no error (some servers send it on every chunk).
    let mut null_error = hello();
    null_error[1]["error"] = Value::Null;
    let report = check("openai", &body(&null_error));
    assert!(report.passed());
    assert_eq!(report.verdict(), Verdict::ConformsWithExtensions, "the key is undocumented");
}

#[test]
fn arguments_json() {
    let bad = tool_stream(&[
        fragment(json!(0), Some("call_a"), Some("f"), "{\"city\":"),
        fragment(json!(0), None, None, "\"Jakarta\""),
    ]);
    let report = check("openai", &body(&bad));
    // No SDK parses arguments while streaming: a note.
    assert!(report.passes(true), "{:#?}", report.findings);
    assert_eq!(notes(&report), ["arguments-json"]);
    // What json.loads and JSON.parse read is not reported: a repeated key, a 30-digit integer.
    for arguments in ["{\"a\":1,\"a\":2}", "{\"n\":123456789012345678901234567890}"] {
        let lenient = tool_stream(&[fragment(json!(0), Some("call_a"), Some("f"), arguments)]);
        let report = check("openai", &body(&lenient));
        assert!(report.findings.is_empty(), "{arguments}: {:#?}", report.findings);
    }
    // A no-argument tool's "" is noted (those parsers refuse it), never an error.
    let empty = tool_stream(&[fragment(json!(0), Some("call_a"), Some("f"), "")]);
    let report = check("openai", &body(&empty));
    assert!(report.passed());
    assert!(rule_message(&report, Rule::ArgumentsJson).contains("empty"));
}

#[test]
fn unreadable_events_are_errors_with_event_and_line_and_the_rest_still_runs() {
    let mut text = body(&hello());
    text = text.replacen("data: {", "data: {oops", 1);
    text.insert_str(0, "event: ping\n\n");
    let report = check("openai", &text);
    assert_eq!(errors(&report), ["1/data-missing", "2/data-json"]);
    let not_json = report.errors().nth(1).unwrap();
    assert_eq!(not_json.position.unwrap().line.get(), 3);
    assert_eq!(report.chunks, 3, "the other chunks were read");

    let report =
        stream::check_transcript(streams().schemas("openai").unwrap(), b"data: {\"id\": \"\xff\"}\n\n");
    let utf8 = report.errors().find(|f| f.name() == "utf-8").expect("a utf-8 error");
    assert_eq!(utf8.position.map(|p| (p.line.get(), p.column.get())), Some((1, 15)));
    assert!(report.chunks == 1, "the chunk was still read, with U+FFFD in place of the byte");
    // Found by `fuzz/` (target `stream`): after a byte order mark, positions on line 1 disagreed by one
    // column (the data's counted without the mark, the bad byte's with it). The mark is no column.
    let report = stream::check_transcript(
        streams().schemas("openai").unwrap(),
        b"\xEF\xBB\xBFdata: {\"id\": \"\xff\"}\n\n",
    );
    let utf8 = report.errors().find(|f| f.name() == "utf-8").expect("a utf-8 error");
    assert_eq!(utf8.position.map(|p| (p.line.get(), p.column.get())), Some((1, 15)));
    let missing = report.findings.iter().find(|f| f.name() == "required").expect("the chunk lacks keys");
    assert_eq!(missing.position.map(|p| (p.line.get(), p.column.get())), Some((1, 7)), "at its `{{`");

    assert_eq!(errors(&check("openai", "")), ["-/no-chunks"]);
    assert_eq!(errors(&check("openai", ": only a comment\n\ndata: [DONE]\n\n")), ["-/no-chunks"]);
}

#[test]
fn the_reassembled_response_must_pass_the_non_streaming_schema() {
    let mut no_role = hello();
    no_role[0]["choices"][0]["delta"] = json!({"content": ""});
    let report = check("openai", &body(&no_role));
    // Nothing validates openai-python's final completion (construct_type_unchecked): a note.
    assert!(report.passed());
    let finding = report.notes().next().expect("a note");
    assert!(matches!(finding.kind, FindingKind::Schema { scope: Scope::Reassembled, .. }));
    assert_eq!(finding.event, None);
    assert_eq!(finding.expected().to_string(), "/choices/0/message/role required");
    assert!(finding.message().starts_with("reassembled chat.completion: "));
    // Mistral's non-streaming response requires usage: a stream without it cannot reassemble.
    let mistral = [mistral_chunk(json!({"role": "assistant", "content": "Hi"}), json!("stop"))];
    let report = check("mistral-gcp", &body(&mistral));
    assert!(report.passed());
    let shape: Vec<String> = report
        .notes()
        .filter(|f| matches!(f.kind, FindingKind::Schema { .. }))
        .map(|f| f.expected().to_string())
        .collect();
    assert_eq!(shape, ["/usage required"]);
}

#[test]
fn providers_without_chunk_tables_are_unsupported_not_failing() {
    let streams = streams();
    let unsupported: Vec<&str> = streams.unsupported.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(unsupported, ["neosantaraai", "nusantaraai"]);
    assert!(streams.problems.is_empty(), "{:?}", streams.problems);
    for (_, note) in &streams.unsupported {
        assert!(note.starts_with("not documented"), "{note}");
    }
    assert!(matches!(streams.support("nusantaraai"), Support::NotDocumented(_)));
    assert!(matches!(streams.support("openai"), Support::Schemas(_)));
    assert!(matches!(streams.support("nosuchprovider"), Support::Unknown));

    let catalog = Catalog::discover(workspace()).unwrap();
    let err = catalog.load_chunk_schema(catalog.provider("neosantaraai").unwrap()).unwrap_err();
    assert!(err.to_string().contains("documents no streamed chunks (not documented"), "{err}");
}

/// Writes `files` (relative path → content) under a fresh folder.
fn corpus_of(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const SIDECAR: &str = "description = \"x\"\nsource = \"synthetic\"\ndate = \"2026-11-24\"\n";

#[test]
fn transcripts_are_discovered_beside_fixtures_and_misplaced_files_are_named() {
    let hello_body = body(&hello());
    let dir = corpus_of(&[
        ("openai/streams/valid/hello.sse", &hello_body),
        ("openai/streams/valid/hello.toml", SIDECAR),
        ("openai/streams/valid/body.json", "{}"),
        ("openai/streams/orphan.toml", SIDECAR),
        ("openai/streams/invalid/lonely.toml", SIDECAR),
        ("nusantaraai/streams/valid/cannot.sse", &hello_body),
        ("nusantaraai/streams/valid/cannot.toml", SIDECAR),
    ]);
    let found = corpus::discover(dir.path());
    assert!(found.fixtures.is_empty());
    let ids: Vec<String> = found.transcripts.iter().map(|t| t.id()).collect();
    assert_eq!(ids, ["nusantaraai/streams/valid/cannot", "openai/streams/valid/hello"]);
    assert!(found
        .transcripts
        .iter()
        .all(|t| t.kind == FixtureKind::Transcript && t.validity == Validity::Valid));
    let mut reasons: Vec<String> = found
        .misplaced
        .iter()
        .map(|m| format!("{}: {}", m.path.file_name().unwrap().to_string_lossy(), m.reason))
        .collect();
    reasons.sort();
    assert_eq!(reasons.len(), 3, "{reasons:#?}");
    assert!(reasons[0].starts_with("body.json: not a transcript"), "{reasons:#?}");
    assert!(reasons[1].starts_with("lonely.toml: sidecar without a transcript"), "{reasons:#?}");
    assert!(reasons[2].starts_with("orphan.toml: outside `<provider>/streams/valid/`"), "{reasons:#?}");

    let streams = streams();
    let results = stream::run_all(&found, &streams);
    assert!(results[1].1.is_ok(), "{:?}", results[1].1);
    match &results[0].1 {
        Err(err @ FixtureError::StreamingNotDocumented { provider, .. }) => {
            assert_eq!(provider, "nusantaraai");
            assert!(err.to_string().contains("streaming not documented for provider `nusantaraai`"), "{err}");
        }
        other => panic!("expected streaming-not-documented, got {other:?}"),
    }
}

#[test]
fn an_invalid_transcript_must_produce_exactly_its_pinned_errors() {
    // A loss is pinned as an error is: the SDK reads this stream but never sees event 6.
    let mut text = body(&hello());
    text.push_str(&format!("data: {}\n\n", delta(json!({"content": "!"}), Value::Null)));
    let pinned = "[[expect]]\nevent = 6\nrule = \"nothing-after-done\"\n";
    let wrong = "[[expect]]\nevent = 5\nrule = \"nothing-after-done\"\n";
    let dir = corpus_of(&[
        ("openai/streams/invalid/pinned.sse", &text),
        ("openai/streams/invalid/pinned.toml", &format!("{SIDECAR}{pinned}")),
        ("openai/streams/invalid/wrong.sse", &text),
        ("openai/streams/invalid/wrong.toml", &format!("{SIDECAR}{wrong}")),
        ("openai/streams/invalid/unpinned.sse", &text),
        ("openai/streams/invalid/unpinned.toml", SIDECAR),
    ]);
    let found = corpus::discover(dir.path());
    let streams = streams();
    let results = stream::run_all(&found, &streams);
    let outcome = |name: &str| &results.iter().find(|(f, _)| f.name == name).unwrap().1;
    assert!(outcome("pinned").is_ok(), "{:?}", outcome("pinned"));
    let message = outcome("wrong").as_ref().unwrap_err().to_string();
    assert!(message.contains("wrong.sse:11:1: event 6: loss: nothing-after-done: 1 event(s)"), "{message}");
    assert!(message.contains("(unexpected)"), "{message}");
    assert!(message.contains("expected error did not occur: event 5: rule nothing-after-done"), "{message}");
    assert!(matches!(outcome("unpinned"), Err(FixtureError::NoExpectations { .. })));
}

#[test]
fn sidecar_entries_are_checked_for_their_kind() {
    let dir = corpus_of(&[
        ("openai/valid/a.json", "{}"),
        (
            "openai/valid/a.toml",
            &format!("{SIDECAR}\n[[expect]]\nevent = 1\npointer = \"/id\"\nkeyword = \"type\"\n"),
        ),
        ("openai/streams/invalid/b.sse", "data: [DONE]\n\n"),
        ("openai/streams/invalid/b.toml", &format!("{SIDECAR}\n[[expect]]\nrule = \"no-such-rule\"\n")),
        ("openai/streams/invalid/c.sse", "data: {}\n\n"),
        (
            "openai/streams/invalid/c.toml",
            &format!("{SIDECAR}\n[[expect]]\nrule = \"data-json\"\npointer = \"\"\n"),
        ),
        ("openai/streams/invalid/d.sse", "data: 1\n\n"),
        (
            "openai/streams/invalid/d.toml",
            &format!("{SIDECAR}\n[[expect]]\nevent = 0\nrule = \"data-json\"\n"),
        ),
    ]);
    let found = corpus::discover(dir.path());
    let message = |fixture: &corpus::Fixture| corpus::read_sidecar(fixture).unwrap_err().to_string();
    assert!(message(&found.fixtures[0])
        .contains("a.toml:5:1: malformed sidecar: `event` and `rule` are for stream transcripts"));
    let [b, c, d] = [0, 1, 2].map(|i| message(&found.transcripts[i]));
    assert!(
        b.contains("b.toml:5:1: malformed sidecar: unknown rule `no-such-rule` (known: chunk-schema, reassembled-schema, stable-id,"),
        "{b}"
    );
    assert!(c.contains("either `pointer` and `keyword`, or `rule`, not both"), "{c}");
    assert!(d.contains("`event` counts from 1"), "{d}");
}

#[test]
fn the_lint_reviews_transcripts() {
    let hello_body = body(&hello());
    let dir = corpus_of(&[
        ("openai/streams/valid/Hello_World.sse", &hello_body),
        ("openai/streams/valid/Hello_World.toml", SIDECAR),
        ("openai/streams/valid/copy.sse", &hello_body),
        ("openai/streams/valid/copy.toml", SIDECAR),
        ("openai/streams/valid/not-a-stream.sse", "{\"id\": 1}"),
        ("openai/streams/valid/not-a-stream.toml", SIDECAR),
        ("openai/streams/invalid/bare.sse", "data: x\n\n"),
        ("openai/streams/invalid/bare.toml", SIDECAR),
    ]);
    let found = corpus::discover(dir.path());
    let problems: Vec<String> =
        chatcompat::lint::lint(&found, &["openai".to_string()]).iter().map(ToString::to_string).collect();
    let has = |needle: &str| problems.iter().any(|p| p.contains(needle));
    assert!(has("name `Hello_World` is not kebab-case"), "{problems:#?}");
    assert!(has("same transcript as"), "{problems:#?}");
    assert!(has("no `data:` line: not an event stream"), "{problems:#?}");
    assert!(has("invalid fixture without expected errors; fix: add [[expect]] entries (event, and pointer + keyword or rule)"), "{problems:#?}");
    assert_eq!(problems.len(), 4, "{problems:#?}");
}

#[test]
fn every_streaming_provider_names_what_its_sdk_does_with_every_rule() {
    let catalog = Catalog::discover(workspace()).unwrap();
    for provider in catalog.providers.iter().filter(|p| p.streams()) {
        let table = provider.stream.as_ref().unwrap_or_else(|| panic!("{}: no [stream] table", provider.id));
        assert!(!table.sdk.is_empty(), "{}: [stream] names no SDK", provider.id);
        for rule in Rule::ALL {
            assert_eq!(Rule::from_name(rule.as_str()), Some(rule));
            let row = table
                .rules
                .get(rule.as_str())
                .unwrap_or_else(|| panic!("{}: no row for {rule}", provider.id));
            assert!(row.source.len() > 10, "{}: {rule} cites no SDK file", provider.id);
            assert_eq!(
                row.does == Consequence::Loses,
                !row.loses.is_empty(),
                "{}: {rule}: say what is lost",
                provider.id
            );
        }
        assert!(table.unknown_rows().is_empty(), "{}: {:?}", provider.id, table.unknown_rows());
    }
}

#[test]
fn the_committed_chunk_schemas_are_valid_with_stable_ids() {
    let catalog = Catalog::discover(workspace()).unwrap();
    let streaming: Vec<&str> =
        catalog.providers.iter().filter(|p| p.streams()).map(|p| p.id.as_str()).collect();
    assert_eq!(streaming, ["atoma", "mistral-gcp", "openai", "openai-compatible", "openrouter"]);
    for provider in catalog.providers.iter().filter(|p| p.streams()) {
        let path = provider.chunk_schema_path().unwrap();
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert!(jsonschema::draft202012::meta::validate(&schema).is_ok(), "{}", path.display());
        assert_eq!(schema["$id"], format!("urn:chatcompat:{}:chat-completion-chunk", provider.id));
    }
}

#[test]
fn the_report_shows_streams_with_unsupported_columns_and_its_schema_constrains_them() {
    let catalog = Catalog::discover(workspace()).unwrap();
    let schemas = catalog.load_schemas().unwrap();
    let found = corpus::discover(&workspace().join("fixtures"));
    let report = chatcompat::report::build(&catalog, &schemas, &found, &|_, _| {});
    let streaming = &report.streaming;
    for id in ["nusantaraai", "neosantaraai"] {
        let column = streaming.providers.iter().find(|p| p.id == id).unwrap();
        assert!(!column.supported && column.note.as_deref().is_some_and(|n| n.starts_with("not documented")));
        for cell in streaming.matrix.iter().filter(|c| c.schema == id) {
            assert!(!cell.supported);
            assert_eq!((cell.conforms, cell.violates), (0, 0), "unsupported is not a failure");
        }
    }
    let deviations: Vec<&String> = streaming.corpus.iter().flat_map(|r| &r.expected_failures).collect();
    assert_eq!(deviations, ["atoma/streams/valid/stop-reason-bare-number"]);
    for row in &streaming.corpus {
        assert!(row.failing.is_empty(), "{}: {:?}", row.provider, row.failing);
        let own =
            streaming.matrix.iter().find(|c| c.transcripts == row.row && c.schema == row.provider).unwrap();
        // The seed providers' corpora each hold a written set of streams; an OpenAI-compatible server's
        // row holds only captured ones, as many as public recordings give.
        if row.server.is_none() {
            assert!(own.total >= 8, "{}: {} valid transcripts", row.provider, own.total);
        }
        // Only the known deviations (waived in fixtures/chatcompat-expectations.toml) violate their own schema.
        assert_eq!(own.violates, row.expected_failures.len(), "{}: {:#?}", row.provider, own.blocking);
    }
    // Atoma's schema requires id and type on every fragment: OpenAI's tool-call streams fail there.
    let openai_to_atoma =
        streaming.matrix.iter().find(|c| c.transcripts == "openai" && c.schema == "atoma").unwrap();
    assert!(openai_to_atoma.blocking.iter().any(|g| g.scope == "chunk"
        && g.pointer == "/choices/*/delta/tool_calls/*/id"
        && g.name == "required"));
    let markdown = chatcompat::report::markdown::render(&report);
    assert!(markdown.contains("| nusantaraai | streaming not documented: "), "{markdown}");
    assert!(
        markdown.lines().any(|l| l.starts_with("| **openai**") && l.contains("synthetic")),
        "the openai row of the streams matrix"
    );

    let schema_text = std::fs::read_to_string(workspace().join("reports/report.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let value: Value = serde_json::from_str(&chatcompat::report::to_json(&report)).unwrap();
    assert!(validator.is_valid(&value));
    let mut broken = value.clone();
    broken["streaming"]["providers"][0]["conventions"] =
        json!({"done": "maybe", "usage": "last", "tool_calls": "whole"});
    assert!(!validator.is_valid(&broken));
    let mut missing = value;
    missing["streaming"].as_object_mut().unwrap().remove("matrix");
    assert!(!validator.is_valid(&missing));
}

/// Runs `chatcompat check --stream` with `args` and `stdin`: (exit code, stdout, stderr).
fn check_cli(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .current_dir(workspace())
        .args(["check", "--stream"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the chatcompat binary runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code().expect("exited"), text(output.stdout), text(output.stderr))
}

#[test]
fn check_stream_reads_files_folders_and_stdin_with_exit_codes() {
    // Every transcript of the folder is read (the count follows the corpus as captured ones are added).
    let folder = workspace().join("fixtures/openai/streams/valid");
    let n = std::fs::read_dir(&folder)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "sse"))
        .count();
    assert!(n >= 16, "{n} transcripts in {}", folder.display());
    let (code, out, _) = check_cli(&["-p", "openai", "fixtures/openai/streams/valid"], "");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "openai: {n} transcripts: {n} conform, 0 with extensions, 0 waived, 0 violate"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("passed: all {n} transcripts pass")), "{out}");

    // A loss passes, and fails under --strict; its source line is shown under it.
    let usage = "fixtures/openai/streams/invalid/usage-chunk-not-last.sse";
    let (code, out, _) = check_cli(&["-p", "openai", usage], "");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "usage-chunk-not-last.sse:11:1: loss[openai]: event 6: usage-lost: event 5 carried usage"
        ),
        "{out}"
    );
    assert!(out.contains("11 | data: {"), "{out}");
    let (code, out, _) = check_cli(&["-p", "openai", "--strict", usage], "");
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error(loss)[openai]: event 6: usage-lost"), "{out}");

    // A note shared by several providers is printed once.
    let (_, out, _) = check_cli(
        &["-p", "openai", "--against", "openrouter", "fixtures/openai/streams/valid/id-changes.sse"],
        "",
    );
    assert_eq!(out.matches("stable-id: `id` changes").count(), 1, "{out}");
    assert!(out.contains("note[openai, openrouter]: event 4: stable-id"), "{out}");

    let mut chunks = hello();
    chunks[1]["choices"][0]["index"] = json!("0");
    let (code, out, _) = check_cli(&["-p", "openai", "--format", "json", "-"], &body(&chunks));
    assert_eq!(code, 1, "{out}");
    let record: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(record["file"], "<stdin>");
    // The body format's keys, plus the stream's own.
    let finding = &record["violations"][0];
    assert_eq!((finding["event"].as_u64(), finding["line"].as_u64()), (Some(2), Some(3)));
    assert_eq!(
        (finding["keyword"].as_str(), finding["pointer"].as_str(), finding["severity"].as_str()),
        (Some("type"), Some("/choices/0/index"), Some("error"))
    );
    assert!(record["extensions"].is_array() && record["notes"].is_array(), "{record}");

    let (code, _, err) = check_cli(&["-p", "nusantaraai", "-"], &body(&hello()));
    assert_eq!(code, 2);
    assert!(err.contains("provider `nusantaraai` documents no streaming"), "{err}");
    let (code, out, _) = check_cli(&["-p", "openai", "no/such/file.sse"], "");
    assert_eq!(code, 2);
    assert!(out.contains("no/such/file.sse: error: cannot read"), "{out}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Nothing panics on input: any mix of SSE lines, chunk pieces and bytes is checked,
    /// and every position found is inside the transcript.
    #[test]
    fn arbitrary_transcripts_never_panic(parts in proptest::collection::vec(proptest::prop_oneof![
        proptest::prelude::Just("data: ".to_string()),
        proptest::prelude::Just("\n".to_string()),
        proptest::prelude::Just("\r\n".to_string()),
        proptest::prelude::Just("\r".to_string()),
        proptest::prelude::Just(": ping".to_string()),
        proptest::prelude::Just("[DONE]".to_string()),
        proptest::prelude::Just("\u{FEFF}".to_string()),
        proptest::prelude::Just(r#"{"error":{"message":"x"}}"#.to_string()),
        proptest::prelude::Just(r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"a","tool_calls":[{"index":0,"id":"t","type":"function","function":{"name":"f","arguments":"{"}}]},"finish_reason":null}]}"#.to_string()),
        proptest::prelude::Just(r#"{"id":"c","choices":[{"index":1.5,"delta":{"tool_calls":[{"index":"x"}]},"finish_reason":"stop"}],"usage":{}}"#.to_string()),
        "[ -~]{0,12}",
    ], 0..40), raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16)) {
        let mut bytes = parts.concat().into_bytes();
        bytes.extend(raw);
        let lines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1;
        let streams = streams();
        for schemas in &streams.supported {
            let report = stream::check_transcript(schemas, &bytes);
            for finding in &report.findings {
                if let Some(position) = finding.position {
                    proptest::prop_assert!(position.line.get() >= 1 && position.line.get() <= lines, "{finding}");
                }
                let _ = finding.to_string();
            }
        }
    }
}

#[test]
fn derive_covers_chunk_schemas_and_provider_toml_is_checked() {
    use chatcompat::catalog::{Drift, SchemaKind};

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("schemas/openai");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(workspace().join("schemas/openai")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    let catalog = Catalog::discover(dir.path()).unwrap();
    let outcomes = |catalog: &Catalog| -> Vec<(SchemaKind, Drift)> {
        catalog.derive_all(true).into_iter().map(|d| (d.kind, d.outcome.unwrap())).collect()
    };
    assert_eq!(
        outcomes(&catalog),
        [(SchemaKind::Response, Drift::UpToDate), (SchemaKind::Chunk, Drift::UpToDate)]
    );
    let chunk = copy.join("chat-completion-chunk.schema.json");
    std::fs::write(&chunk, std::fs::read_to_string(&chunk).unwrap().replace("chat.completion.chunk", "x"))
        .unwrap();
    assert_eq!(
        outcomes(&catalog),
        [(SchemaKind::Response, Drift::UpToDate), (SchemaKind::Chunk, Drift::Stale)]
    );
    let written: Vec<Drift> = catalog.derive_all(false).into_iter().map(|d| d.outcome.unwrap()).collect();
    assert_eq!(written, [Drift::UpToDate, Drift::Written]);
    assert_eq!(outcomes(&catalog)[1], (SchemaKind::Chunk, Drift::UpToDate));

    let toml = copy.join("provider.toml");
    let original = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, original.replace("done = \"prefix\"", "done = \"maybe\"")).unwrap();
    let err = Catalog::discover(dir.path()).unwrap_err().to_string();
    assert!(err.contains("provider.toml") && err.contains("maybe"), "{err}");
    std::fs::write(&toml, format!("chunk_schema = \"x\"\n{original}")).unwrap();
    let err = Catalog::discover(dir.path()).unwrap_err().to_string();
    assert!(err.contains("unknown field `chunk_schema`"), "{err}");
}

#[test]
fn reassembly_keeps_a_key_sent_as_null_apart_from_an_absent_one() {
    // `logprobs.refusal: null` on every chunk is a present, null `refusal`: never reported missing.
    let mut chunks = hello();
    for chunk in &mut chunks {
        chunk["choices"][0]["logprobs"] = json!({"content": [], "refusal": null});
    }
    let report = check("openai", &body(&chunks));
    assert!(report.passes(true), "{:#?}", report.findings);
    let logprobs = &report.reassembled.unwrap()["choices"][0]["logprobs"];
    assert_eq!(logprobs, &json!({"content": [], "refusal": null}));
}

#[test]
fn lines_and_data_are_read_as_each_sdk_reads_them() {
    // A whitespace-only line: openai-python and the discardSentinel runtime ignore it; open-router
    // 0.1.1's parseMessage hands it to parse() as an event without data.
    let text = body(&hello()).replacen("\n\n", "\n\n  \n\n", 1);
    assert!(check("openai", &text).passes(true), "{:#?}", check("openai", &text).findings);
    assert!(check("mistral-gcp", &text.replace("chatcmpl-1", "c")).passed());
    assert_eq!(errors(&check("openrouter", &text)), ["2/data-missing"]);
    // A repeated key in a chunk: json.loads and JSON.parse keep the last; the strict body reader would refuse it.
    let duplicate =
        body(&hello()).replacen("\"model\":\"gpt-4o\"", "\"model\":\"x\",\"model\":\"gpt-4o\"", 1);
    let report = check("openai", &duplicate);
    assert!(report.passes(true), "{:#?}", report.findings);
    // An event without data (`event: ping`): openai-python's json.loads("") raises.
    let ping = body(&hello()).replacen("\n\n", "\n\nevent: ping\n\n", 1);
    assert_eq!(errors(&check("openai", &ping)), ["2/data-missing"]);
}

/// Runs `chatcompat` with `args` (no `--stream` added) in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .current_dir(dir)
        .env("CHATCOMPAT_ROOT", workspace())
        .args(args)
        .output()
        .expect("the chatcompat binary runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code().expect("exited"), text(output.stdout), text(output.stderr))
}

#[test]
fn check_stream_honours_expectations_update_expectations_and_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let mut lost = hello();
    lost.push(with_usage(chunk(json!([]))));
    lost.push(chunk(json!([])));
    std::fs::write(dir.path().join("lost.sse"), body(&lost)).unwrap();
    let mut broken = hello();
    broken[1]["object"] = json!("chat.completion");
    std::fs::write(dir.path().join("broken.sse"), body(&broken)).unwrap();
    let dir = dir.path();

    // --strict fails on the loss, and the error; --update-expectations writes a rule entry and a pointer entry.
    let (code, _, _) = run_in(dir, &["check", "--stream", "-p", "openai", "--strict", "."]);
    assert_eq!(code, 1);
    let (code, out, err) =
        run_in(dir, &["check", "--stream", "-p", "openai", "--strict", "--update-expectations", "."]);
    assert_eq!(code, 0, "{out}{err}");
    let written = std::fs::read_to_string(dir.join("chatcompat-expectations.toml")).unwrap();
    assert!(written.contains("rule = \"usage-lost\""), "{written}");
    assert!(written.contains("pointer = \"/object\"\nkeyword = \"enum\""), "{written}");
    // With them the run passes, each waived transcript shown as an expected failure.
    let (code, out, err) = run_in(
        dir,
        &[
            "check",
            "--stream",
            "-p",
            "openai",
            "--strict",
            "--expectations",
            "chatcompat-expectations.toml",
            ".",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("expected failure[openai]: event 6: usage-lost"), "{out}");
    // An entry pinned to another event waives nothing there: the run fails and the entry is stale.
    std::fs::write(
        dir.join("pinned.toml"),
        "[[expect]]\nfixtures = \"lost.sse\"\nrule = \"usage-lost\"\nevent = 2\nreason = \"r\"\n",
    )
    .unwrap();
    let (code, _, err) = run_in(
        dir,
        &["check", "--stream", "-p", "openai", "--strict", "--expectations", "pinned.toml", "lost.sse"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("pinned.toml:1: entry waives an error that no longer happens"), "{err}");

    // --coverage: the chunk schema's contract over the transcripts' chunks.
    let (_, out, _) = run_in(dir, &["check", "--stream", "-p", "openai", "--coverage", "lost.sse"]);
    assert!(out.contains("coverage (stream chunks): openai:"), "{out}");
}

#[test]
fn against_all_skips_providers_without_streaming_and_bodies_runs_check_transcripts_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.sse"), body(&hello())).unwrap();
    std::fs::copy(
        workspace().join("fixtures/openai/valid/all-fields-present.json"),
        dir.path().join("all-fields-present.json"),
    )
    .ok();
    let (code, out, err) =
        run_in(dir.path(), &["check", "--stream", "-p", "openai", "--against", "all", "."]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("--against all skips `nusantaraai`: it documents no streaming"), "{err}");
    for provider in ["openai", "atoma", "mistral-gcp", "openai-compatible", "openrouter"] {
        assert!(out.contains(&format!("\n{provider}: 1 transcript: ")), "{out}");
    }

    // Without --stream, a folder's transcripts are checked as streams after the bodies.
    let (code, out, err) = run_in(dir.path(), &["check", "-p", "openai", "."]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 stream transcript(s) (*.sse) in the given folders, checked as streams"), "{out}");
    assert!(out.contains("hello.sse: openai: conforms"), "{out}");
    // A provider that documents no streaming says why it skipped them.
    let (_, _, err) = run_in(dir.path(), &["check", "-p", "nusantaraai", "."]);
    assert!(err.contains("were not checked (nusantaraai documents no streaming)"), "{err}");
}

//! Folds a stream's chunks into the one `chat.completion` a client ends up with.
//!
//! It does what the SDKs' stream accumulators do (openai-node's
//! `ChatCompletionStream`, openai-python's `ChatCompletionStreamState`): per
//! choice, string deltas are concatenated (`content`, `refusal`, `reasoning`,
//! `reasoning_content`), array deltas appended, the first `role` and the first
//! non-null `finish_reason` kept; tool-call fragments are joined per `index`
//! (`function.arguments` concatenated), or, for a provider that sends whole
//! calls, appended as they are; `usage`, `system_fingerprint` and
//! `service_tier` take their last non-null value; `object` becomes
//! `chat.completion`. `content` and `refusal` are `null` when no delta carried
//! them, as the accumulators set them. Nothing is invented beyond that: a stream
//! without a `role` reassembles into a message without one.
//!
//! The result must pass the provider's non-streaming schema; each complete call's
//! arguments must be valid JSON (`arguments-json`).

use serde_json::{Map, Value};

use crate::tape::TapeNode;

use super::{
    rules::{choice_key, whole_number, ChoiceKey, Chunk},
    Conventions, Finding, Rule, ToolCallShape,
};

/// The reassembled response and what folding found.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    pub response: Value,
    /// `arguments-json` findings.
    pub findings: Vec<Finding>,
}

/// Folds `chunks` (in stream order) into one `chat.completion`.
pub fn fold(chunks: &[Chunk<'_>], conventions: Conventions) -> Folded {
    let mut top = Map::new();
    for key in ["id", "created", "model"] {
        if let Some(value) = chunks.iter().find_map(|c| c.value.member(key)) {
            top.insert(key.to_string(), value.to_value());
        }
    }
    top.insert("object".into(), Value::String("chat.completion".into()));
    let mut choices: Vec<ChoiceAcc> = Vec::new();
    for chunk in chunks {
        for key in ["usage", "system_fingerprint", "service_tier"] {
            if let Some(value) = chunk.value.member(key).filter(|v| !v.is_null()) {
                top.insert(key.to_string(), value.to_value());
            }
        }
        for (position, choice) in chunk.choices() {
            let key = choice_key(position, choice);
            let at = match choices.iter().position(|c| c.key == key) {
                Some(at) => at,
                None => {
                    choices.push(ChoiceAcc::new(key, choice.member("index").map(|i| i.to_value())));
                    choices.len() - 1
                }
            };
            choices[at].add(chunk.event, choice, conventions.tool_calls);
        }
    }
    let mut findings = Vec::new();
    let built: Vec<Value> = choices.into_iter().map(|acc| acc.finish(&mut findings)).collect();
    top.insert("choices".into(), Value::Array(built));
    Folded { response: Value::Object(top), findings }
}

/// One choice being folded.
struct ChoiceAcc {
    key: ChoiceKey,
    index: Option<Value>,
    message: Map<String, Value>,
    calls: Vec<CallAcc>,
    finish_reason: Option<Value>,
    logprobs: Option<Map<String, Value>>,
    extra: Map<String, Value>,
}

/// One tool call being folded.
struct CallAcc {
    /// The fragments' `index` (fragments mode), `None` for a whole call.
    index: Option<i64>,
    call: Map<String, Value>,
    event: usize,
}

impl ChoiceAcc {
    fn new(key: ChoiceKey, index: Option<Value>) -> ChoiceAcc {
        ChoiceAcc {
            key,
            index,
            message: Map::new(),
            calls: Vec::new(),
            finish_reason: None,
            logprobs: None,
            extra: Map::new(),
        }
    }

    fn add(&mut self, event: usize, choice: TapeNode<'_>, shape: ToolCallShape) {
        let Some(choice) = choice.entries() else { return };
        for (key, value) in choice {
            match key {
                "index" => {}
                "delta" => self.add_delta(event, value, shape),
                "finish_reason" => {
                    if self.finish_reason.is_none() && !value.is_null() {
                        self.finish_reason = Some(value.to_value());
                    }
                }
                "logprobs" => {
                    if let Some(logprobs) = value.entries() {
                        let acc = self.logprobs.get_or_insert_with(Map::new);
                        for (part, tokens) in logprobs {
                            append(acc, part, tokens);
                        }
                    }
                }
                _ if value.is_null() => {}
                _ => {
                    self.extra.insert(key.to_string(), value.to_value());
                }
            }
        }
    }

    fn add_delta(&mut self, event: usize, delta: TapeNode<'_>, shape: ToolCallShape) {
        let Some(delta) = delta.entries() else { return };
        for (key, value) in delta {
            match key {
                "role" => {
                    if !self.message.contains_key("role") && !value.is_null() {
                        self.message.insert("role".into(), value.to_value());
                    }
                }
                "tool_calls" => {
                    for call in value.items().into_iter().flatten() {
                        self.add_call(event, call, shape);
                    }
                }
                "function_call" => {
                    if let Some(parts) = value.entries() {
                        let acc =
                            self.message.entry("function_call").or_insert_with(|| Value::Object(Map::new()));
                        if let Some(acc) = acc.as_object_mut() {
                            for (part, text) in parts {
                                append(acc, part, text);
                            }
                        }
                    }
                }
                _ => append(&mut self.message, key, value),
            }
        }
    }

    fn add_call(&mut self, event: usize, call: TapeNode<'_>, shape: ToolCallShape) {
        let Some(fragment) = call.entries() else { return };
        if shape == ToolCallShape::Whole {
            let Value::Object(call) = call.to_value() else { return };
            self.calls.push(CallAcc { index: None, call, event });
            return;
        }
        // A fragment without an index cannot be placed (`tool-call-index` reports it).
        let Some(index) = whole_number(call.member("index")) else { return };
        let at = match self.calls.iter().position(|c| c.index == Some(index)) {
            Some(at) => at,
            None => {
                self.calls.push(CallAcc { index: Some(index), call: Map::new(), event });
                self.calls.len() - 1
            }
        };
        let acc = &mut self.calls[at].call;
        for (key, value) in fragment {
            match key {
                "index" => {}
                "function" => {
                    let Some(parts) = value.entries() else { continue };
                    let function = acc.entry("function").or_insert_with(|| Value::Object(Map::new()));
                    let Some(function) = function.as_object_mut() else { continue };
                    for (part, text) in parts {
                        if part == "arguments" {
                            append(function, part, text);
                        } else if !function.contains_key(part) && !text.is_null() {
                            function.insert(part.to_string(), text.to_value());
                        }
                    }
                }
                _ if value.is_null() || acc.contains_key(key) => {}
                _ => {
                    acc.insert(key.to_string(), value.to_value());
                }
            }
        }
    }

    fn finish(self, findings: &mut Vec<Finding>) -> Value {
        let mut message = self.message;
        message.entry("content").or_insert(Value::Null);
        message.entry("refusal").or_insert(Value::Null);
        if !self.calls.is_empty() {
            for (position, call) in self.calls.iter().enumerate() {
                arguments_json(&self.key, position, call, findings);
            }
            let calls = self.calls.into_iter().map(|c| Value::Object(c.call)).collect();
            message.insert("tool_calls".into(), Value::Array(calls));
        }
        let mut choice = Map::new();
        if let Some(index) = self.index {
            choice.insert("index".into(), index);
        }
        choice.insert("message".into(), Value::Object(message));
        choice.insert("finish_reason".into(), self.finish_reason.unwrap_or(Value::Null));
        if let Some(logprobs) = self.logprobs {
            choice.insert("logprobs".into(), Value::Object(logprobs));
        }
        for (key, value) in self.extra {
            choice.entry(key).or_insert(value);
        }
        Value::Object(choice)
    }
}

/// Adds a delta value to what was folded so far: strings are concatenated, arrays
/// appended, anything else replaces; `null` adds nothing to a value, but a key that
/// was only ever sent as `null` stays, as `null` (absent and `null` are different facts:
/// `logprobs.refusal: null` on every chunk is a present, null `refusal`).
fn append(acc: &mut Map<String, Value>, key: &str, value: TapeNode<'_>) {
    match (acc.get_mut(key), value.str(), value.items()) {
        (None, ..) if value.is_null() => {
            acc.insert(key.to_string(), Value::Null);
        }
        (Some(_), ..) if value.is_null() => {}
        (Some(Value::String(folded)), Some(more), _) => folded.push_str(more),
        (Some(Value::Array(folded)), _, Some(items)) => folded.extend(items.map(|item| item.to_value())),
        _ => {
            acc.insert(key.to_string(), value.to_value());
        }
    }
}

/// `arguments-json`: a complete call's string arguments parse as one JSON document for
/// the SDK's language parser (`json.loads`, `JSON.parse`): a repeated key keeps its last
/// value and a 30-digit integer is a number, so neither is reported; `""` (a tool without
/// arguments) is, as those parsers refuse it. No SDK in the reference parses arguments while
/// streaming (openai-python only for `strict` function tools), so the provider's row makes
/// this a note.
fn arguments_json(choice: &ChoiceKey, position: usize, call: &CallAcc, findings: &mut Vec<Finding>) {
    let Some(Value::String(arguments)) = call.call.get("function").and_then(|f| f.get("arguments")) else {
        return;
    };
    let parsed = if arguments.trim().is_empty() {
        Err("empty (a tool without arguments); `json.loads` and `JSON.parse` refuse it".to_string())
    } else {
        serde_json::from_str::<serde::de::IgnoredAny>(arguments).map(|_| ()).map_err(|err| err.to_string())
    };
    if let Err(why) = parsed {
        let name =
            call.call.get("function").and_then(|f| f.get("name")).and_then(Value::as_str).unwrap_or("?");
        let which = match call.index {
            Some(index) => format!("tool call {index}"),
            None => format!("tool call #{position}"),
        };
        findings.push(Finding::rule(
            Rule::ArgumentsJson,
            None,
            None,
            format!(
                "choice {choice}, {which} (`{name}`, first sent in event {}): the joined arguments are not JSON: \
                 {why}",
                call.event
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn chunk(event: usize, value: Value) -> (usize, Value) {
        (event, value)
    }

    /// Puts the chunks on a shelf, as `check_transcript` reads them, and folds them.
    fn fold_all(chunks: &[(usize, Value)], conventions: Conventions) -> Folded {
        crate::tape::with_shelf(|shelf| {
            let docs: Vec<_> =
                chunks.iter().map(|(event, value)| (*event, shelf.put(value).unwrap())).collect();
            let shelf = &*shelf;
            let chunks: Vec<Chunk<'_>> = docs
                .into_iter()
                .map(|(event, doc)| Chunk {
                    event,
                    line: event * 2 - 1,
                    value: shelf.node(doc),
                    violations: Vec::new(),
                })
                .collect();
            fold(&chunks, conventions)
        })
    }

    fn openai() -> Conventions {
        Conventions::default()
    }

    #[test]
    fn content_and_tool_call_arguments_are_joined_per_index() {
        let chunks = [
            chunk(
                1,
                json!({"id": "c", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]}),
            ),
            chunk(
                2,
                json!({"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": ""}},
                {"index": 1, "id": "b", "type": "function", "function": {"name": "g", "arguments": "{\"x\""}}]}}]}),
            ),
            chunk(
                3,
                json!({"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "function": {"arguments": "{}"}}, {"index": 1, "function": {"arguments": ":1}"}}]}}]}),
            ),
            chunk(
                4,
                json!({"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}], "usage": null}),
            ),
            chunk(
                5,
                json!({"id": "c", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}),
            ),
        ];
        let folded = fold_all(&chunks, openai());
        assert!(folded.findings.is_empty(), "{:?}", folded.findings);
        assert_eq!(
            folded.response,
            json!({"id": "c", "created": 1, "model": "m", "object": "chat.completion",
                "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
                "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
                    "role": "assistant", "content": "", "refusal": null, "tool_calls": [
                        {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                        {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{\"x\":1}"}}]}}]})
        );
    }

    #[test]
    fn several_choices_reasoning_and_logprobs_fold_separately() {
        let chunks = [
            chunk(
                1,
                json!({"id": "c", "choices": [
                {"index": 1, "delta": {"content": "B", "reasoning": "think "}, "logprobs": {"content": [{"token": "B"}]}},
                {"index": 0, "delta": {"content": "A"}}]}),
            ),
            chunk(
                2,
                json!({"id": "c", "choices": [
                {"index": 1, "delta": {"content": "b", "reasoning": "more"}, "logprobs": {"content": [{"token": "b"}]}, "finish_reason": "stop"},
                {"index": 0, "delta": {"content": "a"}, "finish_reason": "length", "stop_reason": {"Int": 7}}]}),
            ),
        ];
        let response = fold_all(&chunks, openai()).response;
        assert_eq!(response["choices"][0]["index"], 1);
        assert_eq!(response["choices"][0]["message"]["content"], "Bb");
        assert_eq!(response["choices"][0]["message"]["reasoning"], "think more");
        assert_eq!(response["choices"][0]["logprobs"]["content"], json!([{"token": "B"}, {"token": "b"}]));
        assert_eq!(response["choices"][1]["message"]["content"], "Aa");
        assert_eq!(response["choices"][1]["finish_reason"], "length");
        assert_eq!(response["choices"][1]["stop_reason"], json!({"Int": 7}));
        assert_eq!(response["choices"][1]["message"].get("role"), None, "no role is invented");
    }

    #[test]
    fn whole_calls_are_appended_as_sent() {
        let whole = Conventions { tool_calls: ToolCallShape::Whole, ..Conventions::default() };
        let call = json!({"id": "x", "function": {"name": "f", "arguments": {"a": 1}}});
        let chunks = [
            chunk(1, json!({"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [call.clone()]}}]})),
            chunk(
                2,
                json!({"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"name": "g", "arguments": "{}"}}]}}]}),
            ),
        ];
        let folded = fold_all(&chunks, whole);
        assert!(folded.findings.is_empty());
        let calls = &folded.response["choices"][0]["message"]["tool_calls"];
        assert_eq!(calls, &json!([call, {"index": 0, "function": {"name": "g", "arguments": "{}"}}]));
    }

    #[test]
    fn arguments_that_do_not_join_into_json_are_reported() {
        let chunks = [
            chunk(
                1,
                json!({"id": "c", "choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "id": "a", "type": "function", "function": {"name": "f", "arguments": "{\"city\": "}}]}}]}),
            ),
            chunk(
                2,
                json!({"id": "c", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
            ),
        ];
        let folded = fold_all(&chunks, openai());
        assert_eq!(folded.findings.len(), 1);
        let message = folded.findings[0].to_string();
        assert!(
            message.starts_with("arguments-json: choice 0, tool call 0 (`f`, first sent in event 1)"),
            "{message}"
        );
    }
}

//! The sequence rules: what no single chunk can show, each under a stable name.
//!
//! A chunk schema sees one event at a time; a client reads a sequence. These
//! rules read the chunks in order: `stable-id`, `tool-call-index`,
//! `one-finish-reason` and `usage-last` (`nothing-after-done`, `done-missing`
//! and `error-event` are framing facts, found while the events are read in
//! [`super::check_transcript`]; `arguments-json` is found by [`super::reassemble`]).
//! Which variant of a rule applies is the provider's [`Conventions`], never its id.
//! The rules are defensive: a chunk that breaks its schema (a string `choices`,
//! a missing `index`) is already reported there, and the rules skip what they
//! cannot read instead of failing on it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Conventions, Finding, Rule, ToolCallShape, UsagePlacement};
use crate::{locate::Position, verdict::Violation};

/// One event whose data was read as a chunk (not `[DONE]`, not an error event).
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// 1-based event number.
    pub event: usize,
    /// The event's first line in the transcript.
    pub line: usize,
    pub value: Value,
    /// What the chunk schema said about it.
    pub violations: Vec<Violation>,
}

impl Chunk {
    fn at(&self) -> Option<Position> {
        Some(Position::line_start(self.line))
    }

    /// `(position in the array, choice)` for every choice of the chunk.
    pub fn choices(&self) -> impl Iterator<Item = (usize, &Value)> {
        self.value.get("choices").and_then(Value::as_array).into_iter().flatten().enumerate()
    }
}

/// A choice's identity across chunks: its `index` as written, or its place when it has none.
pub fn choice_key(position: usize, choice: &Value) -> String {
    match choice.get("index") {
        Some(index) if !index.is_null() => index.to_string(),
        _ => format!("#{position}"),
    }
}

/// An index that is a whole number (`1` or `1.0`; OpenRouter's SDK reads plain numbers).
pub fn whole_number(value: Option<&Value>) -> Option<i64> {
    let number = value?.as_f64()?;
    (number.fract() == 0.0 && number.abs() < 9.0e15).then_some(number as i64)
}

/// Every sequence-rule finding over `chunks`, in event order.
pub fn check(chunks: &[Chunk], conventions: Conventions) -> Vec<Finding> {
    let mut findings = Vec::new();
    stable_id(chunks, &mut findings);
    match conventions.tool_calls {
        ToolCallShape::Fragments => tool_call_fragments(chunks, &mut findings),
        ToolCallShape::Whole => tool_calls_whole(chunks, &mut findings),
    }
    one_finish_reason(chunks, &mut findings);
    usage_last(chunks, conventions.usage, &mut findings);
    findings
}

/// `stable-id`: `id`, `model` and `created` keep the value of the first chunk that has them.
fn stable_id(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    for key in ["id", "model", "created"] {
        let mut first: Option<(&Value, usize)> = None;
        for chunk in chunks {
            let Some(value) = chunk.value.get(key) else { continue };
            match first {
                None => first = Some((value, chunk.event)),
                Some((expected, since)) if expected != value => {
                    findings.push(Finding::rule(
                        Rule::StableId,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "`{key}` changes from {expected} (event {since}) to {value}: every chunk of one \
                             completion carries the same `{key}`"
                        ),
                    ));
                    break;
                }
                Some(_) => {}
            }
        }
    }
}

/// `tool-call-index`, fragments: every fragment has an index; the first fragment of
/// a call carries `id`, `type` and `function.name`; later ones do not contradict its id.
fn tool_call_fragments(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    // (choice, call index) → (id, event of the first fragment)
    let mut calls: BTreeMap<(String, i64), (Option<String>, usize)> = BTreeMap::new();
    for chunk in chunks {
        for (position, choice) in chunk.choices() {
            let Some(fragments) = tool_calls_of(choice) else { continue };
            let key = choice_key(position, choice);
            for (k, fragment) in fragments.iter().enumerate() {
                let pointer = format!("/choices/{position}/delta/tool_calls/{k}");
                let Some(index) = whole_number(fragment.get("index")) else {
                    findings.push(Finding::rule(
                        Rule::ToolCallIndex,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "the tool-call fragment at {pointer} has no integer `index`: a client cannot tell \
                             which call it extends"
                        ),
                    ));
                    continue;
                };
                let id = fragment.get("id").and_then(Value::as_str);
                match calls.get(&(key.clone(), index)) {
                    None => {
                        let mut lacking = Vec::new();
                        if id.is_none_or(str::is_empty) {
                            lacking.push("`id`");
                        }
                        if fragment.get("type").and_then(Value::as_str).is_none() {
                            lacking.push("`type`");
                        }
                        if fragment
                            .pointer("/function/name")
                            .and_then(Value::as_str)
                            .is_none_or(str::is_empty)
                        {
                            lacking.push("`function.name`");
                        }
                        if !lacking.is_empty() {
                            findings.push(Finding::rule(
                                Rule::ToolCallIndex,
                                Some(chunk.event),
                                chunk.at(),
                                format!(
                                    "the first fragment of tool call {index} (choice {key}, {pointer}) lacks {}: \
                                     the first fragment of a call names it",
                                    lacking.join(", ")
                                ),
                            ));
                        }
                        calls.insert((key.clone(), index), (id.map(str::to_string), chunk.event));
                    }
                    Some((Some(first_id), since)) if id.is_some_and(|id| id != first_id) => {
                        findings.push(Finding::rule(
                            Rule::ToolCallIndex,
                            Some(chunk.event),
                            chunk.at(),
                            format!(
                                "the fragment at {pointer} carries id {:?}, but tool call {index} of choice {key} \
                                 started with id {first_id:?} at event {since}: two calls share one index",
                                id.unwrap_or_default()
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

/// `tool-call-index`, whole calls: no call id is sent twice (nothing is joined).
fn tool_calls_whole(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for chunk in chunks {
        for (position, choice) in chunk.choices() {
            let Some(calls) = tool_calls_of(choice) else { continue };
            let key = choice_key(position, choice);
            for (k, call) in calls.iter().enumerate() {
                let Some(id) = call.get("id").and_then(Value::as_str) else { continue };
                if let Some(since) = seen.get(&(key.clone(), id.to_string())) {
                    findings.push(Finding::rule(
                        Rule::ToolCallIndex,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "tool call {id:?} at /choices/{position}/delta/tool_calls/{k} was already sent at event \
                             {since}: this provider sends every tool call whole, and a client does not join fragments"
                        ),
                    ));
                } else {
                    seen.insert((key.clone(), id.to_string()), chunk.event);
                }
            }
        }
    }
}

fn tool_calls_of(choice: &Value) -> Option<&Vec<Value>> {
    choice.get("delta")?.get("tool_calls")?.as_array()
}

/// `one-finish-reason`: each choice gets exactly one non-null finish reason. An empty
/// string counts only where the chunk schema accepted it.
fn one_finish_reason(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    struct State {
        finished: Option<(Value, usize)>,
        rejected: Option<(Value, usize)>,
    }
    let mut choices: Vec<(String, State)> = Vec::new();
    for chunk in chunks {
        for (position, choice) in chunk.choices() {
            let key = choice_key(position, choice);
            let index = match choices.iter().position(|(k, _)| *k == key) {
                Some(index) => index,
                None => {
                    choices.push((key.clone(), State { finished: None, rejected: None }));
                    choices.len() - 1
                }
            };
            let state = &mut choices[index].1;
            let reason = match choice.get("finish_reason") {
                None | Some(Value::Null) => continue,
                Some(reason) => reason,
            };
            let pointer = format!("/choices/{position}/finish_reason");
            let rejected = chunk.violations.iter().any(|v| v.pointer == pointer);
            if reason.as_str() == Some("") && rejected {
                state.rejected.get_or_insert((reason.clone(), chunk.event));
                continue;
            }
            match &state.finished {
                None => state.finished = Some((reason.clone(), chunk.event)),
                Some((first, since)) => findings.push(Finding::rule(
                    Rule::OneFinishReason,
                    Some(chunk.event),
                    chunk.at(),
                    format!(
                        "choice {key} finishes a second time: {reason} after {first} at event {since}; a choice \
                         ends with exactly one finish reason"
                    ),
                )),
            }
        }
    }
    for (key, state) in choices {
        if state.finished.is_some() {
            continue;
        }
        let why = match state.rejected {
            Some((value, event)) => {
                format!(" (event {event} sent {value}, which this provider's chunk schema does not accept)")
            }
            None => String::new(),
        };
        findings.push(Finding::rule(
            Rule::OneFinishReason,
            None,
            None,
            format!("choice {key} ends without a finish reason{why}; a client cannot tell a cut stream from a finished one"),
        ));
    }
}

/// `usage-last`: a chunk with usage totals is the last chunk, with `choices: []` where
/// the provider does it that way.
fn usage_last(chunks: &[Chunk], placement: UsagePlacement, findings: &mut Vec<Finding>) {
    if placement == UsagePlacement::Anywhere {
        return;
    }
    let Some(last) = chunks.last() else { return };
    for chunk in chunks.iter().filter(|c| c.value.get("usage").is_some_and(|u| !u.is_null())) {
        if chunk.event != last.event {
            let next = chunks.iter().find(|c| c.event > chunk.event).map_or(last.event, |c| c.event);
            findings.push(Finding::rule(
                Rule::UsageLast,
                Some(chunk.event),
                chunk.at(),
                format!(
                    "a chunk with usage totals is not the last chunk (event {next} follows); the usage chunk \
                     comes last"
                ),
            ));
        } else if placement == UsagePlacement::LastEmptyChoices {
            let count = chunk.value.get("choices").and_then(Value::as_array).map_or(0, Vec::len);
            if count > 0 {
                findings.push(Finding::rule(
                    Rule::UsageLast,
                    Some(chunk.event),
                    chunk.at(),
                    format!(
                        "the usage chunk has {count} choice(s); this provider sends usage in a final chunk of \
                         its own, with `choices: []`"
                    ),
                ));
            }
        }
    }
}

//! The sequence rules: what no single chunk can show, each under a stable name.
//!
//! A chunk schema sees one event at a time; a client reads a sequence. These
//! rules read the chunks in order and report every breach of the documented
//! sequence; how much each breach matters is not decided here but by the
//! provider's `[stream.rules]` row (what its SDK does: raises, loses, reads), in
//! [`super::check_transcript`]. The framing rules (`nothing-after-done`,
//! `done-missing`, `error-event`, `data-json`, ...) are found while the events are
//! read; `arguments-json` by [`super::reassemble`].
//!
//! Where the provider's SDK folds chunks with openai-python's accumulator
//! ([`Accumulator::OpenaiPython`]), [`openai_accumulator`] replays its
//! `accumulate_delta` (`src/openai/lib/streaming/_deltas.py`) and the tool-call
//! lookup of `ChatCompletionStreamState._accumulate_chunk`
//! (`src/openai/lib/streaming/chat/_completions.py`) to find where it raises.
//! The rules are defensive: a chunk that breaks its schema is already reported
//! there, and the rules skip what they cannot read instead of failing on it.

use std::{collections::BTreeMap, fmt};

use serde_json::{Map, Value};

use super::{Accumulator, Conventions, Finding, Rule, ToolCallShape, UsagePlacement};
use crate::{locate::Position, tape::TapeNode, verdict::Violation};

/// One event whose data was read as a chunk (not `[DONE]`, not an error event), on the
/// transcript's tape ([`crate::tape::with_shelf`]): no `Value` is built for a chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk<'a> {
    /// 1-based event number.
    pub event: usize,
    /// The event's first line in the transcript.
    pub line: usize,
    pub value: TapeNode<'a>,
    /// What the chunk schema said about it.
    pub violations: Vec<Violation>,
}

impl<'a> Chunk<'a> {
    fn at(&self) -> Option<Position> {
        Some(Position::line_start(self.line))
    }

    /// `(position in the array, choice)` for every choice of the chunk.
    pub fn choices(&self) -> impl Iterator<Item = (usize, TapeNode<'a>)> {
        self.value.member("choices").and_then(|c| c.items()).into_iter().flatten().enumerate()
    }
}

/// A choice's identity across chunks: its integer `index`, its `index` as written when
/// that is something else, or its place when it has none. Comparing two keys allocates nothing
/// in the common case (an integer index).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChoiceKey {
    Index(i64),
    Written(String),
    Position(usize),
}

impl fmt::Display for ChoiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChoiceKey::Index(index) => write!(f, "{index}"),
            ChoiceKey::Written(text) => f.write_str(text),
            ChoiceKey::Position(position) => write!(f, "#{position}"),
        }
    }
}

/// The key of the choice at `position` of a chunk's `choices`.
pub fn choice_key(position: usize, choice: TapeNode<'_>) -> ChoiceKey {
    match choice.member("index") {
        Some(index) if index.as_i64().is_some() => ChoiceKey::Index(index.as_i64().unwrap_or_default()),
        Some(index) if !index.is_null() => ChoiceKey::Written(index.to_string()),
        _ => ChoiceKey::Position(position),
    }
}

/// An index that is a whole number (`1` or `1.0`; OpenRouter's SDK reads plain numbers).
pub fn whole_number(value: Option<TapeNode<'_>>) -> Option<i64> {
    let value = value?;
    if let Some(n) = value.as_i64() {
        return Some(n);
    }
    let number = value.as_f64()?;
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
    usage_lost(chunks, &mut findings);
    if conventions.accumulator == Accumulator::OpenaiPython {
        openai_accumulator(chunks, &mut findings);
    }
    findings
}

/// `stable-id`: `id`, `model` and `created` keep the value of the first chunk that has them.
fn stable_id(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    for key in ["id", "model", "created"] {
        let mut first: Option<(TapeNode<'_>, usize)> = None;
        for chunk in chunks {
            let Some(value) = chunk.value.member(key) else { continue };
            match first {
                None => first = Some((value, chunk.event)),
                Some((expected, since)) if expected != value => {
                    findings.push(Finding::rule(
                        Rule::StableId,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "`{key}` changes from {expected} (event {since}) to {value}; the documented stream \
                             keeps one `{key}`, and a client keeps the first"
                        ),
                    ));
                    break;
                }
                Some(_) => {}
            }
        }
    }
}

/// The fragments rules: `tool-call-index` (every fragment has an integer index),
/// `tool-call-first-fragment` (the first names the call), `calls-merged` (a second id at
/// an index already taken), `call-fields-repeated` (a continuation re-sends `id` or
/// `function.name`, which a concatenating client doubles). A continuation with `id: ""`
/// (Qwen) adds nothing and is fine.
fn tool_call_fragments(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    /// The first fragment of a call: its id, its name, its event.
    type First<'a> = (Option<&'a str>, Option<&'a str>, usize);
    let mut calls: BTreeMap<(ChoiceKey, i64), First<'_>> = BTreeMap::new();
    for chunk in chunks {
        for (position, choice) in chunk.choices() {
            let Some(fragments) = tool_calls_of(choice) else { continue };
            let key = choice_key(position, choice);
            for (k, fragment) in fragments.enumerate() {
                let pointer = || format!("/choices/{position}/delta/tool_calls/{k}");
                let Some(index) = whole_number(fragment.member("index")) else {
                    findings.push(Finding::rule(
                        Rule::ToolCallIndex,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "the tool-call fragment at {} has no integer `index`: a client cannot tell which call \
                             it extends",
                            pointer()
                        ),
                    ));
                    continue;
                };
                let id = fragment.member("id").and_then(|id| id.str()).filter(|id| !id.is_empty());
                let name = fragment
                    .member("function")
                    .and_then(|f| f.member("name"))
                    .and_then(|n| n.str())
                    .filter(|n| !n.is_empty());
                match calls.get(&(key.clone(), index)) {
                    None => {
                        let mut lacking = Vec::new();
                        if id.is_none() {
                            lacking.push("`id`");
                        }
                        if fragment.member("type").and_then(|t| t.str()).is_none() {
                            lacking.push("`type`");
                        }
                        if name.is_none() {
                            lacking.push("`function.name`");
                        }
                        if !lacking.is_empty() {
                            findings.push(Finding::rule(
                                Rule::ToolCallFirstFragment,
                                Some(chunk.event),
                                chunk.at(),
                                format!(
                                    "the first fragment of tool call {index} (choice {key}, {}) lacks {}: the \
                                     first fragment of a call names it",
                                    pointer(),
                                    lacking.join(", ")
                                ),
                            ));
                        }
                        calls.insert((key.clone(), index), (id, name, chunk.event));
                    }
                    Some((first_id, first_name, since)) => {
                        let (first_id, first_name, since) = (*first_id, *first_name, *since);
                        match (first_id, id) {
                            (Some(first), Some(id)) if id != first => {
                                findings.push(Finding::rule(
                                    Rule::CallsMerged,
                                    Some(chunk.event),
                                    chunk.at(),
                                    format!(
                                        "the fragment at {} starts call {id:?}, but index {index} of choice {key} \
                                         already holds call {first:?} (event {since}): a client joining \
                                         fragments by index merges the two calls into one",
                                        pointer()
                                    ),
                                ));
                                continue;
                            }
                            _ => {}
                        }
                        let repeated: Vec<&str> = [
                            (id.is_some() && id == first_id).then_some("`id`"),
                            (name.is_some() && name == first_name).then_some("`function.name`"),
                        ]
                        .into_iter()
                        .flatten()
                        .collect();
                        if !repeated.is_empty() {
                            findings.push(Finding::rule(
                                Rule::CallFieldsRepeated,
                                Some(chunk.event),
                                chunk.at(),
                                format!(
                                    "the continuation fragment at {} repeats {} of tool call {index} (first sent \
                                     at event {since}); a client that concatenates fragments doubles it",
                                    pointer(),
                                    repeated.join(" and ")
                                ),
                            ));
                        }
                        if first_id.is_none() && id.is_some() {
                            calls.insert((key.clone(), index), (id, first_name.or(name), since));
                        }
                    }
                }
            }
        }
    }
}

/// `tool-call-resent`, whole calls: no call id is sent twice (nothing is joined).
fn tool_calls_whole(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    let mut seen: BTreeMap<(ChoiceKey, &str), usize> = BTreeMap::new();
    for chunk in chunks {
        for (position, choice) in chunk.choices() {
            let Some(calls) = tool_calls_of(choice) else { continue };
            let key = choice_key(position, choice);
            for (k, call) in calls.enumerate() {
                let Some(id) = call.member("id").and_then(|id| id.str()) else { continue };
                if let Some(since) = seen.get(&(key.clone(), id)) {
                    findings.push(Finding::rule(
                        Rule::ToolCallResent,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "tool call {id:?} at /choices/{position}/delta/tool_calls/{k} was already sent at event \
                             {since}: this provider sends every tool call whole, and a client does not join fragments"
                        ),
                    ));
                } else {
                    seen.insert((key.clone(), id), chunk.event);
                }
            }
        }
    }
}

fn tool_calls_of(choice: TapeNode<'_>) -> Option<crate::tape::TapeItems<'_>> {
    choice.member("delta")?.member("tool_calls")?.items()
}

/// `one-finish-reason` (a choice ends once; a repeat of the same reason is only noted) and
/// `finish-reason-overwritten` (a second, different reason: a client keeping the last loses
/// the first). An empty string counts only where the chunk schema accepted it.
fn one_finish_reason(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    struct State<'a> {
        key: ChoiceKey,
        finished: Option<(TapeNode<'a>, usize)>,
        rejected: Option<(TapeNode<'a>, usize)>,
    }
    let mut choices: Vec<State<'_>> = Vec::new();
    for chunk in chunks {
        for (position, choice) in chunk.choices() {
            let key = choice_key(position, choice);
            let at = match choices.iter().position(|s| s.key == key) {
                Some(at) => at,
                None => {
                    choices.push(State { key, finished: None, rejected: None });
                    choices.len() - 1
                }
            };
            let state = &mut choices[at];
            let reason = match choice.member("finish_reason") {
                Some(reason) if !reason.is_null() => reason,
                _ => continue,
            };
            if reason.str() == Some("") {
                let pointer = format!("/choices/{position}/finish_reason");
                if chunk.violations.iter().any(|v| v.pointer == pointer) {
                    state.rejected.get_or_insert((reason, chunk.event));
                    continue;
                }
            }
            match state.finished {
                None => state.finished = Some((reason, chunk.event)),
                Some((first, since)) if first == reason => findings.push(Finding::rule(
                    Rule::OneFinishReason,
                    Some(chunk.event),
                    chunk.at(),
                    format!(
                        "choice {} finishes again with the same reason {reason} (first at event {since}); a \
                         client reads it once",
                        state.key
                    ),
                )),
                Some((first, since)) => {
                    findings.push(Finding::rule(
                        Rule::FinishReasonOverwritten,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "choice {} finishes a second time: {reason} after {first} at event {since}; a client \
                             that keeps the last finish reason loses {first}",
                            state.key
                        ),
                    ));
                    state.finished = Some((reason, chunk.event));
                }
            }
        }
    }
    for state in choices {
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
            format!(
                "choice {} ends without a finish reason{why}; a client cannot tell a cut stream from a finished one",
                state.key
            ),
        ));
    }
}

fn has_usage(chunk: &Chunk<'_>) -> bool {
    chunk.value.member("usage").is_some_and(|u| !u.is_null())
}

/// `usage-last`: the documented place of the usage chunk (last, with `choices: []` where
/// the provider documents it so). Reported once per stream.
fn usage_last(chunks: &[Chunk], placement: UsagePlacement, findings: &mut Vec<Finding>) {
    if placement == UsagePlacement::Anywhere {
        return;
    }
    let Some(last) = chunks.last() else { return };
    for chunk in chunks.iter().filter(|c| has_usage(c)) {
        if chunk.event != last.event {
            let next = chunks.iter().find(|c| c.event > chunk.event).map_or(last.event, |c| c.event);
            findings.push(Finding::rule(
                Rule::UsageLast,
                Some(chunk.event),
                chunk.at(),
                format!("a chunk with usage is not the last chunk (event {next} follows); the usage chunk comes last"),
            ));
            return;
        } else if placement == UsagePlacement::LastEmptyChoices {
            let count = chunk.value.member("choices").and_then(|c| c.array_len()).unwrap_or(0);
            if count > 0 {
                findings.push(Finding::rule(
                    Rule::UsageLast,
                    Some(chunk.event),
                    chunk.at(),
                    format!(
                        "the usage chunk has {count} choice(s); the provider documents usage in a final chunk of \
                         its own, with `choices: []`"
                    ),
                ));
                return;
            }
        }
    }
}

/// `usage-lost`: a chunk carried usage but the last chunk has none, so an accumulator that
/// sets usage from every chunk (openai-python: `completion_snapshot.usage = chunk.usage`)
/// ends with `usage: None`.
fn usage_lost(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    let Some(last) = chunks.last() else { return };
    if has_usage(last) {
        return;
    }
    if let Some(carrier) = chunks.iter().rev().find(|c| has_usage(c)) {
        findings.push(Finding::rule(
            Rule::UsageLost,
            Some(last.event),
            last.at(),
            format!(
                "event {} carried usage, but this later chunk has none; an accumulator that takes each chunk's \
                 usage ends without it",
                carrier.event
            ),
        ));
    }
}

/// Replays openai-python's `ChatCompletionStreamState` on the deltas and reports where it
/// raises: `delta-list-index` for `accumulate_delta`'s list merge (an entry that is not an
/// object, has no `index`, or a non-integer one; `tool_calls` without index is
/// `tool-call-index`'s), `tool-call-index-gap` for the `tool_calls[tool_call_chunk.index]`
/// lookup past the calls folded so far. It stops at the first raise, as the SDK does.
fn openai_accumulator(chunks: &[Chunk], findings: &mut Vec<Finding>) {
    // Choice snapshots by place, as `completion_snapshot.choices[choice.index]` finds them:
    // (message, last truthy finish reason).
    let mut snapshots: Vec<(Map<String, Value>, Option<&str>)> = Vec::new();
    for (number, chunk) in chunks.iter().enumerate() {
        if number == 0 {
            // `_convert_initial_chunk_into_snapshot`: `choices[choice.index] = ...` over the chunk's own list.
            snapshots.resize_with(chunk.choices().count(), || (Map::new(), None));
        }
        for (position, choice) in chunk.choices() {
            let Some(index) = choice.member("index").and_then(|i| i.as_u64()) else { continue };
            let Ok(index) = usize::try_from(index) else { continue };
            if index >= snapshots.len() {
                if number > 0 && index == snapshots.len() {
                    // `except IndexError: completion_snapshot.choices.append(...)`
                    snapshots.push((Map::new(), None));
                } else {
                    findings.push(Finding::rule(
                        Rule::ChoiceIndexGap,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "choice index {index} is past the {} choice(s) folded so far; openai-python's \
                             accumulator looks choices up by index and raises IndexError",
                            snapshots.len()
                        ),
                    ));
                    return;
                }
            }
            let (message, finish) = &mut snapshots[index];
            if let Some(reason) =
                choice.member("finish_reason").and_then(|r| r.str()).filter(|r| !r.is_empty())
            {
                *finish = Some(reason);
            }
            let Some(delta) = choice.member("delta").filter(TapeNode::is_object) else { continue };
            if let Err((path, why)) = accumulate_delta(message, delta, Trail { parent: None, key: "delta" }) {
                if path.starts_with("delta.tool_calls") && why != ListProblem::NotAnObject {
                    // `tool-call-index` reports a fragment without an integer index.
                    return;
                }
                findings.push(Finding::rule(
                    Rule::DeltaListIndex,
                    Some(chunk.event),
                    chunk.at(),
                    format!(
                        "/choices/{position}/{}: {}; openai-python's accumulator (`accumulate_delta`) raises on it",
                        path.replace('.', "/"),
                        why.describe()
                    ),
                ));
                return;
            }
            let folded = message.get("tool_calls").and_then(Value::as_array).map_or(0, Vec::len);
            for fragment in tool_calls_of(choice).into_iter().flatten() {
                let Some(call) = fragment.member("index").and_then(|i| i.as_i64()) else { continue };
                if call < 0 || call as usize >= folded {
                    findings.push(Finding::rule(
                        Rule::ToolCallIndexGap,
                        Some(chunk.event),
                        chunk.at(),
                        format!(
                            "tool call index {call} of choice {index} is past the {folded} call(s) folded so far; \
                             openai-python's accumulator looks the call up by index and raises IndexError"
                        ),
                    ));
                    return;
                }
            }
        }
    }
    // `get_final_completion` → `parse_chat_completion` raises on these two finish reasons.
    for (index, (_, finish)) in snapshots.iter().enumerate() {
        if let Some(reason @ ("length" | "content_filter")) = finish {
            let last = chunks.last().map(|c| (c.event, c.at()));
            findings.push(Finding::rule(
                Rule::FinalFinishReason,
                last.map(|(event, _)| event),
                last.and_then(|(_, at)| at),
                format!(
                    "choice {index} finishes with {reason:?}; openai-python's `get_final_completion()` \
                     (`parse_chat_completion`) raises {} on it",
                    if *reason == "length" {
                        "LengthFinishReasonError"
                    } else {
                        "ContentFilterFinishReasonError"
                    }
                ),
            ));
            return;
        }
    }
}

/// Where `accumulate_delta` is, as Python's dotted path (`delta.tool_calls`), written out only
/// when it raises.
#[derive(Clone, Copy)]
struct Trail<'p> {
    parent: Option<&'p Trail<'p>>,
    key: &'p str,
}

impl fmt::Display for Trail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            write!(f, "{parent}.")?;
        }
        f.write_str(self.key)
    }
}

/// Why `accumulate_delta` raises on a list entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListProblem {
    NotAnObject,
    NoIndex,
    IndexNotInteger,
    EntryNotAnObject,
}

impl ListProblem {
    fn describe(self) -> &'static str {
        match self {
            ListProblem::NotAnObject => "a list entry is not an object",
            ListProblem::NoIndex => "a list entry has no `index` key",
            ListProblem::IndexNotInteger => "a list entry's `index` is not an integer",
            ListProblem::EntryNotAnObject => "the entry folded at this index is not an object",
        }
    }
}

fn has_indexed_entries(value: TapeNode<'_>) -> bool {
    value.items().is_some_and(|mut list| list.any(|e| e.member("index").is_some()))
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// openai-python's `accumulate_delta` (`src/openai/lib/streaming/_deltas.py`, 3.54.0), on JSON values.
fn accumulate_delta(
    acc: &mut Map<String, Value>,
    delta: TapeNode<'_>,
    path: Trail<'_>,
) -> Result<(), (String, ListProblem)> {
    for (key, delta_value) in delta.entries().into_iter().flatten() {
        let trail = Trail { parent: Some(&path), key };
        let here = || trail.to_string();
        // The common case first, with one lookup: a string delta onto the string folded so far.
        if let (Some(Value::String(folded)), Some(more)) = (acc.get_mut(key), delta_value.str()) {
            if key != "index" && key != "type" {
                folded.push_str(more);
                continue;
            }
        }
        let missing = acc.get(key).is_none_or(Value::is_null);
        if missing {
            if has_indexed_entries(delta_value) {
                acc.insert(key.to_string(), Value::Array(Vec::new()));
            } else {
                acc.insert(key.to_string(), delta_value.to_value());
                continue;
            }
        }
        if key == "index" || key == "type" {
            acc.insert(key.to_string(), delta_value.to_value());
            continue;
        }
        let Some(acc_value) = acc.get_mut(key) else { continue };
        match acc_value {
            Value::String(folded) => {
                if let Some(more) = delta_value.str() {
                    folded.push_str(more);
                }
            }
            Value::Object(folded) if delta_value.is_object() => accumulate_delta(folded, delta_value, trail)?,
            Value::Array(folded) => {
                let Some(more) = delta_value.items() else { continue };
                if folded.iter().all(is_scalar) && (!folded.is_empty() || !has_indexed_entries(delta_value)) {
                    folded.extend(more.map(|item| item.to_value()));
                    continue;
                }
                for entry in more {
                    if !entry.is_object() {
                        return Err((here(), ListProblem::NotAnObject));
                    }
                    let Some(index) = entry.member("index") else {
                        return Err((here(), ListProblem::NoIndex));
                    };
                    let Some(index) = index.as_u64().or_else(|| index.as_i64().map(|_| u64::MAX)) else {
                        return Err((here(), ListProblem::IndexNotInteger));
                    };
                    let index = usize::try_from(index).unwrap_or(usize::MAX);
                    match folded.get_mut(index) {
                        None => folded.push(entry.to_value()),
                        Some(Value::Object(at)) => accumulate_delta(at, entry, trail)?,
                        Some(_) => return Err((here(), ListProblem::EntryNotAnObject)),
                    }
                }
            }
            // Numbers add up in Python; nothing here reads them, so they are left as they are.
            _ => {}
        }
    }
    Ok(())
}

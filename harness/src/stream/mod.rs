//! Checks a streamed response: the raw event-stream bytes (a transcript) chunk
//! by chunk, then by named sequence rules, then reassembled into one
//! `chat.completion`.
//!
//! The order is the design's: [`sse`] splits the body into events; each `data`
//! that is not the `[DONE]` sentinel is read strictly ([`crate::json::parse_str`])
//! and checked against the provider's chunk schema ([`Schema::check_text`]);
//! [`rules`] checks what no single chunk can show (a stable `id`, tool-call
//! fragments, one finish reason per choice, usage last, nothing after `[DONE]`);
//! [`reassemble`] folds the chunks the way an SDK's accumulator does and the
//! result must pass the provider's non-streaming schema. Every finding carries
//! its event number and transcript line, and a stable name where it is not a
//! schema keyword, so an invalid transcript's sidecar can pin it.
//!
//! How a provider's SDK reads a stream (how it matches `[DONE]`, where usage
//! comes, whether tool calls arrive in fragments) is data: the `[stream]` table
//! of its `provider.toml`, read into [`Conventions`]. A provider without a chunk
//! schema is "streaming not documented" ([`StreamCatalog::unsupported`]): it is
//! shown as unsupported, never as a failure.
//!
//! ```
//! use chatcompat::{stream::{self, StreamCatalog}, Catalog};
//!
//! let catalog = Catalog::discover(&Catalog::locate_workspace()).unwrap();
//! let streams = StreamCatalog::load(&catalog);
//! let openai = streams.schemas("openai").unwrap();
//! let body = b"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\
//! \"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n\
//! data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\
//! \"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
//! let report = stream::check_transcript(openai, body);
//! assert!(report.passed(), "{:?}", report.findings);
//! assert_eq!(report.reassembled.unwrap()["choices"][0]["message"]["content"], "Hi");
//! ```

pub mod output;
pub mod reassemble;
pub mod rules;
pub mod sse;

use std::{collections::BTreeSet, fmt, fmt::Write as _, path::PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    catalog::{Catalog, CatalogError},
    corpus::{self, ExpectedError, Fixture, FixtureError, Sidecar},
    json::{self, BadInputKind},
    locate::Position,
    verdict::{Schema, Verdict, Violation},
};

/// How one provider's SDK reads a stream: the `[stream]` table of `provider.toml`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Conventions {
    pub done: DoneMatch,
    pub usage: UsagePlacement,
    pub tool_calls: ToolCallShape,
}

/// How the SDK recognises the end-of-stream sentinel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DoneMatch {
    /// `data` must be exactly `[DONE]` (Speakeasy's `discardSentinel`); `[DONE] ` is read as JSON.
    #[default]
    Exact,
    /// `data` starting with `[DONE]` ends the stream (openai-python's `startswith`).
    Prefix,
}

/// Where the provider sends the chunk that carries usage totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsagePlacement {
    /// The last chunk carries usage (other chunks have none, or `null` where the schema allows it).
    #[default]
    Last,
    /// OpenAI's `include_usage` contract: one final chunk with usage and `choices: []`.
    LastEmptyChoices,
    /// Any chunk may carry usage (no rule).
    Anywhere,
}

/// How tool calls arrive in the deltas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToolCallShape {
    /// OpenAI style: fragments keyed by `index`; the first carries `id`, `type`, `function.name`,
    /// `function.arguments` is split across fragments.
    #[default]
    Fragments,
    /// Every entry is one whole call (Mistral): nothing is joined.
    Whole,
}

/// The stable name of every check that is not a schema keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// `id`, `model` and `created` are the same on every chunk.
    StableId,
    /// Tool-call fragments: each has an index, the first of a call carries id, type and name.
    ToolCallIndex,
    /// Each choice ends with exactly one finish reason.
    OneFinishReason,
    /// The usage chunk comes last (with `choices: []` where the provider does it that way).
    UsageLast,
    /// No event after `data: [DONE]`.
    NothingAfterDone,
    /// The stream ends without `data: [DONE]` (tolerated by every SDK: a note).
    DoneMissing,
    /// A `data` object with an `error` key: the stream failed mid-way.
    ErrorEvent,
    /// A complete tool call's arguments are not valid JSON.
    ArgumentsJson,
    /// An event's `data` is not one JSON document.
    DataJson,
    /// An event has no `data` field.
    DataMissing,
    /// The stream has no chunk at all.
    NoChunks,
    /// The transcript is not valid UTF-8.
    Utf8,
    /// The last event is not followed by a blank line: WHATWG and the SDKs drop it (a note).
    UnterminatedEvent,
    /// The transcript starts with a byte order mark (stripped by WHATWG; a note).
    ByteOrderMark,
    /// The reassembled response was not checked because the stream already failed (a note).
    ReassemblySkipped,
}

impl Rule {
    pub const ALL: [Rule; 15] = [
        Rule::StableId,
        Rule::ToolCallIndex,
        Rule::OneFinishReason,
        Rule::UsageLast,
        Rule::NothingAfterDone,
        Rule::DoneMissing,
        Rule::ErrorEvent,
        Rule::ArgumentsJson,
        Rule::DataJson,
        Rule::DataMissing,
        Rule::NoChunks,
        Rule::Utf8,
        Rule::UnterminatedEvent,
        Rule::ByteOrderMark,
        Rule::ReassemblySkipped,
    ];

    /// The name used in errors and in sidecars' `rule = "..."`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::StableId => "stable-id",
            Rule::ToolCallIndex => "tool-call-index",
            Rule::OneFinishReason => "one-finish-reason",
            Rule::UsageLast => "usage-last",
            Rule::NothingAfterDone => "nothing-after-done",
            Rule::DoneMissing => "done-missing",
            Rule::ErrorEvent => "error-event",
            Rule::ArgumentsJson => "arguments-json",
            Rule::DataJson => "data-json",
            Rule::DataMissing => "data-missing",
            Rule::NoChunks => "no-chunks",
            Rule::Utf8 => "utf-8",
            Rule::UnterminatedEvent => "unterminated-event",
            Rule::ByteOrderMark => "byte-order-mark",
            Rule::ReassemblySkipped => "reassembly-skipped",
        }
    }

    /// The rule with this name, if any.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.as_str() == name)
    }

    /// Whether a finding of this rule fails the transcript (an error) or only informs (a note).
    pub fn severity(self) -> Severity {
        match self {
            Rule::DoneMissing | Rule::UnterminatedEvent | Rule::ByteOrderMark | Rule::ReassemblySkipped => {
                Severity::Note
            }
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding fails the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Note,
}

/// Which document a schema violation is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// One chunk, against the chunk schema.
    Chunk,
    /// The reassembled `chat.completion`, against the non-streaming schema.
    Reassembled,
}

/// One thing checking a transcript found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The 1-based event it is about; `None` for the stream as a whole.
    pub event: Option<usize>,
    /// Line and column in the transcript, where known.
    pub position: Option<Position>,
    pub kind: FindingKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum FindingKind {
    /// A chunk or the reassembled response breaks its schema.
    Schema { scope: Scope, violation: Violation },
    /// A named rule fails, or notes something.
    Rule { rule: Rule, message: String },
}

impl Finding {
    fn rule(rule: Rule, event: Option<usize>, position: Option<Position>, message: String) -> Finding {
        Finding { event, position, kind: FindingKind::Rule { rule, message } }
    }

    pub fn severity(&self) -> Severity {
        match &self.kind {
            FindingKind::Schema { .. } => Severity::Error,
            FindingKind::Rule { rule, .. } => rule.severity(),
        }
    }

    /// The rule's name, or the schema keyword.
    pub fn name(&self) -> &str {
        match &self.kind {
            FindingKind::Schema { violation, .. } => &violation.keyword,
            FindingKind::Rule { rule, .. } => rule.as_str(),
        }
    }

    /// The sidecar entry that pins this finding.
    pub fn expected(&self) -> ExpectedError {
        match &self.kind {
            FindingKind::Schema { violation, .. } => ExpectedError {
                event: self.event,
                pointer: violation.pointer.clone(),
                keyword: violation.keyword.clone(),
                rule: None,
            },
            FindingKind::Rule { rule, .. } => ExpectedError {
                event: self.event,
                pointer: String::new(),
                keyword: String::new(),
                rule: Some(rule.as_str().to_string()),
            },
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(event) = self.event {
            write!(f, "event {event}: ")?;
        }
        match &self.kind {
            FindingKind::Schema { scope: Scope::Chunk, violation } => write!(f, "{violation}"),
            FindingKind::Schema { scope: Scope::Reassembled, violation } => {
                write!(f, "reassembled chat.completion: {violation}")
            }
            FindingKind::Rule { rule, message } => {
                let note = if rule.severity() == Severity::Note { "note: " } else { "" };
                write!(f, "{note}{rule}: {message}")
            }
        }
    }
}

/// What checking one transcript found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TranscriptReport {
    /// The provider whose schemas and conventions were applied.
    pub provider: String,
    /// Events in the body (blocks of fields; comments do not count).
    pub events: usize,
    /// Events whose data was read as a chunk.
    pub chunks: usize,
    /// `:` comment lines (keep-alives).
    pub comments: usize,
    /// Whether the `[DONE]` sentinel came.
    pub done: bool,
    /// Errors and notes, in transcript order (stream-level ones last).
    pub findings: Vec<Finding>,
    /// Undocumented fields in chunks: (event, pointer).
    pub extensions: Vec<(usize, String)>,
    /// The chunks folded into one `chat.completion`, when there was at least one chunk.
    pub reassembled: Option<Value>,
}

impl TranscriptReport {
    /// The findings that fail the transcript.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity() == Severity::Error)
    }

    /// The findings that only inform.
    pub fn notes(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity() == Severity::Note)
    }

    /// No error (notes allowed).
    pub fn passed(&self) -> bool {
        self.errors().next().is_none()
    }

    /// `violates` on any error; `conforms-with-extensions` when chunks carry undocumented fields.
    pub fn verdict(&self) -> Verdict {
        match (self.passed(), self.extensions.is_empty()) {
            (false, _) => Verdict::Violates,
            (true, true) => Verdict::Conforms,
            (true, false) => Verdict::ConformsWithExtensions,
        }
    }

    /// Every error as the sidecar entry that pins it.
    pub fn expected_errors(&self) -> BTreeSet<ExpectedError> {
        self.errors().map(Finding::expected).collect()
    }
}

/// One provider's schemas and conventions for checking its streams.
#[derive(Debug)]
pub struct StreamSchemas {
    pub provider: String,
    /// The chunk schema (`chat-completion-chunk.schema.json`).
    pub chunk: Schema,
    /// The non-streaming schema the reassembled response must pass.
    pub response: Schema,
    pub conventions: Conventions,
}

impl StreamSchemas {
    /// Loads `provider`'s chunk and response schemas; [`CatalogError::StreamingNotDocumented`]
    /// when it has no chunk tables.
    pub fn load(catalog: &Catalog, provider: &crate::Provider) -> Result<StreamSchemas, CatalogError> {
        let chunk = catalog.load_chunk_schema(provider)?;
        let response = catalog.load_schema(provider)?;
        Ok(StreamSchemas {
            provider: provider.id.clone(),
            chunk,
            response,
            conventions: provider.stream.unwrap_or_default(),
        })
    }
}

/// Every provider's streaming support: loaded schemas, unsupported providers
/// with their note, and schemas that failed to load.
#[derive(Debug, Default)]
pub struct StreamCatalog {
    /// Providers with a chunk schema, in catalog order.
    pub supported: Vec<StreamSchemas>,
    /// Providers without one: (id, note), e.g. `not documented: the SDK has no stream operation`.
    pub unsupported: Vec<(String, String)>,
    /// Providers whose chunk or response schema did not load: (id, error).
    pub problems: Vec<(String, String)>,
}

/// What the catalog knows about one provider's streams.
#[derive(Debug, Clone, Copy)]
pub enum Support<'a> {
    Schemas(&'a StreamSchemas),
    /// Streaming not documented, with the provider's note.
    NotDocumented(&'a str),
    /// The schemas exist but did not load.
    Broken(&'a str),
    /// No such provider.
    Unknown,
}

impl StreamCatalog {
    /// Loads every provider's stream schemas; never stops at one that fails.
    pub fn load(catalog: &Catalog) -> StreamCatalog {
        let mut streams = StreamCatalog::default();
        for provider in &catalog.providers {
            if let Some(note) = provider.streaming_unsupported() {
                streams.unsupported.push((provider.id.clone(), note));
                continue;
            }
            match StreamSchemas::load(catalog, provider) {
                Ok(schemas) => streams.supported.push(schemas),
                Err(err) => streams.problems.push((provider.id.clone(), err.to_string())),
            }
        }
        streams
    }

    /// The loaded schemas of `provider`, if it streams and they loaded.
    pub fn schemas(&self, provider: &str) -> Option<&StreamSchemas> {
        self.supported.iter().find(|s| s.provider == provider)
    }

    pub fn support(&self, provider: &str) -> Support<'_> {
        if let Some(schemas) = self.schemas(provider) {
            return Support::Schemas(schemas);
        }
        if let Some((_, note)) = self.unsupported.iter().find(|(id, _)| id == provider) {
            return Support::NotDocumented(note);
        }
        if let Some((_, error)) = self.problems.iter().find(|(id, _)| id == provider) {
            return Support::Broken(error);
        }
        Support::Unknown
    }
}

/// Checks one transcript (the body's raw bytes) against one provider's stream schemas.
pub fn check_transcript(schemas: &StreamSchemas, bytes: &[u8]) -> TranscriptReport {
    let mut findings = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(err) => {
            let position = Position::of_offset(bytes, err.valid_up_to());
            findings.push(Finding::rule(
                Rule::Utf8,
                None,
                Some(position),
                "invalid UTF-8: an event stream is UTF-8 text (the bytes were read with U+FFFD in their place)"
                    .into(),
            ));
            String::from_utf8_lossy(bytes)
        }
    };
    let parsed = sse::parse(&text);
    if parsed.byte_order_mark {
        findings.push(Finding::rule(
            Rule::ByteOrderMark,
            None,
            Some(Position::START),
            "the body starts with a UTF-8 byte order mark; WHATWG strips it, a line-based decoder that does \
             not sees a field named `\u{FEFF}data` and loses the first event"
                .into(),
        ));
    }

    let conventions = schemas.conventions;
    let mut chunks: Vec<rules::Chunk> = Vec::new();
    let mut extensions = Vec::new();
    let mut done_event: Option<usize> = None;
    let mut after_done: Vec<&sse::Event> = Vec::new();
    for event in &parsed.events {
        if done_event.is_some() {
            after_done.push(event);
            continue;
        }
        let at = Some(Position::line_start(event.line));
        if !event.terminated {
            let what = if event.data.as_deref().is_some_and(|d| is_done(d, conventions.done)) {
                "harmless for `[DONE]`, which ends the stream anyway"
            } else {
                "a client never sees this event"
            };
            findings.push(Finding::rule(
                Rule::UnterminatedEvent,
                Some(event.number),
                at,
                format!(
                    "the body ends without the blank line that closes this event; WHATWG parsers and the \
                     SDKs drop it ({what})"
                ),
            ));
        }
        let Some(data) = &event.data else {
            findings.push(Finding::rule(
                Rule::DataMissing,
                Some(event.number),
                at,
                "the event has no `data` field; the SDKs fail on it (a `data` field is required)".into(),
            ));
            continue;
        };
        if is_done(data, conventions.done) {
            done_event = Some(event.number);
            continue;
        }
        let value = match json::parse_str(data) {
            Ok(value) => value,
            Err(bad) => {
                let position = data_position(event, bad.position);
                let hint = if data.starts_with("[DONE]") {
                    " (this provider's SDK ends the stream only on `data` that is exactly `[DONE]`)"
                } else {
                    ""
                };
                let message = match bad.kind {
                    BadInputKind::Empty => "the data is empty: expected one JSON chunk".to_string(),
                    kind => format!("the data is not one JSON chunk: {kind}{hint}"),
                };
                findings.push(Finding::rule(Rule::DataJson, Some(event.number), Some(position), message));
                continue;
            }
        };
        if let Some(error) = error_of(&value) {
            findings.push(Finding::rule(
                Rule::ErrorEvent,
                Some(event.number),
                at,
                format!("the stream reports an error mid-way: {}", describe_error(error)),
            ));
            // Not checked as a chunk; but one that also carries choices (OpenRouter's
            // documented shape, `finish_reason: "error"`) still ends them for the rules.
            if value.get("choices").is_some_and(Value::is_array) {
                chunks.push(rules::Chunk {
                    event: event.number,
                    line: event.line,
                    value,
                    violations: Vec::new(),
                });
            }
            continue;
        }
        let mut checked = schemas.chunk.check_text(&value, data);
        for violation in &mut checked.violations {
            violation.position = violation.position.map(|p| data_position(event, p));
        }
        for violation in &checked.violations {
            findings.push(Finding {
                event: Some(event.number),
                position: violation.position.or(at),
                kind: FindingKind::Schema { scope: Scope::Chunk, violation: violation.clone() },
            });
        }
        extensions.extend(checked.extensions.iter().map(|pointer| (event.number, pointer.clone())));
        chunks.push(rules::Chunk {
            event: event.number,
            line: event.line,
            value,
            violations: checked.violations,
        });
    }

    if let Some(first) = after_done.first() {
        findings.push(Finding::rule(
            Rule::NothingAfterDone,
            Some(first.number),
            Some(Position::line_start(first.line)),
            format!(
                "{} event(s) after `data: [DONE]` (event {}); the SDKs stop reading at the sentinel and \
                 never see them",
                after_done.len(),
                done_event.unwrap_or_default()
            ),
        ));
    }
    if done_event.is_none() && !parsed.events.is_empty() {
        findings.push(Finding::rule(
            Rule::DoneMissing,
            None,
            None,
            "the stream ends without `data: [DONE]`; every SDK in the reference tolerates that and ends \
             with the body"
                .into(),
        ));
    }
    if chunks.is_empty() && !findings.iter().any(|f| f.event.is_some() && f.severity() == Severity::Error) {
        findings.push(Finding::rule(
            Rule::NoChunks,
            None,
            None,
            "the stream carries no chunk: expected `data: {...}` events".into(),
        ));
    }

    findings.extend(rules::check(&chunks, conventions));
    let folded = (!chunks.is_empty()).then(|| reassemble::fold(&chunks, conventions));
    if let Some(folded) = &folded {
        findings.extend(folded.findings.iter().cloned());
        if findings.iter().any(|f| f.severity() == Severity::Error) {
            findings.push(Finding::rule(
                Rule::ReassemblySkipped,
                None,
                None,
                "the reassembled chat.completion was not checked against the non-streaming schema: fix the \
                 errors above first"
                    .into(),
            ));
        } else {
            for violation in schemas.response.check(&folded.response).violations {
                findings.push(Finding {
                    event: None,
                    position: None,
                    kind: FindingKind::Schema { scope: Scope::Reassembled, violation },
                });
            }
        }
    }

    findings.sort_by_key(|f| (f.event.is_none(), f.event, f.position));
    TranscriptReport {
        provider: schemas.provider.clone(),
        events: parsed.events.len(),
        chunks: chunks.len(),
        comments: parsed.comments.len(),
        done: done_event.is_some(),
        findings,
        extensions,
        reassembled: folded.map(|f| f.response),
    }
}

/// Whether `data` is the end-of-stream sentinel for this SDK.
fn is_done(data: &str, rule: DoneMatch) -> bool {
    match rule {
        DoneMatch::Exact => data == "[DONE]",
        DoneMatch::Prefix => data.starts_with("[DONE]"),
    }
}

/// The `error` member of a chunk that reports a failure (present, not `null` or `false`).
fn error_of(value: &Value) -> Option<&Value> {
    value.get("error").filter(|e| !matches!(e, Value::Null | Value::Bool(false)))
}

/// An error member in words: its `message` (and `code`) when it has them, else the value, shortened.
fn describe_error(error: &Value) -> String {
    let message = error.get("message").and_then(Value::as_str);
    let code = error.get("code").filter(|c| !c.is_null());
    match (message, code) {
        (Some(message), Some(code)) => format!("{message:?} (code {code})"),
        (Some(message), None) => format!("{message:?}"),
        _ => {
            let text = error.to_string();
            let cut: String = text.chars().take(120).collect();
            if cut.len() < text.len() {
                format!("{cut}…")
            } else {
                cut
            }
        }
    }
}

/// Maps a position inside an event's data to the transcript.
fn data_position(event: &sse::Event, inside: Position) -> Position {
    match event.data_lines.get(inside.line.get().saturating_sub(1)) {
        Some(line) => Position::new(line.line, line.offset + inside.column.get()),
        None => Position::line_start(event.line),
    }
}

/// A transcript whose errors differ from what it must produce.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptMismatch {
    pub path: PathBuf,
    /// The transcript with every line end made `\n`, so that lines number as the parser counts them.
    pub text: String,
    pub report: TranscriptReport,
    /// Expected errors that did not happen.
    pub missing: Vec<ExpectedError>,
    /// Errors that happened but were not expected (for a valid transcript: every error).
    pub unexpected: Vec<ExpectedError>,
}

impl fmt::Display for TranscriptMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for finding in &self.report.findings {
            let tag = match finding.severity() {
                Severity::Note => "",
                Severity::Error if self.unexpected.contains(&finding.expected()) => " (unexpected)",
                Severity::Error => " (expected)",
            };
            let _ = writeln!(out, "{}{tag}", render_finding(&self.path, finding));
            if let (Some(position), Severity::Error) = (finding.position, finding.severity()) {
                out.push_str(&crate::locate::excerpt(&self.text, position, position.line));
            }
        }
        for expected in &self.missing {
            let _ = writeln!(out, "{}: expected error did not occur: {expected}", self.path.display());
        }
        f.write_str(out.trim_end())
    }
}

/// One finding as one line: `path:line:column: event 3: /choices/0/index: type: ...`.
pub fn render_finding(path: &std::path::Path, finding: &Finding) -> String {
    match finding.position {
        Some(position) => format!("{}:{position}: {finding}", path.display()),
        None => format!("{}: {finding}", path.display()),
    }
}

/// What a passing transcript showed.
#[derive(Debug, Clone, PartialEq)]
pub struct TranscriptPass {
    pub sidecar: Sidecar,
    pub report: TranscriptReport,
}

/// Runs one transcript of the corpus: a valid one must have no error; an invalid
/// one must produce exactly the errors its sidecar lists.
pub fn evaluate(fixture: &Fixture, streams: &StreamCatalog) -> Result<TranscriptPass, FixtureError> {
    let sidecar = corpus::read_sidecar(fixture)?;
    let bytes = std::fs::read(&fixture.body)
        .map_err(|err| FixtureError::Unreadable { path: fixture.body.clone(), message: err.to_string() })?;
    let schemas = match streams.support(&fixture.provider) {
        Support::Schemas(schemas) => schemas,
        Support::NotDocumented(note) => {
            return Err(FixtureError::StreamingNotDocumented {
                path: fixture.body.clone(),
                provider: fixture.provider.clone(),
                note: note.to_string(),
            })
        }
        Support::Broken(_) | Support::Unknown => {
            return Err(FixtureError::NoSchema {
                path: fixture.body.clone(),
                provider: fixture.provider.clone(),
            })
        }
    };
    let report = check_transcript(schemas, &bytes);
    let actual = report.expected_errors();
    let expected = corpus::must_produce(fixture, &sidecar)?;
    if actual == expected {
        return Ok(TranscriptPass { sidecar, report });
    }
    Err(FixtureError::Transcript(Box::new(TranscriptMismatch {
        path: fixture.body.clone(),
        text: String::from_utf8_lossy(&bytes).replace("\r\n", "\n").replace('\r', "\n"),
        missing: expected.difference(&actual).cloned().collect(),
        unexpected: actual.difference(&expected).cloned().collect(),
        report,
    })))
}

/// The outcome of every transcript of a corpus, in trial order.
pub fn run_all(
    corpus: &corpus::Corpus,
    streams: &StreamCatalog,
) -> Vec<(Fixture, Result<TranscriptPass, FixtureError>)> {
    corpus.transcripts.iter().map(|fixture| (fixture.clone(), evaluate(fixture, streams))).collect()
}

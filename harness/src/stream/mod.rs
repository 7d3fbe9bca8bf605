//! Checks a streamed response: the raw event-stream bytes (a transcript) chunk
//! by chunk, then by named sequence rules, then reassembled into one
//! `chat.completion`.
//!
//! The order is the design's: [`sse`] splits the body into events; each `data`
//! that is not the `[DONE]` sentinel is read as the SDKs' JSON parsers read it, onto
//! one tape for the whole transcript ([`crate::tape::with_shelf`]: no chunk is built as
//! a `Value`), and checked against the provider's chunk schema there
//! ([`Schema::check_tape`]; the full [`Schema::check_text`] where it violates);
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
//! let catalog = Catalog::embedded().unwrap();
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
    locate::Position,
    tape::TapeNode,
    verdict::{Schema, Verdict, Violation},
};

/// How one provider's SDK reads a stream: the `[stream]` table of `provider.toml`.
///
/// Besides the framing facts (`done`, `usage`, `tool_calls`, `accumulator`),
/// `[stream.rules]` has one row per rule: what the provider's SDK does when a
/// stream breaks it (`does = "raises" | "loses" | "reads"`), what it loses, and
/// the SDK file that does it. A finding's severity is that row's consequence, so
/// a verdict says what the SDK would do, never what a table merely prefers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StreamTable {
    /// The SDK (name, version, mode) whose streaming code the rows describe.
    #[serde(default)]
    pub sdk: String,
    #[serde(default)]
    pub done: DoneMatch,
    #[serde(default)]
    pub usage: UsagePlacement,
    #[serde(default)]
    pub tool_calls: ToolCallShape,
    #[serde(default)]
    pub accumulator: Accumulator,
    #[serde(default)]
    pub other_lines: OtherLines,
    /// Rule name → what the SDK does with a breach.
    #[serde(default)]
    pub rules: std::collections::BTreeMap<String, RuleRow>,
}

/// One row of `[stream.rules]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleRow {
    /// What the SDK does with a breach of the rule.
    pub does: Consequence,
    /// What is lost, when `does = "loses"`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub loses: String,
    /// The SDK file (and function) that does it.
    pub source: String,
    /// Where a later published version of the SDK does otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub later: String,
}

/// What an SDK's streaming code does with a breach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Consequence {
    /// It raises, or cannot read the chunk: the stream fails.
    Raises,
    /// It reads the stream but the result lacks something the server sent.
    Loses,
    /// It reads the stream whole: a breach of the documented shape only.
    Reads,
}

impl Consequence {
    pub fn severity(self) -> Severity {
        match self {
            Consequence::Raises => Severity::Error,
            Consequence::Loses => Severity::Loss,
            Consequence::Reads => Severity::Note,
        }
    }
}

/// Which accumulator, if any, the SDK folds chunks with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Accumulator {
    /// None: the SDK hands each chunk over and folds nothing (the Speakeasy SDKs).
    #[default]
    None,
    /// openai-python's `ChatCompletionStreamState` (`lib/streaming/chat/_completions.py`,
    /// `lib/streaming/_deltas.py`): the losses and raises of its folding are reported.
    OpenaiPython,
}

/// What the SDK does with a block of lines that are neither comments nor `data`, `event`,
/// `id` or `retry` fields (a whitespace-only line is a field named by its spaces).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OtherLines {
    /// Not dispatched (WHATWG, openai-python's `SSEDecoder`, Speakeasy's `parseEvent`).
    #[default]
    Ignored,
    /// Dispatched as an event without data (the newer Speakeasy `parseMessage`).
    Dispatched,
}

/// The table's facts in the form the checks use (`Copy`, one consequence per rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Conventions {
    pub done: DoneMatch,
    pub usage: UsagePlacement,
    pub tool_calls: ToolCallShape,
    pub accumulator: Accumulator,
    pub other_lines: OtherLines,
    consequences: [Consequence; Rule::ALL.len()],
}

impl Default for Conventions {
    fn default() -> Self {
        Conventions::from_table(&StreamTable::default())
    }
}

impl Conventions {
    /// The conventions of a table; a rule without a row gets [`Rule::default_consequence`].
    pub fn from_table(table: &StreamTable) -> Conventions {
        let mut consequences = Rule::ALL.map(Rule::default_consequence);
        for (at, rule) in Rule::ALL.iter().enumerate() {
            if let Some(row) = table.rules.get(rule.as_str()) {
                consequences[at] = row.does;
            }
        }
        Conventions {
            done: table.done,
            usage: table.usage,
            tool_calls: table.tool_calls,
            accumulator: table.accumulator,
            other_lines: table.other_lines,
            consequences,
        }
    }

    /// What this provider's SDK does with a breach of `rule`.
    pub fn consequence(&self, rule: Rule) -> Consequence {
        let at = Rule::ALL.iter().position(|r| *r == rule).unwrap_or_default();
        self.consequences[at]
    }

    /// With one rule's consequence replaced (for tests and what-if runs).
    pub fn with(mut self, rule: Rule, does: Consequence) -> Conventions {
        if let Some(at) = Rule::ALL.iter().position(|r| *r == rule) {
            self.consequences[at] = does;
        }
        self
    }
}

impl StreamTable {
    /// Row names that are no rule (a typo would otherwise silently keep the default).
    pub fn unknown_rows(&self) -> Vec<String> {
        self.rules.keys().filter(|name| Rule::from_name(name).is_none()).cloned().collect()
    }
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

/// The stable name of every check that is not a schema keyword, and of the two
/// schema checks' rows (`chunk-schema`, `reassembled-schema`) in `[stream.rules]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// A chunk breaks the provider's chunk schema (the SDK's inbound validation).
    ChunkSchema,
    /// The reassembled `chat.completion` breaks the non-streaming schema.
    ReassembledSchema,
    /// `id`, `model` and `created` are the same on every chunk.
    StableId,
    /// Every tool-call fragment has an integer `index`.
    ToolCallIndex,
    /// A fragment's `index` is past the calls folded so far (a gap, or a first index above 0).
    ToolCallIndexGap,
    /// The first fragment of a call carries `id`, `type` and `function.name`.
    ToolCallFirstFragment,
    /// Two calls (two different ids) share one `index`, so a fragment-joining client merges them.
    CallsMerged,
    /// A continuation fragment repeats `id` or `function.name`, which a concatenating client doubles.
    CallFieldsRepeated,
    /// Whole-call providers: the same call id is sent twice.
    ToolCallResent,
    /// Each choice ends with one finish reason.
    OneFinishReason,
    /// A choice gets a second, different finish reason; a client keeping the last loses the first.
    FinishReasonOverwritten,
    /// The usage chunk comes last (with `choices: []` where the provider does it that way).
    UsageLast,
    /// A chunk after the usage chunk has none, and an accumulator that keeps the last chunk's usage ends without.
    UsageLost,
    /// A list inside a delta whose entries an index-merging accumulator cannot place.
    DeltaListIndex,
    /// A choice's `index` is past the choices folded so far (an accumulator that looks choices up by index fails).
    ChoiceIndexGap,
    /// A choice finishes with `length` or `content_filter`, on which openai-python's final completion raises.
    FinalFinishReason,
    /// No event after `data: [DONE]`.
    NothingAfterDone,
    /// The stream ends without `data: [DONE]`.
    DoneMissing,
    /// A `data` object with an `error` key: the stream failed mid-way.
    ErrorEvent,
    /// A complete tool call's arguments are not JSON for the SDK's language parser.
    ArgumentsJson,
    /// An event's `data` is not one JSON document.
    DataJson,
    /// An event has no `data` field.
    DataMissing,
    /// The stream has no chunk at all.
    NoChunks,
    /// The transcript is not valid UTF-8.
    Utf8,
    /// The last event is not followed by a blank line: WHATWG and the SDKs never dispatch it.
    UnterminatedEvent,
    /// The transcript starts with a byte order mark.
    ByteOrderMark,
    /// The reassembled response was not checked because the SDK already failed (a note).
    ReassemblySkipped,
}

impl Rule {
    pub const ALL: [Rule; 27] = [
        Rule::ChunkSchema,
        Rule::ReassembledSchema,
        Rule::StableId,
        Rule::ToolCallIndex,
        Rule::ToolCallIndexGap,
        Rule::ToolCallFirstFragment,
        Rule::CallsMerged,
        Rule::CallFieldsRepeated,
        Rule::ToolCallResent,
        Rule::OneFinishReason,
        Rule::FinishReasonOverwritten,
        Rule::UsageLast,
        Rule::UsageLost,
        Rule::DeltaListIndex,
        Rule::ChoiceIndexGap,
        Rule::FinalFinishReason,
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

    /// The name used in errors, in sidecars' `rule = "..."` and in `[stream.rules]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::ChunkSchema => "chunk-schema",
            Rule::ReassembledSchema => "reassembled-schema",
            Rule::StableId => "stable-id",
            Rule::ToolCallIndex => "tool-call-index",
            Rule::ToolCallIndexGap => "tool-call-index-gap",
            Rule::ToolCallFirstFragment => "tool-call-first-fragment",
            Rule::CallsMerged => "calls-merged",
            Rule::CallFieldsRepeated => "call-fields-repeated",
            Rule::ToolCallResent => "tool-call-resent",
            Rule::OneFinishReason => "one-finish-reason",
            Rule::FinishReasonOverwritten => "finish-reason-overwritten",
            Rule::UsageLast => "usage-last",
            Rule::UsageLost => "usage-lost",
            Rule::DeltaListIndex => "delta-list-index",
            Rule::ChoiceIndexGap => "choice-index-gap",
            Rule::FinalFinishReason => "final-finish-reason",
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

    /// The consequence of a rule a provider's table has no row for: what every SDK in
    /// the reference does (raises on what it cannot read, never notices the rest).
    pub fn default_consequence(self) -> Consequence {
        match self {
            Rule::ChunkSchema | Rule::DataJson | Rule::DataMissing => Consequence::Raises,
            Rule::NothingAfterDone | Rule::UnterminatedEvent => Consequence::Loses,
            _ => Consequence::Reads,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding fails the transcript: the consequence of its rule for the provider's SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The SDK raises or cannot read a chunk: the transcript violates.
    Error,
    /// The SDK reads the stream but loses something: fails under `--strict`.
    Loss,
    /// A breach of the documented shape that the SDK does not notice.
    Note,
}

impl Severity {
    /// The word used in every output: `error`, `loss`, `note`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Loss => "loss",
            Severity::Note => "note",
        }
    }
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
    /// What the provider's SDK does with it (set from its `[stream.rules]` row).
    pub severity: Severity,
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
    /// A rule's finding; its severity is set from the provider's table when the transcript is judged.
    fn rule(rule: Rule, event: Option<usize>, position: Option<Position>, message: String) -> Finding {
        Finding { event, position, kind: FindingKind::Rule { rule, message }, severity: Severity::Error }
    }

    fn schema(
        scope: Scope,
        event: Option<usize>,
        position: Option<Position>,
        violation: Violation,
    ) -> Finding {
        Finding { event, position, kind: FindingKind::Schema { scope, violation }, severity: Severity::Error }
    }

    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The row of `[stream.rules]` that decides this finding's severity.
    pub fn row(&self) -> Rule {
        match &self.kind {
            FindingKind::Schema { scope: Scope::Chunk, .. } => Rule::ChunkSchema,
            FindingKind::Schema { scope: Scope::Reassembled, .. } => Rule::ReassembledSchema,
            FindingKind::Rule { rule, .. } => *rule,
        }
    }

    /// The rule's name, or the schema keyword.
    pub fn name(&self) -> &str {
        match &self.kind {
            FindingKind::Schema { violation, .. } => &violation.keyword,
            FindingKind::Rule { rule, .. } => rule.as_str(),
        }
    }

    /// The JSON pointer of a schema finding.
    pub fn pointer(&self) -> Option<&str> {
        match &self.kind {
            FindingKind::Schema { violation, .. } => Some(&violation.pointer),
            FindingKind::Rule { .. } => None,
        }
    }

    /// The message without event or severity: what a reader needs after the location.
    pub fn message(&self) -> String {
        match &self.kind {
            FindingKind::Schema { scope: Scope::Chunk, violation } => violation.to_string(),
            FindingKind::Schema { scope: Scope::Reassembled, violation } => {
                format!("reassembled chat.completion: {violation}")
            }
            FindingKind::Rule { rule, message } => format!("{rule}: {message}"),
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
        let tag = match self.severity {
            Severity::Error => "",
            Severity::Loss => "loss: ",
            Severity::Note => "note: ",
        };
        write!(f, "{tag}{}", self.message())
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

    /// The findings where the SDK reads the stream but loses something.
    pub fn losses(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity() == Severity::Loss)
    }

    /// The findings that only inform.
    pub fn notes(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity() == Severity::Note)
    }

    /// No error (losses and notes allowed): the provider's SDK reads the stream.
    pub fn passed(&self) -> bool {
        self.errors().next().is_none()
    }

    /// Whether the run passes: no error; with `strict`, also no loss and no undocumented field.
    pub fn passes(&self, strict: bool) -> bool {
        self.passed() && (!strict || (self.losses().next().is_none() && self.extensions.is_empty()))
    }

    /// `violates` on any error; `conforms-with-extensions` when chunks carry undocumented fields.
    pub fn verdict(&self) -> Verdict {
        match (self.passed(), self.extensions.is_empty()) {
            (false, _) => Verdict::Violates,
            (true, true) => Verdict::Conforms,
            (true, false) => Verdict::ConformsWithExtensions,
        }
    }

    /// Every error and every loss as the sidecar entry that pins it.
    pub fn expected_errors(&self) -> BTreeSet<ExpectedError> {
        self.findings.iter().filter(|f| f.severity() != Severity::Note).map(Finding::expected).collect()
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
    /// The `[stream]` table the conventions come from (SDK, rows with their sources).
    pub table: StreamTable,
}

impl StreamSchemas {
    /// Loads `provider`'s chunk and response schemas; [`CatalogError::StreamingNotDocumented`]
    /// when it has no chunk tables.
    pub fn load(catalog: &Catalog, provider: &crate::Provider) -> Result<StreamSchemas, CatalogError> {
        let chunk = catalog.load_chunk_schema(provider)?;
        let response = catalog.load_schema(provider)?;
        let table = provider.stream.clone().unwrap_or_default();
        Ok(StreamSchemas {
            provider: provider.id.clone(),
            chunk,
            response,
            conventions: Conventions::from_table(&table),
            table,
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
            // A byte order mark is no column (editors hide it; the event lines are counted without it).
            let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
            let position = Position::of_offset(&bytes[bom..], err.valid_up_to().saturating_sub(bom));
            findings.push(Finding::rule(
                Rule::Utf8,
                None,
                Some(position),
                "invalid UTF-8: an event stream is UTF-8 text (a strict decoder raises; a replacing one reads \
                 U+FFFD in its place)"
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

    crate::tape::with_shelf(|shelf| judge_events(schemas, &parsed, shelf, findings))
}

/// An event whose data was read as JSON, on the transcript's shelf.
struct Read<'e> {
    event: &'e sse::Event<'e>,
    data: &'e str,
    doc: crate::tape::Doc<'e>,
    /// The data as a `Value`, where only the SDKs' lenient reading takes it (a repeated key,
    /// a wide float, many keys): then the chunk schema is checked the full way.
    lenient: Option<Value>,
}

/// Reads the events' chunks onto `shelf` (one tape for the whole transcript), then judges them:
/// chunk schema, sequence rules, reassembly and the reassembled schema.
fn judge_events(
    schemas: &StreamSchemas,
    parsed: &sse::EventStream,
    shelf: &mut crate::tape::Shelf<'_>,
    mut findings: Vec<Finding>,
) -> TranscriptReport {
    let conventions = schemas.conventions;
    let mut reads: Vec<Read<'_>> = Vec::new();
    let mut done_event: Option<usize> = None;
    let mut after_done: Vec<&sse::Event> = Vec::new();
    for event in &parsed.events {
        if done_event.is_some() {
            after_done.push(event);
            continue;
        }
        // A block of unknown fields only (a whitespace-only line, `foo: bar`) is dispatched by no SDK.
        if !event.known_field && conventions.other_lines == OtherLines::Ignored {
            continue;
        }
        let at = Some(Position::line_start(event.line));
        if !event.terminated {
            // WHATWG, openai-python's SSEDecoder, Speakeasy's discardSentinel and the newer
            // EventStream all dispatch an event at its blank line only: this one is never read.
            if event.data.as_deref().is_some_and(|d| is_done(d, conventions.done)) {
                findings.push(Finding::rule(
                    Rule::DoneMissing,
                    Some(event.number),
                    at,
                    "the body ends without the blank line that closes `data: [DONE]`; the SDKs never \
                     dispatch it and end with the body, which is harmless"
                        .into(),
                ));
            } else {
                findings.push(Finding::rule(
                    Rule::UnterminatedEvent,
                    Some(event.number),
                    at,
                    "the body ends without the blank line that closes this event; WHATWG parsers and the \
                     SDKs never dispatch it, so a client never sees it (it is not checked)"
                        .into(),
                ));
            }
            continue;
        }
        let Some(data) = event.data.as_deref() else {
            findings.push(Finding::rule(
                Rule::DataMissing,
                Some(event.number),
                at,
                "the event has no `data` field (a `data` field is what an SDK reads a chunk from)".into(),
            ));
            continue;
        };
        if is_done(data, conventions.done) {
            done_event = Some(event.number);
            continue;
        }
        if let Some(doc) = shelf.read(data) {
            reads.push(Read { event, data, doc, lenient: None });
            continue;
        }
        let read = parse_chunk(data).and_then(|value| match shelf.put(&value) {
            Some(doc) => Ok(Read { event, data, doc, lenient: Some(value) }),
            None => Err((Position::START, "the data is too large to hold as one chunk".to_string())),
        });
        match read {
            Ok(read) => reads.push(read),
            Err((inside, message)) => {
                let position = data_position(event, inside);
                let hint = if data.starts_with("[DONE]") {
                    " (this provider's SDK ends the stream only on `data` that is exactly `[DONE]`)"
                } else {
                    ""
                };
                findings.push(Finding::rule(
                    Rule::DataJson,
                    Some(event.number),
                    Some(position),
                    format!("{message}{hint}"),
                ));
            }
        }
    }

    let shelf = &*shelf;
    let mut chunks: Vec<rules::Chunk<'_>> = Vec::with_capacity(reads.len());
    let mut extensions = Vec::new();
    for read in &reads {
        let event = read.event;
        let at = Some(Position::line_start(event.line));
        let node = shelf.node(read.doc);
        if let Some(error) = error_of(node) {
            let raises = conventions.consequence(Rule::ErrorEvent) == Consequence::Raises;
            let what = if raises {
                "the SDK raises on it"
            } else {
                "the SDK drops the `error` key and reads the rest as a chunk"
            };
            findings.push(Finding::rule(
                Rule::ErrorEvent,
                Some(event.number),
                at,
                format!("the stream reports an error mid-way: {} ({what})", describe_error(error)),
            ));
            if raises {
                // Not a chunk for this SDK; but one that also carries choices (OpenRouter's
                // documented shape, `finish_reason: "error"`) still ends them for the rules.
                if node.member("choices").is_some_and(|c| c.array_len().is_some()) {
                    chunks.push(rules::Chunk {
                        event: event.number,
                        line: event.line,
                        value: node,
                        violations: Vec::new(),
                    });
                }
                continue;
            }
        }
        // A conforming chunk is judged on the tape; a deviant one (or one only a lenient reader
        // takes) the full way, which finds and places every violation.
        let checked = match (&read.lenient, schemas.chunk.check_tape(node)) {
            (None, Some(checked)) => checked,
            (Some(value), _) => schemas.chunk.check_text(value, read.data),
            (None, None) => match parse_chunk(read.data) {
                Ok(value) => schemas.chunk.check_text(&value, read.data),
                Err(_) => crate::verdict::Checked::default(),
            },
        };
        let mut violations = checked.violations;
        for violation in &mut violations {
            violation.position = violation.position.map(|p| data_position(event, p));
        }
        for violation in &violations {
            findings.push(Finding::schema(
                Scope::Chunk,
                Some(event.number),
                violation.position.or(at),
                violation.clone(),
            ));
        }
        extensions.extend(checked.extensions.into_iter().map(|pointer| (event.number, pointer)));
        chunks.push(rules::Chunk { event: event.number, line: event.line, value: node, violations });
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
    let unterminated_done =
        findings.iter().any(|f| matches!(f.kind, FindingKind::Rule { rule: Rule::DoneMissing, .. }));
    if done_event.is_none() && !parsed.events.is_empty() && !unterminated_done {
        findings.push(Finding::rule(
            Rule::DoneMissing,
            None,
            None,
            "the stream ends without `data: [DONE]`; every SDK in the reference tolerates that and ends \
             with the body"
                .into(),
        ));
    }
    let raised = |findings: &[Finding]| {
        findings.iter().any(|f| conventions.consequence(f.row()) == Consequence::Raises)
    };
    if chunks.is_empty() && !raised(&findings) {
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
        if raised(&findings) {
            findings.push(Finding::rule(
                Rule::ReassemblySkipped,
                None,
                None,
                "the reassembled chat.completion was not checked against the non-streaming schema: the SDK \
                 fails on the stream first"
                    .into(),
            ));
        } else {
            for violation in schemas.response.check(&folded.response).violations {
                findings.push(Finding::schema(Scope::Reassembled, None, None, violation));
            }
        }
    }
    for finding in &mut findings {
        finding.severity = match finding.row() {
            Rule::ReassemblySkipped => Severity::Note,
            row => conventions.consequence(row).severity(),
        };
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

/// Reads one event's data as the SDKs' JSON parsers do (`json.loads`, `JSON.parse`): a
/// repeated key keeps its last value and a long integer is a number, unlike the strict
/// body reader. The error is its position inside the data and a message.
fn parse_chunk(data: &str) -> Result<Value, (Position, String)> {
    if data.trim().is_empty() {
        return Err((Position::START, "the data is empty: expected one JSON chunk".into()));
    }
    serde_json::from_str(data).map_err(|err| {
        // serde_json counts the column in bytes; shown positions count characters.
        let offset = crate::locate::offset_of_byte_position(
            data,
            err.line().max(1),
            crate::locate::ByteColumn(err.column().max(1)),
        );
        let position = Position::of_offset(data.as_bytes(), offset);
        let message = err.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(head, _)| head);
        (position, format!("the data is not one JSON chunk: {message}"))
    })
}

/// Whether `data` is the end-of-stream sentinel for this SDK.
fn is_done(data: &str, rule: DoneMatch) -> bool {
    match rule {
        DoneMatch::Exact => data == "[DONE]",
        DoneMatch::Prefix => data.starts_with("[DONE]"),
    }
}

/// The `error` member of a chunk that reports a failure: truthy as openai-python's
/// `data.get("error")` tests it (`{}`, `""`, `0`, `[]`, `false` and `null` are not).
fn error_of(value: TapeNode<'_>) -> Option<TapeNode<'_>> {
    value.member("error").filter(|e| {
        if let Some(b) = e.as_bool() {
            b
        } else if let Some(n) = e.as_f64() {
            n != 0.0
        } else if let Some(s) = e.str() {
            !s.is_empty()
        } else if let Some(len) = e.array_len() {
            len > 0
        } else {
            e.entries().is_some_and(|mut members| members.next().is_some())
        }
    })
}

/// An error member in words: its `message` (and `code`) when it has them, else the value, shortened.
fn describe_error(error: TapeNode<'_>) -> String {
    let message = error.member("message").and_then(|m| m.str());
    let code = error.member("code").filter(|c| !c.is_null());
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
                _ if self.unexpected.contains(&finding.expected()) => " (unexpected)",
                _ => " (expected)",
            };
            let _ = writeln!(out, "{}{tag}", render_finding(&self.path, finding));
            if let (Some(position), Severity::Error | Severity::Loss) = (finding.position, finding.severity())
            {
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

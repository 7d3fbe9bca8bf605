//! The report's streaming section: every provider's valid transcripts checked
//! against every provider's stream schemas and conventions, and the transcript
//! corpus.
//!
//! A column whose provider documents no streaming (no `chunk_root`) is shown as
//! unsupported with the provider's note: it is a fact about the provider, not a
//! failure of the row's transcripts.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{pattern, CorpusRow};
use crate::{
    catalog::Catalog,
    corpus::{Corpus, Origin, Validity},
    stream::{
        self, Accumulator, DoneMatch, FindingKind, RuleRow, Scope, Severity, StreamCatalog, Support,
        ToolCallShape, UsagePlacement,
    },
    verdict::Verdict,
};

/// Streamed responses: transcripts (rows) × stream schemas (columns).
#[derive(Debug, Clone, Serialize)]
pub struct Streaming {
    /// Every provider, in column order, with whether and how it streams.
    pub providers: Vec<StreamingProvider>,
    /// Transcripts per provider by validity and source, and those whose own trial fails.
    pub corpus: Vec<CorpusRow>,
    /// One cell per (transcript provider, column provider).
    pub matrix: Vec<StreamCell>,
}

/// One column: a provider and its streaming support.
#[derive(Debug, Clone, Serialize)]
pub struct StreamingProvider {
    pub id: String,
    /// Whether it has a chunk schema.
    pub supported: bool,
    /// Why not, when it has none (`not documented: ...`), or why its schemas did not load.
    pub note: Option<String>,
    /// How its SDK reads a stream, when supported.
    pub conventions: Option<StreamingConventions>,
}

/// A provider's `[stream]` table as the report shows it: the framing facts, the SDK, and
/// what that SDK does with each rule (rule name → row).
#[derive(Debug, Clone, Serialize)]
pub struct StreamingConventions {
    pub done: DoneMatch,
    pub usage: UsagePlacement,
    pub tool_calls: ToolCallShape,
    pub accumulator: Accumulator,
    pub sdk: String,
    pub rules: BTreeMap<String, RuleRow>,
}

/// The valid transcripts of row `transcripts` read by a client of `schema`.
#[derive(Debug, Clone, Serialize)]
pub struct StreamCell {
    /// The row's label ([`CorpusRow::row`]): a provider, or `provider · server`.
    pub transcripts: String,
    pub schema: String,
    /// False when the column's provider documents no streaming; the counts are then all 0.
    pub supported: bool,
    pub total: usize,
    pub conforms: usize,
    pub conforms_with_extensions: usize,
    pub violates: usize,
    /// Accepted transcripts that the column's SDK reads but loses something of (counted apart).
    pub read_with_loss: usize,
    /// The verdict counts per source, captured first (all 0 where the column documents no streaming).
    pub sources: BTreeMap<Origin, super::Counts>,
    /// Violating transcripts that the corpus's expectations file waives (known provider deviations, on the
    /// row's own stream schema only): counted in `violates` too, and shown apart.
    pub waived: usize,
    /// The errors that stop the rest, grouped, most transcripts first.
    pub blocking: Vec<StreamGroup>,
    /// The losses, grouped the same way.
    pub losses: Vec<StreamGroup>,
}

/// Transcripts that share one error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamGroup {
    /// `chunk` (a chunk breaks the chunk schema), `reassembled` (the folded response breaks the
    /// response schema) or `stream` (a sequence rule, or an unreadable event).
    pub scope: String,
    /// JSON pointer with array indices replaced by `*`; empty for `stream`.
    pub pointer: String,
    /// The schema keyword, or the rule's name.
    pub name: String,
    /// Transcript ids, sorted.
    pub transcripts: Vec<String>,
}

/// Builds the streaming section for `corpus`; also returns the newest transcript sidecar date.
///
/// Each transcript's row label is recorded in `rows_of` (by body path) for the by-SDK section.
pub fn build(
    catalog: &Catalog,
    corpus: &Corpus,
    waived: &[std::path::PathBuf],
    rows_of: &mut BTreeMap<std::path::PathBuf, String>,
) -> (Streaming, String) {
    let streams = StreamCatalog::load(catalog);
    let providers = catalog
        .providers
        .iter()
        .map(|provider| match streams.support(&provider.id) {
            Support::Schemas(schemas) => StreamingProvider {
                id: provider.id.clone(),
                supported: true,
                note: None,
                conventions: Some(StreamingConventions {
                    done: schemas.conventions.done,
                    usage: schemas.conventions.usage,
                    tool_calls: schemas.conventions.tool_calls,
                    accumulator: schemas.conventions.accumulator,
                    sdk: schemas.table.sdk.clone(),
                    rules: schemas.table.rules.clone(),
                }),
            },
            Support::NotDocumented(note) | Support::Broken(note) => StreamingProvider {
                id: provider.id.clone(),
                supported: false,
                note: Some(note.to_string()),
                conventions: None,
            },
            Support::Unknown => {
                StreamingProvider { id: provider.id.clone(), supported: false, note: None, conventions: None }
            }
        })
        .collect::<Vec<_>>();

    let mut rows: BTreeMap<super::RowKey, CorpusRow> = BTreeMap::new();
    let mut bodies: Vec<Transcript> = Vec::new();
    let mut date = String::new();
    for (fixture, outcome) in stream::run_all(corpus, &streams) {
        let placement = super::place(&fixture);
        rows_of.insert(fixture.body.clone(), placement.row.label());
        super::tally(&mut rows, &mut date, &fixture, &placement, outcome.is_err(), waived);
        if fixture.validity == Validity::Valid {
            if let Ok(bytes) = std::fs::read(&fixture.body) {
                bodies.push(Transcript {
                    row: placement.row.label(),
                    id: fixture.id(),
                    origin: placement.origin,
                    bytes,
                });
            }
        }
    }

    let mut matrix = Vec::new();
    for (key, row) in &rows {
        let label = key.label();
        let transcripts: Vec<&Transcript> = bodies.iter().filter(|t| t.row == label).collect();
        for column in &providers {
            // A waiver is about a transcript's own trial: it applies on the row's own stream schema only.
            let waivers: &[String] = if column.id == key.provider { &row.expected_failures } else { &[] };
            matrix.push(cell(&label, column, &streams, &transcripts, waivers));
        }
    }
    (Streaming { providers, corpus: rows.into_values().collect(), matrix }, date)
}

/// A valid transcript's bytes and where the report shows it.
struct Transcript {
    row: String,
    id: String,
    origin: Option<Origin>,
    bytes: Vec<u8>,
}

fn cell(
    row: &str,
    column: &StreamingProvider,
    streams: &StreamCatalog,
    transcripts: &[&Transcript],
    waivers: &[String],
) -> StreamCell {
    let mut cell = StreamCell {
        transcripts: row.to_string(),
        schema: column.id.clone(),
        supported: column.supported,
        total: transcripts.len(),
        conforms: 0,
        conforms_with_extensions: 0,
        violates: 0,
        read_with_loss: 0,
        sources: super::no_sources(),
        waived: 0,
        blocking: Vec::new(),
        losses: Vec::new(),
    };
    let Some(schemas) = streams.schemas(&column.id) else { return cell };
    type Groups = BTreeMap<(String, String, String), Vec<String>>;
    let mut groups: Groups = BTreeMap::new();
    let mut lost: Groups = BTreeMap::new();
    for transcript in transcripts {
        let id = &transcript.id;
        let report = stream::check_transcript(schemas, &transcript.bytes);
        if let Some(origin) = transcript.origin {
            cell.sources.entry(origin).or_default().add(report.verdict());
        }
        match report.verdict() {
            Verdict::Conforms => cell.conforms += 1,
            Verdict::ConformsWithExtensions => cell.conforms_with_extensions += 1,
            Verdict::Violates => {
                cell.violates += 1;
                if waivers.contains(id) {
                    cell.waived += 1;
                }
            }
        }
        if report.passed() && report.losses().next().is_some() {
            cell.read_with_loss += 1;
        }
        for finding in report.findings.iter().filter(|f| f.severity() != Severity::Note) {
            let key = match &finding.kind {
                FindingKind::Schema { scope, violation } => {
                    let scope = match scope {
                        Scope::Chunk => "chunk",
                        Scope::Reassembled => "reassembled",
                    };
                    (scope.to_string(), pattern(&violation.pointer), violation.keyword.clone())
                }
                FindingKind::Rule { rule, .. } => {
                    ("stream".to_string(), String::new(), rule.as_str().to_string())
                }
            };
            let into = if finding.severity() == Severity::Error { &mut groups } else { &mut lost };
            let list = into.entry(key).or_default();
            if list.last() != Some(id) {
                list.push(id.clone());
            }
        }
    }
    let sorted = |groups: Groups| {
        let mut list: Vec<StreamGroup> = groups
            .into_iter()
            .map(|((scope, pointer, name), mut transcripts)| {
                transcripts.sort();
                transcripts.dedup();
                StreamGroup { scope, pointer, name, transcripts }
            })
            .collect();
        list.sort_by(|a, b| {
            b.transcripts
                .len()
                .cmp(&a.transcripts.len())
                .then_with(|| (&a.scope, &a.pointer, &a.name).cmp(&(&b.scope, &b.pointer, &b.name)))
        });
        list
    };
    cell.blocking = sorted(groups);
    cell.losses = sorted(lost);
    cell
}

/// What each streaming provider's SDK does with each rule: (rule, one word per column
/// in column order: `raises`, `loses`, `reads`, or `n/a` for a provider without streaming).
pub fn rule_rows(streaming: &Streaming) -> Vec<(&'static str, Vec<&'static str>)> {
    stream::Rule::ALL
        .iter()
        .filter(|rule| **rule != stream::Rule::ReassemblySkipped)
        .map(|rule| {
            let words = streaming
                .providers
                .iter()
                .map(|provider| {
                    match provider.conventions.as_ref().and_then(|c| c.rules.get(rule.as_str())) {
                        Some(row) => match row.does {
                            stream::Consequence::Raises => "raises",
                            stream::Consequence::Loses => "loses",
                            stream::Consequence::Reads => "reads",
                        },
                        None => "n/a",
                    }
                })
                .collect();
            (rule.as_str(), words)
        })
        .collect()
}

/// The cells of one row, in column order.
pub fn row<'a>(streaming: &'a Streaming, transcripts: &str) -> Vec<&'a StreamCell> {
    streaming.matrix.iter().filter(|c| c.transcripts == transcripts).collect()
}

/// One line of the streaming support table: how a provider's SDK reads a stream
/// (or that it documents none) and its transcript counts. Text is unescaped.
pub struct SupportRow<'a> {
    pub provider: &'a str,
    /// The provider's conventions in words, or why it has none.
    pub support: String,
    pub valid: usize,
    pub invalid: usize,
    /// Of `valid` and `invalid`, the transcripts recorded from a live API.
    pub captured: usize,
    pub failing: usize,
}

/// The support table's rows, one per provider, in column order.
pub fn support_rows(streaming: &Streaming) -> Vec<SupportRow<'_>> {
    streaming
        .providers
        .iter()
        .map(|provider| {
            let support = match (&provider.conventions, &provider.note) {
                (Some(conventions), _) => conventions_text(conventions),
                (None, Some(note)) => format!("streaming {note}"),
                (None, None) => "streaming not documented".to_string(),
            };
            // Every row of the provider: its own and its servers'.
            let rows: Vec<&CorpusRow> =
                streaming.corpus.iter().filter(|r| r.provider == provider.id).collect();
            let count = |pick: fn(&CorpusRow) -> &BTreeMap<Origin, usize>| {
                rows.iter().map(|r| pick(r).values().sum::<usize>()).sum::<usize>()
            };
            SupportRow {
                provider: &provider.id,
                support,
                valid: count(|r| &r.valid),
                invalid: count(|r| &r.invalid),
                captured: rows
                    .iter()
                    .flat_map(|r| [&r.valid, &r.invalid])
                    .map(|counts| counts.get(&Origin::Captured).copied().unwrap_or(0))
                    .sum(),
                failing: rows.iter().map(|r| r.failing.len()).sum(),
            }
        })
        .collect()
}

/// A column's conventions in words: `[DONE] exact, usage last with choices [], tool calls in fragments`.
pub fn conventions_text(conventions: &StreamingConventions) -> String {
    let done = match conventions.done {
        DoneMatch::Exact => "`[DONE]` exact",
        DoneMatch::Prefix => "`[DONE]` prefix",
    };
    let usage = match conventions.usage {
        UsagePlacement::Last => "usage last",
        UsagePlacement::LastEmptyChoices => "usage last with `choices: []`",
        UsagePlacement::Anywhere => "usage on any chunk",
    };
    let tools = match conventions.tool_calls {
        ToolCallShape::Fragments => "tool calls in fragments",
        ToolCallShape::Whole => "whole tool calls",
    };
    let folds = match conventions.accumulator {
        Accumulator::None => "",
        Accumulator::OpenaiPython => ", folded by openai-python's accumulator",
    };
    format!("{}: {done}, {usage}, {tools}{folds}", conventions.sdk)
}

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
    corpus::{Corpus, Validity},
    stream::{self, Conventions, FindingKind, Scope, StreamCatalog, Support},
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
    pub conventions: Option<Conventions>,
}

/// The valid transcripts of `transcripts` read by a client of `schema`.
#[derive(Debug, Clone, Serialize)]
pub struct StreamCell {
    pub transcripts: String,
    pub schema: String,
    /// False when the column's provider documents no streaming; the counts are then all 0.
    pub supported: bool,
    pub total: usize,
    pub conforms: usize,
    pub conforms_with_extensions: usize,
    pub violates: usize,
    /// The errors that stop the rest, grouped, most transcripts first.
    pub blocking: Vec<StreamGroup>,
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
pub fn build(catalog: &Catalog, corpus: &Corpus, waived: &[std::path::PathBuf]) -> (Streaming, String) {
    let streams = StreamCatalog::load(catalog);
    let providers = catalog
        .providers
        .iter()
        .map(|provider| match streams.support(&provider.id) {
            Support::Schemas(schemas) => StreamingProvider {
                id: provider.id.clone(),
                supported: true,
                note: None,
                conventions: Some(schemas.conventions),
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

    let mut rows: BTreeMap<String, CorpusRow> = BTreeMap::new();
    let mut bodies: Vec<(String, String, Vec<u8>)> = Vec::new();
    let mut date = String::new();
    for (fixture, outcome) in stream::run_all(corpus, &streams) {
        super::tally(&mut rows, &mut date, &fixture, outcome.is_err(), waived);
        if fixture.validity == Validity::Valid {
            if let Ok(bytes) = std::fs::read(&fixture.body) {
                bodies.push((fixture.provider.clone(), fixture.id(), bytes));
            }
        }
    }

    let mut matrix = Vec::new();
    for row in rows.keys() {
        let transcripts: Vec<&(String, String, Vec<u8>)> =
            bodies.iter().filter(|(p, _, _)| p == row).collect();
        for column in &providers {
            matrix.push(cell(row, column, &streams, &transcripts));
        }
    }
    (Streaming { providers, corpus: rows.into_values().collect(), matrix }, date)
}

fn cell(
    row: &str,
    column: &StreamingProvider,
    streams: &StreamCatalog,
    transcripts: &[&(String, String, Vec<u8>)],
) -> StreamCell {
    let mut cell = StreamCell {
        transcripts: row.to_string(),
        schema: column.id.clone(),
        supported: column.supported,
        total: transcripts.len(),
        conforms: 0,
        conforms_with_extensions: 0,
        violates: 0,
        blocking: Vec::new(),
    };
    let Some(schemas) = streams.schemas(&column.id) else { return cell };
    let mut groups: BTreeMap<(String, String, String), Vec<String>> = BTreeMap::new();
    for (_, id, bytes) in transcripts {
        let report = stream::check_transcript(schemas, bytes);
        match report.verdict() {
            Verdict::Conforms => cell.conforms += 1,
            Verdict::ConformsWithExtensions => cell.conforms_with_extensions += 1,
            Verdict::Violates => cell.violates += 1,
        }
        for finding in report.errors() {
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
            let list = groups.entry(key).or_default();
            if list.last() != Some(id) {
                list.push(id.clone());
            }
        }
    }
    let mut blocking: Vec<StreamGroup> = groups
        .into_iter()
        .map(|((scope, pointer, name), mut transcripts)| {
            transcripts.sort();
            transcripts.dedup();
            StreamGroup { scope, pointer, name, transcripts }
        })
        .collect();
    blocking.sort_by(|a, b| {
        b.transcripts
            .len()
            .cmp(&a.transcripts.len())
            .then_with(|| (&a.scope, &a.pointer, &a.name).cmp(&(&b.scope, &b.pointer, &b.name)))
    });
    cell.blocking = blocking;
    cell
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
            let row = streaming.corpus.iter().find(|r| r.provider == provider.id);
            let count = |counts: Option<&BTreeMap<crate::corpus::Origin, usize>>| {
                counts.map_or(0, |c| c.values().sum::<usize>())
            };
            SupportRow {
                provider: &provider.id,
                support,
                valid: count(row.map(|r| &r.valid)),
                invalid: count(row.map(|r| &r.invalid)),
                failing: row.map_or(0, |r| r.failing.len()),
            }
        })
        .collect()
}

/// A column's conventions in words: `[DONE] exact, usage last with choices [], tool calls in fragments`.
pub fn conventions_text(conventions: &Conventions) -> String {
    use crate::stream::{DoneMatch, ToolCallShape, UsagePlacement};
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
    format!("{done}, {usage}, {tools}")
}

//! Computes the compatibility report: the cross-provider matrix, the field
//! matrix, the corpus summary, the streaming section, as one [`Report`] value.
//!
//! The value is what `reports/compatibility.json` serializes (its shape is
//! public, with its own schema in `reports/report.schema.json`); the Markdown
//! and HTML pages are renderings of the same value, so the three never disagree.
//! Nothing here depends on the clock: a report is a function of the tables and
//! the corpus, so the committed files can be drift-tested.

pub use crate::fields;
pub mod html;
pub mod markdown;
pub mod roundtrip;
pub mod sdk;
pub mod streams;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{
    catalog::Catalog,
    corpus::{self, Corpus, Origin, Validity},
    expectations,
    observe::{self, Coverage, Inventory},
    verdict::{Schema, Verdict},
};

/// Version of the report's JSON shape; bumped on any incompatible change.
pub const FORMAT: u32 = 1;

/// The three files `chatcompat report` writes into `reports/`.
pub const FILES: [&str; 3] = ["compatibility.md", "compatibility.json", "index.html"];

/// Everything the report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format: u32,
    pub chatcompat_version: String,
    /// The newest date among the fixtures' sidecars: the corpus's age, not the clock's.
    pub corpus_date: String,
    pub providers: Vec<ProviderInfo>,
    pub corpus: Vec<CorpusRow>,
    pub matrix: Vec<Cell>,
    pub fields: Vec<fields::FieldRow>,
    /// Per fixture provider: how much of its own documented contract its valid fixtures exercise.
    pub coverage: Vec<Coverage>,
    /// Per fixture provider: where its valid fixtures and its tables disagree.
    pub observed: Vec<ObservedRow>,
    pub roundtrip: Roundtrip,
    /// Streamed responses: transcripts × stream schemas, and the transcript corpus.
    pub streaming: streams::Streaming,
    /// What the providers' own SDK clients did with the corpus (by B's SDK, and agreement with `check`).
    pub sdk: sdk::SdkEvidence,
}

/// The differences `chatcompat observe` finds, without the full inventory.
#[derive(Debug, Clone, Serialize)]
pub struct ObservedRow {
    pub provider: String,
    pub undocumented: Vec<String>,
    pub never_seen: Vec<String>,
    pub outside_enum: Vec<String>,
    pub integer_as_float: Vec<String>,
    pub required_absent: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    pub sources: String,
}

/// Fixtures of one provider by validity and source, and how many fail their own trial.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusRow {
    pub provider: String,
    pub valid: BTreeMap<Origin, usize>,
    pub invalid: BTreeMap<Origin, usize>,
    /// Fixtures whose own trial fails (bad input, or not the verdict they must have).
    pub failing: Vec<String>,
    /// Valid fixtures that violate only as the corpus's expectations file says: known provider deviations.
    pub expected_failures: Vec<String>,
}

/// One cell of the cross-provider matrix: the valid fixtures of `fixtures`
/// checked against the schema of `schema`.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub fixtures: String,
    pub schema: String,
    pub total: usize,
    pub conforms: usize,
    pub conforms_with_extensions: usize,
    pub violates: usize,
    /// What stops the rest, grouped by pointer pattern and keyword, most fixtures first.
    pub blocking: Vec<Group>,
    /// Fields the schema does not document, grouped the same way.
    pub extensions: Vec<Group>,
}

/// Fixtures that share one error (or one undocumented field) at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// JSON pointer with array indices replaced by `*`: `/choices/*/finish_reason`.
    pub pointer: String,
    /// The keyword (`required`, `type`, `enum`, ...); `extension` for undocumented fields.
    pub keyword: String,
    /// Fixture ids, sorted.
    pub fixtures: Vec<String>,
}

/// Round-trip and strictness results per provider.
#[derive(Debug, Clone, Serialize)]
pub struct Roundtrip {
    pub measured: bool,
    pub note: String,
    pub providers: Vec<roundtrip::RoundtripRow>,
}

/// Builds the report for `corpus` over every schema of `catalog`.
///
/// `progress` is called after each fixture with (done, total).
pub fn build(
    catalog: &Catalog,
    schemas: &[Schema],
    corpus: &Corpus,
    progress: &dyn Fn(usize, usize),
) -> Report {
    let results = corpus::run_all(corpus, schemas);
    let waived = known_deviations(catalog, corpus, &results);
    let mut rows: BTreeMap<String, CorpusRow> = BTreeMap::new();
    let mut parsed: Vec<(String, String, serde_json::Value)> = Vec::new();
    let mut texts: Vec<(String, String, String)> = Vec::new();
    let mut corpus_date = String::new();
    for (done, (fixture, outcome)) in results.iter().enumerate() {
        tally(&mut rows, &mut corpus_date, fixture, outcome.is_err(), &waived);
        if fixture.validity == Validity::Valid {
            if let Ok((text, value)) = corpus::read_body(&fixture.body) {
                parsed.push((fixture.provider.clone(), fixture.id(), value));
                texts.push((fixture.provider.clone(), fixture.id(), text));
            }
        }
        progress(done + 1, results.len());
    }

    let mut matrix = Vec::new();
    for row_provider in rows.keys() {
        let bodies: Vec<&(String, String, serde_json::Value)> =
            parsed.iter().filter(|(p, _, _)| p == row_provider).collect();
        for schema in schemas {
            matrix.push(cell(row_provider, schema, &bodies));
        }
    }

    let fields = fields::field_matrix(schemas, &parsed);
    let mut coverage = Vec::new();
    let mut observed = Vec::new();
    for provider in rows.keys() {
        let Some(schema) = schemas.iter().find(|s| s.provider() == provider) else { continue };
        let mut inventory = Inventory::default();
        for (_, _, value) in parsed.iter().filter(|(p, _, _)| p == provider) {
            inventory.add(value);
        }
        let observation = observe::observe(schema, &inventory);
        observed.push(ObservedRow {
            provider: provider.clone(),
            undocumented: observation.undocumented,
            never_seen: observation.never_seen,
            outside_enum: observation.outside_enum,
            integer_as_float: observation.integer_as_float,
            required_absent: observation.required_absent,
        });
        coverage.push(observation.coverage);
    }
    let (streaming, transcripts_date) = streams::build(catalog, corpus, &waived);
    let sdk = sdk::build(catalog, schemas, corpus, &rows.keys().cloned().collect::<Vec<_>>());
    let corpus_date = corpus_date.max(transcripts_date);
    Report {
        format: FORMAT,
        chatcompat_version: env!("CARGO_PKG_VERSION").to_string(),
        corpus_date,
        providers: catalog
            .providers
            .iter()
            .map(|p| ProviderInfo { id: p.id.clone(), name: p.name.clone(), sources: p.sources.clone() })
            .collect(),
        corpus: rows.into_values().collect(),
        matrix,
        fields,
        coverage,
        observed,
        roundtrip: Roundtrip {
            measured: true,
            note: format!(
                "Each valid fixture is read into the provider's typed model and written back; it must keep every \
                 key, its order and every number as written. {} instances generated from fixed seeds (every \
                 optional field present, every union member) must validate and round-trip, and every rule the \
                 schema states (required key, type, closed enum) is broken once on them: the schema must reject \
                 each change with the expected error. `cargo test -p chatcompat-suite --test roundtrip` runs the \
                 same properties on random instances.",
                roundtrip::SEEDS
            ),
            providers: schemas
                .iter()
                .map(|schema| {
                    let valid: Vec<(String, String)> = texts
                        .iter()
                        .filter(|(p, _, _)| p == schema.provider())
                        .map(|(_, id, text)| (id.clone(), text.clone()))
                        .collect();
                    roundtrip::measure(schema, &valid)
                })
                .collect(),
        },
        streaming,
        sdk,
    }
}

/// Counts one fixture (or transcript) into its provider's corpus row: by validity
/// and source, and as failing or as a known deviation when its trial fails.
fn tally(
    rows: &mut BTreeMap<String, CorpusRow>,
    newest_date: &mut String,
    fixture: &corpus::Fixture,
    failed: bool,
    waived: &[std::path::PathBuf],
) {
    let row = rows.entry(fixture.provider.clone()).or_insert_with(|| CorpusRow {
        provider: fixture.provider.clone(),
        valid: BTreeMap::new(),
        invalid: BTreeMap::new(),
        failing: Vec::new(),
        expected_failures: Vec::new(),
    });
    if let Ok(sidecar) = corpus::read_sidecar(fixture) {
        let counts = match fixture.validity {
            Validity::Valid => &mut row.valid,
            Validity::Invalid => &mut row.invalid,
        };
        *counts.entry(sidecar.source).or_default() += 1;
        if sidecar.date > *newest_date {
            *newest_date = sidecar.date;
        }
    }
    if failed {
        match waived.contains(&fixture.body) {
            true => row.expected_failures.push(fixture.id()),
            false => row.failing.push(fixture.id()),
        }
    }
}

/// The fixtures and transcripts the corpus's expectations file waives: known
/// provider deviations, shown as expected failures rather than failing trials.
fn known_deviations(
    catalog: &Catalog,
    corpus: &Corpus,
    results: &[(corpus::Fixture, Result<corpus::FixturePass, corpus::FixtureError>)],
) -> Vec<std::path::PathBuf> {
    if expectations::Expectations::find(&corpus.root).is_none() {
        return Vec::new();
    }
    let mut errors = expectations::fixture_errors(results);
    let streams = crate::stream::StreamCatalog::load(catalog);
    errors.extend(expectations::fixture_errors(&crate::stream::run_all(corpus, &streams)));
    match expectations::apply_beside(&corpus.root, &errors) {
        Ok(Some((_, applied))) => applied.expected_failures,
        _ => Vec::new(),
    }
}

fn cell(row_provider: &str, schema: &Schema, bodies: &[&(String, String, serde_json::Value)]) -> Cell {
    let mut cell = Cell {
        fixtures: row_provider.to_string(),
        schema: schema.provider().to_string(),
        total: bodies.len(),
        conforms: 0,
        conforms_with_extensions: 0,
        violates: 0,
        blocking: Vec::new(),
        extensions: Vec::new(),
    };
    let mut blocking: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut extensions: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (_, id, value) in bodies {
        let checked = schema.check(value);
        match checked.verdict() {
            Verdict::Conforms => cell.conforms += 1,
            Verdict::ConformsWithExtensions => cell.conforms_with_extensions += 1,
            Verdict::Violates => cell.violates += 1,
        }
        for violation in &checked.violations {
            let key = (pattern(&violation.pointer), violation.keyword.clone());
            push_unique(blocking.entry(key).or_default(), id);
        }
        for pointer in &checked.extensions {
            let key = (pattern(pointer), "extension".to_string());
            push_unique(extensions.entry(key).or_default(), id);
        }
    }
    cell.blocking = groups(blocking);
    cell.extensions = groups(extensions);
    cell
}

fn push_unique(list: &mut Vec<String>, id: &str) {
    if list.last().map(String::as_str) != Some(id) {
        list.push(id.to_string());
    }
}

fn groups(map: BTreeMap<(String, String), Vec<String>>) -> Vec<Group> {
    let mut groups: Vec<Group> = map
        .into_iter()
        .map(|((pointer, keyword), mut fixtures)| {
            fixtures.sort();
            fixtures.dedup();
            Group { pointer, keyword, fixtures }
        })
        .collect();
    groups.sort_by(|a, b| b.fixtures.len().cmp(&a.fixtures.len()).then_with(|| a.pointer.cmp(&b.pointer)));
    groups
}

/// A pointer with its array indices replaced by `*`.
pub fn pattern(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|token| if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) { "*" } else { token })
        .collect::<Vec<_>>()
        .join("/")
}

/// The cells of one row, in column order.
pub fn row<'a>(report: &'a Report, fixtures: &str) -> Vec<&'a Cell> {
    report.matrix.iter().filter(|c| c.fixtures == fixtures).collect()
}

/// The providers that have fixtures (the matrix's rows), in order.
pub fn row_ids(report: &Report) -> Vec<&str> {
    report.corpus.iter().map(|r| r.provider.as_str()).collect()
}

/// Every schema (the matrix's columns), in order.
pub fn column_ids(report: &Report) -> Vec<&str> {
    report.providers.iter().map(|p| p.id.as_str()).collect()
}

/// The report as committed: pretty JSON with a final newline.
pub fn to_json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_default();
    text.push('\n');
    text
}

/// The three report files, by file name, as they are written.
pub fn render_all(report: &Report) -> Vec<(&'static str, String)> {
    vec![(FILES[0], markdown::render(report)), (FILES[1], to_json(report)), (FILES[2], html::render(report))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_hide_indices_only() {
        assert_eq!(pattern("/choices/12/message/tool_calls/0/id"), "/choices/*/message/tool_calls/*/id");
        assert_eq!(pattern("/usage"), "/usage");
        assert_eq!(pattern(""), "");
    }
}

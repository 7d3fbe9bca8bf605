//! Computes the compatibility report: the cross-provider matrix, the field
//! matrix, the corpus summary, the streaming section, as one [`Report`] value.
//!
//! The value is what `reports/compatibility.json` serializes (its shape is
//! public, with its own schema in `reports/report.schema.json`); the Markdown
//! and HTML pages are renderings of the same value, so the three never disagree.
//! Nothing here depends on the clock: a report is a function of the tables and
//! the corpus, so the committed files can be drift-tested.

pub use crate::fields;
pub mod contract;
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
    /// What each provider's contract allows that another's rejects, with verified witnesses (by contract).
    pub contract: contract::ContractEvidence,
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

/// Fixtures of one row (a provider, or one OpenAI-compatible server checked as that provider) by
/// validity and source, and how many fail their own trial.
#[derive(Debug, Clone, Serialize)]
pub struct CorpusRow {
    /// The row's label: the provider id, or `provider · server` for the fixtures whose sidecar names a `server`.
    pub row: String,
    /// The provider whose folder (and so whose schema) the fixtures belong to.
    pub provider: String,
    /// The server named by the sidecars (`groq`, `vllm`, ...); `None` for the provider's own row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    pub valid: BTreeMap<Origin, usize>,
    pub invalid: BTreeMap<Origin, usize>,
    /// Fixtures whose own trial fails (bad input, or not the verdict they must have).
    pub failing: Vec<String>,
    /// Valid fixtures that violate only as the corpus's expectations file says: known provider deviations.
    pub expected_failures: Vec<String>,
}

/// One cell of the cross-provider matrix: the valid fixtures of row `fixtures`
/// checked against the schema of `schema`.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The row's label ([`CorpusRow::row`]).
    pub fixtures: String,
    pub schema: String,
    pub total: usize,
    pub conforms: usize,
    pub conforms_with_extensions: usize,
    pub violates: usize,
    /// The same counts per source, captured first; a fixture whose sidecar cannot be read counts in `total` only.
    pub sources: BTreeMap<Origin, Counts>,
    /// Violating fixtures that the corpus's expectations file waives (known provider deviations, on the
    /// row's own schema only): counted in `violates` too, and shown apart.
    pub waived: usize,
    /// What stops the rest, grouped by pointer pattern and keyword, most fixtures first.
    pub blocking: Vec<Group>,
    /// Fields the schema does not document, grouped the same way.
    pub extensions: Vec<Group>,
}

/// Verdict counts of one source's fixtures in one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub conforms: usize,
    pub conforms_with_extensions: usize,
    pub violates: usize,
}

impl Counts {
    /// Fixtures the schema accepts, with or without undocumented fields.
    pub fn accepted(&self) -> usize {
        self.conforms + self.conforms_with_extensions
    }

    pub(crate) fn add(&mut self, verdict: Verdict) {
        self.total += 1;
        match verdict {
            Verdict::Conforms => self.conforms += 1,
            Verdict::ConformsWithExtensions => self.conforms_with_extensions += 1,
            Verdict::Violates => self.violates += 1,
        }
    }
}

/// How much of a cell's evidence passes: the four shades the pages colour and mark alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// Nothing was checked.
    Empty,
    All,
    /// At least half, not all.
    Most,
    /// Some, fewer than half.
    Few,
    None,
}

impl Share {
    pub fn of(accepted: usize, total: usize) -> Share {
        match (accepted, total) {
            (_, 0) => Share::Empty,
            (a, t) if a >= t => Share::All,
            (0, _) => Share::None,
            (a, t) if 2 * a >= t => Share::Most,
            _ => Share::Few,
        }
    }

    /// The CSS class of the HTML page.
    pub fn class(self) -> &'static str {
        match self {
            Share::Empty => "empty",
            Share::All => "all",
            Share::Most => "most",
            Share::Few => "few",
            Share::None => "none",
        }
    }

    /// A mark that tells the four apart without colour.
    pub fn symbol(self) -> &'static str {
        match self {
            Share::Empty => "–",
            Share::All => "✓",
            Share::Most => "◕",
            Share::Few => "◔",
            Share::None => "✗",
        }
    }
}

/// The legend of [`Share`], in words, for both pages.
pub const SHARE_LEGEND: &str =
    "✓ all, ◕ most (at least half), ◔ few (fewer than half), ✗ none, – nothing checked";

/// Every source at zero, captured first: each cell lists all three, so an absent source reads as 0.
pub(crate) fn no_sources() -> BTreeMap<Origin, Counts> {
    [Origin::Captured, Origin::DocsExample, Origin::Synthetic]
        .into_iter()
        .map(|o| (o, Counts::default()))
        .collect()
}

/// A source's short name in a cell: `captured`, `docs`, `synthetic`.
pub fn source_name(origin: Origin) -> &'static str {
    match origin {
        Origin::Captured => "captured",
        Origin::DocsExample => "docs",
        Origin::Synthetic => "synthetic",
    }
}

/// Whether a corpus row has captured evidence (valid or invalid fixtures recorded from a live API).
pub fn has_captured(row: &CorpusRow) -> bool {
    row.valid.get(&Origin::Captured).copied().unwrap_or(0)
        + row.invalid.get(&Origin::Captured).copied().unwrap_or(0)
        > 0
}

/// The note a row without captured evidence carries wherever it is read.
pub const NO_CAPTURED: &str = "no captured evidence";

/// Fixtures that share one error (or one undocumented field) at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// JSON pointer with array indices replaced by `*`: `/choices/*/finish_reason`.
    pub pointer: String,
    /// The keyword (`required`, `type`, `enum`, ...); `extension` for undocumented fields.
    pub keyword: String,
    /// Fixture ids: the captured ones first, each part sorted.
    pub fixtures: Vec<String>,
    /// How many of `fixtures` (the first ones) were captured from a live API.
    pub captured: usize,
}

/// Round-trip and strictness results per provider.
#[derive(Debug, Clone, Serialize)]
pub struct Roundtrip {
    pub measured: bool,
    pub note: String,
    pub providers: Vec<roundtrip::RoundtripRow>,
}

/// A matrix row: a provider's fixtures, or those of one server checked as that provider.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RowKey {
    pub provider: String,
    pub server: Option<String>,
}

impl RowKey {
    /// `openai-compatible · groq`, or the provider id alone.
    pub fn label(&self) -> String {
        match &self.server {
            Some(server) => format!("{} · {server}", self.provider),
            None => self.provider.clone(),
        }
    }
}

/// What a fixture's sidecar says about where it belongs in the report: its row and its source
/// (`None` when the sidecar cannot be read; that fixture's own trial fails and says why).
#[derive(Debug, Clone)]
pub struct Placement {
    pub row: RowKey,
    pub origin: Option<Origin>,
    pub date: Option<String>,
}

/// Reads `fixture`'s sidecar once for its row and source.
pub fn place(fixture: &corpus::Fixture) -> Placement {
    let sidecar = corpus::read_sidecar(fixture).ok();
    let server = sidecar.as_ref().and_then(|s| s.server.clone()).filter(|s| !s.trim().is_empty());
    Placement {
        row: RowKey { provider: fixture.provider.clone(), server },
        origin: sidecar.as_ref().map(|s| s.source),
        date: sidecar.map(|s| s.date),
    }
}

/// A valid fixture's parsed body and where the report shows it.
struct ValidBody {
    row: String,
    id: String,
    origin: Option<Origin>,
    value: serde_json::Value,
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
    let mut rows: BTreeMap<RowKey, CorpusRow> = BTreeMap::new();
    let mut rows_of: BTreeMap<std::path::PathBuf, String> = BTreeMap::new();
    let mut parsed: Vec<(String, String, serde_json::Value)> = Vec::new();
    let mut valid: Vec<ValidBody> = Vec::new();
    let mut texts: Vec<(String, String, String)> = Vec::new();
    let mut corpus_date = String::new();
    for (done, (fixture, outcome)) in results.iter().enumerate() {
        let placement = place(fixture);
        rows_of.insert(fixture.body.clone(), placement.row.label());
        tally(&mut rows, &mut corpus_date, fixture, &placement, outcome.is_err(), &waived);
        if fixture.validity == Validity::Valid {
            if let Ok((text, value)) = corpus::read_body(&fixture.body) {
                valid.push(ValidBody {
                    row: placement.row.label(),
                    id: fixture.id(),
                    origin: placement.origin,
                    value: value.clone(),
                });
                parsed.push((fixture.provider.clone(), fixture.id(), value));
                texts.push((fixture.provider.clone(), fixture.id(), text));
            }
        }
        progress(done + 1, results.len());
    }

    let mut matrix = Vec::new();
    for (key, row) in &rows {
        let label = key.label();
        let bodies: Vec<&ValidBody> = valid.iter().filter(|b| b.row == label).collect();
        for schema in schemas {
            // A waiver is about a fixture's own trial: it applies on the row's own schema only.
            let waivers: &[String] =
                if schema.provider() == key.provider { &row.expected_failures } else { &[] };
            matrix.push(cell(&label, schema, &bodies, waivers));
        }
    }

    let fields = fields::field_matrix(schemas, &parsed);
    let mut coverage = Vec::new();
    let mut observed = Vec::new();
    let providers: std::collections::BTreeSet<&str> = rows.keys().map(|k| k.provider.as_str()).collect();
    for provider in providers {
        let Some(schema) = schemas.iter().find(|s| s.provider() == provider) else { continue };
        let mut inventory = Inventory::default();
        for (_, _, value) in parsed.iter().filter(|(p, _, _)| p == provider) {
            inventory.add(value);
        }
        let observation = observe::observe(schema, &inventory);
        observed.push(ObservedRow {
            provider: provider.to_string(),
            undocumented: observation.undocumented,
            never_seen: observation.never_seen,
            outside_enum: observation.outside_enum,
            integer_as_float: observation.integer_as_float,
            required_absent: observation.required_absent,
        });
        coverage.push(observation.coverage);
    }
    let (streaming, transcripts_date) = streams::build(catalog, corpus, &waived, &mut rows_of);
    let mut sdk_rows: Vec<String> = rows.keys().map(RowKey::label).collect();
    for row in &streaming.corpus {
        if !sdk_rows.contains(&row.row) {
            sdk_rows.push(row.row.clone());
        }
    }
    let sdk = sdk::build(catalog, schemas, corpus, &sdk_rows, &|fixture: &corpus::Fixture| {
        rows_of.get(&fixture.body).cloned().unwrap_or_else(|| fixture.provider.clone())
    });
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
        contract: contract::build(catalog),
    }
}

/// Counts one fixture (or transcript) into its row: by validity and source, and as failing or
/// as a known deviation when its trial fails.
fn tally(
    rows: &mut BTreeMap<RowKey, CorpusRow>,
    newest_date: &mut String,
    fixture: &corpus::Fixture,
    placement: &Placement,
    failed: bool,
    waived: &[std::path::PathBuf],
) {
    let row = rows.entry(placement.row.clone()).or_insert_with(|| CorpusRow {
        row: placement.row.label(),
        provider: placement.row.provider.clone(),
        server: placement.row.server.clone(),
        valid: BTreeMap::new(),
        invalid: BTreeMap::new(),
        failing: Vec::new(),
        expected_failures: Vec::new(),
    });
    if let Some(origin) = placement.origin {
        let counts = match fixture.validity {
            Validity::Valid => &mut row.valid,
            Validity::Invalid => &mut row.invalid,
        };
        *counts.entry(origin).or_default() += 1;
    }
    if let Some(date) = &placement.date {
        if *date > *newest_date {
            newest_date.clone_from(date);
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

fn cell(row: &str, schema: &Schema, bodies: &[&ValidBody], waivers: &[String]) -> Cell {
    let mut cell = Cell {
        fixtures: row.to_string(),
        schema: schema.provider().to_string(),
        total: bodies.len(),
        conforms: 0,
        conforms_with_extensions: 0,
        violates: 0,
        sources: no_sources(),
        waived: 0,
        blocking: Vec::new(),
        extensions: Vec::new(),
    };
    let mut blocking: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut extensions: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for body in bodies {
        let checked = schema.check(&body.value);
        let verdict = checked.verdict();
        let mut all = Counts::default();
        all.add(verdict);
        cell.conforms += all.conforms;
        cell.conforms_with_extensions += all.conforms_with_extensions;
        cell.violates += all.violates;
        if let Some(origin) = body.origin {
            cell.sources.entry(origin).or_default().add(verdict);
        }
        if verdict == Verdict::Violates && waivers.contains(&body.id) {
            cell.waived += 1;
        }
        for violation in &checked.violations {
            let key = (pattern(&violation.pointer), violation.keyword.clone());
            push_unique(blocking.entry(key).or_default(), &body.id);
        }
        for pointer in &checked.extensions {
            let key = (pattern(pointer), "extension".to_string());
            push_unique(extensions.entry(key).or_default(), &body.id);
        }
    }
    let captured: Vec<&str> =
        bodies.iter().filter(|b| b.origin == Some(Origin::Captured)).map(|b| b.id.as_str()).collect();
    cell.blocking = groups(blocking, &captured);
    cell.extensions = groups(extensions, &captured);
    cell
}

fn push_unique(list: &mut Vec<String>, id: &str) {
    if list.last().map(String::as_str) != Some(id) {
        list.push(id.to_string());
    }
}

fn groups(map: BTreeMap<(String, String), Vec<String>>, captured: &[&str]) -> Vec<Group> {
    let mut groups: Vec<Group> = map
        .into_iter()
        .map(|((pointer, keyword), mut fixtures)| {
            fixtures.sort();
            fixtures.dedup();
            let (mut first, rest): (Vec<String>, Vec<String>) =
                fixtures.into_iter().partition(|id| captured.contains(&id.as_str()));
            let captured = first.len();
            first.extend(rest);
            Group { pointer, keyword, fixtures: first, captured }
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

/// The rows that have fixtures (providers, and servers apart), in order: their labels.
pub fn row_ids(report: &Report) -> Vec<&str> {
    report.corpus.iter().map(|r| r.row.as_str()).collect()
}

/// The corpus row labelled `label`.
pub fn corpus_row<'a>(report: &'a Report, label: &str) -> Option<&'a CorpusRow> {
    report.corpus.iter().find(|r| r.row == label)
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

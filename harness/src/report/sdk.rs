//! The report's by-SDK evidence: which clients ran (package and version), how many of each provider's valid
//! fixtures every client reads, and per provider the agreement of `check` with its own SDK, every difference
//! with its waiver's reason. Computed from the committed oracle results ([`crate::oracle`]), never by running
//! an SDK, so the report stays a function of the repository.

use serde::Serialize;

use crate::{
    catalog::Catalog,
    corpus::{Corpus, Fixture},
    oracle::{self, Agreement, Oracles, SdkCell},
    stream::StreamCatalog,
    verdict::Schema,
};

/// Everything the report shows about the SDK oracles.
#[derive(Debug, Clone, Serialize)]
pub struct SdkEvidence {
    /// False when `reports/oracles.jsonl` or `oracles/oracles.toml` is missing or malformed.
    pub available: bool,
    pub note: String,
    /// Every client, in `oracles/oracles.toml` order (the by-SDK matrix's columns).
    pub clients: Vec<Client>,
    /// Fixture provider × client: valid bodies and valid transcripts read.
    pub cells: Vec<SdkCell>,
    /// Per provider with an own SDK: agreement of `check` with it over the whole corpus (valid and invalid).
    pub agreement: Vec<Agreement>,
}

/// One SDK client and the version its verdicts come from.
#[derive(Debug, Clone, Serialize)]
pub struct Client {
    pub sdk: String,
    pub mode: String,
    pub label: String,
    pub version: String,
    /// The providers whose own SDK this is.
    pub serves: Vec<String>,
}

const NOTE: &str = "Each fixture body and transcript was handed to the SDK's own client through a fake HTTP layer \
    (`oracles/run`; results in `reports/oracles.jsonl`, re-run and compared by `.ci/run`). A cell counts the row's \
    valid fixtures the column's client reads without an error (and, for transcripts, without losing a chunk). \
    Agreement compares `check` with the provider's own SDK on every fixture and transcript, valid or invalid; each \
    difference is waived in `oracles/expectations.toml` with the reason from the SDK's code.";

/// Builds the section for `corpus`, whose rows are `rows` (row labels); `row_of` names a fixture's row.
pub fn build(
    catalog: &Catalog,
    schemas: &[Schema],
    corpus: &Corpus,
    rows: &[String],
    row_of: &dyn Fn(&Fixture) -> String,
) -> SdkEvidence {
    let Ok(oracles) = Oracles::load(&catalog.root) else {
        return SdkEvidence {
            available: false,
            note: NOTE.to_string(),
            clients: Vec::new(),
            cells: Vec::new(),
            agreement: Vec::new(),
        };
    };
    let streams = StreamCatalog::load(catalog);
    let (judged, _) = oracle::judge(&oracles, &catalog.root, corpus, schemas, &streams);
    let providers = catalog.ids();
    SdkEvidence {
        available: true,
        note: NOTE.to_string(),
        clients: oracles
            .specs
            .iter()
            .map(|spec| Client {
                sdk: spec.sdk.clone(),
                mode: spec.mode.clone(),
                label: spec.label.clone(),
                version: oracles.version(&spec.sdk).unwrap_or("").to_string(),
                serves: spec.serves.clone(),
            })
            .collect(),
        cells: oracle::sdk_cells(&oracles, &catalog.root, corpus, rows, row_of),
        agreement: oracle::agreement(&oracles, &judged, &providers),
    }
}

/// The cell of `fixtures` × `client`.
pub fn cell<'a>(evidence: &'a SdkEvidence, fixtures: &str, client: &Client) -> Option<&'a SdkCell> {
    evidence.cells.iter().find(|c| c.fixtures == fixtures && c.sdk == client.sdk && c.mode == client.mode)
}

/// `n/m` with a mark, for bodies then transcripts: `✓ 12/12 · streams ◕ 3/4`.
pub fn cell_text(cell: &SdkCell) -> String {
    let part = |accepted: usize, total: usize| {
        format!("{} {accepted}/{total}", super::Share::of(accepted, total).symbol())
    };
    let mut text = part(cell.bodies_accepted, cell.bodies_total);
    if cell.transcripts_total > 0 {
        text.push_str(&format!(" · streams {}", part(cell.transcripts_accepted, cell.transcripts_total)));
    }
    text
}

/// `97.5%` of files on which `check` and the SDK agree; `–` when none was run.
pub fn agreement_text(row: &Agreement) -> String {
    if row.total == 0 {
        return "–".to_string();
    }
    format!("{:.1}%", 100.0 * row.agree as f64 / row.total as f64)
}

/// The own SDK of provider `column` (the matrix's column B), if it has one.
pub fn own<'a>(evidence: &'a SdkEvidence, column: &str) -> Option<&'a Client> {
    evidence.clients.iter().find(|c| c.serves.iter().any(|p| p == column))
}

//! The report's by-contract evidence: for every ordered pair of providers, what A's contract
//! allows that B's rejects ([`crate::compat`]), per response and chunk schema, each with its
//! verified witness. A matrix cell shows the count and the worst kind; its list says, per
//! incompatibility, the wire path, what A allows, what B requires and the witness.
//!
//! Computed from the committed schemas only, like the rest of the report. The witness keeps its
//! response and B's stated error; the other errors B reports on it are counted, not listed, so
//! the report stays small (`compat A B --format json` has them all).

use serde::Serialize;
use serde::Serializer;
use serde_json::{value::RawValue, Value};

use crate::{
    catalog::Catalog,
    compat::{self, Comparison, Kind},
};

/// Everything the report shows by contract.
#[derive(Debug, Clone, Serialize)]
pub struct ContractEvidence {
    /// False when a schema could not be compared (`error` says why); the pairs are then empty.
    pub available: bool,
    pub note: String,
    pub error: Option<String>,
    /// Every kind, worst first, with what it means for a client built for B.
    pub kinds: Vec<KindInfo>,
    /// Every ordered pair of distinct providers, rows (`from`) then columns (`to`) in catalog order.
    pub pairs: Vec<ContractPair>,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindInfo {
    pub kind: Kind,
    pub meaning: String,
    pub severity: Severity,
}

/// How badly a kind breaks a client for B: the pages colour a cell by its worst kind's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// B has no shape for A's value (`type`, `missing`, `union`).
    Structure,
    /// A may leave out, or send `null` for, what B needs (`optional`, `nullable`).
    Presence,
    /// A value of the right type B does not accept (`enum`, `open-enum`, `integer`, `format`, `additional`).
    Value,
}

impl Severity {
    pub fn of(kind: Kind) -> Severity {
        match kind {
            Kind::Type | Kind::Missing | Kind::Union => Severity::Structure,
            Kind::Optional | Kind::Nullable => Severity::Presence,
            Kind::Enum | Kind::OpenEnum | Kind::Integer | Kind::Format | Kind::Additional => Severity::Value,
        }
    }
}

/// A (`from`, whose responses) read by a client for B (`to`).
#[derive(Debug, Clone, Serialize)]
pub struct ContractPair {
    pub from: String,
    pub to: String,
    pub response: ContractList,
    /// The chunk schemas, when both providers document streaming.
    pub chunk: Option<ContractList>,
    /// Why `chunk` is absent.
    pub chunk_note: Option<String>,
}

impl ContractPair {
    /// Compatible by contract for responses, and for chunks where both document them.
    pub fn compatible(&self) -> bool {
        self.response.count == 0 && self.chunk.as_ref().is_none_or(|c| c.count == 0)
    }
}

/// One schema kind of one pair: the incompatibilities, worst kind first.
#[derive(Debug, Clone, Serialize)]
pub struct ContractList {
    pub count: usize,
    pub worst: Option<Kind>,
    /// Each item is written as one line of JSON inside the pretty report, which keeps the file small.
    #[serde(serialize_with = "one_line_each")]
    pub items: Vec<Item>,
    /// Candidates whose witness did not prove them (never counted; 0 on the shipped schemas, tested).
    pub unconfirmed: usize,
}

/// One place where A's contract allows what B's rejects.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The wire path: `choices[].message.content`.
    pub path: String,
    pub kind: Kind,
    pub allows: String,
    pub requires: String,
    /// The values A allows that B rejects (enum values, union tags).
    pub values: Vec<String>,
    pub witness: Witness,
}

/// The verified witness: a response A's schema accepts and B's rejects, and where.
#[derive(Debug, Clone, Serialize)]
pub struct Witness {
    pub response: Value,
    /// The one change from the smallest A instance.
    pub change: String,
    /// Where B's schema reports the stated error, and its keyword.
    pub pointer: String,
    pub keyword: String,
    /// Further errors B reports on the same witness (listed by `chatcompat compat A B`).
    pub other_errors: usize,
}

const NOTE: &str = "Both field tables are ours, so the question is answered for every response A may legally send: \
    wherever A's contract allows what B's rejects, that is an incompatibility, with a witness (a small response A's \
    schema accepts and B's rejects, proved by running both schemas). A cell counts them and names the worst kind; \
    `compatible` means none. `chatcompat compat A B` prints one pair with every error on each witness.";

/// Builds the section: every ordered pair of distinct providers of `catalog`.
pub fn build(catalog: &Catalog) -> ContractEvidence {
    let kinds = Kind::ALL
        .iter()
        .map(|&kind| KindInfo { kind, meaning: kind.meaning().to_string(), severity: Severity::of(kind) })
        .collect();
    match compat::matrix(catalog) {
        Ok(pairs) => ContractEvidence {
            available: true,
            note: NOTE.to_string(),
            error: None,
            kinds,
            pairs: pairs
                .into_iter()
                .map(|pair| ContractPair {
                    from: pair.from,
                    to: pair.to,
                    response: list(&pair.response),
                    chunk: pair.chunk.as_ref().map(list),
                    chunk_note: pair.chunk_note,
                })
                .collect(),
        },
        Err(err) => ContractEvidence {
            available: false,
            note: NOTE.to_string(),
            error: Some(err.to_string()),
            kinds,
            pairs: Vec::new(),
        },
    }
}

fn list(comparison: &Comparison) -> ContractList {
    let mut items: Vec<Item> = comparison
        .incompatibilities
        .iter()
        .map(|found| Item {
            path: found.path.clone(),
            kind: found.kind,
            allows: found.allows.clone(),
            requires: found.requires.clone(),
            values: found.values.clone(),
            witness: Witness {
                response: found.witness.response.clone(),
                change: found.witness.change.clone(),
                pointer: found.witness.pointer.clone(),
                keyword: found.witness.keyword.clone(),
                other_errors: found.witness.violations.len().saturating_sub(1),
            },
        })
        .collect();
    items.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.path.cmp(&b.path)));
    ContractList {
        count: items.len(),
        worst: comparison.worst(),
        items,
        unconfirmed: comparison.unconfirmed.len(),
    }
}

/// Serializes each item as compact JSON text, so a pretty printer writes one line per item.
fn one_line_each<S: Serializer>(items: &[Item], serializer: S) -> Result<S::Ok, S::Error> {
    let lines: Result<Vec<Box<RawValue>>, serde_json::Error> =
        items.iter().map(|item| serde_json::to_string(item).and_then(RawValue::from_string)).collect();
    serializer.collect_seq(lines.map_err(serde::ser::Error::custom)?)
}

/// The pair `from` → `to`, if both are providers (none for a provider with itself).
pub fn pair<'a>(evidence: &'a ContractEvidence, from: &str, to: &str) -> Option<&'a ContractPair> {
    evidence.pairs.iter().find(|p| p.from == from && p.to == to)
}

/// `compatible`, or `5 · type`: the count and the worst kind.
pub fn list_text(list: &ContractList) -> String {
    match list.worst {
        None => "compatible".to_string(),
        Some(worst) => format!("{} · {worst}", list.count),
    }
}

/// The anchor of a pair's list, from provider ids only (slugged).
pub fn anchor(from: &str, to: &str) -> String {
    let slug =
        |s: &str| s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>();
    format!("contract-{}-{}", slug(from), slug(to))
}

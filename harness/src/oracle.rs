//! SDK oracles: the providers' own clients as evidence. Owns reading the committed results of `oracles/run`
//! (`reports/oracles.jsonl`), which client is whose oracle (`oracles/oracles.toml`), the waivers
//! (`oracles/expectations.toml`), and the comparison of each oracle with chatcompat's own verdict.
//!
//! The SDKs run only in `oracles/run` (Node and Python, from `.ci/run`); everything here reads their committed
//! results, so `cargo test` and `chatcompat report` need neither. A disagreement (the provider's own client
//! rejects what `check` passes, or accepts what it fails) must be waived with a reason from the SDK's code, and
//! a waiver that waives nothing is stale: both fail a trial.

use std::{
    borrow::Borrow,
    collections::{BTreeMap, HashMap},
    fs,
    path::{Path, PathBuf},
};

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::{
    corpus::{self, Corpus, Fixture, FixtureKind, Validity},
    stream::{self, StreamCatalog, Support},
    verdict::{Later, Schema, Verdict},
};

/// The committed results, relative to the workspace.
pub const RESULTS: &str = "reports/oracles.jsonl";
/// Which client serves which provider.
pub const CONFIG: &str = "oracles/oracles.toml";
/// Waived disagreements.
pub const WAIVERS: &str = "oracles/expectations.toml";

/// What an SDK did with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Read without an error and nothing lost.
    Accepted,
    /// The SDK raised (its error is kept).
    Rejected,
    /// Read without an error, but the result lacks something the input carried.
    Loses,
}

/// One line of `reports/oracles.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Row {
    /// Relative to the workspace: `fixtures/openai/valid/tool-calls-parallel.json`.
    pub file: String,
    pub sdk: String,
    pub version: String,
    pub mode: String,
    pub outcome: Outcome,
    pub error: Option<String>,
}

/// One `[[oracle]]` of `oracles/oracles.toml`: a client (SDK and mode) and the providers it is the own SDK of.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub sdk: String,
    pub mode: String,
    pub label: String,
    #[serde(default)]
    pub serves: Vec<String>,
    /// For stream transcripts, the mode whose results decide, when not `mode` (openai-python:
    /// `accumulator`, the strict chunks folded by `ChatCompletionStreamState` as `.stream()` does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_mode: Option<String>,
}

impl Spec {
    /// The mode whose results decide for a file of this kind.
    pub fn mode_for(&self, kind: FixtureKind) -> &str {
        match (kind, &self.stream_mode) {
            (FixtureKind::Transcript, Some(mode)) => mode,
            _ => &self.mode,
        }
    }
}

/// One `[[waive]]` of `oracles/expectations.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WaiverSpec {
    /// The oracle's `sdk`.
    pub sdk: String,
    /// Glob over result paths: `fixtures/openrouter/valid/*.json`.
    pub files: String,
    /// Only disagreements whose SDK error contains this text (none: any, including accepted invalid files).
    #[serde(default)]
    pub error: Option<String>,
    /// Why the SDK and the table differ here.
    pub reason: String,
    /// Where in the SDK's code (package, version, file) the behaviour is.
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Waiver {
    pub spec: WaiverSpec,
    /// Line of its `[[waive]]` header.
    pub line: usize,
    matcher: GlobMatcher,
}

impl Waiver {
    fn matches(&self, row: &Row) -> bool {
        row.sdk == self.spec.sdk
            && self.matcher.is_match(&row.file)
            && self
                .spec
                .error
                .as_deref()
                .is_none_or(|needle| row.error.as_deref().is_some_and(|e| e.contains(needle)))
    }
}

/// A file of the oracles that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OracleError {
    #[error("{}: cannot read: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error("{}:{line}: {message}", path.display())]
    Malformed { path: PathBuf, line: usize, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigShape {
    #[serde(default)]
    oracle: Vec<Spec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverShape {
    #[serde(default)]
    waive: Vec<WaiverSpec>,
}

/// Everything the oracles left in the workspace.
#[derive(Debug, Clone, Default)]
pub struct Oracles {
    pub specs: Vec<Spec>,
    pub rows: Vec<Row>,
    pub waivers: Vec<Waiver>,
    index: HashMap<(String, String, String), usize>,
}

fn read(path: &Path) -> Result<String, OracleError> {
    fs::read_to_string(path)
        .map_err(|err| OracleError::Unreadable { path: path.to_path_buf(), message: err.to_string() })
}

fn toml_error(path: &Path, text: &str, err: &toml::de::Error) -> OracleError {
    let line = err.span().map_or(1, |span| text[..span.start.min(text.len())].lines().count().max(1));
    OracleError::Malformed { path: path.to_path_buf(), line, message: err.message().trim().to_string() }
}

impl Oracles {
    /// Reads the three files under `workspace`. A missing waiver file is an empty one.
    pub fn load(workspace: &Path) -> Result<Oracles, OracleError> {
        let config_path = workspace.join(CONFIG);
        let text = read(&config_path)?;
        let config: ConfigShape =
            toml::from_str(&text).map_err(|err| toml_error(&config_path, &text, &err))?;

        let results_path = workspace.join(RESULTS);
        let mut rows = Vec::new();
        for (number, line) in read(&results_path)?.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let row: Row = serde_json::from_str(line).map_err(|err| OracleError::Malformed {
                path: results_path.clone(),
                line: number + 1,
                message: err.to_string(),
            })?;
            rows.push(row);
        }

        let waivers_path = workspace.join(WAIVERS);
        let mut waivers = Vec::new();
        if waivers_path.exists() {
            let text = read(&waivers_path)?;
            let shape: WaiverShape =
                toml::from_str(&text).map_err(|err| toml_error(&waivers_path, &text, &err))?;
            let headers: Vec<usize> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim_start().starts_with("[[waive]]"))
                .map(|(i, _)| i + 1)
                .collect();
            for (i, spec) in shape.waive.into_iter().enumerate() {
                let line = headers.get(i).copied().unwrap_or(1);
                let malformed =
                    |message: String| OracleError::Malformed { path: waivers_path.clone(), line, message };
                if spec.reason.trim().is_empty() || spec.source.trim().is_empty() {
                    return Err(malformed(
                        "a waiver needs a `reason` and a `source` in the SDK's code".into(),
                    ));
                }
                let matcher = Glob::new(&spec.files)
                    .map_err(|err| malformed(format!("bad glob `{}`: {err}", spec.files)))?
                    .compile_matcher();
                waivers.push(Waiver { spec, line, matcher });
            }
        }
        Ok(Oracles::new(config.oracle, rows, waivers))
    }

    fn new(specs: Vec<Spec>, rows: Vec<Row>, waivers: Vec<Waiver>) -> Oracles {
        let index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.sdk.clone(), r.mode.clone(), r.file.clone()), i))
            .collect();
        Oracles { specs, rows, waivers, index }
    }

    /// The result of `spec`'s client for `file`.
    pub fn result(&self, spec: &Spec, file: &str) -> Option<&Row> {
        self.index.get(&(spec.sdk.clone(), spec.mode.clone(), file.to_string())).map(|&i| &self.rows[i])
    }

    /// The provider's own oracle, if it has one.
    pub fn own(&self, provider: &str) -> Option<&Spec> {
        self.specs.iter().find(|s| s.serves.iter().any(|p| p == provider))
    }

    /// The version of `sdk` its results were measured with.
    pub fn version(&self, sdk: &str) -> Option<&str> {
        self.rows.iter().find(|r| r.sdk == sdk).map(|r| r.version.as_str())
    }
}

/// A corpus file's path as the results name it: relative to the workspace, with `/`.
pub fn result_path(workspace: &Path, body: &Path) -> String {
    let relative = body.strip_prefix(workspace).unwrap_or(body);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// chatcompat's own verdict on a corpus file against its provider's schemas: does `check` (or
/// `check --stream`) pass it?
pub fn chatcompat_passes<S: Borrow<Schema>>(
    fixture: &Fixture,
    schemas: &[S],
    streams: &StreamCatalog,
) -> bool {
    held(fixture, schemas, streams).is_empty()
}

/// One thing `check` holds against a corpus file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Held {
    Violation {
        pointer: String,
        keyword: String,
    },
    Rule(&'static str),
    /// Not read at all (not JSON, no schema): nothing a later SDK row can explain.
    Unread,
}

/// Everything `check` holds against a corpus file; empty when it passes.
fn held<S: Borrow<Schema>>(fixture: &Fixture, schemas: &[S], streams: &StreamCatalog) -> Vec<Held> {
    let violation =
        |v: &crate::Violation| Held::Violation { pointer: v.pointer.clone(), keyword: v.keyword.clone() };
    match fixture.kind {
        FixtureKind::Response => {
            let Some(schema) = schemas.iter().map(Borrow::borrow).find(|s| s.provider() == fixture.provider)
            else {
                return vec![Held::Unread];
            };
            match corpus::read_body(&fixture.body) {
                Ok((_, value)) => {
                    let checked = schema.check(&value);
                    if checked.verdict() == Verdict::Violates {
                        checked.violations.iter().map(violation).collect()
                    } else {
                        Vec::new()
                    }
                }
                Err(_) => vec![Held::Unread],
            }
        }
        FixtureKind::Transcript => match (streams.support(&fixture.provider), fs::read(&fixture.body)) {
            (Support::Schemas(schemas), Ok(bytes)) => stream::check_transcript(schemas, &bytes)
                .errors()
                .map(|finding| match &finding.kind {
                    stream::FindingKind::Schema { violation: v, .. } => violation(v),
                    stream::FindingKind::Rule { rule, .. } => Held::Rule(rule.as_str()),
                })
                .collect(),
            _ => vec![Held::Unread],
        },
    }
}

/// The `[[later]]` row that explains why `check` and the SDK users install today differ, if one does:
/// every error `check` holds is one the later SDK reads past, or the SDK's refusal is one the row names.
fn later_explains<'a>(later: &'a [Later], held: &[Held], row: &Row) -> Option<&'a Later> {
    if row.outcome == Outcome::Rejected {
        let error = row.error.as_deref().unwrap_or_default();
        return later.iter().find(|l| l.explains_refusal(error));
    }
    let explains = |h: &Held| {
        later.iter().find(|l| match h {
            Held::Violation { pointer, keyword } => l.explains_violation(pointer, keyword),
            Held::Rule(rule) => l.explains_rule(rule),
            Held::Unread => false,
        })
    };
    let first = explains(held.first()?)?;
    held.iter().all(|h| explains(h).is_some()).then_some(first)
}

/// How the provider's own SDK and `check` compare on one corpus file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum Status {
    Agree,
    /// They differ, and a waiver (by its line in `oracles/expectations.toml`) says why.
    Waived {
        line: usize,
        reason: String,
    },
    Disagree,
    /// They differ, and the provider's `[[later]]` row says why: the SDK users install today is later than
    /// the seed the tables follow, and reads (or refuses) this differently.
    Later {
        sdk: String,
        source: String,
    },
    /// `reports/oracles.jsonl` has no result for this file: the results are stale.
    NotRun,
}

/// One corpus file judged by its provider's own oracle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub fixture: Fixture,
    /// As in the results: `fixtures/openai/valid/x.json`.
    pub file: String,
    pub sdk: String,
    pub mode: String,
    pub check_passes: bool,
    pub row: Option<Row>,
    pub status: Status,
}

impl Judged {
    /// Why this file fails its trial; `None` when it agrees or is waived.
    pub fn failure(&self) -> Option<String> {
        let check = if self.check_passes { "passes" } else { "fails" };
        let place = match self.fixture.validity {
            Validity::Valid => "a valid fixture",
            Validity::Invalid => "an invalid fixture",
        };
        match (&self.status, &self.row) {
            (Status::Agree | Status::Waived { .. } | Status::Later { .. }, _) => None,
            (Status::NotRun, _) => Some(format!(
                "{}: no result of {} ({}) in {RESULTS}; run oracles/run and commit it",
                self.file, self.sdk, self.mode
            )),
            (Status::Disagree, Some(row)) => Some(format!(
                "{}: {place} that `check` {check}, but its own SDK {} {} ({}) says {}{}; fix the table or the \
                 fixture, or waive it in {WAIVERS} with the reason from the SDK's code",
                self.file,
                row.sdk,
                row.version,
                row.mode,
                serde_json::to_value(row.outcome).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
                row.error.as_deref().map(|e| format!(": {e}")).unwrap_or_default(),
            )),
            (Status::Disagree, None) => None,
        }
    }
}

/// Every corpus file of a provider with an own oracle, judged, in corpus order; and per waiver how many
/// disagreements it waived (a waiver that waived none is stale).
pub fn judge<S: Borrow<Schema>>(
    oracles: &Oracles,
    workspace: &Path,
    corpus: &Corpus,
    schemas: &[S],
    streams: &StreamCatalog,
) -> (Vec<Judged>, Vec<usize>) {
    let mut used = vec![0; oracles.waivers.len()];
    let mut judged = Vec::new();
    for fixture in corpus.fixtures.iter().chain(&corpus.transcripts) {
        let Some(spec) = oracles.own(&fixture.provider) else { continue };
        let file = result_path(workspace, &fixture.body);
        let held = held(fixture, schemas, streams);
        let check_passes = held.is_empty();
        let later = schemas
            .iter()
            .map(Borrow::borrow)
            .find(|s| s.provider() == fixture.provider)
            .map_or(&[][..], Schema::later);
        let mode = spec.mode_for(fixture.kind).to_string();
        let row = oracles
            .index
            .get(&(spec.sdk.clone(), mode.clone(), file.clone()))
            .map(|&i| oracles.rows[i].clone());
        // `check` passes what the SDK reads, with or without a loss (a loss fails only under --strict).
        let status = match &row {
            None => Status::NotRun,
            Some(row) if (row.outcome != Outcome::Rejected) == check_passes => Status::Agree,
            Some(row) => match oracles.waivers.iter().position(|w| w.matches(row)) {
                Some(i) => {
                    used[i] += 1;
                    let waiver = &oracles.waivers[i];
                    Status::Waived { line: waiver.line, reason: waiver.spec.reason.clone() }
                }
                None => match later_explains(later, &held, row) {
                    Some(l) => Status::Later { sdk: l.sdk.clone(), source: l.source.clone() },
                    None => Status::Disagree,
                },
            },
        };
        judged.push(Judged {
            fixture: fixture.clone(),
            file,
            sdk: spec.sdk.clone(),
            mode,
            check_passes,
            row,
            status,
        });
    }
    (judged, used)
}

/// The waivers that waived nothing, as messages.
pub fn stale_waivers(oracles: &Oracles, used: &[usize]) -> Vec<String> {
    oracles
        .waivers
        .iter()
        .zip(used)
        .filter(|(_, &n)| n == 0)
        .map(|(w, _)| {
            format!(
                "{WAIVERS}:{}: waiver for {} `{}`{} waives no disagreement any more; remove it",
                w.line,
                w.spec.sdk,
                w.spec.files,
                w.spec.error.as_deref().map(|e| format!(" (error containing {e:?})")).unwrap_or_default()
            )
        })
        .collect()
}

/// Result rows naming a corpus file that no longer exists (the results are stale).
pub fn orphan_rows(oracles: &Oracles, workspace: &Path, corpus: &Corpus) -> Vec<String> {
    let files: std::collections::BTreeSet<String> =
        corpus.fixtures.iter().chain(&corpus.transcripts).map(|f| result_path(workspace, &f.body)).collect();
    let mut orphans: Vec<String> =
        oracles.rows.iter().filter(|r| !files.contains(&r.file)).map(|r| r.file.clone()).collect();
    orphans.dedup();
    orphans
}

/// Agreement of one provider's own SDK with `check` over its corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    pub provider: String,
    pub sdk: String,
    pub label: String,
    pub version: String,
    pub mode: String,
    /// Corpus files (bodies and transcripts) with a result.
    pub total: usize,
    pub agree: usize,
    pub waived: usize,
    pub disagree: usize,
    pub not_run: usize,
    /// Each waived or open disagreement: file, what the SDK said, the waiver's reason.
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub file: String,
    pub check: String,
    pub sdk: Outcome,
    pub error: Option<String>,
    pub reason: Option<String>,
}

/// Per provider with an own oracle, in the order of `providers`.
pub fn agreement(oracles: &Oracles, judged: &[Judged], providers: &[String]) -> Vec<Agreement> {
    let mut out = Vec::new();
    for provider in providers {
        let Some(spec) = oracles.own(provider) else { continue };
        let mut row = Agreement {
            provider: provider.clone(),
            sdk: spec.sdk.clone(),
            label: spec.label.clone(),
            version: oracles.version(&spec.sdk).unwrap_or("").to_string(),
            mode: spec.mode.clone(),
            total: 0,
            agree: 0,
            waived: 0,
            disagree: 0,
            not_run: 0,
            differences: Vec::new(),
        };
        for j in judged.iter().filter(|j| &j.fixture.provider == provider) {
            let reason = match &j.status {
                Status::NotRun => {
                    row.not_run += 1;
                    continue;
                }
                Status::Agree => {
                    row.total += 1;
                    row.agree += 1;
                    continue;
                }
                Status::Waived { reason, .. } => {
                    row.waived += 1;
                    Some(reason.clone())
                }
                Status::Later { sdk, source } => {
                    row.waived += 1;
                    Some(format!(
                        "a version difference: {sdk} (later than the seed the tables follow): {source}"
                    ))
                }
                Status::Disagree => {
                    row.disagree += 1;
                    None
                }
            };
            row.total += 1;
            if let Some(result) = &j.row {
                row.differences.push(Difference {
                    file: j.file.clone(),
                    check: if j.check_passes { "passes" } else { "fails" }.to_string(),
                    sdk: result.outcome,
                    error: result.error.clone(),
                    reason,
                });
            }
        }
        out.push(row);
    }
    out
}

/// By B's SDK: how many of A's valid fixtures (bodies, and transcripts apart) B's client reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkCell {
    /// A: whose fixtures (a row label: the provider, or `provider · server`).
    pub fixtures: String,
    /// The client: `sdk` and `mode` of an `[[oracle]]`.
    pub sdk: String,
    pub mode: String,
    pub bodies_total: usize,
    pub bodies_accepted: usize,
    pub transcripts_total: usize,
    pub transcripts_accepted: usize,
}

/// One cell per row × client of `oracles.toml` (own oracles and the others alike). A row is a label
/// (a provider, or a server checked as one); `row_of` names each fixture's row.
pub fn sdk_cells(
    oracles: &Oracles,
    workspace: &Path,
    corpus: &Corpus,
    rows: &[String],
    row_of: &dyn Fn(&Fixture) -> String,
) -> Vec<SdkCell> {
    let mut cells = Vec::new();
    for provider in rows {
        for spec in &oracles.specs {
            let mut cell = SdkCell {
                fixtures: provider.clone(),
                sdk: spec.sdk.clone(),
                mode: spec.mode.clone(),
                bodies_total: 0,
                bodies_accepted: 0,
                transcripts_total: 0,
                transcripts_accepted: 0,
            };
            let valid = corpus
                .fixtures
                .iter()
                .chain(&corpus.transcripts)
                .filter(|f| f.validity == Validity::Valid && row_of(f) == *provider);
            for fixture in valid {
                let Some(row) = oracles.result(spec, &result_path(workspace, &fixture.body)) else {
                    continue;
                };
                let accepted = usize::from(row.outcome == Outcome::Accepted);
                match fixture.kind {
                    FixtureKind::Response => {
                        cell.bodies_total += 1;
                        cell.bodies_accepted += accepted;
                    }
                    FixtureKind::Transcript => {
                        cell.transcripts_total += 1;
                        cell.transcripts_accepted += accepted;
                    }
                }
            }
            cells.push(cell);
        }
    }
    cells
}

/// The clients' versions, by `sdk`: which SDK version each by-SDK verdict comes from.
pub fn versions(oracles: &Oracles) -> BTreeMap<String, String> {
    oracles.rows.iter().map(|r| (r.sdk.clone(), r.version.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn later(text: &str) -> Vec<Later> {
        #[derive(Deserialize)]
        struct Rows {
            later: Vec<Later>,
        }
        toml::from_str::<Rows>(text).unwrap().later
    }

    fn sdk_row(outcome: Outcome, error: Option<&str>) -> Row {
        Row {
            file: "fixtures/atoma/streams/valid/x.sse".into(),
            sdk: "atoma-sdk-ts".into(),
            version: "0.1.1".into(),
            mode: "sdk".into(),
            outcome,
            error: error.map(str::to_string),
        }
    }

    #[test]
    fn a_later_row_explains_a_difference_only_when_it_covers_every_error() {
        let rows = later(
            r#"
            [[later]]
            sdk = "later 2"
            does = "reads"
            pointer = "/choices/*/delta/tool_calls/**"
            source = "tool_calls: z.array(z.any())"
            [[later]]
            sdk = "later 2"
            does = "reads"
            rule = "tool-call-index"
            source = "no index needed"
            [[later]]
            sdk = "later 2"
            does = "raises"
            error = "service_tier: Expected string"
            source = "service_tier: z.string()"
            "#,
        );
        let fragment = |p: &str, k: &str| Held::Violation { pointer: p.into(), keyword: k.into() };
        let reads = sdk_row(Outcome::Accepted, None);
        // Every error check holds is one the later SDK reads past: explained.
        let held = [fragment("/choices/0/delta/tool_calls/0/id", "required"), Held::Rule("tool-call-index")];
        assert_eq!(
            later_explains(&rows, &held, &reads).map(|l| l.source.as_str()),
            Some("tool_calls: z.array(z.any())")
        );
        // One error outside every row: not explained, whatever the others.
        let held = [fragment("/choices/0/delta/tool_calls/0/id", "required"), fragment("/created", "type")];
        assert!(later_explains(&rows, &held, &reads).is_none());
        // `**` is any rest, `*` exactly one token.
        assert!(later_explains(&rows, &[fragment("/choices/0/delta/tool_calls", "type")], &reads).is_some());
        assert!(later_explains(&rows, &[fragment("/choices/delta/tool_calls/0", "type")], &reads).is_none());
        // Nothing held (check passes) while the SDK reads: nothing to explain.
        assert!(later_explains(&rows, &[], &reads).is_none());
        assert!(later_explains(&rows, &[Held::Unread], &reads).is_none());
        // The SDK refuses what the seed accepts: explained only by a `raises` row naming its error.
        let refused =
            sdk_row(Outcome::Rejected, Some("ZodError: data.service_tier: Expected string, received null"));
        assert_eq!(later_explains(&rows, &[], &refused).map(|l| l.sdk.as_str()), Some("later 2"));
        let other = sdk_row(Outcome::Rejected, Some("ZodError: data.created: Expected number"));
        assert!(later_explains(&rows, &[], &other).is_none());
    }

    #[test]
    fn a_later_row_names_what_it_explains() {
        let rows = later("[[later]]\nsdk = \"x\"\ndoes = \"reads\"\nsource = \"y\"\n[[later]]\nsdk = \"x\"\ndoes = \"raises\"\nsource = \"y\"\n");
        assert!(rows[0].problem().is_some_and(|p| p.contains("pointer")));
        assert!(rows[1].problem().is_some_and(|p| p.contains("error")));
    }

    #[test]
    fn the_shipped_later_rows_are_read() {
        let catalog = crate::Catalog::embedded().unwrap();
        for id in ["atoma", "openrouter"] {
            let provider = catalog.provider(id).unwrap();
            assert!(!provider.later.is_empty(), "{id} has [[later]] rows");
            assert!(provider.later.iter().all(|l| l.problem().is_none() && !l.source.is_empty()));
            assert_eq!(catalog.load_schema(provider).unwrap().later(), provider.later.as_slice());
        }
    }

    fn row(file: &str, outcome: Outcome, error: Option<&str>) -> Row {
        Row {
            file: file.into(),
            sdk: "x-ts".into(),
            version: "1.0.0".into(),
            mode: "sdk".into(),
            outcome,
            error: error.map(str::to_string),
        }
    }

    fn waiver(files: &str, error: Option<&str>) -> Waiver {
        Waiver {
            spec: WaiverSpec {
                sdk: "x-ts".into(),
                files: files.into(),
                error: error.map(str::to_string),
                reason: "r".into(),
                source: "s".into(),
            },
            line: 1,
            matcher: Glob::new(files).expect("a test glob").compile_matcher(),
        }
    }

    #[test]
    fn a_waiver_matches_by_sdk_glob_and_error_text() {
        let rejected =
            row("fixtures/p/valid/a.json", Outcome::Rejected, Some("system_fingerprint: Required"));
        assert!(waiver("fixtures/p/valid/*.json", None).matches(&rejected));
        assert!(waiver("fixtures/p/valid/*.json", Some("system_fingerprint")).matches(&rejected));
        assert!(!waiver("fixtures/p/valid/*.json", Some("created")).matches(&rejected));
        assert!(!waiver("fixtures/q/**", None).matches(&rejected));
        let accepted = row("fixtures/p/invalid/b.json", Outcome::Accepted, None);
        assert!(!waiver("fixtures/p/**", Some("anything")).matches(&accepted));
        let mut other = rejected.clone();
        other.sdk = "y-ts".into();
        assert!(!waiver("fixtures/p/valid/*.json", None).matches(&other));
    }

    /// A workspace with two openai fixtures (one valid, one invalid), the given results and waivers.
    fn workspace(results: &str, waivers: &str) -> (tempfile::TempDir, Oracles, Corpus) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for (folder, name, body) in [
            ("valid", "ok", r#"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}"#),
            ("invalid", "bad", r#"{"id":1,"object":"chat.completion","created":1,"model":"m","choices":[]}"#),
        ] {
            let at = root.join("fixtures/openai").join(folder);
            fs::create_dir_all(&at).expect("mkdir");
            fs::write(at.join(format!("{name}.json")), body).expect("write");
        }
        fs::create_dir_all(root.join("oracles")).expect("mkdir");
        fs::create_dir_all(root.join("reports")).expect("mkdir");
        fs::write(
            root.join(CONFIG),
            "[[oracle]]\nsdk = \"py\"\nmode = \"strict\"\nlabel = \"py\"\nserves = [\"openai\"]\n",
        )
        .expect("write");
        fs::write(root.join(RESULTS), results).expect("write");
        fs::write(root.join(WAIVERS), waivers).expect("write");
        let oracles = Oracles::load(root).expect("load");
        let corpus = corpus::discover(&root.join("fixtures"));
        (dir, oracles, corpus)
    }

    fn line(file: &str, outcome: &str) -> String {
        format!(
            "{{\"file\":\"fixtures/openai/{file}.json\",\"sdk\":\"py\",\"version\":\"9\",\"mode\":\"strict\",\
             \"outcome\":\"{outcome}\",\"error\":null}}\n"
        )
    }

    fn statuses(results: &str, waivers: &str) -> (Vec<(String, Status)>, Vec<String>) {
        let (dir, oracles, corpus) = workspace(results, waivers);
        let catalog = crate::Catalog::embedded().expect("catalog");
        let schemas = catalog.load_schemas().expect("schemas");
        let streams = StreamCatalog::load(&catalog);
        let (judged, used) = judge(&oracles, dir.path(), &corpus, &schemas, &streams);
        let statuses = judged.into_iter().map(|j| (j.file, j.status)).collect();
        (statuses, stale_waivers(&oracles, &used))
    }

    #[test]
    fn the_own_sdk_must_agree_with_check_unless_waived() {
        let agreeing = line("valid/ok", "accepted") + &line("invalid/bad", "rejected");
        let (judged, stale) = statuses(&agreeing, "");
        assert!(judged.iter().all(|(_, s)| *s == Status::Agree), "{judged:?}");
        assert!(stale.is_empty());

        let disagreeing = line("valid/ok", "rejected") + &line("invalid/bad", "accepted");
        let (judged, _) = statuses(&disagreeing, "");
        assert!(judged.iter().all(|(_, s)| *s == Status::Disagree), "{judged:?}");

        let waiver = "[[waive]]\nsdk = \"py\"\nfiles = \"fixtures/openai/invalid/*.json\"\nreason = \"lax\"\nsource = \"x.py\"\n";
        let (judged, stale) = statuses(&disagreeing, waiver);
        assert!(judged.contains(&(
            "fixtures/openai/invalid/bad.json".into(),
            Status::Waived { line: 1, reason: "lax".into() }
        )));
        assert!(judged.contains(&("fixtures/openai/valid/ok.json".into(), Status::Disagree)));
        assert!(stale.is_empty());

        let (judged, stale) = statuses(&line("valid/ok", "accepted"), waiver);
        assert!(judged.contains(&("fixtures/openai/invalid/bad.json".into(), Status::NotRun)));
        assert_eq!(stale.len(), 1, "a waiver that waives nothing is stale: {stale:?}");
    }

    #[test]
    fn a_waiver_without_a_source_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("oracles")).expect("mkdir");
        fs::create_dir_all(dir.path().join("reports")).expect("mkdir");
        fs::write(dir.path().join(CONFIG), "").expect("write");
        fs::write(dir.path().join(RESULTS), "").expect("write");
        fs::write(
            dir.path().join(WAIVERS),
            "\n[[waive]]\nsdk = \"py\"\nfiles = \"*\"\nreason = \"r\"\nsource = \"\"\n",
        )
        .expect("write");
        let err = Oracles::load(dir.path()).expect_err("refused");
        assert!(matches!(err, OracleError::Malformed { line: 2, .. }), "{err}");
    }

    #[test]
    fn result_paths_are_relative_with_slashes() {
        let root = Path::new("/w/suite/..");
        assert_eq!(
            result_path(root, &root.join("fixtures").join("openai").join("valid").join("a.json")),
            "fixtures/openai/valid/a.json"
        );
    }
}

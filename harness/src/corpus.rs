//! Fixtures: discovery, metadata sidecars and the verdict each one must produce.
//!
//! A corpus is a folder `<provider>/{valid,invalid}/<name>.json`, each body with a
//! `<name>.toml` sidecar beside it, plus streamed responses (transcripts) at
//! `<provider>/streams/{valid,invalid}/<name>.sse` with the same sidecars.
//! Discovery never stops at a bad file: every fixture it finds and every
//! misplaced file it meets are returned, so each problem becomes its own failing
//! trial while the others still run.

use std::{
    collections::BTreeSet,
    fmt::{self, Write as _},
    fs,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::{
    input::{self, Entry, Filter, Input, Item},
    json::{self, BadInput},
    locate::Position,
    verdict::{Checked, Schema, Verdict},
};

/// Whether a fixture shows a response the schema must accept or reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Validity {
    Valid,
    Invalid,
}

impl Validity {
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::Invalid => "invalid",
        }
    }
}

/// Whether a fixture is one response body or a streamed transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixtureKind {
    /// `<provider>/{valid,invalid}/<name>.json`: one `chat.completion` body.
    Response,
    /// `<provider>/streams/{valid,invalid}/<name>.sse`: the raw event-stream body.
    Transcript,
}

/// One response body (or transcript) and its sidecar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    pub provider: String,
    pub kind: FixtureKind,
    pub validity: Validity,
    /// The file stem, kebab-case: `tool-calls-parallel`.
    pub name: String,
    pub body: PathBuf,
    pub sidecar: PathBuf,
}

impl Fixture {
    /// `<provider>/<valid|invalid>/<name>` (`<provider>/streams/<valid|invalid>/<name>` for a
    /// transcript): the trial name.
    pub fn id(&self) -> String {
        match self.kind {
            FixtureKind::Response => format!("{}/{}/{}", self.provider, self.validity.as_str(), self.name),
            FixtureKind::Transcript => {
                format!("{}/streams/{}/{}", self.provider, self.validity.as_str(), self.name)
            }
        }
    }
}

/// Where a fixture came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Recorded from the provider's live API.
    Captured,
    /// Taken from the provider's documentation.
    DocsExample,
    /// Written by hand to show one shape or one fault.
    Synthetic,
}

/// The metadata beside a fixture body (`<name>.toml`).
///
/// Every field after `version` is optional, so sidecars written before it existed stay valid;
/// `chatcompat import` fills them for captured responses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    /// What the fixture shows, in one sentence.
    pub description: String,
    pub source: Origin,
    /// When it was captured or written (`YYYY-MM-DD`).
    pub date: String,
    /// API or SDK version, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The `model` the response names, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// For a response of another OpenAI-compatible server (under `openai-compatible/`): which
    /// server sent it (`vllm`, `groq`, `ollama`, ...). The report gives each server its own row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// What the recorder did to the body before we saw it (the body is otherwise as received).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub normalisation: Vec<Normalisation>,
    /// Where a captured body comes from: repository, commit and path, or URL, and the entry in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Provenance>,
    /// Every secret or personal string replaced in the body, by rule (see `redact`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redaction: Vec<Redaction>,
    /// For a transcript: what the provider's SDK does with it (reads it whole, reads it but
    /// loses something, raises) and the SDK file that does it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    /// For an invalid fixture: every error it must produce, and no other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<ExpectedError>,
}

/// A change the recorder made to a body, recorded so that nobody mistakes it for the provider's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Normalisation {
    /// The recording kept a parsed structure, not the bytes: we wrote it back as compact JSON, so
    /// whitespace and number spelling are ours, key order the recording's.
    ReSerialisedJson,
    /// Every object's keys are in sorted order: the recorder sorted them (providers do not).
    SortedKeys,
    /// The recording held the chunked transfer coding; the chunks were joined.
    Dechunked,
    /// The recording kept only each event's `data`, one JSON value per line (the Vercel AI SDK's
    /// `*.chunks.txt`): each line was framed as `data: <line>` and a blank line. Comments, other
    /// fields and the `[DONE]` sentinel, if the provider sent them, were not recorded and were not added.
    FramedEvents,
    /// The recorder parsed the body and wrote it again (the Vercel AI SDK's recorder:
    /// `JSON.stringify`): whitespace, escapes and number spelling are the recorder's, key order the
    /// provider's. The recording does not show it; the importer was told (`import --recorder`).
    RecorderReformatted,
}

impl std::str::FromStr for Normalisation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let all = [
            Normalisation::ReSerialisedJson,
            Normalisation::SortedKeys,
            Normalisation::Dechunked,
            Normalisation::FramedEvents,
            Normalisation::RecorderReformatted,
        ];
        all.into_iter().find(|n| n.as_str() == text).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|n| n.as_str()).collect();
            format!("unknown normalisation `{text}`: expected one of {}", names.join(", "))
        })
    }
}

impl Normalisation {
    /// The sidecar's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Normalisation::ReSerialisedJson => "re-serialised-json",
            Normalisation::SortedKeys => "sorted-keys",
            Normalisation::Dechunked => "dechunked",
            Normalisation::FramedEvents => "framed-events",
            Normalisation::RecorderReformatted => "recorder-reformatted",
        }
    }
}

/// Where a captured body comes from, as the importer was told and as the recording says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// `owner/name` of the public repository that holds the recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// The commit the recording was read at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The recording's path in the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A web address of the recording (an issue, a gist, documentation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The recording's format: `vcrpy`, `ruby-vcr`, `go-vcr`, `har`, `nock`, `http`, `event-stream`, `json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Which response of the recording: `interactions[2]`, `log.entries[0]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
}

/// One replaced secret: the rule that found it, where its placeholder stands in the body, how long
/// the secret was.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    pub rule: String,
    /// The JSON pointer of the string that held it (JSON bodies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Byte offset of the placeholder `<redacted:RULE>` in the body as written.
    pub offset: usize,
    /// Length of the secret in bytes.
    pub length: usize,
}

/// One error an invalid fixture must produce.
///
/// For a response body: `pointer` + `keyword`. For a transcript, also `event`
/// (the 1-based event; absent for what concerns the whole stream or the
/// reassembled response), and either `pointer` + `keyword` (a schema error) or
/// `rule` (a sequence rule's name, `pointer` and `keyword` then empty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(try_from = "RawExpectedError")]
pub struct ExpectedError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    pub pointer: String,
    pub keyword: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl ExpectedError {
    /// A schema error at `pointer` (a response body's only kind).
    pub fn schema(pointer: &str, keyword: &str) -> ExpectedError {
        ExpectedError { event: None, pointer: pointer.to_string(), keyword: keyword.to_string(), rule: None }
    }
}

impl fmt::Display for ExpectedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(event) = self.event {
            write!(f, "event {event}: ")?;
        }
        if let Some(rule) = &self.rule {
            return write!(f, "rule {rule}");
        }
        let pointer = if self.pointer.is_empty() { "(root)" } else { &self.pointer };
        write!(f, "{pointer} {}", self.keyword)
    }
}

/// An `[[expect]]` entry as written, before its shape is checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpectedError {
    event: Option<usize>,
    pointer: Option<String>,
    keyword: Option<String>,
    rule: Option<String>,
}

impl TryFrom<RawExpectedError> for ExpectedError {
    type Error = String;

    fn try_from(raw: RawExpectedError) -> Result<ExpectedError, String> {
        if raw.event == Some(0) {
            return Err("`event` counts from 1".into());
        }
        match (raw.pointer, raw.keyword, raw.rule) {
            (None, None, Some(rule)) => Ok(ExpectedError {
                event: raw.event,
                pointer: String::new(),
                keyword: String::new(),
                rule: Some(rule),
            }),
            (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
                Err("an expected error has either `pointer` and `keyword`, or `rule`, not both".into())
            }
            (None, _, None) => Err("missing field `pointer`".into()),
            (_, None, None) => Err("missing field `keyword`".into()),
            (Some(pointer), Some(keyword), None) => {
                Ok(ExpectedError { event: raw.event, pointer, keyword, rule: None })
            }
        }
    }
}

/// A file in the corpus that is not where a fixture can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misplaced {
    pub path: PathBuf,
    pub reason: String,
}

/// Everything found under a corpus folder.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub root: PathBuf,
    /// Response bodies (`.json`).
    pub fixtures: Vec<Fixture>,
    /// Streamed transcripts (`.sse`), kept apart so every consumer of `fixtures` sees JSON only.
    pub transcripts: Vec<Fixture>,
    pub misplaced: Vec<Misplaced>,
}

/// The environment variable that points the suite at another corpus folder.
pub const FIXTURES_ENV: &str = "CHATCOMPAT_FIXTURES";

/// The corpus to run: `$CHATCOMPAT_FIXTURES` when set, else `<workspace>/fixtures`.
pub fn fixtures_dir(workspace: &Path) -> PathBuf {
    std::env::var_os(FIXTURES_ENV).map_or_else(|| workspace.join("fixtures"), PathBuf::from)
}

/// Files that may sit in a corpus without being fixtures.
const IGNORED_FILES: [&str; 3] = ["README.md", ".gitkeep", "chatcompat-expectations.toml"];

/// Walks `root` for fixtures (through [`crate::input`], so links are followed and a loop is a
/// misplaced entry), sorted by trial name.
pub fn discover(root: &Path) -> Corpus {
    let mut corpus = Corpus { root: root.to_path_buf(), ..Corpus::default() };
    let inputs = [Input::Path(root.to_path_buf())];
    for item in input::items(&inputs, &Filter::ANY) {
        let file = match item {
            Item::Entry(Entry::File(file)) => file,
            Item::Entry(Entry::Stdin) => continue,
            Item::Skipped(skipped) => {
                let reason = "not a regular file: fixtures are files (or links to files)".to_string();
                corpus.misplaced.push(Misplaced { path: skipped.path, reason });
                continue;
            }
            Item::Error(error) => {
                corpus.misplaced.push(Misplaced { path: error.path, reason: error.kind.to_string() });
                continue;
            }
        };
        let path = file.path.as_path();
        let relative = path.strip_prefix(root).unwrap_or(path);
        let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        let file_name = parts.last().cloned().unwrap_or_default();
        if IGNORED_FILES.contains(&file_name.as_str()) {
            continue;
        }
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if parts.get(1).map(String::as_str) == Some(STREAMS_DIR) {
            discover_transcript(path, &parts, extension, &mut corpus);
            continue;
        }
        let validity = validity_of(parts.get(1));
        match (parts.len(), validity, extension) {
            (3, Some(validity), "json") => {
                let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                corpus.fixtures.push(Fixture {
                    provider: parts[0].clone(),
                    kind: FixtureKind::Response,
                    validity,
                    sidecar: path.with_extension("toml"),
                    body: path.to_path_buf(),
                    name,
                });
            }
            (3, Some(_), "toml") if path.with_extension("json").is_file() => {}
            (3, Some(_), "toml") => corpus.misplaced.push(Misplaced {
                path: path.to_path_buf(),
                reason: "sidecar without a body: expected a .json file of the same name beside it".into(),
            }),
            (3, Some(_), _) => corpus.misplaced.push(Misplaced {
                path: path.to_path_buf(),
                reason: "not a fixture: bodies end in .json, sidecars in .toml".into(),
            }),
            _ => corpus.misplaced.push(Misplaced {
                path: path.to_path_buf(),
                reason: "outside `<provider>/valid/` and `<provider>/invalid/`: move it into one of them"
                    .into(),
            }),
        }
    }
    corpus.fixtures.sort_by_key(Fixture::id);
    corpus.transcripts.sort_by_key(Fixture::id);
    corpus
}

/// The folder inside a provider's fixtures that holds its transcripts.
pub const STREAMS_DIR: &str = "streams";

fn validity_of(part: Option<&String>) -> Option<Validity> {
    match part.map(String::as_str) {
        Some("valid") => Some(Validity::Valid),
        Some("invalid") => Some(Validity::Invalid),
        _ => None,
    }
}

/// Files under `<provider>/streams/`: transcripts, their sidecars, or misplaced files.
fn discover_transcript(path: &Path, parts: &[String], extension: &str, corpus: &mut Corpus) {
    let validity = validity_of(parts.get(2));
    let reason = match (parts.len(), validity, extension) {
        (4, Some(validity), "sse") => {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            corpus.transcripts.push(Fixture {
                provider: parts[0].clone(),
                kind: FixtureKind::Transcript,
                validity,
                sidecar: path.with_extension("toml"),
                body: path.to_path_buf(),
                name,
            });
            return;
        }
        (4, Some(_), "toml") if path.with_extension("sse").is_file() => return,
        (4, Some(_), "toml") => {
            "sidecar without a transcript: expected a .sse file of the same name beside it"
        }
        (4, Some(_), _) => "not a transcript: transcripts end in .sse, sidecars in .toml",
        _ => {
            "outside `<provider>/streams/valid/` and `<provider>/streams/invalid/`: move it into one of them"
        }
    };
    corpus.misplaced.push(Misplaced { path: path.to_path_buf(), reason: reason.into() });
}

/// Why a fixture's trial fails.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    #[error("{}: cannot read: {message}", path.display())]
    Unreadable { path: PathBuf, message: String },
    #[error("{}: missing sidecar: add {} with description, source and date (see CONTRIBUTING.md)", body.display(), sidecar.display())]
    MissingSidecar { body: PathBuf, sidecar: PathBuf },
    #[error("{}:{position}: malformed sidecar: {message}", path.display())]
    MalformedSidecar { path: PathBuf, position: Position, message: String },
    #[error("{}:{}: {}", path.display(), bad.position, bad.kind)]
    BadBody { path: PathBuf, bad: BadInput },
    #[error("{}: no schema for provider `{provider}`: add schemas/{provider}/ with its field tables (see CONTRIBUTING.md)", path.display())]
    NoSchema { path: PathBuf, provider: String },
    #[error("{}: an invalid fixture must list the errors it produces: add [[expect]] entries with pointer and keyword to {}", path.display(), sidecar.display())]
    NoExpectations { path: PathBuf, sidecar: PathBuf },
    #[error("{0}")]
    Mismatch(Box<Mismatch>),
    #[error("{}: streaming not documented for provider `{provider}` ({note}): a transcript cannot be checked; add its chunk tables and `chunk_root` to schemas/{provider}/provider.toml, or remove the transcript (see CONTRIBUTING.md)", path.display())]
    StreamingNotDocumented { path: PathBuf, provider: String, note: String },
    #[error("{0}")]
    Transcript(Box<crate::stream::TranscriptMismatch>),
}

/// A fixture whose errors differ from what it must produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub path: PathBuf,
    pub text: String,
    pub checked: Checked,
    /// Expected errors that did not happen.
    pub missing: Vec<ExpectedError>,
    /// Errors that happened but were not expected (for a valid fixture: every error).
    pub unexpected: Vec<ExpectedError>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_mismatch(&self.path, &self.text, &self.checked, &self.missing, &self.unexpected))
    }
}

/// What a passing fixture showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixturePass {
    pub sidecar: Sidecar,
    pub checked: Checked,
}

impl FixturePass {
    pub fn verdict(&self) -> Verdict {
        self.checked.verdict()
    }
}

/// Reads a fixture's sidecar.
pub fn read_sidecar(fixture: &Fixture) -> Result<Sidecar, FixtureError> {
    let text = match fs::read_to_string(&fixture.sidecar) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(FixtureError::MissingSidecar {
                body: fixture.body.clone(),
                sidecar: fixture.sidecar.clone(),
            })
        }
        Err(err) => {
            return Err(FixtureError::Unreadable { path: fixture.sidecar.clone(), message: err.to_string() })
        }
    };
    let sidecar: Sidecar = toml::from_str(&text).map_err(|err| {
        let position =
            err.span().map_or(Position::START, |span| Position::of_offset(text.as_bytes(), span.start));
        FixtureError::MalformedSidecar {
            path: fixture.sidecar.clone(),
            position,
            message: err.message().to_string(),
        }
    })?;
    if fixture.kind == FixtureKind::Response {
        // `event` and `rule` belong to transcripts only.
        if let Some(at) = sidecar.expect.iter().position(|e| e.event.is_some() || e.rule.is_some()) {
            let offset = text.match_indices("[[expect]]").nth(at).map_or(0, |(offset, _)| offset);
            return Err(FixtureError::MalformedSidecar {
                path: fixture.sidecar.clone(),
                position: Position::of_offset(text.as_bytes(), offset),
                message: "`event` and `rule` are for stream transcripts; a response's expected error has \
                          `pointer` and `keyword` only"
                    .into(),
            });
        }
    }
    if fixture.kind == FixtureKind::Transcript {
        let names: Vec<&str> = crate::stream::Rule::ALL.iter().map(|r| r.as_str()).collect();
        let unknown = sidecar.expect.iter().enumerate().find_map(|(at, e)| {
            e.rule.as_deref().filter(|rule| !names.contains(rule)).map(|rule| (at, rule))
        });
        if let Some((at, rule)) = unknown {
            let offset = text.match_indices("[[expect]]").nth(at).map_or(0, |(offset, _)| offset);
            return Err(FixtureError::MalformedSidecar {
                path: fixture.sidecar.clone(),
                position: Position::of_offset(text.as_bytes(), offset),
                message: format!("unknown rule `{rule}` (known: {})", names.join(", ")),
            });
        }
    }
    Ok(sidecar)
}

/// Reads a fixture body strictly (see [`json::parse`]).
pub fn read_body(path: &Path) -> Result<(String, serde_json::Value), FixtureError> {
    let bytes = fs::read(path)
        .map_err(|err| FixtureError::Unreadable { path: path.to_path_buf(), message: err.to_string() })?;
    let value = json::parse(&bytes).map_err(|bad| FixtureError::BadBody { path: path.to_path_buf(), bad })?;
    Ok((String::from_utf8(bytes).unwrap_or_default(), value))
}

/// Runs one fixture against its provider's schema: a valid fixture must not
/// violate it; an invalid one must produce exactly the errors its sidecar lists.
pub fn evaluate(fixture: &Fixture, schema: Option<&Schema>) -> Result<FixturePass, FixtureError> {
    let sidecar = read_sidecar(fixture)?;
    let (text, value) = read_body(&fixture.body)?;
    let schema = schema.ok_or_else(|| FixtureError::NoSchema {
        path: fixture.body.clone(),
        provider: fixture.provider.clone(),
    })?;
    let checked = schema.check_text(&value, &text);
    let actual: BTreeSet<ExpectedError> =
        checked.violations.iter().map(|v| ExpectedError::schema(&v.pointer, &v.keyword)).collect();
    let expected = must_produce(fixture, &sidecar)?;
    if actual == expected {
        return Ok(FixturePass { sidecar, checked });
    }
    Err(FixtureError::Mismatch(Box::new(Mismatch {
        path: fixture.body.clone(),
        text,
        missing: expected.difference(&actual).cloned().collect(),
        unexpected: actual.difference(&expected).cloned().collect(),
        checked,
    })))
}

/// The errors a fixture (or transcript) must produce: none for a valid one, its
/// sidecar's `[[expect]]` entries for an invalid one, which must list at least one.
pub fn must_produce(fixture: &Fixture, sidecar: &Sidecar) -> Result<BTreeSet<ExpectedError>, FixtureError> {
    match fixture.validity {
        Validity::Valid => Ok(BTreeSet::new()),
        Validity::Invalid if sidecar.expect.is_empty() => {
            Err(FixtureError::NoExpectations { path: fixture.body.clone(), sidecar: fixture.sidecar.clone() })
        }
        Validity::Invalid => Ok(sidecar.expect.iter().cloned().collect()),
    }
}

fn render_mismatch(
    path: &Path,
    text: &str,
    checked: &Checked,
    missing: &[ExpectedError],
    unexpected: &[ExpectedError],
) -> String {
    let mut out = String::new();
    for violation in &checked.violations {
        let position = violation.position.map_or_else(|| "?".to_string(), |p| p.to_string());
        let tag =
            if unexpected.iter().any(|u| u.pointer == violation.pointer && u.keyword == violation.keyword) {
                "unexpected"
            } else {
                "expected"
            };
        let _ = writeln!(out, "{}:{position}: {violation} ({tag})", path.display());
        if let Some(position) = violation.position {
            out.push_str(&crate::locate::excerpt(text, position, position.line));
        }
    }
    for expected in missing {
        let _ = writeln!(out, "{}: expected error did not occur: {expected}", path.display());
    }
    out.trim_end().to_string()
}

/// The outcome of every fixture of a corpus, in trial order.
pub fn run_all(corpus: &Corpus, schemas: &[Schema]) -> Vec<(Fixture, Result<FixturePass, FixtureError>)> {
    corpus
        .fixtures
        .iter()
        .map(|fixture| {
            let schema = schemas.iter().find(|s| s.provider() == fixture.provider);
            (fixture.clone(), evaluate(fixture, schema))
        })
        .collect()
}

/// Per-provider counts of a corpus run: the main job's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProviderSummary {
    pub provider: String,
    pub valid: usize,
    pub invalid: usize,
    pub conforms: usize,
    pub conforms_with_extensions: usize,
    /// Invalid fixtures that produced exactly their expected errors.
    pub rejected_as_expected: usize,
    /// Trials that failed, with their messages.
    pub failures: Vec<String>,
}

/// Sums up [`run_all`] per provider, sorted by provider.
pub fn summarize(results: &[(Fixture, Result<FixturePass, FixtureError>)]) -> Vec<ProviderSummary> {
    let mut summaries: Vec<ProviderSummary> = Vec::new();
    for (fixture, outcome) in results {
        let index = match summaries.iter().position(|s| s.provider == fixture.provider) {
            Some(index) => index,
            None => {
                summaries.push(ProviderSummary {
                    provider: fixture.provider.clone(),
                    ..ProviderSummary::default()
                });
                summaries.len() - 1
            }
        };
        let summary = &mut summaries[index];
        match fixture.validity {
            Validity::Valid => summary.valid += 1,
            Validity::Invalid => summary.invalid += 1,
        }
        match (outcome, fixture.validity) {
            (Ok(pass), Validity::Valid) => match pass.verdict() {
                Verdict::ConformsWithExtensions => summary.conforms_with_extensions += 1,
                _ => summary.conforms += 1,
            },
            (Ok(_), Validity::Invalid) => summary.rejected_as_expected += 1,
            (Err(err), _) => summary.failures.push(format!("{}: {err}", fixture.id())),
        }
    }
    summaries.sort_by(|a, b| a.provider.cmp(&b.provider));
    summaries
}

// ---------------------------------------------------------------- a flat folder of captures

/// With [`FIXTURES_ENV`], the provider whose schemas judge a flat folder of captures
/// (see [`check_captures`]) instead of a corpus laid out as `fixtures/`.
pub const PROVIDER_ENV: &str = "CHATCOMPAT_PROVIDER";

/// One captured response (a `.json` body or one record of a `.jsonl`/`.ndjson` file) or one
/// `.sse` transcript of a flat folder, judged against one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// The path relative to the folder, `/`-separated, with `:LINE` for a JSON Lines record.
    pub name: String,
    pub outcome: CaptureOutcome,
}

/// How a capture stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureOutcome {
    /// It conforms (undocumented fields allowed).
    Passed,
    /// It violates only as the expectations file says: the waivers' reasons and links.
    Waived(String),
    /// It violates, or could not be read: what `chatcompat check` would print for it.
    Failed(String),
}

/// Everything a flat folder's run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captures {
    /// In walk order (files by name, records by line).
    pub captures: Vec<Capture>,
    /// The expectations entries of this provider that are stale or matched no capture (kind, glob, message).
    pub problems: Vec<(crate::expectations::EntryProblem, String, String)>,
}

/// Checks every capture under `root` (walked through [`crate::input`]: `*.json` bodies, `*.jsonl` and
/// `*.ndjson` files one record per line, `*.sse` transcripts; other files are ignored) against
/// `provider`'s schemas, no sidecar or layout needed, waiving what `expectations` says (its body
/// entries for bodies and records, its stream entries for transcripts). `Err` when the provider is
/// unknown or its schema cannot be loaded.
pub fn check_captures(
    root: &Path,
    provider: &str,
    catalog: &crate::catalog::Catalog,
    expectations: Option<&crate::expectations::Expectations>,
) -> Result<Captures, String> {
    use crate::{
        check::{CheckOptions, Checker},
        format::{self, Format, RunInfo},
        stream::{output, StreamCatalog, Support},
    };

    let schema =
        catalog.provider(provider).and_then(|p| catalog.load_schema(p)).map_err(|err| err.to_string())?;
    let base = if root.is_file() { root.parent().unwrap_or(root) } else { root };
    let name = |file: &str, line: Option<usize>| {
        let path = Path::new(file);
        let relative = path.strip_prefix(base).unwrap_or(path).to_string_lossy().replace('\\', "/");
        match line {
            Some(line) => format!("{relative}:{line}"),
            None => relative,
        }
    };
    let inputs = [Input::Path(root.to_path_buf())];
    let providers = vec![provider.to_string()];
    let mut run = Captures::default();

    let options = CheckOptions { excerpts: true, ..CheckOptions::default() };
    let mut checker = Checker::new(vec![&schema], options);
    if let Some(expectations) = expectations {
        checker = checker.with_expectations(expectations);
    }
    let mut collected = Collected::default();
    checker.run(&inputs, &mut collected).map_err(|err| err.to_string())?;
    for response in &collected.responses {
        let outcome = if !response.passed(false) {
            let mut text = Vec::new();
            let mut human = format::reporter(Format::Human, &mut text, false);
            let info = RunInfo { schemas: providers.clone(), strict: false };
            let _ = human.begin(&info).and_then(|()| human.response(response));
            drop(human);
            CaptureOutcome::Failed(String::from_utf8_lossy(&text).trim_end().to_string())
        } else {
            match &response.outcome {
                Ok(judgements) => match judgements.iter().find_map(|j| j.waived.as_deref()) {
                    Some(waivers) => CaptureOutcome::Waived(crate::expectations::describe(waivers)),
                    None => CaptureOutcome::Passed,
                },
                Err(_) => CaptureOutcome::Passed,
            }
        };
        run.captures.push(Capture { name: name(&response.source.file, response.source.line), outcome });
    }
    run.problems = checker.expectation_problems();

    if input::walk(&inputs, &Filter::TRANSCRIPTS).files().next().is_none() {
        return Ok(run);
    }
    let streams = StreamCatalog::load(catalog);
    let schemas = match streams.support(provider) {
        Support::Schemas(schemas) => schemas,
        Support::NotDocumented(note) => {
            let why = format!(
                "provider `{provider}` documents no streaming ({note}): a transcript cannot be checked"
            );
            for file in input::walk(&inputs, &Filter::TRANSCRIPTS).files() {
                let outcome = CaptureOutcome::Failed(format!("{}: {why}", file.path.display()));
                run.captures.push(Capture { name: name(&file.path.to_string_lossy(), None), outcome });
            }
            return Ok(run);
        }
        Support::Broken(error) => return Err(error.to_string()),
        Support::Unknown => return Err(format!("unknown provider `{provider}`")),
    };
    let mut transcripts = output::check_inputs(&inputs, &[schemas], &mut std::io::empty());
    if let Some(expectations) = expectations {
        run.problems.extend(output::waive(&mut transcripts, expectations, &providers, false));
    }
    for result in &transcripts.results {
        let outcome = if !result.passed(false) {
            let one = output::Transcripts { results: vec![result.clone()], skipped: Vec::new() };
            let mut text = Vec::new();
            let _ = output::write(Format::Human, &mut text, &one, &providers, false);
            CaptureOutcome::Failed(String::from_utf8_lossy(&text).trim_end().to_string())
        } else {
            match result.waived.first().and_then(Option::as_deref) {
                Some(waivers) => CaptureOutcome::Waived(crate::expectations::describe(waivers)),
                None => CaptureOutcome::Passed,
            }
        };
        run.captures.push(Capture { name: name(&result.file, None), outcome });
    }
    Ok(run)
}

/// Keeps every response of a run, for [`check_captures`].
#[derive(Default)]
struct Collected {
    responses: Vec<crate::check::Response>,
}

impl crate::format::Reporter for Collected {
    fn begin(&mut self, _info: &crate::format::RunInfo) -> std::io::Result<()> {
        Ok(())
    }

    fn response(&mut self, response: &crate::check::Response) -> std::io::Result<()> {
        self.responses.push(response.clone());
        Ok(())
    }

    fn finish(&mut self, _summary: &crate::check::Summary) -> std::io::Result<()> {
        Ok(())
    }
}

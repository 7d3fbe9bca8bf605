//! Expectations: the file a user keeps to waive known deviations, and the rule
//! that a waiver which no longer matches anything fails the run.
//!
//! `chatcompat-expectations.toml` holds `[[expect]]` entries: a glob over file
//! paths (relative to the file's own folder), optionally the `provider` whose
//! schema the entry is about and whether it is for stream transcripts (`stream`),
//! optionally one error (pointer + keyword, or a stream `rule`), a reason and a
//! link. Applying it to a run's violations sorts each failing response into
//! "expected failure" or "still failing", and reports entries that are stale
//! (their error no longer happens) or match no file at all (a typo must not
//! silently waive nothing), so waivers cannot rot.
//!
//! A run uses only the entries in its [`Scope`]: those without a `provider` or
//! naming one the run checks, and those for what it checks (bodies, or stream
//! transcripts: [`EntrySpec::is_stream`]). The others are left alone: never
//! applied, never reported, and kept word for word by [`update`].

use std::{
    collections::BTreeSet,
    fmt::{self, Write as _},
    fs,
    path::{Path, PathBuf},
};

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::locate::Position;

/// The file name looked for beside a corpus.
pub const FILE_NAME: &str = "chatcompat-expectations.toml";
/// The environment variable that names an expectations file for `cargo test`.
pub const ENV: &str = "CHATCOMPAT_EXPECTATIONS";
/// The reason `--update-expectations` writes for a new entry.
pub const REASON_TODO: &str = "TODO: say why this deviation is accepted";

/// A parsed expectations file.
#[derive(Debug, Clone)]
pub struct Expectations {
    pub path: PathBuf,
    /// Globs are relative to this folder.
    pub base: PathBuf,
    pub entries: Vec<Entry>,
    /// The file's text, kept so that [`update`] can change it in place.
    text: String,
    /// Whether every entry's `[[expect]]` header was found on its own line (the
    /// usual layout), so that entries can be cut out of `text` one by one.
    blocks: bool,
}

/// One `[[expect]]` entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub spec: EntrySpec,
    /// Line of the entry's `[[expect]]` header, for messages.
    pub line: usize,
    matcher: GlobMatcher,
}

/// An entry as written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySpec {
    /// Glob over paths relative to the file's folder: `atoma/valid/*.json`.
    pub fixtures: String,
    /// The provider whose schema this entry waives errors of; without it, every provider's.
    /// A run that does not check this provider leaves the entry alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// `true`: for stream transcripts (`check --stream`); `false`: for response bodies. Absent:
    /// for transcripts when the entry names a `rule` or an `event` or its glob ends in `.sse`,
    /// else for bodies (see [`EntrySpec::is_stream`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// With `keyword`: waive only this error; without: waive every error of the matched files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// For stream transcripts: waive only this rule's findings (`usage-lost`, `stable-id`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// For stream transcripts, with `rule` or `pointer` + `keyword`: only at this 1-based event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<usize>,
    /// The expected outcome: `violates` (the default, and the only one defined) says the matched
    /// responses are expected to violate their schema, as named; when they stop violating, the
    /// entry is stale and fails the run.
    #[serde(default = "default_outcome")]
    pub outcome: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub link: String,
}

impl EntrySpec {
    /// Whether the entry is about stream transcripts rather than response bodies: `stream` says
    /// so, or, without it, a `rule` or `event` (which only transcripts have) or a glob for `*.sse`.
    pub fn is_stream(&self) -> bool {
        self.stream
            .unwrap_or_else(|| self.rule.is_some() || self.event.is_some() || self.fixtures.ends_with(".sse"))
    }

    /// The entry's keys as TOML lines, in the order they are documented (absent optional keys and an
    /// empty `link` left out). Written by hand so that the core library needs no TOML writer; strings are
    /// quoted by `toml_string`.
    pub fn to_toml(&self) -> String {
        let quoted = toml_string;
        let mut lines = vec![format!("fixtures = {}", quoted(&self.fixtures))];
        if let Some(provider) = &self.provider {
            lines.push(format!("provider = {}", quoted(provider)));
        }
        if let Some(stream) = self.stream {
            lines.push(format!("stream = {stream}"));
        }
        for (key, value) in [("pointer", &self.pointer), ("keyword", &self.keyword), ("rule", &self.rule)] {
            if let Some(value) = value {
                lines.push(format!("{key} = {}", quoted(value)));
            }
        }
        if let Some(event) = self.event {
            lines.push(format!("event = {event}"));
        }
        lines.push(format!("outcome = {}", quoted(&self.outcome)));
        lines.push(format!("reason = {}", quoted(&self.reason)));
        if !self.link.is_empty() {
            lines.push(format!("link = {}", quoted(&self.link)));
        }
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

/// `text` as a TOML basic string. Not a JSON string literal: TOML also forbids a raw DEL (U+007F),
/// which JSON leaves as it is (found by `fuzz/`, target `expectations`: the file did not load again).
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The folder a file is in; `.` for a bare file name.
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn default_outcome() -> String {
    "violates".to_string()
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    expect: Vec<EntrySpec>,
}

/// A malformed expectations file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{position}: {message}", path.display())]
pub struct ExpectationsError {
    pub path: PathBuf,
    pub position: Position,
    pub message: String,
}

/// What a run checks: which entries it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The providers whose schemas the run applies; `None`: every provider (a corpus run).
    pub providers: Option<Vec<String>>,
    pub kind: Kind,
}

/// Whether a run checks response bodies, stream transcripts or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Bodies,
    Transcripts,
    Both,
}

impl Scope {
    /// A run of every provider over bodies and transcripts (the corpus).
    pub fn all() -> Scope {
        Scope { providers: None, kind: Kind::Both }
    }

    /// A `check` of bodies against these providers' schemas.
    pub fn bodies(providers: &[String]) -> Scope {
        Scope { providers: Some(providers.to_vec()), kind: Kind::Bodies }
    }

    /// A `check --stream` of transcripts against these providers' stream schemas.
    pub fn transcripts(providers: &[String]) -> Scope {
        Scope { providers: Some(providers.to_vec()), kind: Kind::Transcripts }
    }

    fn takes(&self, spec: &EntrySpec) -> bool {
        let provider = match (&spec.provider, &self.providers) {
            (Some(provider), Some(providers)) => providers.contains(provider),
            _ => true,
        };
        let kind = match self.kind {
            Kind::Both => true,
            Kind::Transcripts => spec.is_stream(),
            Kind::Bodies => !spec.is_stream(),
        };
        provider && kind
    }
}

/// One checked response (or transcript) as expectations see it: its file, the provider
/// whose schema judged it, and the errors that make it fail (empty when it passes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub file: PathBuf,
    pub provider: String,
    /// A stream transcript (rather than a response body).
    pub stream: bool,
    /// `(event, pointer, keyword)`; a transcript's sequence rule is its name as keyword, with an
    /// empty pointer; `event` is `None` for bodies.
    pub errors: Vec<(Option<usize>, String, String)>,
}

impl Outcome {
    /// A body's outcome from its errors as `(pointer, keyword)`.
    pub fn body(file: impl Into<PathBuf>, provider: &str, errors: &[(String, String)]) -> Outcome {
        Outcome {
            file: file.into(),
            provider: provider.to_string(),
            stream: false,
            errors: errors.iter().map(|(p, k)| (None, p.clone(), k.clone())).collect(),
        }
    }
}

/// What one entry says about one error it waives: shown beside the waived error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub reason: String,
    /// The entry's `link` (the issue that tracks the deviation), if it has one.
    pub link: Option<String>,
    /// Where the entry is: `path:line`.
    pub entry: String,
}

impl fmt::Display for Waiver {
    /// `reason (link)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)?;
        if let Some(link) = &self.link {
            write!(f, " ({link})")?;
        }
        Ok(())
    }
}

/// The distinct waivers of a list, in order, joined by `; `: one line for a whole response.
pub fn describe(waivers: &[Waiver]) -> String {
    let mut shown: Vec<String> = Vec::new();
    for waiver in waivers {
        let text = waiver.to_string();
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    shown.join("; ")
}

impl Expectations {
    /// Reads and checks an expectations file.
    pub fn load(path: &Path) -> Result<Expectations, ExpectationsError> {
        let error =
            |position, message: String| ExpectationsError { path: path.to_path_buf(), position, message };
        let start = Position::START;
        let text = fs::read_to_string(path).map_err(|err| error(start, format!("cannot read: {err}")))?;
        let shape: FileShape = toml::from_str(&text).map_err(|err| {
            let position = err.span().map_or(start, |span| Position::of_offset(text.as_bytes(), span.start));
            error(position, format!("malformed expectations file: {}", err.message().trim()))
        })?;
        let headers = header_lines(&text);
        let blocks = headers.len() == shape.expect.len();
        let mut entries = Vec::new();
        for (index, spec) in shape.expect.into_iter().enumerate() {
            let line = headers.get(index).copied().unwrap_or(1);
            let at = Position::line_start(line);
            if spec.pointer.is_some() != spec.keyword.is_some() {
                return Err(error(
                    at,
                    "an entry names an error with both `pointer` and `keyword`, or neither".into(),
                ));
            }
            if spec.rule.is_some() && spec.pointer.is_some() {
                return Err(error(at, "an entry names a `rule` or a `pointer` + `keyword`, not both".into()));
            }
            if spec.event.is_some() && spec.rule.is_none() && spec.pointer.is_none() {
                return Err(error(
                    at,
                    "`event` pins a `rule` or a `pointer` + `keyword` to one event".into(),
                ));
            }
            if (spec.rule.is_some() || spec.event.is_some()) && spec.stream == Some(false) {
                return Err(error(
                    at,
                    "`rule` and `event` are for stream transcripts, not `stream = false`".into(),
                ));
            }
            if spec.outcome != "violates" {
                return Err(error(at, format!("unknown outcome `{}` (expected `violates`)", spec.outcome)));
            }
            if spec.reason.trim().is_empty() {
                return Err(error(at, "an entry needs a `reason`".into()));
            }
            if spec.provider.as_deref().is_some_and(|p| p.trim().is_empty()) {
                return Err(error(at, "`provider` names a provider id such as `openai`".into()));
            }
            let matcher = Glob::new(&spec.fixtures)
                .map_err(|err| error(at, format!("bad glob `{}`: {err}", spec.fixtures)))?
                .compile_matcher();
            entries.push(Entry { spec, line, matcher });
        }
        Ok(Expectations { path: path.to_path_buf(), base: folder_of(path), entries, text, blocks })
    }

    /// The file beside a corpus, or the one `$CHATCOMPAT_EXPECTATIONS` names, if any.
    pub fn find(corpus_root: &Path) -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(ENV) {
            return Some(PathBuf::from(path));
        }
        let beside = corpus_root.join(FILE_NAME);
        beside.is_file().then_some(beside)
    }

    /// The path of `file` as the entries' globs see it.
    pub fn relative(&self, file: &Path) -> String {
        relative_to(&self.base, file)
    }

    /// Applies the entries in `scope` to a run's outcomes (every checked response, per
    /// provider, with the errors that make it fail; none for a passing one).
    pub fn apply(&self, scope: &Scope, outcomes: &[Outcome]) -> Applied {
        let mut applied = Applied::default();
        let mut tracker = self.tracker(scope);
        for outcome in outcomes {
            let relative = self.relative(&outcome.file);
            let subject =
                Subject { relative: &relative, provider: &outcome.provider, stream: outcome.stream };
            match self.judge(&mut tracker, &subject, &outcome.errors) {
                Judged::Clean => {}
                Judged::Waived(_) => applied.expected_failures.push(outcome.file.clone()),
                Judged::Unwaived(unwaived) => applied.still_failing.push((outcome.file.clone(), unwaived)),
            }
        }
        (applied.stale, applied.unmatched) = self.leftovers(&tracker);
        applied
    }

    /// A fresh record of which entries of `scope` a run has matched and used.
    pub fn tracker(&self, scope: &Scope) -> Tracker {
        Tracker {
            in_scope: self.entries.iter().map(|e| scope.takes(&e.spec)).collect(),
            matched: vec![false; self.entries.len()],
            used: vec![false; self.entries.len()],
        }
    }

    /// Judges one response (see [`Subject`]) with its `errors` (event, pointer, keyword; a
    /// stream's sequence rule is its keyword with an empty pointer), noting in `tracker` which
    /// entries matched it and which waived something. Only entries in the tracker's scope, of
    /// the subject's provider (or of none) and kind apply.
    pub fn judge(
        &self,
        tracker: &mut Tracker,
        subject: &Subject<'_>,
        errors: &[(Option<usize>, String, String)],
    ) -> Judged {
        let entries: Vec<usize> = (0..self.entries.len())
            .filter(|&i| tracker.in_scope.get(i).copied().unwrap_or(false))
            .filter(|&i| self.entries[i].applies_to(subject))
            .collect();
        for &i in &entries {
            tracker.matched[i] = true;
        }
        if errors.is_empty() {
            return Judged::Clean;
        }
        let mut unwaived = Vec::new();
        let mut waivers = Vec::new();
        for (event, pointer, keyword) in errors {
            match entries.iter().copied().find(|&i| self.entries[i].waives_at(*event, pointer, keyword)) {
                Some(i) => {
                    tracker.used[i] = true;
                    waivers.push(self.waiver(&self.entries[i]));
                }
                None => unwaived.push((pointer.clone(), keyword.clone())),
            }
        }
        if unwaived.is_empty() {
            Judged::Waived(waivers)
        } else {
            Judged::Unwaived(unwaived)
        }
    }

    fn waiver(&self, entry: &Entry) -> Waiver {
        Waiver {
            reason: entry.spec.reason.clone(),
            link: (!entry.spec.link.is_empty()).then(|| entry.spec.link.clone()),
            entry: format!("{}:{}", self.path.display(), entry.line),
        }
    }

    /// The entries of the tracker's scope that a finished run left stale (matched, waived
    /// nothing) and unmatched. Entries out of scope are never either.
    pub fn leftovers(&self, tracker: &Tracker) -> (Vec<Entry>, Vec<Entry>) {
        let mut stale = Vec::new();
        let mut unmatched = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if !tracker.in_scope.get(i).copied().unwrap_or(false) {
                continue;
            }
            if !tracker.matched[i] {
                unmatched.push(entry.clone());
            } else if !tracker.used[i] {
                stale.push(entry.clone());
            }
        }
        (stale, unmatched)
    }

    /// One message per stale or unmatched entry of `applied`, with the glob it names.
    pub fn entry_problems(&self, applied: &Applied) -> Vec<(EntryProblem, String, String)> {
        let stale = applied.stale.iter().map(|e| (EntryProblem::Stale, e));
        let unmatched = applied.unmatched.iter().map(|e| (EntryProblem::Unmatched, e));
        stale
            .chain(unmatched)
            .map(|(problem, entry)| {
                let what = match problem {
                    EntryProblem::Stale => "waives an error that no longer happens",
                    EntryProblem::Unmatched => "matches no checked file (a typo in the glob waives nothing)",
                };
                let whose = entry.spec.provider.as_ref().map(|p| format!(" [{p}]")).unwrap_or_default();
                let message = format!(
                    "{}:{}: entry{whose} {what}; {}",
                    self.path.display(),
                    entry.line,
                    self.removal_hint(entry)
                );
                (problem, entry.spec.fixtures.clone(), message)
            })
            .collect()
    }

    /// The command and edit that remove a stale or unmatched entry.
    pub fn removal_hint(&self, entry: &Entry) -> String {
        format!(
            "delete the [[expect]] entry at {}:{} (fixtures = \"{}\"), or remove it with --update-expectations",
            self.path.display(),
            entry.line,
            entry.spec.fixtures
        )
    }
}

/// The 1-based lines that open an `[[expect]]` table.
fn header_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split('#').next().unwrap_or_default();
            code.chars().filter(|c| !c.is_whitespace()).eq("[[expect]]".chars())
        })
        .map(|(i, _)| i + 1)
        .collect()
}

fn relative_to(base: &Path, file: &Path) -> String {
    let absolute = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let file = absolute(file);
    let base = absolute(base);
    file.strip_prefix(&base).unwrap_or(&file).to_string_lossy().replace('\\', "/")
}

/// What an entry is matched against: a checked file, the provider whose schema judged it, and
/// whether it is a stream transcript.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The file's path as the globs see it ([`Expectations::relative`]).
    pub relative: &'a str,
    pub provider: &'a str,
    pub stream: bool,
}

impl Entry {
    fn applies_to(&self, subject: &Subject<'_>) -> bool {
        self.spec.provider.as_deref().is_none_or(|p| p == subject.provider)
            && self.spec.is_stream() == subject.stream
            && self.matcher.is_match(subject.relative)
    }

    /// A rule entry waives that rule (an error with an empty pointer and the rule as keyword);
    /// an entry with `event` waives only at that event.
    fn waives_at(&self, event: Option<usize>, pointer: &str, keyword: &str) -> bool {
        if self.spec.event.is_some() && self.spec.event != event {
            return false;
        }
        self.names(pointer, keyword)
    }

    /// Whether the entry names this error (any event), or every error.
    fn names(&self, pointer: &str, keyword: &str) -> bool {
        match (&self.spec.rule, &self.spec.pointer, &self.spec.keyword) {
            (Some(rule), _, _) => pointer.is_empty() && rule == keyword,
            (None, Some(p), Some(k)) => p == pointer && k == keyword,
            _ => true,
        }
    }
}

/// The waivable errors of a corpus run (fixtures or transcripts): each valid one
/// with the errors that make it fail (an empty list when it passes), as pointer +
/// keyword; a transcript's sequence rule is its keyword, with an empty pointer.
/// Other failures (bad input, a missing sidecar, an invalid fixture's mismatch)
/// are never waivable.
pub fn fixture_errors<T>(
    results: &[(crate::corpus::Fixture, Result<T, crate::corpus::FixtureError>)],
) -> Vec<Outcome> {
    use crate::corpus::{ExpectedError, FixtureError, FixtureKind, Validity};
    let triple =
        |e: &ExpectedError| (e.event, e.pointer.clone(), e.rule.clone().unwrap_or_else(|| e.keyword.clone()));
    results
        .iter()
        .filter(|(fixture, _)| fixture.validity == Validity::Valid)
        .filter_map(|(fixture, outcome)| {
            let errors = match outcome {
                Ok(_) => Vec::new(),
                Err(FixtureError::Mismatch(mismatch)) => mismatch.unexpected.iter().map(triple).collect(),
                Err(FixtureError::Transcript(mismatch)) => mismatch.unexpected.iter().map(triple).collect(),
                Err(_) => return None,
            };
            Some(Outcome {
                file: fixture.body.clone(),
                provider: fixture.provider.clone(),
                stream: fixture.kind == FixtureKind::Transcript,
                errors,
            })
        })
        .collect()
}

/// Applies the expectations file beside a corpus (or the one `$CHATCOMPAT_EXPECTATIONS`
/// names) to a run's waivable errors, every entry in scope; `Ok(None)` when there is no file.
pub fn apply_beside(
    corpus_root: &Path,
    outcomes: &[Outcome],
) -> Result<Option<(Expectations, Applied)>, ExpectationsError> {
    let Some(path) = Expectations::find(corpus_root) else { return Ok(None) };
    let expectations = Expectations::load(&path)?;
    let applied = expectations.apply(&Scope::all(), outcomes);
    Ok(Some((expectations, applied)))
}

/// Which entries a run matched and used; see [`Expectations::tracker`].
#[derive(Debug, Clone, Default)]
pub struct Tracker {
    in_scope: Vec<bool>,
    matched: Vec<bool>,
    used: Vec<bool>,
}

impl Tracker {
    /// Takes in what another tracker of the same expectations saw (for runs split across threads).
    pub fn merge(&mut self, other: &Tracker) {
        for (mine, theirs) in self.matched.iter_mut().zip(&other.matched) {
            *mine |= theirs;
        }
        for (mine, theirs) in self.used.iter_mut().zip(&other.used) {
            *mine |= theirs;
        }
    }
}

/// How one response stands once expectations are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// No errors.
    Clean,
    /// Every error is waived: an expected failure, with the waiver of each error, in order.
    Waived(Vec<Waiver>),
    /// These errors are not waived.
    Unwaived(Vec<(String, String)>),
}

/// Why an entry fails the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryProblem {
    /// It matched files, but none of them has the error it waives any more.
    Stale,
    /// Its glob matched no checked file.
    Unmatched,
}

impl EntryProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryProblem::Stale => "stale",
            EntryProblem::Unmatched => "unmatched",
        }
    }
}

/// What applying expectations to a run found.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// Files whose every error is waived: shown as "expected failure", they pass.
    pub expected_failures: Vec<PathBuf>,
    /// Files with errors no entry waives, with those errors.
    pub still_failing: Vec<(PathBuf, Vec<(String, String)>)>,
    /// Entries that matched files but waived nothing: the deviation is gone.
    pub stale: Vec<Entry>,
    /// Entries whose glob matched no checked file.
    pub unmatched: Vec<Entry>,
}

impl Applied {
    /// Whether the run passes once expectations are applied.
    pub fn passed(&self) -> bool {
        self.still_failing.is_empty() && self.stale.is_empty() && self.unmatched.is_empty()
    }
}

/// What [`update`] did to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Updated {
    /// Entries kept as they were (in scope and still waiving something, or out of the run's scope).
    pub kept: usize,
    /// Entries removed: in scope, and stale or unmatched in this run (`path:line`, glob).
    pub removed: Vec<(String, String)>,
    /// Entries added for errors nothing waived.
    pub added: usize,
    /// The file could not be edited in place (its entries are not each under its own
    /// `[[expect]]` line), so it was written anew, without its comments.
    pub rewritten: bool,
}

/// Makes the expectations file at `path` fit a run (`scope`, `outcomes`), changing only what
/// must change:
///
/// - every entry out of the run's scope (another provider's, or for the other kind of input)
///   is kept, and so is every entry in scope that still waives something: word for word, with
///   its glob, comments and place in the file;
/// - an entry in scope that is stale or matches no checked file is removed (with the comment
///   lines directly above its `[[expect]]`);
/// - each error no entry waives gets a new entry at the end, one per file, provider and error,
///   naming its `provider` (and `stream = true` for a transcript), sorted. A new entry takes
///   the reason and link of a removed one that named the same error of the same file (an
///   entry pinned to an event the error moved from); else [`REASON_TODO`].
///
/// After it, the same run passes with the file, and a second update changes nothing.
pub fn update(
    path: &Path,
    existing: Option<&Expectations>,
    scope: &Scope,
    outcomes: &[Outcome],
) -> Result<Updated, ExpectationsError> {
    let base = folder_of(path);
    let mut tracker = existing.map(|e| e.tracker(scope)).unwrap_or_default();
    // New entries: (fixtures, provider, stream, pointer, keyword).
    let mut wanted: BTreeSet<(String, String, bool, String, String)> = BTreeSet::new();
    for outcome in outcomes {
        let relative = relative_to(&base, &outcome.file);
        let unwaived: Vec<(String, String)> = match existing {
            Some(expectations) => {
                let subject = Subject {
                    relative: &expectations.relative(&outcome.file),
                    provider: &outcome.provider,
                    stream: outcome.stream,
                };
                match expectations.judge(&mut tracker, &subject, &outcome.errors) {
                    Judged::Unwaived(unwaived) => unwaived,
                    Judged::Clean | Judged::Waived(_) => Vec::new(),
                }
            }
            None => outcome.errors.iter().map(|(_, p, k)| (p.clone(), k.clone())).collect(),
        };
        for (pointer, keyword) in unwaived {
            wanted.insert((relative.clone(), outcome.provider.clone(), outcome.stream, pointer, keyword));
        }
    }
    let (stale, unmatched) = existing.map(|e| e.leftovers(&tracker)).unwrap_or_default();
    let removed_lines: BTreeSet<usize> = stale.iter().chain(&unmatched).map(|e| e.line).collect();
    let removed: Vec<&Entry> = existing
        .map(|e| e.entries.iter().filter(|entry| removed_lines.contains(&entry.line)).collect())
        .unwrap_or_default();

    let mut added = String::new();
    for (fixtures, provider, stream, pointer, keyword) in &wanted {
        let file = base.join(fixtures);
        let heir = existing.and_then(|e| {
            removed.iter().find(|entry| {
                entry.matcher.is_match(e.relative(&file))
                    && entry.spec.provider.as_ref().is_none_or(|p| p == provider)
                    && entry.names(pointer, keyword)
                    && (entry.spec.pointer.is_some() || entry.spec.rule.is_some())
            })
        });
        let (reason, link) = heir.map_or_else(
            || (REASON_TODO.to_string(), String::new()),
            |entry| (entry.spec.reason.clone(), entry.spec.link.clone()),
        );
        // A stream's sequence rule comes as its name with an empty pointer: a `rule` entry.
        let rule = pointer.is_empty().then(|| keyword.clone());
        let spec = EntrySpec {
            // The path as a glob that matches it alone: `[`, `]`, `*`, `?`, `{` and `}` are legal in a
            // file name and would otherwise match other files, or none (`a[1].json` matches `a1.json`).
            fixtures: globset::escape(fixtures),
            provider: Some(provider.clone()),
            stream: stream.then_some(true),
            pointer: rule.is_none().then(|| pointer.clone()),
            keyword: rule.is_none().then(|| keyword.clone()),
            rule,
            event: None,
            outcome: default_outcome(),
            reason,
            link,
        };
        let _ = write!(added, "\n[[expect]]\n{}", spec.to_toml());
    }

    let mut updated = Updated {
        kept: existing.map_or(0, |e| e.entries.len() - removed.len()),
        removed: removed
            .iter()
            .map(|e| (format!("{}:{}", path.display(), e.line), e.spec.fixtures.clone()))
            .collect(),
        added: wanted.len(),
        rewritten: false,
    };
    let mut text = match existing {
        Some(expectations) if expectations.blocks => cut(&expectations.text, &removed_lines),
        Some(expectations) => {
            updated.rewritten = true;
            let mut text = String::from(HEADER);
            for entry in expectations.entries.iter().filter(|e| !removed_lines.contains(&e.line)) {
                let _ = write!(text, "\n[[expect]]\n{}", entry.spec.to_toml());
            }
            text
        }
        None => String::from(HEADER),
    };
    if !added.is_empty() && !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&added);
    fs::write(path, text).map_err(|err| ExpectationsError {
        path: path.to_path_buf(),
        position: Position::START,
        message: format!("cannot write: {err}"),
    })?;
    Ok(updated)
}

/// The first lines of a file `update` writes.
const HEADER: &str = "# Known deviations that chatcompat accepts as expected failures.\n\
                      # An entry that stops matching fails the run: remove it when the deviation is fixed.\n\
                      # Format: README.md, \"Use chatcompat in your SDK's CI\".\n";

/// `text` without the entries whose `[[expect]]` header is on one of `lines`: each from the
/// comment lines directly above its header (no blank line between) to the next entry's start.
fn cut(text: &str, lines: &BTreeSet<usize>) -> String {
    if lines.is_empty() {
        return text.to_string();
    }
    let all: Vec<&str> = text.split_inclusive('\n').collect();
    let headers = header_lines(text);
    let is_comment = |i: usize| all.get(i).is_some_and(|l| l.trim_start().starts_with('#'));
    // Each entry's first line (0-based), taking the comments directly above its header.
    let starts: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(n, &header)| {
            let floor = if n == 0 { 0 } else { headers[n - 1] };
            let mut start = header - 1;
            while start > floor && is_comment(start - 1) {
                start -= 1;
            }
            start
        })
        .collect();
    let mut drop = vec![false; all.len()];
    for (n, &header) in headers.iter().enumerate() {
        if lines.contains(&header) {
            let end = starts.get(n + 1).copied().unwrap_or(all.len());
            for flag in &mut drop[starts[n]..end] {
                *flag = true;
            }
        }
    }
    let kept: String = all.iter().zip(drop).filter(|(_, dropped)| !dropped).map(|(line, _)| *line).collect();
    // Cutting the last entry leaves the blank line that separated it.
    format!("{}\n", kept.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join(FILE_NAME);
        fs::write(&path, text).unwrap();
        path
    }

    fn body(dir: &Path, file: &str, provider: &str, errors: &[(&str, &str)]) -> Outcome {
        let errors: Vec<(String, String)> =
            errors.iter().map(|(p, k)| (p.to_string(), k.to_string())).collect();
        Outcome::body(dir.join(file), provider, &errors)
    }

    fn errors(dir: &Path, file: &str, errors: &[(&str, &str)]) -> Outcome {
        body(dir, file, "openai", errors)
    }

    fn openai() -> Scope {
        Scope::bodies(&["openai".to_string()])
    }

    #[test]
    fn waived_errors_pass_as_expected_failures_and_stale_entries_fail() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "[[expect]]\nfixtures = \"a/*.json\"\npointer = \"/service_tier\"\nkeyword = \"enum\"\nreason = \"sends on_demand\"\n\n\
             [[expect]]\nfixtures = \"b.json\"\nreason = \"all of b\"\n\n\
             [[expect]]\nfixtures = \"c.json\"\nreason = \"fixed upstream\"\n\n\
             [[expect]]\nfixtures = \"typo/*.json\"\nreason = \"matches nothing\"\n",
        );
        let expectations = Expectations::load(&path).unwrap();
        let run = vec![
            errors(dir.path(), "a/one.json", &[("/service_tier", "enum")]),
            errors(dir.path(), "a/two.json", &[("/service_tier", "enum"), ("/id", "required")]),
            errors(dir.path(), "b.json", &[("/x", "type")]),
            errors(dir.path(), "c.json", &[]),
        ];
        let applied = expectations.apply(&openai(), &run);
        assert_eq!(applied.expected_failures, [dir.path().join("a/one.json"), dir.path().join("b.json")]);
        assert_eq!(applied.still_failing.len(), 1);
        assert_eq!(applied.still_failing[0].1, [("/id".to_string(), "required".to_string())]);
        assert_eq!(applied.stale.iter().map(|e| e.line).collect::<Vec<_>>(), [11]);
        assert_eq!(
            applied.unmatched.iter().map(|e| e.spec.fixtures.as_str()).collect::<Vec<_>>(),
            ["typo/*.json"]
        );
        assert!(!applied.passed());
        assert!(expectations.removal_hint(&applied.stale[0]).contains(":11 (fixtures = \"c.json\")"));
    }

    #[test]
    fn a_waiver_carries_the_entrys_reason_link_and_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "# tiers\n[[expect]]\nfixtures = \"*.json\"\nreason = \"on_demand\"\nlink = \"https://example.invalid/1\"\n",
        );
        let expectations = Expectations::load(&path).unwrap();
        let mut tracker = expectations.tracker(&openai());
        let subject = Subject { relative: "a.json", provider: "openai", stream: false };
        let judged = expectations.judge(&mut tracker, &subject, &[(None, "/x".into(), "type".into())]);
        let Judged::Waived(waivers) = judged else { panic!("{judged:?}") };
        assert_eq!(waivers[0].to_string(), "on_demand (https://example.invalid/1)");
        assert_eq!(waivers[0].entry, format!("{}:2", path.display()));
    }

    #[test]
    fn a_run_uses_only_the_entries_of_the_providers_and_kind_it_checks() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "[[expect]]\nfixtures = \"or/*.json\"\nprovider = \"openrouter\"\nreason = \"r\"\n\n\
             [[expect]]\nfixtures = \"oa/*.json\"\nprovider = \"openai\"\nreason = \"r\"\n\n\
             [[expect]]\nfixtures = \"*.sse\"\nstream = true\nrule = \"usage-lost\"\nreason = \"r\"\n\n\
             [[expect]]\nfixtures = \"**\"\npointer = \"/x\"\nkeyword = \"type\"\nreason = \"any provider\"\n\n\
             [[expect]]\nfixtures = \"**\"\nstream = true\npointer = \"/x\"\nkeyword = \"type\"\nreason = \"any stream\"\n",
        );
        let expectations = Expectations::load(&path).unwrap();
        // An openai run: the openrouter and stream entries are left alone, not reported.
        let run = vec![
            errors(dir.path(), "oa/1.json", &[("/a", "enum")]),
            errors(dir.path(), "x.json", &[("/x", "type")]),
        ];
        let applied = expectations.apply(&openai(), &run);
        assert!(applied.passed(), "{applied:?}");
        // The openai entry does not waive openrouter's errors of its files (`--against openrouter`).
        let both = Scope::bodies(&["openai".to_string(), "openrouter".to_string()]);
        let run = vec![
            errors(dir.path(), "oa/1.json", &[("/a", "enum")]),
            body(dir.path(), "oa/1.json", "openrouter", &[("/a", "enum")]),
            body(dir.path(), "or/1.json", "openrouter", &[("/b", "type")]),
            errors(dir.path(), "x.json", &[("/x", "type")]),
        ];
        let applied = expectations.apply(&both, &run);
        assert_eq!(
            applied.still_failing,
            [(dir.path().join("oa/1.json"), vec![("/a".into(), "enum".into())])]
        );
        assert!(applied.stale.is_empty() && applied.unmatched.is_empty(), "{applied:?}");
        // A stream run: only the stream entries apply (the last one is stale: no /x here).
        let stream = Outcome {
            file: dir.path().join("s.sse"),
            provider: "openai".into(),
            stream: true,
            errors: vec![(Some(6), String::new(), "usage-lost".into())],
        };
        let applied = expectations.apply(&Scope::transcripts(&["openai".to_string()]), &[stream]);
        assert_eq!(applied.expected_failures.len(), 1);
        assert_eq!(applied.stale.iter().map(|e| e.line).collect::<Vec<_>>(), [23], "{applied:?}");
        assert!(applied.unmatched.is_empty(), "{applied:?}");
    }

    #[test]
    fn update_writes_a_file_after_which_the_run_passes_and_is_stable() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "[[expect]]\nfixtures = \"a/*.json\"\nreason = \"kept reason\"\nlink = \"https://example.invalid/1\"\n",
        );
        let run = vec![
            errors(dir.path(), "a/one.json", &[("/service_tier", "enum")]),
            errors(dir.path(), "z.json", &[("/usage", "required")]),
            errors(dir.path(), "ok.json", &[]),
        ];
        let existing = Expectations::load(&path).unwrap();
        let updated = update(&path, Some(&existing), &openai(), &run).unwrap();
        assert_eq!((updated.kept, updated.added, updated.removed.len()), (1, 1, 0));
        let first = fs::read_to_string(&path).unwrap();
        assert!(
            first.starts_with("[[expect]]\nfixtures = \"a/*.json\"\nreason = \"kept reason\""),
            "{first}"
        );
        assert!(
            first.contains("fixtures = \"z.json\"\nprovider = \"openai\"\npointer = \"/usage\""),
            "{first}"
        );
        assert!(first.contains(REASON_TODO), "{first}");
        let rewritten = Expectations::load(&path).unwrap();
        assert!(rewritten.apply(&openai(), &run).passed());
        update(&path, Some(&rewritten), &openai(), &run).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), first, "a second run changes nothing");
    }

    /// Found by `fuzz/` (target `expectations`): a file named `[x]y.json` was written as the glob
    /// `[x]y.json`, which matches `xy.json` only, so the entry `--update-expectations` wrote was unmatched
    /// and its own run still failed. Every glob metacharacter a file name may hold is escaped now.
    #[test]
    fn update_escapes_glob_characters_in_file_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let names = ["[x]y.json", "a*.json", "q?.json", "{a,b}.json", "b]{.json", "plain.json"];
        let run: Vec<_> = names.iter().map(|name| errors(dir.path(), name, &[("/id", "type")])).collect();
        // A file the unescaped globs would have matched too: it must stay failing.
        let other = errors(dir.path(), "xy.json", &[("/id", "type")]);
        update(&path, None, &openai(), &run).unwrap();
        let written = Expectations::load(&path).unwrap();
        assert!(written.apply(&openai(), &run).passed(), "{}", fs::read_to_string(&path).unwrap());
        let mut with_other = run.clone();
        with_other.push(other.clone());
        let failing = written.apply(&openai(), &with_other).still_failing;
        assert_eq!(failing.iter().map(|(file, _)| file).collect::<Vec<_>>(), [&other.file]);
    }

    /// Found by `fuzz/` (target `expectations`): a pointer with a DEL character was written as a JSON
    /// string literal, which TOML refuses, so the file `--update-expectations` wrote did not load.
    #[test]
    fn update_writes_strings_toml_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let pointer = "/a\u{7f}b\u{0}c\"d\\e\tf\r\u{1b}g\u{85}h";
        let run = vec![errors(dir.path(), "x\u{7f}.json", &[(pointer, "type\u{7f}")])];
        update(&path, None, &openai(), &run).unwrap();
        let written = Expectations::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(written.entries[0].spec.pointer.as_deref(), Some(pointer));
        assert!(written.apply(&openai(), &run).passed());
    }

    #[test]
    fn update_keeps_other_providers_comments_and_globs_and_cuts_only_what_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let text = "# Our gateway's known deviations.\n\n\
                    # The tier names are the gateway's.\n\
                    [[expect]]\nfixtures = \"oa/tier-*.json\"\nprovider = \"openai\"\npointer = \"/service_tier\"\nkeyword = \"enum\"\nreason = \"tiers\"\nlink = \"https://example.invalid/1\"\n\n\
                    # Fixed in 2.1: should go.\n\
                    [[expect]]\nfixtures = \"or/old-*.json\"\nprovider = \"openrouter\"\nreason = \"old\"\n\n\
                    [[expect]]\nfixtures = \"or/new-*.json\"\nprovider = \"openrouter\"\nreason = \"new\"   # inline comment\n";
        let path = write(dir.path(), text);
        let existing = Expectations::load(&path).unwrap();
        let run = vec![
            body(dir.path(), "or/old-1.json", "openrouter", &[]),
            body(dir.path(), "or/new-1.json", "openrouter", &[("/a", "type")]),
            body(dir.path(), "or/new-2.json", "openrouter", &[("/a", "type")]),
            body(dir.path(), "or/other.json", "openrouter", &[("/usage", "required")]),
        ];
        let openrouter = Scope::bodies(&["openrouter".to_string()]);
        let updated = update(&path, Some(&existing), &openrouter, &run).unwrap();
        assert_eq!(updated.removed, [(format!("{}:13", path.display()), "or/old-*.json".to_string())]);
        assert_eq!((updated.kept, updated.added, updated.rewritten), (2, 1, false));
        let after = fs::read_to_string(&path).unwrap();
        let expected_head = text.replace(
            "# Fixed in 2.1: should go.\n[[expect]]\nfixtures = \"or/old-*.json\"\nprovider = \"openrouter\"\nreason = \"old\"\n\n",
            "",
        );
        assert!(after.starts_with(&expected_head), "{after}");
        assert!(after.ends_with(&format!(
            "\n[[expect]]\nfixtures = \"or/other.json\"\nprovider = \"openrouter\"\npointer = \"/usage\"\nkeyword = \"required\"\noutcome = \"violates\"\nreason = \"{REASON_TODO}\"\n"
        )), "{after}");
        assert!(Expectations::load(&path).unwrap().apply(&openrouter, &run).passed());
    }

    #[test]
    fn a_new_entry_inherits_the_reason_of_the_one_pinned_to_an_event_that_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "[[expect]]\nfixtures = \"s.sse\"\nrule = \"usage-lost\"\nevent = 2\nreason = \"known\"\nlink = \"https://example.invalid/2\"\n",
        );
        let existing = Expectations::load(&path).unwrap();
        let run = vec![Outcome {
            file: dir.path().join("s.sse"),
            provider: "openai".into(),
            stream: true,
            errors: vec![(Some(6), String::new(), "usage-lost".into())],
        }];
        let scope = Scope::transcripts(&["openai".to_string()]);
        let updated = update(&path, Some(&existing), &scope, &run).unwrap();
        assert_eq!((updated.removed.len(), updated.added), (1, 1));
        let after = fs::read_to_string(&path).unwrap();
        assert!(after.contains("stream = true\nrule = \"usage-lost\""), "{after}");
        assert!(after.contains("reason = \"known\"\nlink = \"https://example.invalid/2\""), "{after}");
        assert!(!after.contains("event = 2"), "{after}");
    }

    #[test]
    fn malformed_files_name_the_place() {
        let dir = tempfile::tempdir().unwrap();
        for (text, fragment) in [
            ("[[expect]]\nfixtures = \"x\"\n", "missing field `reason`"),
            (
                "[[expect]]\nfixtures = \"x\"\nreason = \"r\"\npointer = \"/a\"\n",
                "both `pointer` and `keyword`",
            ),
            ("[[expect]]\nfixtures = \"a[\"\nreason = \"r\"\n", "bad glob"),
            ("[[expect]]\nfixtures = \"x\"\nreason = \"r\"\noutcome = \"passes\"\n", "unknown outcome"),
            (
                "[[expect]]\nfixtures = \"x\"\nreason = \"r\"\nrule = \"usage-lost\"\nstream = false\n",
                "not `stream = false`",
            ),
            ("expect = 3\n", "malformed expectations file"),
        ] {
            let err = Expectations::load(&write(dir.path(), text)).unwrap_err().to_string();
            assert!(err.contains(fragment), "{text:?} → {err}");
            assert!(err.contains(FILE_NAME), "{err}");
        }
    }
}

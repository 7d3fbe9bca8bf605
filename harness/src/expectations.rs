//! Expectations: the file a user keeps to waive known deviations, and the rule
//! that a waiver which no longer matches anything fails the run.
//!
//! `chatcompat-expectations.toml` holds `[[expect]]` entries: a glob over file
//! paths (relative to the file's own folder), optionally one error (pointer +
//! keyword), a reason and a link. Applying it to a run's violations sorts each
//! failing response into "expected failure" or "still failing", and reports
//! entries that are stale (their error no longer happens) or match no file at
//! all (a typo must not silently waive nothing), so waivers cannot rot.

use std::{
    collections::BTreeSet,
    fmt::Write as _,
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
    /// The expected outcome; only `violates` is defined today.
    #[serde(default = "default_outcome")]
    pub outcome: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub link: String,
}

impl EntrySpec {
    /// The entry's keys as TOML lines, in the order they are documented (absent optional keys and an
    /// empty `link` left out). Written by hand so that the core library needs no TOML writer; a JSON
    /// string literal is a valid TOML basic string.
    pub fn to_toml(&self) -> String {
        let quoted = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string());
        let mut lines = vec![format!("fixtures = {}", quoted(&self.fixtures))];
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
        let headers: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, line)| line.trim_start().starts_with("[[expect]]"))
            .map(|(i, _)| i + 1)
            .collect();
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
            if spec.outcome != "violates" {
                return Err(error(at, format!("unknown outcome `{}` (expected `violates`)", spec.outcome)));
            }
            if spec.reason.trim().is_empty() {
                return Err(error(at, "an entry needs a `reason`".into()));
            }
            let matcher = Glob::new(&spec.fixtures)
                .map_err(|err| error(at, format!("bad glob `{}`: {err}", spec.fixtures)))?
                .compile_matcher();
            entries.push(Entry { spec, line, matcher });
        }
        Ok(Expectations { path: path.to_path_buf(), base: folder_of(path), entries })
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
        let absolute = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let file = absolute(file);
        let base = absolute(&self.base);
        file.strip_prefix(&base).unwrap_or(&file).to_string_lossy().replace('\\', "/")
    }

    /// Applies the entries to a run: `results` is every checked file (its path
    /// and its errors as pointer + keyword; an empty list for a passing file).
    pub fn apply(&self, results: &[(PathBuf, Vec<(String, String)>)]) -> Applied {
        let mut applied = Applied::default();
        let mut tracker = self.tracker();
        for (file, errors) in results {
            match self.judge(&mut tracker, &self.relative(file), errors) {
                Judged::Clean => {}
                Judged::Waived { .. } => applied.expected_failures.push(file.clone()),
                Judged::Unwaived(unwaived) => applied.still_failing.push((file.clone(), unwaived)),
            }
        }
        (applied.stale, applied.unmatched) = self.leftovers(&tracker);
        applied
    }

    /// A fresh record of which entries a run has matched and used.
    pub fn tracker(&self) -> Tracker {
        Tracker { matched: vec![false; self.entries.len()], used: vec![false; self.entries.len()] }
    }

    /// Judges one response of the file at `relative` (see [`Expectations::relative`])
    /// with its `errors` (pointer, keyword), noting in `tracker` which entries matched it
    /// and which waived something.
    pub fn judge(&self, tracker: &mut Tracker, relative: &str, errors: &[(String, String)]) -> Judged {
        let errors: Vec<(Option<usize>, String, String)> =
            errors.iter().map(|(pointer, keyword)| (None, pointer.clone(), keyword.clone())).collect();
        self.judge_events(tracker, relative, &errors)
    }

    /// As [`Expectations::judge`], for a stream transcript's errors: `(event, pointer, keyword)`,
    /// where a sequence rule is its keyword with an empty pointer.
    pub fn judge_events(
        &self,
        tracker: &mut Tracker,
        relative: &str,
        errors: &[(Option<usize>, String, String)],
    ) -> Judged {
        let entries: Vec<usize> =
            (0..self.entries.len()).filter(|&i| self.entries[i].matcher.is_match(relative)).collect();
        for &i in &entries {
            tracker.matched[i] = true;
        }
        if errors.is_empty() {
            return Judged::Clean;
        }
        let mut unwaived = Vec::new();
        let mut reason = None;
        for (event, pointer, keyword) in errors {
            match entries.iter().copied().find(|&i| self.entries[i].waives_at(*event, pointer, keyword)) {
                Some(i) => {
                    tracker.used[i] = true;
                    reason.get_or_insert_with(|| self.entries[i].spec.reason.clone());
                }
                None => unwaived.push((pointer.clone(), keyword.clone())),
            }
        }
        match reason {
            Some(reason) if unwaived.is_empty() => Judged::Waived { reason },
            _ => Judged::Unwaived(unwaived),
        }
    }

    /// The entries a finished run left stale (matched, waived nothing) and unmatched.
    pub fn leftovers(&self, tracker: &Tracker) -> (Vec<Entry>, Vec<Entry>) {
        let mut stale = Vec::new();
        let mut unmatched = Vec::new();
        for (i, entry) in self.entries.iter().enumerate() {
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
                let message = format!(
                    "{}:{}: entry {what}; {}",
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
            "delete the [[expect]] entry at {}:{} (fixtures = \"{}\"), or rewrite the file from this run with --update-expectations",
            self.path.display(),
            entry.line,
            entry.spec.fixtures
        )
    }
}

impl Entry {
    fn waives(&self, pointer: &str, keyword: &str) -> bool {
        self.waives_at(None, pointer, keyword)
    }

    /// A rule entry waives that rule (an error with an empty pointer and the rule as keyword);
    /// an entry with `event` waives only at that event.
    fn waives_at(&self, event: Option<usize>, pointer: &str, keyword: &str) -> bool {
        if self.spec.event.is_some() && self.spec.event != event {
            return false;
        }
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
) -> Vec<(PathBuf, Vec<(String, String)>)> {
    use crate::corpus::{ExpectedError, FixtureError, Validity};
    let pair = |e: &ExpectedError| (e.pointer.clone(), e.rule.clone().unwrap_or_else(|| e.keyword.clone()));
    results
        .iter()
        .filter(|(fixture, _)| fixture.validity == Validity::Valid)
        .filter_map(|(fixture, outcome)| match outcome {
            Ok(_) => Some((fixture.body.clone(), Vec::new())),
            Err(FixtureError::Mismatch(mismatch)) => {
                Some((fixture.body.clone(), mismatch.unexpected.iter().map(pair).collect()))
            }
            Err(FixtureError::Transcript(mismatch)) => {
                Some((fixture.body.clone(), mismatch.unexpected.iter().map(pair).collect()))
            }
            Err(_) => None,
        })
        .collect()
}

/// Applies the expectations file beside a corpus (or the one `$CHATCOMPAT_EXPECTATIONS`
/// names) to a run's waivable errors; `Ok(None)` when there is no file.
pub fn apply_beside(
    corpus_root: &Path,
    errors: &[(PathBuf, Vec<(String, String)>)],
) -> Result<Option<(Expectations, Applied)>, ExpectationsError> {
    let Some(path) = Expectations::find(corpus_root) else { return Ok(None) };
    let expectations = Expectations::load(&path)?;
    let applied = expectations.apply(errors);
    Ok(Some((expectations, applied)))
}

/// Which entries a run matched and used; see [`Expectations::tracker`].
#[derive(Debug, Clone, Default)]
pub struct Tracker {
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
    /// Every error is waived: an expected failure, with the first waiving entry's reason.
    Waived { reason: String },
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

/// Writes the expectations that make `results` pass: one entry per error of
/// every failing file, keeping the reason and link of any existing entry that
/// already waived it. Entries are sorted, so a second run writes the same file.
pub fn update(
    path: &Path,
    existing: Option<&Expectations>,
    results: &[(PathBuf, Vec<(String, String)>)],
) -> Result<usize, ExpectationsError> {
    let relative_to = Expectations { path: path.to_path_buf(), base: folder_of(path), entries: Vec::new() };
    let mut specs: BTreeSet<(String, String, String, String, String)> = BTreeSet::new();
    for (file, errors) in results {
        let relative = relative_to.relative(file);
        for (pointer, keyword) in errors {
            let kept = existing.and_then(|e| {
                e.entries
                    .iter()
                    .find(|entry| entry.matcher.is_match(e.relative(file)) && entry.waives(pointer, keyword))
            });
            let (reason, link) = kept.map_or_else(
                || (REASON_TODO.to_string(), String::new()),
                |entry| (entry.spec.reason.clone(), entry.spec.link.clone()),
            );
            specs.insert((relative.clone(), pointer.clone(), keyword.clone(), reason, link));
        }
    }
    let mut text = String::from(
        "# Known deviations that chatcompat accepts as expected failures.\n\
         # An entry that stops matching fails the run: remove it when the deviation is fixed.\n",
    );
    for (fixtures, pointer, keyword, reason, link) in &specs {
        // A stream's sequence rule comes as its name with an empty pointer: a `rule` entry.
        let rule = pointer.is_empty().then(|| keyword.clone());
        let spec = EntrySpec {
            fixtures: fixtures.clone(),
            pointer: rule.is_none().then(|| pointer.clone()),
            keyword: rule.is_none().then(|| keyword.clone()),
            rule,
            event: None,
            outcome: default_outcome(),
            reason: reason.clone(),
            link: link.clone(),
        };
        let _ = write!(text, "\n[[expect]]\n{}", spec.to_toml());
    }
    fs::write(path, text).map_err(|err| ExpectationsError {
        path: path.to_path_buf(),
        position: Position::START,
        message: format!("cannot write: {err}"),
    })?;
    Ok(specs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join(FILE_NAME);
        fs::write(&path, text).unwrap();
        path
    }

    fn errors(dir: &Path, file: &str, errors: &[(&str, &str)]) -> (PathBuf, Vec<(String, String)>) {
        (dir.join(file), errors.iter().map(|(p, k)| (p.to_string(), k.to_string())).collect())
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
        let applied = expectations.apply(&run);
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
        assert_eq!(update(&path, Some(&existing), &run).unwrap(), 2);
        let first = fs::read_to_string(&path).unwrap();
        assert!(first.contains("reason = \"kept reason\""), "{first}");
        assert!(first.contains(REASON_TODO), "{first}");
        let rewritten = Expectations::load(&path).unwrap();
        assert!(rewritten.apply(&run).passed());
        update(&path, Some(&rewritten), &run).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), first, "a second run changes nothing");
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
            ("expect = 3\n", "malformed expectations file"),
        ] {
            let err = Expectations::load(&write(dir.path(), text)).unwrap_err().to_string();
            assert!(err.contains(fragment), "{text:?} → {err}");
            assert!(err.contains(FILE_NAME), "{err}");
        }
    }
}

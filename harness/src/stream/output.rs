//! Reads transcripts for `chatcompat check --stream` and renders what checking
//! them found, in the four formats of [`crate::format`].
//!
//! A transcript is checked as a whole (its sequence rules need every event), so
//! this is not [`crate::check::Checker`]'s batch pipeline: each input (a `.sse`
//! file, a folder walked for `*.sse`, or standard input) is read, checked
//! against each provider's stream schemas, and rendered.
//!
//! Every format shows the three severities apart: an *error* (the provider's
//! SDK raises: the transcript fails), a *loss* (the SDK reads the stream but
//! loses something: fails under `--strict`) and a *note* (a breach of the
//! documented shape the SDK does not notice). In `human`, errors and losses have
//! the source line under them ([`crate::locate::excerpt`], as for bodies) and a
//! note shared by several providers is printed once, naming them all.
//!
//! # The `json` format
//!
//! One object per line, per transcript and per provider, with the keys of the
//! body format: `file`, `line` (always `null`), `schema`, `status` (`pass`,
//! `fail`, `error`), `verdict`, `violations`, `extensions`, `error`; plus the
//! stream's own: `events`, `chunks`, `done`, `losses` (how many), `notes`,
//! `waived` (`null`, or the waiving expectations' reasons and links as one line,
//! `reason (link); …`). `violations` holds the errors and losses, `notes` the
//! notes, each `{event, rule, severity, pointer, keyword, expected, actual, line,
//! column, message, waiver}` (`rule` for a sequence rule, `pointer`/`keyword` for
//! a schema violation; the others `null`; `waiver` is `null` or the expectation
//! that waives this finding, `{reason, link, entry}`); `extensions` the
//! undocumented fields' pointers, and `extension_events` `[{event, pointer}]`.
//! Keys may be added.

use std::{
    io::{self, Read, Write},
    path::PathBuf,
};

use serde::Serialize;

use super::{check_transcript, Finding, FindingKind, Severity, StreamSchemas, TranscriptReport};
use crate::{
    check::{Input, Status, STDIN_NAME},
    expectations::{self, Applied, EntryProblem, Expectations, Judged, Scope, Subject, Waiver},
    format::{github_data, github_property, skipped_line, xml_escape, xml_text, Format},
    input::{self, Entry, Filter, Item},
    verdict::Verdict,
};

/// One input transcript and what each provider's schemas found in it.
#[derive(Debug, Clone)]
pub struct TranscriptResult {
    /// The path as given or found, or `<stdin>`.
    pub file: String,
    /// One report per provider, in the order given; `Err` when the input could not be read.
    pub outcome: Result<Vec<TranscriptReport>, String>,
    /// The transcript with every line end made `\n` (for source excerpts).
    pub text: String,
    /// Per provider: when an expectations file waives every failing finding, the waiver of
    /// each, in the order of [`TranscriptResult::failing`].
    pub waived: Vec<Option<Vec<Waiver>>>,
}

impl TranscriptResult {
    /// Whether every provider's reading passed (with `strict`, also without losses and extensions),
    /// counting a waived provider as passed.
    pub fn passed(&self, strict: bool) -> bool {
        match &self.outcome {
            Ok(reports) => reports.iter().enumerate().all(|(at, r)| self.provider_passed(at, r, strict)),
            Err(_) => false,
        }
    }

    fn provider_passed(&self, at: usize, report: &TranscriptReport, strict: bool) -> bool {
        report.passes(strict) || self.waived.get(at).is_some_and(Option::is_some)
    }

    /// The findings that make provider `at` fail (errors; with `strict`, losses too) as
    /// `(event, pointer, keyword or rule)`: what an expectations file waives.
    pub fn failing(&self, at: usize, strict: bool) -> Vec<(Option<usize>, String, String)> {
        let Ok(reports) = &self.outcome else { return Vec::new() };
        let Some(report) = reports.get(at) else { return Vec::new() };
        let mut failing: Vec<(Option<usize>, String, String)> = report
            .findings
            .iter()
            .filter(|f| fails(f, strict))
            .map(|f| (f.event, f.pointer().unwrap_or_default().to_string(), f.name().to_string()))
            .collect();
        if strict {
            failing.extend(
                report
                    .extensions
                    .iter()
                    .map(|(event, pointer)| (Some(*event), pointer.clone(), "undocumented".to_string())),
            );
        }
        failing
    }
}

/// Whether a finding makes its transcript fail: an error; with `strict`, a loss too.
fn fails(finding: &Finding, strict: bool) -> bool {
    finding.severity() == Severity::Error || (strict && finding.severity() == Severity::Loss)
}

/// Per finding of provider `at`'s report, in order: the waiver of it, if any.
fn waivers_of<'r>(
    result: &'r TranscriptResult,
    report: &TranscriptReport,
    at: usize,
    strict: bool,
) -> Vec<Option<&'r Waiver>> {
    let mut waivers = result.waived.get(at).and_then(Option::as_ref).map(|w| w.iter());
    report
        .findings
        .iter()
        .map(|f| if fails(f, strict) { waivers.as_mut().and_then(Iterator::next) } else { None })
        .collect()
}

/// Each finding of provider `at`'s report that is not a note, with the waiver of it, if any.
fn with_waivers<'r>(
    result: &'r TranscriptResult,
    report: &'r TranscriptReport,
    at: usize,
    strict: bool,
) -> Vec<(&'r Finding, Option<&'r Waiver>)> {
    report
        .findings
        .iter()
        .zip(waivers_of(result, report, at, strict))
        .filter(|(f, _)| f.severity() != Severity::Note)
        .collect()
}

/// Every transcript of a `check --stream` run, and the files its folders held but it did not read.
#[derive(Debug, Clone, Default)]
pub struct Transcripts {
    pub results: Vec<TranscriptResult>,
    /// Files found in folders and not read (not `*.sse`), in order.
    pub skipped: Vec<PathBuf>,
}

/// Reads every input through [`crate::input`] (folders are walked for `*.sse`, sorted, links
/// followed) and checks each transcript against each of `schemas`. Standard input is read from `stdin`.
pub fn check_inputs(inputs: &[Input], schemas: &[&StreamSchemas], stdin: &mut dyn Read) -> Transcripts {
    let mut run = Transcripts::default();
    let mut check = |file: String, bytes: Result<Vec<u8>, String>| {
        let (outcome, text) = match bytes {
            Ok(bytes) => (
                Ok(schemas.iter().map(|s| check_transcript(s, &bytes)).collect()),
                String::from_utf8_lossy(&bytes).replace("\r\n", "\n").replace('\r', "\n"),
            ),
            Err(err) => (Err(err), String::new()),
        };
        run.results.push(TranscriptResult { file, outcome, text, waived: vec![None; schemas.len()] });
    };
    let mut skipped = Vec::new();
    for item in input::items(inputs, &Filter::TRANSCRIPTS) {
        match item {
            Item::Entry(Entry::Stdin) => {
                let mut bytes = Vec::new();
                let read = stdin.read_to_end(&mut bytes).map(|_| bytes);
                check(STDIN_NAME.to_string(), read.map_err(|err| format!("cannot read: {err}")));
            }
            Item::Entry(Entry::File(file)) => {
                let read = std::fs::read(&file.path).map_err(|err| format!("cannot read: {err}"));
                check(file.path.display().to_string(), read);
            }
            Item::Skipped(file) => skipped.push(file.path),
            Item::Error(error) => check(error.path.display().to_string(), Err(error.kind.to_string())),
        }
    }
    run.skipped = skipped;
    run
}

/// Applies an expectations file to a run's transcripts (`providers` in report order): marks each
/// provider's reading whose every failing finding an entry waives ([`TranscriptResult::waived`]), and
/// returns one message per entry of the run's scope (these providers' stream entries) that is stale
/// or matched no transcript.
pub fn waive(
    transcripts: &mut Transcripts,
    expectations: &Expectations,
    providers: &[String],
    strict: bool,
) -> Vec<(EntryProblem, String, String)> {
    let mut tracker = expectations.tracker(&Scope::transcripts(providers));
    for result in &mut transcripts.results {
        let relative = expectations.relative(std::path::Path::new(&result.file));
        for (at, provider) in providers.iter().enumerate() {
            let failing = result.failing(at, strict);
            let subject = Subject { relative: &relative, provider, stream: true };
            if let Judged::Waived(waivers) = expectations.judge(&mut tracker, &subject, &failing) {
                if let Some(slot) = result.waived.get_mut(at) {
                    *slot = Some(waivers);
                }
            }
        }
    }
    let (stale, unmatched) = expectations.leftovers(&tracker);
    expectations.entry_problems(&Applied { stale, unmatched, ..Applied::default() })
}

/// The run's outcome: passed, failed (a finding) or incomplete (an input could not be read).
pub fn status(results: &[TranscriptResult], strict: bool) -> Status {
    if results.iter().any(|r| r.outcome.is_err()) || results.is_empty() {
        Status::Incomplete
    } else if results.iter().all(|r| r.passed(strict)) {
        Status::Passed
    } else {
        Status::Failed
    }
}

/// Writes `transcripts` in `format`. `providers` names the schemas in report order.
pub fn write(
    format: Format,
    out: &mut dyn Write,
    transcripts: &Transcripts,
    providers: &[String],
    strict: bool,
) -> io::Result<()> {
    let results = &transcripts.results;
    match format {
        Format::Human => human(out, transcripts, providers, strict),
        Format::Json => json(out, results, providers, strict),
        Format::Junit => junit(out, results, providers, strict),
        Format::Github => github(out, results, providers, strict),
    }
}

fn location(file: &str, finding: &Finding) -> String {
    match finding.position {
        Some(position) => format!("{file}:{position}"),
        None => file.to_string(),
    }
}

/// A finding's source line with a caret, indented as for bodies.
fn excerpt(text: &str, finding: &Finding) -> Option<String> {
    let position = finding.position?;
    Some(crate::locate::excerpt(text, position, position.line))
}

fn human(
    out: &mut dyn Write,
    transcripts: &Transcripts,
    providers: &[String],
    strict: bool,
) -> io::Result<()> {
    let results = &transcripts.results;
    let mut tallies: Vec<StreamTally> = providers.iter().map(|_| StreamTally::default()).collect();
    let (mut failed, mut unread, mut waived_transcripts) = (0, 0, 0);
    for result in results {
        let reports = match &result.outcome {
            Err(message) => {
                unread += 1;
                for tally in &mut tallies {
                    tally.unreadable += 1;
                }
                writeln!(out, "{}: error: {message}", result.file)?;
                continue;
            }
            Ok(reports) => reports,
        };
        // Notes shared by several providers are printed once, naming them all.
        let mut notes: Vec<(&Finding, Vec<&str>)> = Vec::new();
        for (provider, report) in providers.iter().zip(reports) {
            for note in report.notes() {
                match notes
                    .iter_mut()
                    .find(|(f, _)| f.position == note.position && f.message() == note.message())
                {
                    Some((_, names)) => names.push(provider),
                    None => notes.push((note, vec![provider])),
                }
            }
        }
        for (at, (provider, report)) in providers.iter().zip(reports).enumerate() {
            let waived = result.waived.get(at).and_then(Option::as_ref);
            for (finding, waiver) in with_waivers(result, report, at, strict) {
                let level = match (finding.severity(), waived) {
                    (_, Some(_)) if waiver.is_some() => "expected failure",
                    (Severity::Loss, _) if strict => "error(loss)",
                    (severity, _) => severity.as_str(),
                };
                let event = finding.event.map(|e| format!("event {e}: ")).unwrap_or_default();
                let waiver = waiver.map(|w| format!(", waived: {w}")).unwrap_or_default();
                writeln!(
                    out,
                    "{}: {level}[{provider}]: {event}{}{waiver}",
                    location(&result.file, finding),
                    finding.message()
                )?;
                if waived.is_none() {
                    if let Some(excerpt) = excerpt(&result.text, finding) {
                        out.write_all(excerpt.as_bytes())?;
                    }
                }
            }
            if let Some(waivers) = waived {
                writeln!(out, "{}: waived [{provider}]: {}", result.file, expectations::describe(waivers))?;
            }
            if !report.extensions.is_empty() {
                let level = if strict && waived.is_none() { "error" } else { "warning" };
                let mut pointers: Vec<&str> = Vec::new();
                for (_, pointer) in &report.extensions {
                    if !pointers.contains(&pointer.as_str()) {
                        pointers.push(pointer);
                    }
                }
                writeln!(
                    out,
                    "{}: {level}[{provider}]: {} undocumented field(s): {}",
                    result.file,
                    pointers.len(),
                    pointers.join(", ")
                )?;
            }
        }
        for (note, names) in &notes {
            let event = note.event.map(|e| format!("event {e}: ")).unwrap_or_default();
            writeln!(
                out,
                "{}: note[{}]: {event}{}",
                location(&result.file, note),
                names.join(", "),
                note.message()
            )?;
        }
        for (provider, report) in providers.iter().zip(reports) {
            let losses = report.losses().count();
            writeln!(
                out,
                "{}: {provider}: {} ({} event(s), {} chunk(s){}{})",
                result.file,
                report.verdict(),
                report.events,
                report.chunks,
                if losses > 0 { format!(", {losses} loss(es)") } else { String::new() },
                if report.done { "" } else { ", no [DONE]" }
            )?;
        }
        for (at, (tally, report)) in tallies.iter_mut().zip(reports).enumerate() {
            tally.add(result, at, report, strict);
        }
        if !result.passed(strict) {
            failed += 1;
        } else if result.waived.iter().any(Option::is_some) {
            waived_transcripts += 1;
        }
    }
    if !transcripts.skipped.is_empty() {
        writeln!(out, "{}", skipped_line(&transcripts.skipped, Filter::TRANSCRIPTS))?;
    }
    for (provider, tally) in providers.iter().zip(&tallies) {
        writeln!(out, "{provider}: {}", tally.line(results.len()))?;
    }
    let total = results.len();
    let transcripts_word = |n: usize| if n == 1 { "transcript" } else { "transcripts" };
    let (status, mut line) = match status(results, strict) {
        _ if total == 0 => ("incomplete", "no transcript found in the given paths".to_string()),
        Status::Passed if total == 1 => ("passed", "the 1 transcript passes".to_string()),
        Status::Passed => ("passed", format!("all {total} transcripts pass")),
        Status::Failed => ("failed", format!("{failed} of {total} {} fail", transcripts_word(total))),
        Status::Incomplete => ("incomplete", format!("{failed} of {total} {} fail", transcripts_word(total))),
    };
    match waived_transcripts {
        0 => {}
        _ if total == 1 => line.push_str(" (waived by expectations)"),
        n => line.push_str(&format!(" ({n} waived by expectations)")),
    }
    if unread > 0 {
        line.push_str(&format!(", {unread} unreadable"));
    }
    if strict {
        line.push_str(" (strict: losses and undocumented fields fail)");
    }
    writeln!(out, "{status}: {line}")
}

/// One provider's counts over a `check --stream` run.
#[derive(Debug, Default)]
struct StreamTally {
    conforms: usize,
    with_extensions: usize,
    waived: usize,
    violates: usize,
    lossy: usize,
    unreadable: usize,
}

impl StreamTally {
    fn add(&mut self, result: &TranscriptResult, at: usize, report: &TranscriptReport, strict: bool) {
        if report.losses().next().is_some() {
            self.lossy += 1;
        }
        if result.waived.get(at).is_some_and(Option::is_some) {
            self.waived += 1;
            return;
        }
        match report.verdict() {
            Verdict::Conforms if report.passes(strict) => self.conforms += 1,
            Verdict::ConformsWithExtensions if report.passes(strict) => self.with_extensions += 1,
            _ => self.violates += 1,
        }
    }

    /// `3 transcripts: 1 conform, 0 with extensions, 1 waived, 1 violate, 1 read with losses`.
    fn line(&self, total: usize) -> String {
        let mut line = format!(
            "{total} {}: {} conform, {} with extensions, {} waived, {} violate, {} read with losses",
            if total == 1 { "transcript" } else { "transcripts" },
            self.conforms,
            self.with_extensions,
            self.waived,
            self.violates,
            self.lossy
        );
        if self.unreadable > 0 {
            line.push_str(&format!(", {} unreadable", self.unreadable));
        }
        line
    }
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    file: &'a str,
    line: Option<usize>,
    schema: &'a str,
    status: &'static str,
    verdict: Option<Verdict>,
    violations: Vec<JsonFinding<'a>>,
    extensions: Vec<&'a str>,
    error: Option<&'a str>,
    events: Option<usize>,
    chunks: Option<usize>,
    done: Option<bool>,
    losses: usize,
    notes: Vec<JsonFinding<'a>>,
    extension_events: Vec<JsonExtension<'a>>,
    waived: Option<String>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    event: Option<usize>,
    rule: Option<&'a str>,
    severity: Severity,
    pointer: Option<&'a str>,
    keyword: Option<&'a str>,
    expected: Option<&'a str>,
    actual: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
    waiver: Option<&'a Waiver>,
}

#[derive(Serialize)]
struct JsonExtension<'a> {
    event: usize,
    pointer: &'a str,
}

fn json_finding<'a>(finding: &'a Finding, waiver: Option<&'a Waiver>) -> JsonFinding<'a> {
    let (rule, pointer, keyword, expected, actual) = match &finding.kind {
        FindingKind::Schema { violation, .. } => (
            None,
            Some(violation.pointer.as_str()),
            Some(violation.keyword.as_str()),
            Some(violation.expected.as_str()),
            Some(violation.actual.as_str()),
        ),
        FindingKind::Rule { rule, .. } => (Some(rule.as_str()), None, None, None, None),
    };
    JsonFinding {
        event: finding.event,
        rule,
        severity: finding.severity(),
        pointer,
        keyword,
        expected,
        actual,
        line: finding.position.map(|p| p.line.get()),
        column: finding.position.map(|p| p.column.get()),
        message: finding.to_string(),
        waiver,
    }
}

fn json(
    out: &mut dyn Write,
    results: &[TranscriptResult],
    providers: &[String],
    strict: bool,
) -> io::Result<()> {
    for result in results {
        let records: Vec<JsonRecord<'_>> = match &result.outcome {
            Err(message) => providers
                .iter()
                .map(|provider| JsonRecord {
                    file: &result.file,
                    line: None,
                    schema: provider,
                    status: "error",
                    verdict: None,
                    violations: Vec::new(),
                    extensions: Vec::new(),
                    error: Some(message),
                    events: None,
                    chunks: None,
                    done: None,
                    losses: 0,
                    notes: Vec::new(),
                    extension_events: Vec::new(),
                    waived: None,
                })
                .collect(),
            Ok(reports) => providers
                .iter()
                .zip(reports)
                .enumerate()
                .map(|(at, (provider, report))| {
                    let mut extensions: Vec<&str> = Vec::new();
                    for (_, pointer) in &report.extensions {
                        if !extensions.contains(&pointer.as_str()) {
                            extensions.push(pointer);
                        }
                    }
                    JsonRecord {
                        file: &result.file,
                        line: None,
                        schema: provider,
                        status: if result.provider_passed(at, report, strict) { "pass" } else { "fail" },
                        verdict: Some(report.verdict()),
                        violations: with_waivers(result, report, at, strict)
                            .into_iter()
                            .map(|(finding, waiver)| json_finding(finding, waiver))
                            .collect(),
                        extensions,
                        error: None,
                        events: Some(report.events),
                        chunks: Some(report.chunks),
                        done: Some(report.done),
                        losses: report.losses().count(),
                        notes: report.notes().map(|f| json_finding(f, None)).collect(),
                        extension_events: report
                            .extensions
                            .iter()
                            .map(|(event, pointer)| JsonExtension { event: *event, pointer })
                            .collect(),
                        waived: result.waived.get(at).and_then(|w| w.as_deref()).map(expectations::describe),
                    }
                })
                .collect(),
        };
        for record in records {
            serde_json::to_writer(&mut *out, &record).map_err(io::Error::other)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn junit(
    out: &mut dyn Write,
    results: &[TranscriptResult],
    providers: &[String],
    strict: bool,
) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<testsuites name=\"chatcompat streams\">")?;
    for (at, provider) in providers.iter().enumerate() {
        let failures = results
            .iter()
            .filter(|r| r.outcome.as_ref().is_ok_and(|reports| !r.provider_passed(at, &reports[at], strict)))
            .count();
        let errors = results.iter().filter(|r| r.outcome.is_err()).count();
        writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
            xml_escape(provider),
            results.len()
        )?;
        for result in results {
            write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\">",
                xml_escape(&result.file),
                xml_escape(provider)
            )?;
            match &result.outcome {
                Err(message) => {
                    write!(out, "<error type=\"unreadable\" message=\"{}\"/>", xml_escape(message))?;
                }
                Ok(reports) => {
                    let report = &reports[at];
                    if let Some(waivers) = result.waived.get(at).and_then(Option::as_ref) {
                        let message = format!("expected failure: {}", expectations::describe(waivers));
                        write!(out, "<skipped message=\"{}\"/>", xml_escape(&message))?;
                    } else {
                        let failing = report.findings.iter().filter(|f| {
                            f.severity() == Severity::Error || (strict && f.severity() == Severity::Loss)
                        });
                        for finding in failing {
                            let line = format!("{}: {finding}", location(&result.file, finding));
                            write!(
                                out,
                                "<failure type=\"{}\" message=\"{}\">{}</failure>",
                                xml_escape(finding.name()),
                                xml_escape(&finding.to_string()),
                                xml_text(&line)
                            )?;
                        }
                        if strict && report.passed() && !report.extensions.is_empty() {
                            write!(out, "<failure type=\"extensions\" message=\"undocumented fields\"/>")?;
                        }
                    }
                    let mut shown: Vec<String> = with_waivers(result, report, at, strict)
                        .into_iter()
                        .filter_map(|(f, waiver)| {
                            let w = waiver?;
                            Some(format!("{}: {f}, waived by {}: {w}", location(&result.file, f), w.entry))
                        })
                        .collect();
                    shown.extend(
                        report
                            .findings
                            .iter()
                            .filter(|f| {
                                f.severity() == Severity::Note || (!strict && f.severity() == Severity::Loss)
                            })
                            .map(|f| format!("{}: {f}", location(&result.file, f))),
                    );
                    if !strict {
                        shown.extend(
                            report
                                .extensions
                                .iter()
                                .map(|(e, p)| format!("event {e}: {p}: undocumented field")),
                        );
                    }
                    if !shown.is_empty() {
                        write!(out, "<system-out>{}</system-out>", xml_text(&shown.join("\n")))?;
                    }
                }
            }
            writeln!(out, "</testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn github(
    out: &mut dyn Write,
    results: &[TranscriptResult],
    providers: &[String],
    strict: bool,
) -> io::Result<()> {
    for result in results {
        match &result.outcome {
            Err(message) => writeln!(
                out,
                "::error file={},title=chatcompat::{}",
                github_property(&result.file),
                github_data(message)
            )?,
            Ok(reports) => {
                let mut noted: Vec<(Option<crate::locate::Position>, String)> = Vec::new();
                for (at, (provider, report)) in providers.iter().zip(reports).enumerate() {
                    let waived = result.waived.get(at).is_some_and(Option::is_some);
                    let waivers = waivers_of(result, report, at, strict);
                    for (finding, waiver) in report.findings.iter().zip(waivers) {
                        let level = match finding.severity() {
                            _ if waived && waiver.is_some() => "notice",
                            Severity::Error => "error",
                            Severity::Loss if strict => "error",
                            Severity::Loss => "warning",
                            Severity::Note => {
                                let key = (finding.position, finding.message());
                                if noted.contains(&key) {
                                    continue;
                                }
                                noted.push(key);
                                "notice"
                            }
                        };
                        let place = match finding.position {
                            Some(p) => format!(",line={},col={}", p.line, p.column),
                            None => String::new(),
                        };
                        let message = match waiver {
                            Some(waiver) => format!("{finding}, waived: {waiver}"),
                            None => finding.to_string(),
                        };
                        writeln!(
                            out,
                            "::{level} file={}{place},title={}::{}",
                            github_property(&result.file),
                            github_property(&format!("chatcompat {provider} {}", finding.name())),
                            github_data(&message)
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

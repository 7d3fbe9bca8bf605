//! Reads transcripts for `chatcompat check --stream` and renders what checking
//! them found, in the four formats of [`crate::format`].
//!
//! A transcript is checked as a whole (its sequence rules need every event), so
//! this is not [`crate::check::Checker`]'s batch pipeline: each input (a `.sse`
//! file, a folder walked for `*.sse`, or standard input) is read, checked
//! against each provider's stream schemas, and rendered.
//!
//! # The `json` format
//!
//! One object per line, per transcript and per provider: `file`, `schema`,
//! `status` (`pass`, `fail`, `error`), `verdict`, `events`, `chunks`, `done`,
//! `findings` (`[{event, line, column, severity, name, scope, pointer, message}]`;
//! `scope` is `chunk`, `reassembled` or `stream`), `extensions` (`[{event, pointer}]`)
//! and `error` (`null`, or why the file could not be read). Keys may be added.

use std::{
    io::{self, Read, Write},
    path::PathBuf,
};

use serde::Serialize;

use super::{check_transcript, Finding, FindingKind, Scope, Severity, StreamSchemas, TranscriptReport};
use crate::{
    check::{Input, Status, STDIN_NAME},
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
}

impl TranscriptResult {
    /// Whether every provider's reading passed (with `strict`, also without extensions).
    pub fn passed(&self, strict: bool) -> bool {
        match &self.outcome {
            Ok(reports) => reports.iter().all(|r| passes(r, strict)),
            Err(_) => false,
        }
    }
}

fn passes(report: &TranscriptReport, strict: bool) -> bool {
    match report.verdict() {
        Verdict::Conforms => true,
        Verdict::ConformsWithExtensions => !strict,
        Verdict::Violates => false,
    }
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
        let outcome = bytes.map(|bytes| schemas.iter().map(|s| check_transcript(s, &bytes)).collect());
        run.results.push(TranscriptResult { file, outcome });
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
        Format::Github => github(out, results, providers),
    }
}

fn location(file: &str, finding: &Finding) -> String {
    match finding.position {
        Some(position) => format!("{file}:{position}"),
        None => file.to_string(),
    }
}

fn human(
    out: &mut dyn Write,
    transcripts: &Transcripts,
    providers: &[String],
    strict: bool,
) -> io::Result<()> {
    let results = &transcripts.results;
    let (mut passed, mut failed, mut unread) = (0, 0, 0);
    for result in results {
        match &result.outcome {
            Err(message) => {
                unread += 1;
                writeln!(out, "{}: error: {message}", result.file)?;
            }
            Ok(reports) => {
                for (provider, report) in providers.iter().zip(reports) {
                    for finding in &report.findings {
                        let level = if finding.severity() == Severity::Error { "error" } else { "note" };
                        let shown = finding.to_string();
                        let shown = shown.strip_prefix("note: ").unwrap_or(&shown);
                        writeln!(out, "{}: {level}[{provider}]: {shown}", location(&result.file, finding))?;
                    }
                    if strict && report.passed() && !report.extensions.is_empty() {
                        for (event, pointer) in &report.extensions {
                            writeln!(
                                out,
                                "{}: error[{provider}]: event {event}: {pointer}: undocumented field",
                                result.file
                            )?;
                        }
                    }
                    writeln!(
                        out,
                        "{}: {provider}: {} ({} event(s), {} chunk(s){})",
                        result.file,
                        report.verdict(),
                        report.events,
                        report.chunks,
                        if report.done { "" } else { ", no [DONE]" }
                    )?;
                }
                if result.passed(strict) {
                    passed += 1;
                } else {
                    failed += 1;
                }
            }
        }
    }
    if !transcripts.skipped.is_empty() {
        writeln!(out, "{}", skipped_line(&transcripts.skipped, Filter::TRANSCRIPTS))?;
    }
    writeln!(
        out,
        "{} transcript(s) against {}: {passed} passed, {failed} failed, {unread} unreadable",
        results.len(),
        providers.join(", ")
    )
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    file: &'a str,
    schema: &'a str,
    status: &'static str,
    verdict: Option<Verdict>,
    events: Option<usize>,
    chunks: Option<usize>,
    done: Option<bool>,
    findings: Vec<JsonFinding<'a>>,
    extensions: Vec<JsonExtension<'a>>,
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    event: Option<usize>,
    line: Option<usize>,
    column: Option<usize>,
    severity: Severity,
    name: &'a str,
    scope: &'static str,
    pointer: Option<&'a str>,
    message: String,
}

#[derive(Serialize)]
struct JsonExtension<'a> {
    event: usize,
    pointer: &'a str,
}

fn scope_of(finding: &Finding) -> (&'static str, Option<&str>) {
    match &finding.kind {
        FindingKind::Schema { scope: Scope::Chunk, violation } => ("chunk", Some(&violation.pointer)),
        FindingKind::Schema { scope: Scope::Reassembled, violation } => {
            ("reassembled", Some(&violation.pointer))
        }
        FindingKind::Rule { .. } => ("stream", None),
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
                    schema: provider,
                    status: "error",
                    verdict: None,
                    events: None,
                    chunks: None,
                    done: None,
                    findings: Vec::new(),
                    extensions: Vec::new(),
                    error: Some(message),
                })
                .collect(),
            Ok(reports) => providers
                .iter()
                .zip(reports)
                .map(|(provider, report)| JsonRecord {
                    file: &result.file,
                    schema: provider,
                    status: if passes(report, strict) { "pass" } else { "fail" },
                    verdict: Some(report.verdict()),
                    events: Some(report.events),
                    chunks: Some(report.chunks),
                    done: Some(report.done),
                    findings: report
                        .findings
                        .iter()
                        .map(|finding| {
                            let (scope, pointer) = scope_of(finding);
                            JsonFinding {
                                event: finding.event,
                                line: finding.position.map(|p| p.line.get()),
                                column: finding.position.map(|p| p.column.get()),
                                severity: finding.severity(),
                                name: finding.name(),
                                scope,
                                pointer,
                                message: finding.to_string(),
                            }
                        })
                        .collect(),
                    extensions: report
                        .extensions
                        .iter()
                        .map(|(event, pointer)| JsonExtension { event: *event, pointer })
                        .collect(),
                    error: None,
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
            .filter(|r| r.outcome.as_ref().is_ok_and(|reports| !passes(&reports[at], strict)))
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
                    for finding in report.errors() {
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
                    let notes: Vec<String> =
                        report.notes().map(|f| format!("{}: {f}", location(&result.file, f))).collect();
                    if !notes.is_empty() {
                        write!(out, "<system-out>{}</system-out>", xml_text(&notes.join("\n")))?;
                    }
                }
            }
            writeln!(out, "</testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

fn github(out: &mut dyn Write, results: &[TranscriptResult], providers: &[String]) -> io::Result<()> {
    for result in results {
        match &result.outcome {
            Err(message) => writeln!(
                out,
                "::error file={},title=chatcompat::{}",
                github_property(&result.file),
                github_data(message)
            )?,
            Ok(reports) => {
                for (provider, report) in providers.iter().zip(reports) {
                    for finding in &report.findings {
                        let level = if finding.severity() == Severity::Error { "error" } else { "notice" };
                        let place = match finding.position {
                            Some(p) => format!(",line={},col={}", p.line, p.column),
                            None => String::new(),
                        };
                        writeln!(
                            out,
                            "::{level} file={}{place},title={}::{}",
                            github_property(&result.file),
                            github_property(&format!("chatcompat {provider} {}", finding.name())),
                            github_data(&finding.to_string())
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

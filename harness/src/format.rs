//! Renders what [`crate::check`] found, in four formats behind one [`Reporter`]
//! trait: `human`, `json` (JSON Lines), `junit` (JUnit XML) and `github`
//! (workflow annotations).
//!
//! A reporter sees the run's schemas first ([`Reporter::begin`]), then every
//! response in input order ([`Reporter::response`]), then the [`Summary`]
//! ([`Reporter::finish`]). Reporters write to any `io::Write`; choosing the
//! stream, and whether it is a terminal, is the binary's job.
//!
//! # The `json` format
//!
//! One JSON object per line, per response and per schema, in input order (for
//! each response, the schemas in the order they were given: the provider first,
//! then each `--against`). The keys are stable; new keys may be added later.
//!
//! | key | value |
//! | --- | --- |
//! | `file` | the path as given or found (`<stdin>` for standard input) |
//! | `line` | the line of a JSON Lines record; `null` for a whole file |
//! | `schema` | the provider whose schema was applied |
//! | `status` | `pass`, `fail` (a violation; with `--strict`, also extensions), `expected-failure` (every violation waived by the expectations file) or `error` (not checked) |
//! | `verdict` | `conforms`, `conforms-with-extensions`, `violates`; `null` with `status: error` |
//! | `violations` | `[{pointer, keyword, expected, actual, line, column, waiver}]`, `line`/`column` in the file; `waiver` is `null` or the expectation that waives it: `{reason, link, entry}` (`link` may be `null`; `entry` is `file:line` of its `[[expect]]`) |
//! | `extensions` | JSON pointers of fields the schema does not document |
//! | `error` | `null`, or `{kind, message, line, column}` when the response could not be checked |
//! | `waived` | `null`, or with `status: expected-failure` the waivers' reasons and links as one line: `reason (link); …` |
//!
//! `error.kind` is one of `unreadable`, `too-large`, `binary`, `truncated`, `empty`,
//! `byte-order-mark`, `invalid-utf8`, `syntax`, `trailing-characters`,
//! `duplicate-key`, `too-deep`, `number-out-of-range`.
//!
//! # The `junit` format
//!
//! `<testsuites>` holds one `<testsuite>` per schema (named by provider), which
//! holds one `<testcase>` per file or JSON Lines record (named `file` or
//! `file:line`). A violation is a `<failure>` whose `type` is the JSON Schema
//! keyword; a response that could not be read or parsed is an `<error>` whose
//! `type` is the error kind; with `--strict`, undocumented fields are a
//! `<failure type="extensions">`, otherwise they are listed in `<system-out>`.
//! A response whose every violation is waived is `<skipped>` (message: the
//! waivers' reasons and links), with each waived violation and its waiver in
//! `<system-out>`.
//! Test cases are spooled to temporary files per schema until the end, so the
//! XML of a huge run does not sit in memory.

#[cfg(feature = "tools")]
use std::fs::File;
use std::{
    fmt::Write as _,
    io::{self, BufWriter, Seek, Write},
};

use serde::Serialize;

use crate::{
    check::{Judgement, Response, ResponseError, Status, Summary, Tally},
    expectations::{self, Waiver},
    locate::Position,
    verdict::{Verdict, Violation},
};

/// The output formats of `chatcompat check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Human,
    Json,
    Junit,
    Github,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Human, Format::Json, Format::Junit, Format::Github];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Github => "github",
        }
    }

    /// Whether this format shows source excerpts (worth computing for every violation).
    pub fn shows_excerpts(self) -> bool {
        matches!(self, Format::Human | Format::Junit)
    }
}

/// What a reporter knows before the first response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInfo {
    /// Providers of the schemas, in the order of every response's judgements.
    pub schemas: Vec<String>,
    pub strict: bool,
}

/// Hooks a format implements; [`crate::check::Checker::run`] calls them in order.
pub trait Reporter {
    fn begin(&mut self, info: &RunInfo) -> io::Result<()>;
    fn response(&mut self, response: &Response) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// The reporter for `format`, writing to `out`. `color` applies to `human` only.
pub fn reporter<'w, W: Write + 'w>(format: Format, out: W, color: bool) -> Box<dyn Reporter + 'w> {
    match format {
        Format::Human => Box::new(Human { out, color, info: None }),
        Format::Json => Box::new(JsonLines { out, info: None }),
        Format::Junit => Box::new(Junit { out, info: None, suites: Vec::new() }),
        Format::Github => Box::new(Github { out, info: None }),
    }
}

fn info(info: &Option<RunInfo>) -> &RunInfo {
    static EMPTY: RunInfo = RunInfo { schemas: Vec::new(), strict: false };
    info.as_ref().unwrap_or(&EMPTY)
}

/// `file:line:column`, with what is known of it.
fn place(file: &str, record_line: Option<usize>, position: Option<Position>) -> String {
    match (position, record_line) {
        (Some(position), _) => format!("{file}:{}:{}", position.line, position.column),
        (None, Some(line)) => format!("{file}:{line}"),
        (None, None) => file.to_string(),
    }
}

fn error_place(response: &Response, error: &ResponseError) -> String {
    place(&response.source.file, response.source.line, error.position)
}

fn violation_place(response: &Response, violation: &Violation) -> String {
    place(&response.source.file, response.source.line, violation.position)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// At most `MAX_LISTED` extension pointers, then how many more.
fn list_extensions(extensions: &[String]) -> String {
    const MAX_LISTED: usize = 10;
    let mut text = extensions.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>().join(", ");
    if extensions.len() > MAX_LISTED {
        let _ = write!(text, " and {} more", extensions.len() - MAX_LISTED);
    }
    text
}

// ---------------------------------------------------------------- human

struct Human<W> {
    out: W,
    color: bool,
    info: Option<RunInfo>,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const GREEN: &str = "\x1b[1;32m";
const BLUE: &str = "\x1b[1;34m";
const RESET: &str = "\x1b[0m";

impl<W: Write> Human<W> {
    fn label(&self, color: &str, word: &str) -> String {
        if self.color {
            format!("{color}{word}{RESET}")
        } else {
            word.to_string()
        }
    }

    fn gutter(&self, excerpt: &str) -> String {
        if !self.color {
            return excerpt.to_string();
        }
        excerpt
            .lines()
            .map(|line| match line.split_once(" | ") {
                Some((gutter, rest)) => format!("{BLUE}{gutter} |{RESET} {rest}\n"),
                None => format!("{line}\n"),
            })
            .collect()
    }
}

impl<W: Write> Reporter for Human<W> {
    fn begin(&mut self, info: &RunInfo) -> io::Result<()> {
        self.info = Some(info.clone());
        Ok(())
    }

    fn response(&mut self, response: &Response) -> io::Result<()> {
        let judgements = match &response.outcome {
            Ok(judgements) => judgements,
            Err(error) => {
                let label = self.label(RED, "error");
                return writeln!(self.out, "{label}: {}: {}", error_place(response, error), error.kind);
            }
        };
        let strict = info(&self.info).strict;
        for (index, judgement) in judgements.iter().enumerate() {
            let schema = info(&self.info).schemas.get(index).cloned().unwrap_or_default();
            if let Some(waivers) = &judgement.waived {
                let label = self.label(YELLOW, "expected failure");
                for (violation, waiver) in judgement.checked.violations.iter().zip(waivers) {
                    let at = violation_place(response, violation);
                    writeln!(self.out, "{label}: {at}: {violation} [{schema}], waived: {waiver}")?;
                }
                continue;
            }
            for (i, violation) in judgement.checked.violations.iter().enumerate() {
                let label = self.label(RED, "error");
                let at = violation_place(response, violation);
                writeln!(self.out, "{label}: {at}: {violation} [{schema}]")?;
                if let Some(Some(excerpt)) = judgement.excerpts.get(i) {
                    let excerpt = self.gutter(excerpt);
                    self.out.write_all(excerpt.as_bytes())?;
                }
            }
            let extensions = &judgement.checked.extensions;
            if !extensions.is_empty() {
                let label = if strict { self.label(RED, "error") } else { self.label(YELLOW, "warning") };
                let fields = plural(extensions.len(), "undocumented field", "undocumented fields");
                writeln!(
                    self.out,
                    "{label}: {}: {fields} [{schema}]: {}",
                    response.source,
                    list_extensions(extensions)
                )?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        for tally in &summary.tallies {
            writeln!(self.out, "{}", tally_line(tally))?;
        }
        let status = match summary.status() {
            Status::Passed => self.label(GREEN, "passed"),
            Status::Failed => self.label(RED, "failed"),
            Status::Incomplete => self.label(RED, "incomplete"),
        };
        if !summary.skipped.is_empty() {
            writeln!(self.out, "{}", skipped_line(&summary.skipped, crate::input::Filter::RESPONSES))?;
        }
        writeln!(self.out, "{status}: {}", outcome_line(summary))?;
        self.out.flush()
    }
}

/// One schema's counts: `openai: 15 responses: 1 conform, 4 with extensions, 10 waived, 0 violate`
/// (and how many could not be checked, when some could not).
pub fn tally_line(tally: &Tally) -> String {
    let total =
        tally.conforms + tally.conforms_with_extensions + tally.waived + tally.violates + tally.errors;
    let mut line = format!(
        "{}: {}: {} conform, {} with extensions, {} waived, {} violate",
        tally.schema,
        plural(total, "response", "responses"),
        tally.conforms,
        tally.conforms_with_extensions,
        tally.waived,
        tally.violates
    );
    if tally.errors > 0 {
        let _ = write!(line, ", {} not checked", tally.errors);
    }
    line
}

/// The run's outcome in words, after `passed: `, `failed: ` or `incomplete: `.
pub fn outcome_line(summary: &Summary) -> String {
    let responses = summary.responses;
    let waived = summary.expected_failures;
    let mut line = match summary.status() {
        _ if responses == 0 => "no response found in the given paths".to_string(),
        Status::Passed if responses == 1 => "the 1 response passes".to_string(),
        Status::Passed => format!("all {responses} responses pass"),
        Status::Failed | Status::Incomplete => {
            format!("{} of {} fail", summary.failed, plural(responses, "response", "responses"))
        }
    };
    match waived {
        0 => {}
        _ if responses == 1 => line.push_str(" (waived by expectations)"),
        _ => {
            let _ = write!(line, " ({waived} waived by expectations)");
        }
    }
    if summary.unread > 0 {
        let _ = write!(line, ", {} not read", summary.unread);
    }
    if summary.strict {
        line.push_str(" (strict: undocumented fields fail)");
    }
    line
}

// ---------------------------------------------------------------- json

struct JsonLines<W> {
    out: W,
    info: Option<RunInfo>,
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    file: &'a str,
    line: Option<usize>,
    schema: &'a str,
    status: &'static str,
    verdict: Option<Verdict>,
    violations: Vec<JsonViolation<'a>>,
    extensions: &'a [String],
    error: Option<JsonError>,
    waived: Option<String>,
}

#[derive(Serialize)]
struct JsonViolation<'a> {
    pointer: &'a str,
    keyword: &'a str,
    expected: &'a str,
    actual: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    waiver: Option<&'a Waiver>,
}

#[derive(Serialize)]
struct JsonError {
    kind: &'static str,
    message: String,
    line: Option<usize>,
    column: Option<usize>,
}

impl<W: Write> Reporter for JsonLines<W> {
    fn begin(&mut self, info: &RunInfo) -> io::Result<()> {
        self.info = Some(info.clone());
        Ok(())
    }

    fn response(&mut self, response: &Response) -> io::Result<()> {
        let info = info(&self.info);
        for (index, schema) in info.schemas.iter().enumerate() {
            let record = match &response.outcome {
                Ok(judgements) => {
                    let Some(judgement) = judgements.get(index) else { continue };
                    JsonRecord {
                        file: &response.source.file,
                        line: response.source.line,
                        schema,
                        status: match (&judgement.waived, judgement.passed(info.strict)) {
                            (Some(_), _) => "expected-failure",
                            (None, true) => "pass",
                            (None, false) => "fail",
                        },
                        verdict: Some(judgement.verdict()),
                        violations: judgement
                            .checked
                            .violations
                            .iter()
                            .enumerate()
                            .map(|(i, v)| JsonViolation {
                                pointer: &v.pointer,
                                keyword: &v.keyword,
                                expected: &v.expected,
                                actual: &v.actual,
                                line: v.position.map(|p| p.line.get()),
                                column: v.position.map(|p| p.column.get()),
                                waiver: judgement.waived.as_ref().and_then(|w| w.get(i)),
                            })
                            .collect(),
                        extensions: &judgement.checked.extensions,
                        error: None,
                        waived: judgement.waived.as_deref().map(expectations::describe),
                    }
                }
                Err(error) => JsonRecord {
                    file: &response.source.file,
                    line: response.source.line,
                    schema,
                    status: "error",
                    verdict: None,
                    violations: Vec::new(),
                    extensions: &[],
                    error: Some(JsonError {
                        kind: error.kind.name(),
                        message: error.kind.to_string(),
                        line: error.position.map(|p| p.line.get()),
                        column: error.position.map(|p| p.column.get()),
                    }),
                    waived: None,
                },
            };
            serde_json::to_writer(&mut self.out, &record)?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}

// ---------------------------------------------------------------- junit

struct Junit<W> {
    out: W,
    info: Option<RunInfo>,
    suites: Vec<Suite>,
}

/// Where test cases wait: a temporary file with the `tools` feature (the binary's long runs); in memory
/// for the core library, which adds no dependency for it.
#[cfg(feature = "tools")]
type Spool = File;
#[cfg(not(feature = "tools"))]
type Spool = io::Cursor<Vec<u8>>;

#[cfg(feature = "tools")]
fn spool() -> io::Result<Spool> {
    tempfile::tempfile()
}

#[cfg(not(feature = "tools"))]
#[expect(clippy::unnecessary_wraps, reason = "the same signature as the temporary file's")]
fn spool() -> io::Result<Spool> {
    Ok(io::Cursor::new(Vec::new()))
}

/// One schema's test cases, spooled to a temporary file until the counts are known.
struct Suite {
    spool: BufWriter<Spool>,
    tests: usize,
    failures: usize,
    errors: usize,
    /// Expected failures, written as `<skipped>`.
    skipped: usize,
}

impl<W: Write> Reporter for Junit<W> {
    fn begin(&mut self, info: &RunInfo) -> io::Result<()> {
        self.info = Some(info.clone());
        self.suites = info
            .schemas
            .iter()
            .map(|_| {
                Ok(Suite { spool: BufWriter::new(spool()?), tests: 0, failures: 0, errors: 0, skipped: 0 })
            })
            .collect::<io::Result<_>>()?;
        Ok(())
    }

    fn response(&mut self, response: &Response) -> io::Result<()> {
        let info = info(&self.info);
        let name = xml_escape(&response.source.to_string());
        for (index, suite) in self.suites.iter_mut().enumerate() {
            let schema = xml_escape(info.schemas.get(index).map_or("", String::as_str));
            suite.tests += 1;
            let mut body = String::new();
            match &response.outcome {
                Err(error) => {
                    suite.errors += 1;
                    let message = format!("{}: {}", error_place(response, error), error.kind);
                    let _ = writeln!(
                        body,
                        "      <error type=\"{}\" message=\"{}\">{}</error>",
                        error.kind.name(),
                        xml_escape(&message),
                        xml_text(&message)
                    );
                }
                Ok(judgements) => {
                    let Some(judgement) = judgements.get(index) else { continue };
                    if let Some(waivers) = &judgement.waived {
                        suite.skipped += 1;
                        let message = format!("expected failure: {}", expectations::describe(waivers));
                        let _ = writeln!(body, "      <skipped message=\"{}\"/>", xml_escape(&message));
                        let waived: Vec<String> = judgement
                            .checked
                            .violations
                            .iter()
                            .zip(waivers)
                            .map(|(v, w)| {
                                format!("{}: {v}, waived by {}: {w}", violation_place(response, v), w.entry)
                            })
                            .collect();
                        let _ =
                            writeln!(body, "      <system-out>{}</system-out>", xml_text(&waived.join("\n")));
                    } else {
                        if !judgement.passed(info.strict) {
                            suite.failures += 1;
                        }
                        junit_failures(&mut body, response, judgement, info.strict);
                    }
                }
            }
            if body.is_empty() {
                writeln!(suite.spool, "    <testcase name=\"{name}\" classname=\"{schema}\"/>")?;
            } else {
                writeln!(suite.spool, "    <testcase name=\"{name}\" classname=\"{schema}\">")?;
                suite.spool.write_all(body.as_bytes())?;
                writeln!(suite.spool, "    </testcase>")?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        let info = info(&self.info).clone();
        let tests: usize = self.suites.iter().map(|s| s.tests).sum();
        let failures: usize = self.suites.iter().map(|s| s.failures).sum();
        let errors: usize = self.suites.iter().map(|s| s.errors).sum();
        writeln!(self.out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            self.out,
            "<testsuites name=\"chatcompat check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
        )?;
        for (index, suite) in self.suites.iter_mut().enumerate() {
            let schema = xml_escape(info.schemas.get(index).map_or("", String::as_str));
            writeln!(
                self.out,
                "  <testsuite name=\"{schema}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
                suite.tests, suite.failures, suite.errors, suite.skipped
            )?;
            suite.spool.flush()?;
            let file = suite.spool.get_mut();
            file.rewind()?;
            io::copy(file, &mut self.out)?;
            writeln!(self.out, "  </testsuite>")?;
        }
        writeln!(self.out, "</testsuites>")?;
        self.out.flush()
    }
}

fn junit_failures(body: &mut String, response: &Response, judgement: &Judgement, strict: bool) {
    for (i, violation) in judgement.checked.violations.iter().enumerate() {
        let at = violation_place(response, violation);
        let mut text = format!("{at}: {violation}\n");
        if let Some(Some(excerpt)) = judgement.excerpts.get(i) {
            text.push_str(excerpt);
        }
        let _ = writeln!(
            body,
            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
            xml_escape(&violation.keyword),
            xml_escape(&format!("{at}: {violation}")),
            xml_text(&text)
        );
    }
    let extensions = &judgement.checked.extensions;
    if extensions.is_empty() {
        return;
    }
    let fields = plural(extensions.len(), "undocumented field", "undocumented fields");
    let message = format!("{}: {fields}: {}", response.source, list_extensions(extensions));
    if strict {
        let all = extensions.join("\n");
        let _ = writeln!(
            body,
            "      <failure type=\"extensions\" message=\"{}\">{}</failure>",
            xml_escape(&message),
            xml_text(&all)
        );
    } else {
        let _ =
            writeln!(body, "      <system-out>conforms-with-extensions: {}</system-out>", xml_text(&message));
    }
}

/// Escapes text for an XML 1.0 attribute; characters XML 1.0 cannot carry
/// (most control characters) become U+FFFD.
pub fn xml_escape(text: &str) -> String {
    escape(text, true)
}

/// Escapes text for XML 1.0 element content: as [`xml_escape`], but line breaks and tabs stay.
pub fn xml_text(text: &str) -> String {
    escape(text, false)
}

fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------- github

struct Github<W> {
    out: W,
    info: Option<RunInfo>,
}

impl<W: Write> Github<W> {
    fn annotate(
        &mut self,
        level: &str,
        file: &str,
        position: (Option<usize>, Option<usize>),
        title: &str,
        message: &str,
    ) -> io::Result<()> {
        let mut properties = format!("file={}", github_property(file));
        if let Some(line) = position.0 {
            let _ = write!(properties, ",line={line}");
        }
        if let Some(column) = position.1 {
            let _ = write!(properties, ",col={column}");
        }
        let _ = write!(properties, ",title={}", github_property(title));
        writeln!(self.out, "::{level} {properties}::{}", github_data(message))
    }
}

impl<W: Write> Reporter for Github<W> {
    fn begin(&mut self, info: &RunInfo) -> io::Result<()> {
        self.info = Some(info.clone());
        Ok(())
    }

    fn response(&mut self, response: &Response) -> io::Result<()> {
        let info = info(&self.info).clone();
        let file = &response.source.file;
        let record_line = response.source.line;
        let judgements = match &response.outcome {
            Ok(judgements) => judgements,
            Err(error) => {
                let line = error.position.map(|p| p.line.get()).or(record_line);
                let column = error.position.map(|p| p.column.get());
                let title = format!("chatcompat: {}", error.kind.name());
                return self.annotate("error", file, (line, column), &title, &error.kind.to_string());
            }
        };
        for (index, judgement) in judgements.iter().enumerate() {
            let schema = info.schemas.get(index).map_or("", String::as_str);
            if let Some(waivers) = &judgement.waived {
                let title = format!("chatcompat: {schema}: expected failure");
                for (violation, waiver) in judgement.checked.violations.iter().zip(waivers) {
                    let line = violation.position.map(|p| p.line.get()).or(record_line);
                    let column = violation.position.map(|p| p.column.get());
                    let message = format!("{violation}, waived: {waiver}");
                    self.annotate("notice", file, (line, column), &title, &message)?;
                }
                continue;
            }
            for violation in &judgement.checked.violations {
                let line = violation.position.map(|p| p.line.get()).or(record_line);
                let column = violation.position.map(|p| p.column.get());
                let title = format!("chatcompat: {schema}: {}", violation.keyword);
                self.annotate("error", file, (line, column), &title, &violation.to_string())?;
            }
            let extensions = &judgement.checked.extensions;
            if !extensions.is_empty() {
                let level = if info.strict { "error" } else { "warning" };
                let title = format!("chatcompat: {schema}: extensions");
                let fields = plural(extensions.len(), "undocumented field", "undocumented fields");
                let message = format!("{fields}: {}", list_extensions(extensions));
                self.annotate(level, file, (record_line, None), &title, &message)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        for tally in &summary.tallies {
            writeln!(self.out, "::notice title=chatcompat check::{}", github_data(&tally_line(tally)))?;
        }
        if !summary.skipped.is_empty() {
            let message = skipped_line(&summary.skipped, crate::input::Filter::RESPONSES);
            writeln!(self.out, "::notice title=chatcompat check::{}", github_data(&message))?;
        }
        let status = match summary.status() {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Incomplete => "incomplete",
        };
        let message = format!("{status}: {}", outcome_line(summary));
        writeln!(self.out, "::notice title=chatcompat check::{}", github_data(&message))?;
        self.out.flush()
    }
}

/// The summary line for files a folder walk did not read: how many, and the first few by name.
pub fn skipped_line(skipped: &[std::path::PathBuf], filter: crate::input::Filter) -> String {
    const NAMED: usize = 10;
    let wanted: Vec<String> = filter.extensions().iter().map(|e| format!("*.{e}")).collect();
    let mut line = format!(
        "skipped {} in the given folders (only {} are read there): ",
        plural(skipped.len(), "file", "files"),
        wanted.join(", ")
    );
    let names: Vec<String> = skipped.iter().take(NAMED).map(|p| p.display().to_string()).collect();
    line.push_str(&names.join(", "));
    if skipped.len() > NAMED {
        let _ = write!(line, " and {} more", skipped.len() - NAMED);
    }
    line
}

/// Escapes an annotation's message (`%`, CR, LF).
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes an annotation's property value (as [`github_data`], plus `:` and `,`).
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_covers_markup_and_control_characters() {
        assert_eq!(xml_escape("a<b>&\"c'\n\u{0}"), "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{FFFD}");
        assert_eq!(xml_text("a<b\n\u{1b}"), "a&lt;b\n\u{FFFD}");
    }

    #[test]
    fn github_escapes_data_and_properties() {
        assert_eq!(github_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(github_property("a:b,c"), "a%3Ab%2Cc");
    }
}

//! Checks many responses at once (files, folders, JSON Lines streams, standard
//! input) against one or more compiled schemas, in parallel and in bounded memory.
//!
//! This is what `chatcompat check` and an SDK's CI run. The schemas are compiled
//! once by the caller; [`Checker::run`] reads the inputs in order, cuts them into
//! batches of at most [`CheckOptions::batch_responses`] responses and
//! [`CheckOptions::batch_bytes`] bytes, checks each batch on rayon's pool and
//! hands every [`Response`] to a [`Reporter`] in input order. A JSON Lines file
//! is streamed, never loaded whole, so memory stays flat however large it is.
//! A bad record (not JSON, truncated, binary, too large) is one [`ResponseError`]
//! with its line; the rest of the stream is still checked.
//!
//! ```
//! use chatcompat::check::{CheckOptions, Checker, Input, Response};
//!
//! let catalog = chatcompat::Catalog::embedded().unwrap();
//! let openai = catalog.load_schema(catalog.provider("openai").unwrap()).unwrap();
//! let checker = Checker::new(vec![&openai], CheckOptions::default());
//! let response = checker.check_bytes("inline.json", br#"{"id": 1}"#);
//! assert!(!response.passed(false));
//! ```

use std::{
    fmt,
    fs::{self, File},
    io::{self, BufRead, BufReader, Cursor, Read},
    ops::Range,
    path::{Path, PathBuf},
    sync::Arc,
};

#[cfg(feature = "parallel")]
use rayon::prelude::*;

use std::{collections::HashMap, sync::Mutex};

use crate::{
    expectations::{Applied, EntryProblem, Expectations, Judged, Scope, Subject, Tracker, Waiver},
    format::{Reporter, RunInfo},
    input::{self, Entry, Filter, InputErrorKind, Item},
    json::{self, BadInput, BadInputKind},
    locate::{self, Position},
    observe::Inventory,
    verdict::{Checked, Schema, Verdict},
};

/// The largest response read by default (64 MiB); a longer one is reported and skipped.
pub const MAX_RESPONSE_BYTES: usize = 64 << 20;

/// How an input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputMode {
    /// By extension: `*.jsonl` and `*.ndjson` are JSON Lines, `*.json` one response;
    /// standard input and other names are sniffed (see [`sniff`]).
    #[default]
    Auto,
    /// Every input is one response.
    Json,
    /// Every input is JSON Lines: one response per line.
    Jsonl,
}

/// What a run does beside checking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// `conforms-with-extensions` fails too.
    pub strict: bool,
    pub input: InputMode,
    /// Longer responses (files or lines) are reported as [`ResponseErrorKind::TooLarge`] and skipped.
    pub max_response_bytes: usize,
    /// Keep a source excerpt (the line, a caret under the column) for every located violation.
    pub excerpts: bool,
    /// At most this many responses are held at once.
    pub batch_responses: usize,
    /// At most about this many bytes of input are held at once (plus one response).
    pub batch_bytes: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            strict: false,
            input: InputMode::Auto,
            max_response_bytes: MAX_RESPONSE_BYTES,
            excerpts: false,
            batch_responses: 4096,
            batch_bytes: 16 << 20,
        }
    }
}

pub use crate::input::{Input, STDIN_NAME};

/// Where one response came from: a file and, for a JSON Lines record, its line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub file: Arc<str>,
    /// The 1-based line of a JSON Lines record; `None` for a whole file.
    pub line: Option<usize>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// What checking one response found: a judgement per schema, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub source: Source,
    /// One [`Judgement`] per schema, in the checker's schema order.
    pub outcome: Result<Vec<Judgement>, ResponseError>,
}

impl Response {
    /// Whether every schema accepted the response (with `strict`, without extensions).
    pub fn passed(&self, strict: bool) -> bool {
        match &self.outcome {
            Ok(judgements) => judgements.iter().all(|j| j.passed(strict)),
            Err(_) => false,
        }
    }
}

/// One response against one schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Violations carry their line and column in the file (not in the record).
    pub checked: Checked,
    /// With [`CheckOptions::excerpts`]: the source line and a caret, per violation.
    pub excerpts: Vec<Option<String>>,
    /// Every violation is waived by the expectations file: an expected failure, with the
    /// waiver (reason, link, entry) of each violation, in the order of `checked.violations`.
    pub waived: Option<Vec<Waiver>>,
}

impl Judgement {
    pub fn verdict(&self) -> Verdict {
        self.checked.verdict()
    }

    pub fn passed(&self, strict: bool) -> bool {
        if self.waived.is_some() {
            return true;
        }
        match self.verdict() {
            Verdict::Conforms => true,
            Verdict::ConformsWithExtensions => !strict,
            Verdict::Violates => false,
        }
    }
}

/// A response that could not be checked, with where in the file the problem is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct ResponseError {
    pub position: Option<Position>,
    pub kind: ResponseErrorKind,
}

impl ResponseError {
    fn at(position: Option<Position>, kind: ResponseErrorKind) -> ResponseError {
        ResponseError { position, kind }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseErrorKind {
    /// The file or stream could not be read (I/O error, missing file).
    #[error("cannot read: {0}")]
    Unreadable(String),
    /// Larger than [`CheckOptions::max_response_bytes`]; not read.
    #[error("response of {size} bytes is larger than the limit of {limit} bytes: skipped (raise --max-response-bytes to check it)")]
    TooLarge { size: u64, limit: usize },
    /// A NUL byte: binary data, not JSON text.
    #[error("binary data: a NUL byte, which JSON text never contains")]
    Binary,
    /// The last line of a stream ends inside a JSON value and has no newline.
    #[error("truncated: the input ends inside this JSON value (no newline after an incomplete last line)")]
    Truncated,
    /// Not one well-formed JSON value (see [`BadInputKind`]).
    #[error("{0}")]
    Malformed(BadInputKind),
    /// The input layer could not read or walk it (a missing path, a dangling link, a link loop).
    #[error("{0}")]
    Input(InputErrorKind),
}

impl ResponseErrorKind {
    /// A stable kebab-case name, used as JUnit `type` and in the JSON output.
    pub fn name(&self) -> &'static str {
        match self {
            ResponseErrorKind::Unreadable(_) => "unreadable",
            ResponseErrorKind::Input(kind) => kind.name(),
            ResponseErrorKind::TooLarge { .. } => "too-large",
            ResponseErrorKind::Binary => "binary",
            ResponseErrorKind::Truncated => "truncated",
            ResponseErrorKind::Malformed(kind) => match kind {
                BadInputKind::Empty => "empty",
                BadInputKind::ByteOrderMark => "byte-order-mark",
                BadInputKind::InvalidUtf8 => "invalid-utf8",
                BadInputKind::Utf16(_) => "utf-16",
                BadInputKind::ForeignWhitespace(_) => "not-json-whitespace",
                BadInputKind::Syntax(_) => "syntax",
                BadInputKind::TrailingCharacters => "trailing-characters",
                BadInputKind::DuplicateKey(_) => "duplicate-key",
                BadInputKind::TooDeep => "too-deep",
                BadInputKind::NumberOutOfRange(_) => "number-out-of-range",
            },
        }
    }

    /// The response was not read at all (an I/O problem or the size limit), as
    /// opposed to read and found not to be JSON. The first makes a run incomplete.
    pub fn is_unread(&self) -> bool {
        matches!(
            self,
            ResponseErrorKind::Unreadable(_)
                | ResponseErrorKind::Input(_)
                | ResponseErrorKind::TooLarge { .. }
        )
    }
}

/// Counts of one schema's verdicts over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub schema: String,
    pub conforms: usize,
    pub conforms_with_extensions: usize,
    /// Responses that violate only as the expectations file says: expected failures, which pass.
    pub waived: usize,
    /// Responses that violate (and are not waived).
    pub violates: usize,
    /// Responses that could not be checked at all.
    pub errors: usize,
}

/// What a run found, summed up.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Responses seen (files and JSON Lines records), readable or not.
    pub responses: usize,
    /// Responses that failed at least one schema, or could not be read.
    pub failed: usize,
    /// Responses that were read but are not well-formed JSON.
    pub malformed: usize,
    /// Responses (or whole inputs) that could not be read.
    pub unread: usize,
    /// Responses that violate only as the expectations file says: they pass.
    pub expected_failures: usize,
    /// Files found in folders and not read for their extension (or not regular files), in order.
    pub skipped: Vec<PathBuf>,
    /// One tally per schema, in the checker's order.
    pub tallies: Vec<Tally>,
    pub strict: bool,
}

/// How a run ended; the binary maps each to its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every response conforms (with `strict`: and has no undocumented fields).
    Passed,
    /// At least one response violates a schema or is not well-formed JSON.
    Failed,
    /// Some input could not be read, or there was no response at all.
    Incomplete,
}

impl Summary {
    pub fn status(&self) -> Status {
        if self.unread > 0 || self.responses == 0 {
            Status::Incomplete
        } else if self.failed > 0 {
            Status::Failed
        } else {
            Status::Passed
        }
    }

    fn add(&mut self, response: &Response) {
        self.responses += 1;
        if !response.passed(self.strict) {
            self.failed += 1;
        }
        match &response.outcome {
            Ok(judgements) => {
                if judgements.iter().any(|j| j.waived.is_some()) && response.passed(self.strict) {
                    self.expected_failures += 1;
                }
                for (tally, judgement) in self.tallies.iter_mut().zip(judgements) {
                    match judgement.verdict() {
                        _ if judgement.waived.is_some() => tally.waived += 1,
                        Verdict::Conforms => tally.conforms += 1,
                        Verdict::ConformsWithExtensions => tally.conforms_with_extensions += 1,
                        Verdict::Violates => tally.violates += 1,
                    }
                }
            }
            Err(error) => {
                if error.kind.is_unread() {
                    self.unread += 1;
                } else {
                    self.malformed += 1;
                }
                for tally in &mut self.tallies {
                    tally.errors += 1;
                }
            }
        }
    }
}

/// Checks responses against a fixed list of compiled schemas.
pub struct Checker<'s> {
    schemas: Vec<&'s Schema>,
    options: CheckOptions,
    expectations: Option<Waivers<'s>>,
    inventory: Option<Mutex<Inventory>>,
}

/// The expectations file of a run and what the run has matched so far.
struct Waivers<'s> {
    expectations: &'s Expectations,
    tracker: Mutex<Tracker>,
    /// Each input file's path as the entries' globs see it, computed once per file.
    relative: Mutex<HashMap<Arc<str>, String>>,
}

impl<'s> Checker<'s> {
    /// The first schema is the provider's own; the others answer "would a client for Q read them?".
    pub fn new(schemas: Vec<&'s Schema>, options: CheckOptions) -> Checker<'s> {
        Checker { schemas, options, expectations: None, inventory: None }
    }

    /// Waives the known deviations `expectations` lists: a response whose every
    /// violation is waived passes as an expected failure ([`Judgement::waived`]).
    pub fn with_expectations(mut self, expectations: &'s Expectations) -> Checker<'s> {
        let tracker = Mutex::new(expectations.tracker(&Scope::bodies(&self.providers())));
        self.expectations = Some(Waivers { expectations, tracker, relative: Mutex::default() });
        self
    }

    /// Keeps an [`Inventory`] of every response read, for coverage and `observe`.
    pub fn with_inventory(mut self) -> Checker<'s> {
        self.inventory = Some(Mutex::new(Inventory::default()));
        self
    }

    /// After a run: one message per expectations entry that was stale or matched nothing.
    pub fn expectation_problems(&self) -> Vec<(EntryProblem, String, String)> {
        let Some(waivers) = &self.expectations else { return Vec::new() };
        let tracker = waivers.tracker.lock().map(|t| t.clone()).unwrap_or_default();
        let (stale, unmatched) = waivers.expectations.leftovers(&tracker);
        let applied = Applied { stale, unmatched, ..Applied::default() };
        waivers.expectations.entry_problems(&applied)
    }

    /// After a run with [`Checker::with_inventory`]: what the responses showed.
    pub fn inventory(&self) -> Option<Inventory> {
        self.inventory.as_ref().and_then(|inventory| inventory.lock().ok().map(|i| i.clone()))
    }

    pub fn options(&self) -> &CheckOptions {
        &self.options
    }

    /// The providers of the schemas, in order.
    pub fn providers(&self) -> Vec<String> {
        self.schemas.iter().map(|s| s.provider().to_string()).collect()
    }

    /// Checks every input in order and hands each response to `reporter`, in input
    /// order. Only an error of the reporter's output stops the run.
    ///
    /// ```
    /// use chatcompat::{check::{CheckOptions, Checker, Input, Status}, format::{self, Format}, Catalog};
    ///
    /// let catalog = Catalog::embedded()?;
    /// let schema = catalog.load_schema(catalog.provider("openai")?)?;
    /// let checker = Checker::new(vec![&schema], CheckOptions::default());
    /// let mut reporter = format::reporter(Format::Json, std::io::sink(), false);
    /// let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/openai/valid");
    /// let summary = checker.run(&[Input::Path(fixtures)], reporter.as_mut())?;
    /// assert_eq!(summary.status(), Status::Passed, "{summary:?}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run(&self, inputs: &[Input], reporter: &mut dyn Reporter) -> io::Result<Summary> {
        let mut run = self.start(reporter)?;
        for item in input::items(inputs, &Filter::RESPONSES) {
            run.item(item)?;
        }
        run.end()
    }

    /// [`Checker::run`] over one stream already open (a capture in memory, a socket):
    /// JSON Lines, one document, or sniffed, as `mode` says. `name` is shown as its file.
    pub fn run_stream<R: BufRead>(
        &self,
        name: &str,
        reader: R,
        mode: InputMode,
        reporter: &mut dyn Reporter,
    ) -> io::Result<Summary> {
        let mut run = self.start(reporter)?;
        run.stream(Arc::from(name), reader, mode)?;
        run.end()
    }

    fn start<'c, 'r>(&'c self, reporter: &'r mut dyn Reporter) -> io::Result<Run<'c, 's, 'r>> {
        let providers = self.providers();
        reporter.begin(&RunInfo { schemas: providers.clone(), strict: self.options.strict })?;
        Ok(Run {
            checker: self,
            batch: Batch::default(),
            reporter,
            summary: Summary {
                strict: self.options.strict,
                tallies: providers.into_iter().map(|schema| Tally { schema, ..Tally::default() }).collect(),
                ..Summary::default()
            },
        })
    }

    /// Checks `bytes` as one response (a whole file's content).
    pub fn check_bytes(&self, file: &str, bytes: &[u8]) -> Response {
        self.judge(Source { file: Arc::from(file), line: None }, bytes, true)
    }

    fn check_unit(&self, unit: &Unit, buffer: &[u8]) -> Response {
        match unit {
            Unit::Text { source, range, terminated } => {
                self.judge(source.clone(), &buffer[range.clone()], *terminated)
            }
            Unit::File { source, path } => match fs::read(path) {
                Ok(bytes) if bytes.len() > self.options.max_response_bytes => {
                    let kind = ResponseErrorKind::TooLarge {
                        size: bytes.len() as u64,
                        limit: self.options.max_response_bytes,
                    };
                    Response { source: source.clone(), outcome: Err(ResponseError::at(None, kind)) }
                }
                Ok(bytes) => self.judge(source.clone(), &bytes, true),
                Err(err) => Response { source: source.clone(), outcome: Err(unreadable(&err)) },
            },
            Unit::Failed { source, error } => {
                Response { source: source.clone(), outcome: Err(error.clone()) }
            }
        }
    }

    /// Strict parse, then every schema. `terminated` is false only for the last
    /// line of a stream that had no newline after it.
    fn judge(&self, source: Source, bytes: &[u8], terminated: bool) -> Response {
        // The fast path: a body that conforms to every schema is judged on the tape, with
        // no `Value` built; any other body is read in full below (see `crate::tape`).
        if self.inventory.is_none() {
            if let Some(mut judgements) = self.judge_on_tape(bytes) {
                if let Some(waivers) = &self.expectations {
                    waivers.apply(&source.file, &self.schemas, &mut judgements);
                }
                return Response { source, outcome: Ok(judgements) };
            }
        }
        let first_line = source.line.unwrap_or(1);
        let outcome = match json::read(bytes) {
            Ok(parsed) => {
                let value = &parsed.value;
                if let Some(inventory) = &self.inventory {
                    if let Ok(mut inventory) = inventory.lock() {
                        inventory.add(value);
                    }
                }
                let mut judgements: Vec<Judgement> = self
                    .schemas
                    .iter()
                    .map(|schema| self.judge_value(schema, &parsed, bytes, first_line))
                    .collect();
                if let Some(waivers) = &self.expectations {
                    waivers.apply(&source.file, &self.schemas, &mut judgements);
                }
                Ok(judgements)
            }
            Err(bad) => Err(classify(bad, bytes, terminated, first_line)),
        };
        Response { source, outcome }
    }

    /// Every schema's judgement of a body that conforms to all of them, read onto the tape;
    /// `None` for any other body.
    fn judge_on_tape(&self, bytes: &[u8]) -> Option<Vec<Judgement>> {
        let text = std::str::from_utf8(bytes).ok()?;
        crate::tape::with_tape(text, |root| {
            self.schemas
                .iter()
                .map(|schema| {
                    let checked = schema.check_tape(root)?;
                    Some(Judgement { checked, excerpts: Vec::new(), waived: None })
                })
                .collect::<Option<Vec<_>>>()
        })
        .flatten()
    }

    fn judge_value(
        &self,
        schema: &Schema,
        parsed: &json::Parsed,
        bytes: &[u8],
        first_line: usize,
    ) -> Judgement {
        let mut checked = schema.check_parsed(parsed);
        let mut excerpts = Vec::new();
        if checked.violations.is_empty() {
            return Judgement { checked, excerpts, waived: None };
        }
        // `json::parse` accepted the bytes, so they are UTF-8.
        let text = std::str::from_utf8(bytes).unwrap_or_default();
        let first_line = locate::Line(first_line);
        let spots = checked.locate(text);
        for (violation, spot) in checked.violations.iter_mut().zip(spots) {
            if self.options.excerpts {
                excerpts.push(spot.map(|spot| {
                    crate::locate::excerpt_at(text, spot, spot.position.in_record_at(first_line).line)
                }));
            }
            if let Some(position) = &mut violation.position {
                *position = position.in_record_at(first_line);
            }
        }
        Judgement { checked, excerpts, waived: None }
    }
}

impl Waivers<'_> {
    /// Marks the judgements of one response of `file` whose every violation an entry waives.
    fn apply(&self, file: &Arc<str>, schemas: &[&Schema], judgements: &mut [Judgement]) {
        let relative = {
            let Ok(mut cache) = self.relative.lock() else { return };
            cache
                .entry(file.clone())
                .or_insert_with(|| self.expectations.relative(Path::new(&**file)))
                .clone()
        };
        let Ok(mut tracker) = self.tracker.lock() else { return };
        for (judgement, schema) in judgements.iter_mut().zip(schemas) {
            let errors: Vec<(Option<usize>, String, String)> = judgement
                .checked
                .violations
                .iter()
                .map(|v| (None, v.pointer.clone(), v.keyword.clone()))
                .collect();
            let subject = Subject { relative: &relative, provider: schema.provider(), stream: false };
            if let Judged::Waived(waivers) = self.expectations.judge(&mut tracker, &subject, &errors) {
                judgement.waived = Some(waivers);
            }
        }
    }
}

/// Decides how to read input that has no telling extension, from its first
/// non-blank line: a complete JSON value on one line means JSON Lines; a line
/// that ends inside a value (the `{` of a pretty-printed body) means one document.
/// Returns the bytes it consumed (at most about `limit`), which the caller reads again.
pub fn sniff<R: BufRead>(reader: &mut R, limit: usize) -> io::Result<(Vec<u8>, InputMode)> {
    let mut consumed = Vec::new();
    let mut line_start = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            let mode = decide(&consumed[line_start..]);
            return Ok((consumed, mode));
        }
        let (used, done) = match memchr::memchr2(b'\n', b'\r', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        consumed.extend_from_slice(&available[..used]);
        reader.consume(used);
        if done {
            let line = &consumed[line_start..consumed.len() - 1];
            if !is_blank(line) {
                let mode = decide(line);
                return Ok((consumed, mode));
            }
            line_start = consumed.len();
        }
        if consumed.len() > limit {
            return Ok((consumed, InputMode::Jsonl));
        }
    }
}

/// [`sniff`]'s rule for one line.
fn decide(line: &[u8]) -> InputMode {
    let line = strip_cr(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if is_blank(line) {
        return InputMode::Jsonl;
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(line) {
        Err(err) if err.is_eof() => InputMode::Json,
        _ => InputMode::Jsonl,
    }
}

/// One response waiting in a batch.
enum Unit {
    /// Bytes in the batch buffer: a JSON Lines record, or a document read from a stream.
    Text { source: Source, range: Range<usize>, terminated: bool },
    /// A file read by the worker that checks it.
    File { source: Source, path: PathBuf },
    /// Known unreadable before checking.
    Failed { source: Source, error: ResponseError },
}

#[derive(Default)]
struct Batch {
    buffer: Vec<u8>,
    units: Vec<Unit>,
    /// Bytes of `File` units, read later by the workers.
    file_bytes: usize,
}

/// One call of [`Checker::run`]: the current batch, the reporter, the tally.
struct Run<'c, 's, 'r> {
    checker: &'c Checker<'s>,
    batch: Batch,
    reporter: &'r mut dyn Reporter,
    summary: Summary,
}

impl Run<'_, '_, '_> {
    /// Checks and reports what is left, then the summary.
    fn end(mut self) -> io::Result<Summary> {
        self.flush()?;
        self.reporter.finish(&self.summary)?;
        Ok(self.summary)
    }

    /// One thing the input layer met: a file or standard input to read, a skipped file, an error.
    fn item(&mut self, item: Item) -> io::Result<()> {
        match item {
            Item::Entry(Entry::Stdin) => {
                let name: Arc<str> = Arc::from(STDIN_NAME);
                self.stream(name, io::stdin().lock(), self.checker.options.input)
            }
            Item::Entry(Entry::File(file)) => self.file(&file.path, file.size, file.named),
            Item::Skipped(skipped) => {
                self.summary.skipped.push(skipped.path);
                Ok(())
            }
            Item::Error(error) => {
                let failed = ResponseError::at(None, ResponseErrorKind::Input(error.kind));
                self.push(Unit::Failed { source: whole(&error.path), error: failed })
            }
        }
    }

    fn file(&mut self, path: &Path, size: u64, named: bool) -> io::Result<()> {
        let mode = match (self.checker.options.input, extension(path).as_deref()) {
            (InputMode::Auto, Some("jsonl" | "ndjson")) => InputMode::Jsonl,
            (InputMode::Auto, Some("json")) => InputMode::Json,
            (InputMode::Auto, _) if !named => InputMode::Json,
            (mode, _) => mode,
        };
        if mode == InputMode::Json {
            let limit = self.checker.options.max_response_bytes;
            if size > limit as u64 {
                let error = ResponseError::at(None, ResponseErrorKind::TooLarge { size, limit });
                return self.push(Unit::Failed { source: whole(path), error });
            }
            self.batch.file_bytes += usize::try_from(size).unwrap_or(usize::MAX);
            return self.push(Unit::File { source: whole(path), path: path.to_path_buf() });
        }
        match File::open(path) {
            Ok(file) => {
                let name: Arc<str> = Arc::from(path.display().to_string());
                self.stream(name, BufReader::with_capacity(256 << 10, file), mode)
            }
            Err(err) => self.push(Unit::Failed { source: whole(path), error: unreadable(&err) }),
        }
    }

    /// Reads a stream as JSON Lines or as one document (sniffed in [`InputMode::Auto`]).
    fn stream<R: BufRead>(&mut self, name: Arc<str>, mut reader: R, mode: InputMode) -> io::Result<()> {
        let limit = self.checker.options.max_response_bytes;
        let (consumed, mode) = match mode {
            InputMode::Auto => match sniff(&mut reader, limit) {
                Ok(sniffed) => sniffed,
                Err(err) => {
                    let source = Source { file: name, line: None };
                    return self.push(Unit::Failed { source, error: unreadable(&err) });
                }
            },
            mode => (Vec::new(), mode),
        };
        let mut reader = Cursor::new(consumed).chain(reader);
        if mode == InputMode::Jsonl {
            return self.lines(name, &mut reader);
        }
        let source = Source { file: name, line: None };
        let start = self.batch.buffer.len();
        let mut limited = (&mut reader).take(limit as u64 + 1);
        if let Err(err) = limited.read_to_end(&mut self.batch.buffer) {
            self.batch.buffer.truncate(start);
            return self.push(Unit::Failed { source, error: unreadable(&err) });
        }
        if self.batch.buffer.len() - start > limit {
            self.batch.buffer.truncate(start);
            let rest = io::copy(&mut reader, &mut io::sink()).unwrap_or(0);
            let size = (limit as u64 + 1).saturating_add(rest);
            let error = ResponseError::at(None, ResponseErrorKind::TooLarge { size, limit });
            return self.push(Unit::Failed { source, error });
        }
        let range = start..self.batch.buffer.len();
        self.push(Unit::Text { source, range, terminated: true })
    }

    /// One unit per non-blank line; a read error ends the stream with one failed unit.
    fn lines<R: BufRead>(&mut self, name: Arc<str>, reader: &mut R) -> io::Result<()> {
        let mut lines = LineReader::new(reader, self.checker.options.max_response_bytes);
        loop {
            let number = lines.line + 1;
            let source = Source { file: name.clone(), line: Some(number) };
            match lines.next_into(&mut self.batch.buffer) {
                Ok(None) => return Ok(()),
                Ok(Some(Line::Text { range, terminated })) => {
                    let text = &self.batch.buffer[range.clone()];
                    if is_blank(text) {
                        self.batch.buffer.truncate(range.start);
                        continue;
                    }
                    let range = range.start..range.start + strip_cr(text).len();
                    self.push(Unit::Text { source, range, terminated })?;
                }
                Ok(Some(Line::TooLong { size })) => {
                    let limit = self.checker.options.max_response_bytes;
                    let error = ResponseError::at(
                        Some(Position::line_start(number)),
                        ResponseErrorKind::TooLarge { size, limit },
                    );
                    self.push(Unit::Failed { source, error })?;
                }
                Err(err) => {
                    let mut error = unreadable(&err);
                    error.position = Some(Position::line_start(number));
                    return self.push(Unit::Failed { source, error });
                }
            }
        }
    }

    fn push(&mut self, unit: Unit) -> io::Result<()> {
        self.batch.units.push(unit);
        let options = &self.checker.options;
        if self.batch.units.len() >= options.batch_responses
            || self.batch.buffer.len() + self.batch.file_bytes >= options.batch_bytes
        {
            self.flush()?;
        }
        Ok(())
    }

    /// Checks the batch in parallel, reports it in order, empties it.
    fn flush(&mut self) -> io::Result<()> {
        if self.batch.units.is_empty() {
            return Ok(());
        }
        let checker = self.checker;
        let buffer = &self.batch.buffer;
        #[cfg(feature = "parallel")]
        let responses: Vec<Response> = self
            .batch
            .units
            .par_iter()
            .with_max_len(64)
            .map(|unit| checker.check_unit(unit, buffer))
            .collect();
        #[cfg(not(feature = "parallel"))]
        let responses: Vec<Response> =
            self.batch.units.iter().map(|unit| checker.check_unit(unit, buffer)).collect();
        for response in &responses {
            self.summary.add(response);
            self.reporter.response(response)?;
        }
        self.batch.units.clear();
        self.batch.buffer.clear();
        self.batch.file_bytes = 0;
        if self.batch.buffer.capacity() > 4 * self.checker.options.batch_bytes {
            self.batch.buffer.shrink_to(self.checker.options.batch_bytes);
        }
        Ok(())
    }
}

fn whole(path: &Path) -> Source {
    Source { file: Arc::from(path.display().to_string()), line: None }
}

fn unreadable(err: &io::Error) -> ResponseError {
    ResponseError::at(None, ResponseErrorKind::Unreadable(err.to_string()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase())
}

fn is_blank(text: &[u8]) -> bool {
    text.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

fn strip_cr(text: &[u8]) -> &[u8] {
    text.strip_suffix(b"\r").unwrap_or(text)
}

/// Turns a strict-parse failure into an error whose position is a line of the file.
fn classify(bad: BadInput, bytes: &[u8], terminated: bool, first_line: usize) -> ResponseError {
    let shift = |p: Position| p.in_record_at(locate::Line(first_line));
    if let Some(offset) = memchr::memchr(0, bytes).filter(|_| !matches!(bad.kind, BadInputKind::Utf16(_))) {
        let position = Position::of_offset(bytes, offset);
        return ResponseError::at(Some(shift(position)), ResponseErrorKind::Binary);
    }
    let eof = matches!(&bad.kind, BadInputKind::Syntax(message) if message.starts_with("EOF while parsing"));
    let kind = if eof && !terminated {
        ResponseErrorKind::Truncated
    } else {
        ResponseErrorKind::Malformed(bad.kind)
    };
    ResponseError::at(Some(shift(bad.position)), kind)
}

/// One line of a stream, without its `\n`.
#[derive(Debug, PartialEq, Eq)]
enum Line {
    /// The line's bytes, appended to the caller's buffer at `range`.
    Text { range: Range<usize>, terminated: bool },
    /// Longer than the limit: skipped without being held, `size` bytes.
    TooLong { size: u64 },
}

/// Splits a stream into lines without ever holding more than one line (up to the limit).
/// LF, CR and CRLF each end one line, as in every reader (see [`crate::locate`]).
struct LineReader<R> {
    reader: R,
    limit: usize,
    /// Lines read so far.
    line: usize,
    /// The last line ended with CR: an LF right after it belongs to that line end.
    after_cr: bool,
}

impl<R: BufRead> LineReader<R> {
    fn new(reader: R, limit: usize) -> LineReader<R> {
        LineReader { reader, limit, line: 0, after_cr: false }
    }

    /// Appends the next line to `buffer`; `None` at the end of the stream.
    fn next_into(&mut self, buffer: &mut Vec<u8>) -> io::Result<Option<Line>> {
        if std::mem::take(&mut self.after_cr) {
            loop {
                match self.reader.fill_buf() {
                    Ok(available) => {
                        if available.first() == Some(&b'\n') {
                            self.reader.consume(1);
                        }
                        break;
                    }
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => return Err(err),
                }
            }
        }
        let start = buffer.len();
        let mut size: u64 = 0;
        let mut too_long = false;
        let mut any = false;
        let terminated = loop {
            let available = match self.reader.fill_buf() {
                Ok(available) => available,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    buffer.truncate(start);
                    return Err(err);
                }
            };
            if available.is_empty() {
                if !any {
                    return Ok(None);
                }
                break false;
            }
            any = true;
            let (chunk, used, done) = match memchr::memchr2(b'\n', b'\r', available) {
                Some(i) => {
                    self.after_cr = available[i] == b'\r';
                    (&available[..i], i + 1, true)
                }
                None => (available, available.len(), false),
            };
            size += chunk.len() as u64;
            if !too_long {
                if size > self.limit as u64 {
                    too_long = true;
                    buffer.truncate(start);
                } else {
                    buffer.extend_from_slice(chunk);
                }
            }
            self.reader.consume(used);
            if done {
                break true;
            }
        };
        self.line += 1;
        if too_long {
            return Ok(Some(Line::TooLong { size }));
        }
        Ok(Some(Line::Text { range: start..buffer.len(), terminated }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], limit: usize) -> Vec<(Line, Vec<u8>)> {
        let mut reader = LineReader::new(BufReader::with_capacity(7, input), limit);
        let mut out = Vec::new();
        loop {
            let mut buffer = b"prefix".to_vec();
            match reader.next_into(&mut buffer).unwrap() {
                None => return out,
                Some(line) => {
                    let text = match &line {
                        Line::Text { range, .. } => buffer[range.clone()].to_vec(),
                        Line::TooLong { .. } => buffer[6..].to_vec(),
                    };
                    out.push((line, text));
                }
            }
        }
    }

    #[test]
    fn lines_end_at_lf_cr_and_crlf_and_keep_blank_lines_and_an_unterminated_last_line() {
        // The reader's buffer holds 7 bytes, so a CRLF is split across two reads too.
        let found = lines(b"{\"a\":1}\r\n\n  \r{\"b\":2}\r\r\nlast", 100);
        let texts: Vec<&[u8]> = found.iter().map(|(_, t)| t.as_slice()).collect();
        assert_eq!(texts, [&b"{\"a\":1}"[..], b"", b"  ", b"{\"b\":2}", b"", b"last"]);
        assert!(matches!(found[5].0, Line::Text { terminated: false, .. }));
        assert!(matches!(found[0].0, Line::Text { terminated: true, .. }));
    }

    #[test]
    fn a_line_over_the_limit_is_skipped_without_being_held() {
        let found = lines(b"0123456789abcdef\nok\n", 10);
        assert_eq!(found[0], (Line::TooLong { size: 16 }, Vec::new()));
        assert_eq!(found[1].1, b"ok");
    }

    #[test]
    fn a_hundred_megabyte_line_streams_through_in_bounded_memory() {
        let huge = io::repeat(b'x').take(100 << 20);
        let input = huge.chain(&b"\n{}\n"[..]);
        let mut reader = LineReader::new(BufReader::new(input), 1 << 20);
        let mut buffer = Vec::new();
        assert_eq!(reader.next_into(&mut buffer).unwrap(), Some(Line::TooLong { size: 100 << 20 }));
        assert!(buffer.capacity() <= 2 << 20, "held {} bytes", buffer.capacity());
        assert_eq!(
            reader.next_into(&mut buffer).unwrap(),
            Some(Line::Text { range: 0..2, terminated: true })
        );
        assert_eq!(reader.line, 2);
    }

    #[test]
    fn sniff_tells_pretty_documents_from_json_lines() {
        let mut pretty = Cursor::new(b"\n{\n  \"a\": 1\n}\n".to_vec());
        assert_eq!(sniff(&mut pretty, 100).unwrap(), (b"\n{\n".to_vec(), InputMode::Json));
        let mut records = Cursor::new(b"{\"a\": 1}\n{\"a\": 2}\n".to_vec());
        assert_eq!(sniff(&mut records, 100).unwrap().1, InputMode::Jsonl);
        let mut broken = Cursor::new(b"{\"a\": nope}\n".to_vec());
        assert_eq!(sniff(&mut broken, 100).unwrap().1, InputMode::Jsonl);
    }

    #[test]
    fn excerpts_window_long_lines_around_the_column() {
        let line = format!("{}\"bad\"{}", "x".repeat(500), "y".repeat(500));
        let shown = crate::locate::excerpt(&line, Position::new(1, 501), crate::locate::Line(7));
        let mut rows = shown.lines();
        let text = rows.next().unwrap();
        let caret = rows.next().unwrap();
        assert!(text.starts_with("7 | …"), "{text}");
        assert!(text.chars().count() < 120, "{text}");
        let caret_column = caret.chars().position(|c| c == '^').unwrap();
        assert_eq!(text.chars().nth(caret_column), Some('"'), "{shown}");
    }
}

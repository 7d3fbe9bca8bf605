//! The `chatcompat` Python module: [`chatcompat::single`]'s checks of one body or one
//! event-stream transcript, turned into Python objects. Nothing is decided here: every
//! verdict, position and rule is the library's, so the wheel judges as the binary does.
//!
//! Bad input never raises: an unreadable body is a result with `verdict == "unreadable"`;
//! only an unknown provider (or one without streaming, for `check_stream`) is a `ValueError`.

use chatcompat::{
    check::ResponseError,
    locate::Position,
    single,
    stream::{Finding as RustFinding, FindingKind, TranscriptReport},
    CatalogError, Checked as RustChecked, Violation as RustViolation,
};
use pyo3::{
    exceptions::{PyRuntimeError, PyTypeError, PyValueError},
    prelude::*,
    types::{PyByteArray, PyBytes, PyDict, PyList, PyString},
};

/// One way a response breaks its provider's schema.
#[pyclass(frozen, eq, get_all, module = "chatcompat")]
#[derive(Clone, PartialEq)]
struct Violation {
    /// JSON pointer of the value (for a missing key: where it should be).
    pointer: String,
    /// The JSON Schema keyword that failed (`required`, `type`, `enum`, ...).
    keyword: String,
    /// What the schema expected, in words.
    expected: String,
    /// What the response has (`absent` for a missing key), shortened.
    found: String,
    /// 1-based line in the checked text, when the pointer was found in it.
    line: Option<usize>,
    /// 1-based column in characters, when the pointer was found in the text.
    column: Option<usize>,
}

#[pymethods]
impl Violation {
    fn __repr__(&self) -> String {
        format!(
            "Violation(pointer={:?}, keyword={:?}, expected={:?}, found={:?}, line={}, column={})",
            self.pointer,
            self.keyword,
            self.expected,
            self.found,
            option(self.line),
            option(self.column)
        )
    }

    fn __str__(&self) -> String {
        let pointer = if self.pointer.is_empty() { "(root)" } else { &self.pointer };
        let place = match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{line}:{column}: "),
            _ => String::new(),
        };
        format!("{place}{pointer}: {}: expected {}, found {}", self.keyword, self.expected, self.found)
    }

    /// The violation as a plain dict (for JSON, DataFrames, assertion messages).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("pointer", &self.pointer)?;
        dict.set_item("keyword", &self.keyword)?;
        dict.set_item("expected", &self.expected)?;
        dict.set_item("found", &self.found)?;
        dict.set_item("line", self.line)?;
        dict.set_item("column", self.column)?;
        Ok(dict)
    }
}

impl Violation {
    fn new(violation: &RustViolation) -> Violation {
        let (line, column) = split(violation.position);
        Violation {
            pointer: violation.pointer.clone(),
            keyword: violation.keyword.clone(),
            expected: violation.expected.clone(),
            found: violation.actual.clone(),
            line,
            column,
        }
    }
}

/// What checking one response body found.
#[pyclass(frozen, get_all, module = "chatcompat")]
struct Checked {
    /// The provider whose schema was applied.
    provider: String,
    /// `conforms`, `conforms-with-extensions`, `violates` or `unreadable`.
    verdict: &'static str,
    /// Every violation, in the order they stand in the text.
    violations: Vec<Violation>,
    /// JSON pointers of the fields the provider does not document.
    extensions: Vec<String>,
    /// Why the body could not be read (`verdict == "unreadable"`), else None.
    error: Option<String>,
    /// The kind of unreadable input: `syntax`, `empty`, `binary`, `duplicate-key`, ...
    error_kind: Option<&'static str>,
    /// Where the body stops being readable.
    error_line: Option<usize>,
    error_column: Option<usize>,
}

#[pymethods]
impl Checked {
    /// True when the body conforms; with `strict=True`, undocumented fields fail too.
    #[pyo3(signature = (strict = false))]
    fn passed(&self, strict: bool) -> bool {
        self.verdict == "conforms" || (!strict && self.verdict == "conforms-with-extensions")
    }

    /// The result as a plain dict of str, int, list and None (picklable, JSON-ready).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("provider", &self.provider)?;
        dict.set_item("verdict", self.verdict)?;
        let violations =
            PyList::new(py, self.violations.iter().map(|v| v.to_dict(py)).collect::<PyResult<Vec<_>>>()?)?;
        dict.set_item("violations", violations)?;
        dict.set_item("extensions", &self.extensions)?;
        dict.set_item("error", &self.error)?;
        dict.set_item("error_kind", self.error_kind)?;
        dict.set_item("error_line", self.error_line)?;
        dict.set_item("error_column", self.error_column)?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        match &self.error {
            Some(error) => {
                format!("Checked(provider={:?}, verdict=\"unreadable\", error={error:?})", self.provider)
            }
            None => format!(
                "Checked(provider={:?}, verdict={:?}, violations={}, extensions={})",
                self.provider,
                self.verdict,
                self.violations.len(),
                self.extensions.len()
            ),
        }
    }
}

impl Checked {
    fn new(provider: &str, outcome: Result<RustChecked, ResponseError>) -> Checked {
        match outcome {
            Ok(checked) => Checked {
                provider: provider.to_string(),
                verdict: checked.verdict().as_str(),
                violations: checked.violations.iter().map(Violation::new).collect(),
                extensions: checked.extensions,
                error: None,
                error_kind: None,
                error_line: None,
                error_column: None,
            },
            Err(error) => {
                let (line, column) = split(error.position);
                let message = match error.position {
                    Some(position) => format!("{position}: {}", error.kind),
                    None => error.kind.to_string(),
                };
                Checked::unreadable(provider, message, error.kind.name(), line, column)
            }
        }
    }

    fn unreadable(
        provider: &str,
        message: String,
        kind: &'static str,
        line: Option<usize>,
        column: Option<usize>,
    ) -> Checked {
        Checked {
            provider: provider.to_string(),
            verdict: "unreadable",
            violations: Vec::new(),
            extensions: Vec::new(),
            error: Some(message),
            error_kind: Some(kind),
            error_line: line,
            error_column: column,
        }
    }
}

/// One thing checking a transcript found.
#[pyclass(frozen, get_all, module = "chatcompat")]
#[derive(Clone)]
struct Finding {
    /// The rule's name (`usage-lost`, `data-json`, ...); `chunk-schema` or
    /// `reassembled-schema` for a schema violation.
    rule: &'static str,
    /// `error` (the SDK raises), `loss` (it reads but loses something) or `note`.
    severity: &'static str,
    /// What is wrong, in words (without event or severity).
    message: String,
    /// The 1-based event it is about; None for the stream as a whole.
    event: Option<usize>,
    /// Line and column in the transcript, where known.
    line: Option<usize>,
    column: Option<usize>,
    /// For a schema violation: the JSON pointer inside the chunk (or reassembled response).
    pointer: Option<String>,
    /// For a schema violation: the JSON Schema keyword.
    keyword: Option<String>,
}

#[pymethods]
impl Finding {
    fn __repr__(&self) -> String {
        format!(
            "Finding(rule={:?}, severity={:?}, event={}, line={}, message={:?})",
            self.rule,
            self.severity,
            option(self.event),
            option(self.line),
            self.message
        )
    }

    fn __str__(&self) -> String {
        let place = match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{line}:{column}: "),
            _ => String::new(),
        };
        let event = self.event.map(|e| format!("event {e}: ")).unwrap_or_default();
        format!("{place}{}: {event}{}", self.severity, self.message)
    }

    /// The finding as a plain dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("rule", self.rule)?;
        dict.set_item("severity", self.severity)?;
        dict.set_item("message", &self.message)?;
        dict.set_item("event", self.event)?;
        dict.set_item("line", self.line)?;
        dict.set_item("column", self.column)?;
        dict.set_item("pointer", &self.pointer)?;
        dict.set_item("keyword", &self.keyword)?;
        Ok(dict)
    }
}

impl Finding {
    fn new(finding: &RustFinding) -> Finding {
        let (line, column) = split(finding.position);
        let (pointer, keyword) = match &finding.kind {
            FindingKind::Schema { violation, .. } => {
                (Some(violation.pointer.clone()), Some(violation.keyword.clone()))
            }
            FindingKind::Rule { .. } => (None, None),
        };
        Finding {
            rule: finding.row().as_str(),
            severity: finding.severity().as_str(),
            message: finding.message(),
            event: finding.event,
            line,
            column,
            pointer,
            keyword,
        }
    }
}

/// What checking one event-stream transcript found.
#[pyclass(frozen, get_all, module = "chatcompat")]
struct StreamChecked {
    provider: String,
    /// `conforms`, `conforms-with-extensions` or `violates` (an error finding).
    verdict: &'static str,
    /// Events in the body (blocks of fields; comments do not count).
    events: usize,
    /// Events whose data was read as a chunk.
    chunks: usize,
    /// `:` comment lines (keep-alives).
    comments: usize,
    /// Whether the `[DONE]` sentinel came.
    done: bool,
    /// Errors, losses and notes, in transcript order.
    findings: Vec<Finding>,
    /// Undocumented fields in chunks, as (event, JSON pointer).
    extensions: Vec<(usize, String)>,
    /// The chunks folded into one `chat.completion`, as the SDK's accumulator would; None without chunks.
    reassembled: Option<Py<PyAny>>,
}

#[pymethods]
impl StreamChecked {
    /// True when the provider's SDK reads the stream (no error finding); with `strict=True`,
    /// losses and undocumented fields fail too.
    #[pyo3(signature = (strict = false))]
    fn passed(&self, strict: bool) -> bool {
        let error = self.findings.iter().any(|f| f.severity == "error");
        let loss = self.findings.iter().any(|f| f.severity == "loss");
        !error && (!strict || (!loss && self.extensions.is_empty()))
    }

    /// The findings of one severity (`error`, `loss` or `note`).
    fn by_severity(&self, severity: &str) -> Vec<Finding> {
        self.findings.iter().filter(|f| f.severity == severity).cloned().collect()
    }

    /// The result as a plain dict (`reassembled` stays a dict or None).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("provider", &self.provider)?;
        dict.set_item("verdict", self.verdict)?;
        dict.set_item("events", self.events)?;
        dict.set_item("chunks", self.chunks)?;
        dict.set_item("comments", self.comments)?;
        dict.set_item("done", self.done)?;
        let findings =
            PyList::new(py, self.findings.iter().map(|f| f.to_dict(py)).collect::<PyResult<Vec<_>>>()?)?;
        dict.set_item("findings", findings)?;
        dict.set_item("extensions", &self.extensions)?;
        dict.set_item("reassembled", self.reassembled.as_ref().map(|r| r.bind(py)))?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        format!(
            "StreamChecked(provider={:?}, verdict={:?}, events={}, chunks={}, findings={})",
            self.provider,
            self.verdict,
            self.events,
            self.chunks,
            self.findings.len()
        )
    }
}

impl StreamChecked {
    fn new(py: Python<'_>, report: TranscriptReport) -> PyResult<StreamChecked> {
        let reassembled = match &report.reassembled {
            Some(value) => Some(from_json(py, value)?),
            None => None,
        };
        Ok(StreamChecked {
            verdict: report.verdict().as_str(),
            events: report.events,
            chunks: report.chunks,
            comments: report.comments,
            done: report.done,
            findings: report.findings.iter().map(Finding::new).collect(),
            extensions: report.extensions,
            reassembled,
            provider: report.provider,
        })
    }
}

/// Check one chat-completion response body against `provider`'s documented schema.
///
/// `body` is the response as received: `bytes` (best: positions are exact), `bytearray`,
/// `memoryview`, or `str` (checked as its UTF-8 encoding). A `dict` or `list` is first
/// serialised with `json.dumps(body)` and that text is checked, so line and column then
/// refer to the one-line `json.dumps` output, not to any file it came from.
///
/// Returns a `Checked`: `verdict` is "conforms", "conforms-with-extensions", "violates"
/// or "unreadable" (not one well-formed JSON value; `error` says why and where). Bad
/// input never raises; an unknown provider raises ValueError naming the known ones.
#[pyfunction]
fn check(py: Python<'_>, provider: &str, body: &Bound<'_, PyAny>) -> PyResult<Checked> {
    let bytes = match body_bytes(py, body)? {
        Body::Bytes(bytes) => bytes,
        Body::NotSerialisable(message) => {
            // Only reached for a known provider: an unknown one is still a ValueError.
            chatcompat::schema(provider).map_err(catalog_error)?;
            return Ok(Checked::unreadable(provider, message, "not-serialisable", None, None));
        }
    };
    let outcome = py.detach(|| single::check_body(provider, &bytes)).map_err(catalog_error)?;
    Ok(Checked::new(provider, outcome))
}

/// Check one streamed response: the raw `text/event-stream` body (`data: {...}` events,
/// `data: [DONE]`), as bytes or str.
///
/// Each chunk is checked against `provider`'s chunk schema, then the provider SDK's stream
/// rules apply, then the chunks are folded into one chat.completion checked against the
/// response schema. Returns a `StreamChecked` with the verdict, counts of events and chunks,
/// and findings (rule, severity "error" | "loss" | "note", message, line, column). Bad input
/// never raises; a provider that is unknown or documents no streaming raises ValueError.
#[pyfunction]
fn check_stream(py: Python<'_>, provider: &str, transcript: &Bound<'_, PyAny>) -> PyResult<StreamChecked> {
    let bytes = match raw_bytes(py, transcript)? {
        Some(bytes) => bytes,
        None => {
            return Err(PyTypeError::new_err(format!(
                "a transcript is bytes, bytearray, memoryview or str, not {}",
                transcript.get_type().name()?
            )))
        }
    };
    let report = py.detach(|| single::check_stream(provider, &bytes)).map_err(catalog_error)?;
    StreamChecked::new(py, report)
}

/// The ids of the shipped providers, sorted. With `streaming=True`, only those that
/// document streamed responses (the ones `check_stream` takes).
#[pyfunction]
#[pyo3(signature = (streaming = false))]
fn providers(streaming: bool) -> PyResult<Vec<String>> {
    if streaming { single::streaming_providers() } else { single::providers() }.map_err(catalog_error)
}

/// A body's bytes, or why a dict or list could not be serialised.
enum Body {
    Bytes(Vec<u8>),
    NotSerialisable(String),
}

fn body_bytes(py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Body> {
    if let Some(bytes) = raw_bytes(py, body)? {
        return Ok(Body::Bytes(bytes));
    }
    if body.is_instance_of::<PyDict>() || body.is_instance_of::<PyList>() {
        let dumps = py.import("json")?.getattr("dumps")?;
        return Ok(match dumps.call1((body,)) {
            Ok(text) => Body::Bytes(text.cast::<PyString>()?.to_cow()?.as_bytes().to_vec()),
            Err(err) => Body::NotSerialisable(format!("json.dumps could not serialise the body: {err}")),
        });
    }
    Err(PyTypeError::new_err(format!(
        "a body is bytes, bytearray, memoryview, str, dict or list, not {}",
        body.get_type().name()?
    )))
}

/// The bytes of a bytes-like object or a str (a str with lone surrogates keeps them, as
/// invalid UTF-8 the check then reports); None for anything else.
fn raw_bytes(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Some(bytes.as_bytes().to_vec()));
    }
    if let Ok(bytes) = value.cast::<PyByteArray>() {
        return Ok(Some(bytes.to_vec()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Some(match text.to_cow() {
            Ok(text) => text.as_bytes().to_vec(),
            Err(_) => text
                .call_method1("encode", ("utf-8", "surrogatepass"))?
                .cast::<PyBytes>()?
                .as_bytes()
                .to_vec(),
        }));
    }
    let memoryview = py.import("builtins")?.getattr("memoryview")?;
    if value.is_instance(&memoryview)? {
        return Ok(Some(value.call_method0("tobytes")?.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    Ok(None)
}

/// A JSON value as Python objects (`json.loads` of its text: dicts, lists, str, int, float).
fn from_json(py: Python<'_>, value: &serde_json::Value) -> PyResult<Py<PyAny>> {
    let text = serde_json::to_string(value).map_err(|err| PyRuntimeError::new_err(err.to_string()))?;
    Ok(py.import("json")?.getattr("loads")?.call1((text,))?.unbind())
}

/// An unknown provider (or one without streaming) is the caller's mistake: ValueError,
/// naming the providers that would do. Schemas that do not load are RuntimeError.
fn catalog_error(err: CatalogError) -> PyErr {
    match err {
        CatalogError::UnknownProvider { .. } => PyValueError::new_err(err.to_string()),
        CatalogError::StreamingNotDocumented { .. } => {
            let streaming = single::streaming_providers().unwrap_or_default().join(", ");
            PyValueError::new_err(format!("{err}; providers with streaming: {streaming}"))
        }
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

fn split(position: Option<Position>) -> (Option<usize>, Option<usize>) {
    match position {
        Some(p) => (Some(p.line.get()), Some(p.column.get())),
        None => (None, None),
    }
}

fn option(value: Option<usize>) -> String {
    value.map_or_else(|| "None".to_string(), |v| v.to_string())
}

/// Conformance checks for LLM chat-completion responses and event streams.
#[pymodule]
#[pyo3(name = "chatcompat")]
fn chatcompat_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_function(wrap_pyfunction!(check, module)?)?;
    module.add_function(wrap_pyfunction!(check_stream, module)?)?;
    module.add_function(wrap_pyfunction!(providers, module)?)?;
    module.add_class::<Checked>()?;
    module.add_class::<Violation>()?;
    module.add_class::<StreamChecked>()?;
    module.add_class::<Finding>()?;
    Ok(())
}

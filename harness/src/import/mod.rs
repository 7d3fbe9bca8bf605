//! Turns recordings of real traffic into corpus fixtures: `chatcompat import`.
//!
//! A recording ([`recording`]: cassette, HAR, HTTP dump, event stream, JSON body) yields its
//! responses; each one that is a chat completion (a `chat.completion` body, a stream of
//! `chat.completion.chunk` events, or an error object that a chat endpoint sent with status 200)
//! becomes one fixture. Its body is written byte for byte except where a [`crate::redact`] rule
//! matched; it goes to `valid/` or `invalid/` by running the same check as its trial, and an
//! invalid one gets every error pinned as `[[expect]]`, so it passes its trial the moment it lands.
//! The sidecar says `source = "captured"`, where the body comes from, the date, the model, any
//! normalisation the recorder applied and every redaction. Anything else in the recording is
//! skipped with its reason, never silently.
//!
//! Planning ([`Importer::plan`]) writes nothing; [`write`] puts a plan on disk.

pub mod recording;

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use serde_json::Value;

use crate::{
    catalog::{Catalog, CatalogError},
    corpus::{
        self, ExpectedError, FixtureKind, Normalisation, Origin, Provenance, Redaction, Sidecar, Validity,
    },
    redact,
    stream::{self, StreamCatalog, Support},
    verdict::Schema,
};

use recording::{Body, Exchange, Recording};

/// What the person importing knows that the recording does not.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The provider folder (`openai`, `openrouter`, `openai-compatible`, ...); inferred from the
    /// request's host when absent.
    pub provider: Option<String>,
    /// For `openai-compatible`: the server that sent the responses (`vllm`, `groq`, ...).
    pub server: Option<String>,
    /// Repository, commit, path or URL of the recording.
    pub origin: Provenance,
    /// The capture date when the recording has none (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// The fixture name (kebab-case); default: the recording's file name. Several responses of one
    /// recording get `-1`, `-2`, ... after it.
    pub name: Option<String>,
    /// The sidecar's description; default: one made from what the response shows.
    pub description: Option<String>,
    /// What the recorder did that the recording does not show (the Vercel AI SDK's recorder
    /// re-serialises every body): listed in each sidecar's `normalisation` beside what was detected.
    pub recorder: Vec<Normalisation>,
}

/// What becomes of one response of a recording.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Fixture(Box<Planned>),
    Skipped { entry: String, reason: String },
}

/// A fixture ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// Where in the recording it was.
    pub entry: String,
    pub provider: String,
    pub kind: FixtureKind,
    pub validity: Validity,
    pub name: String,
    /// The body's path relative to the corpus folder; the sidecar is beside it (`.toml`).
    pub path: PathBuf,
    pub body: Vec<u8>,
    pub sidecar: Sidecar,
    /// The sidecar as it is written.
    pub sidecar_text: String,
}

impl Planned {
    /// `<provider>/<valid|invalid>/<name>` or `<provider>/streams/<valid|invalid>/<name>`.
    pub fn id(&self) -> String {
        self.path.with_extension("").to_string_lossy().replace('\\', "/")
    }
}

/// Why an import stops before planning any response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    #[error("{path}: {error}")]
    Recording { path: String, error: recording::RecordingError },
    #[error("unknown provider `{0}`: use a folder name under schemas/")]
    UnknownProvider(String),
    #[error("`--server` is for openai-compatible responses; `{0}` has its own schema")]
    ServerOutsideCompatible(String),
    #[error("`{0}` is not a kebab-case name (lowercase words joined by `-`)")]
    BadName(String),
    #[error("date `{0}` is not YYYY-MM-DD")]
    BadDate(String),
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// The files a folder given to `chatcompat import` is walked for (a named file is read whatever its name).
pub const RECORDINGS: crate::input::Filter =
    crate::input::Filter::new(&["yaml", "yml", "har", "json", "sse", "http", "txt"]);

/// The provider folder for servers that speak OpenAI's format without their own schema.
pub const COMPATIBLE: &str = "openai-compatible";

/// Turns recordings into planned fixtures, with every schema loaded once.
pub struct Importer {
    providers: Vec<String>,
    schemas: Vec<Schema>,
    streams: StreamCatalog,
    /// Bodies already in the corpus, so a second import of the same recording is a no-op.
    existing: Vec<(Vec<u8>, PathBuf)>,
    fixtures: PathBuf,
}

impl Importer {
    /// Loads every schema of `catalog`; `fixtures` is the corpus the fixtures go into.
    pub fn new(catalog: &Catalog, fixtures: &Path) -> Result<Importer, ImportError> {
        let corpus = corpus::discover(fixtures);
        let existing = corpus
            .fixtures
            .iter()
            .chain(&corpus.transcripts)
            .filter_map(|f| Some((fs::read(&f.body).ok()?, f.body.clone())))
            .collect();
        Ok(Importer {
            providers: catalog.ids(),
            schemas: catalog.load_schemas()?,
            streams: StreamCatalog::load(catalog),
            existing,
            fixtures: fixtures.to_path_buf(),
        })
    }

    /// Plans the fixtures of one recording (`path` names it in messages and default names).
    pub fn plan(&self, path: &Path, bytes: &[u8], options: &Options) -> Result<Vec<Outcome>, ImportError> {
        if let Some(provider) = &options.provider {
            if !self.providers.contains(provider) {
                return Err(ImportError::UnknownProvider(provider.clone()));
            }
            if options.server.is_some() && provider != COMPATIBLE {
                return Err(ImportError::ServerOutsideCompatible(provider.clone()));
            }
        }
        if let Some(name) = &options.name {
            if !is_kebab_case(name) {
                return Err(ImportError::BadName(name.clone()));
            }
        }
        if let Some(date) = &options.date {
            if recording::date_of(date).as_deref() != Some(date.as_str()) {
                return Err(ImportError::BadDate(date.clone()));
            }
        }
        let recording = recording::read(bytes)
            .map_err(|error| ImportError::Recording { path: path.display().to_string(), error })?;
        let base = options.name.clone().unwrap_or_else(|| kebab_case(&file_stem(path)));
        let mut outcomes: Vec<Outcome> =
            recording.exchanges.iter().map(|exchange| self.plan_one(&recording, exchange, options)).collect();
        let planned = outcomes.iter().filter(|o| matches!(o, Outcome::Fixture(_))).count();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let mut number = 0;
        for outcome in &mut outcomes {
            let Outcome::Fixture(fixture) = outcome else { continue };
            number += 1;
            let name = if planned > 1 { format!("{base}-{number}") } else { base.clone() };
            let skip = self.place(fixture, &name, &mut taken);
            if let Some(reason) = skip {
                *outcome = Outcome::Skipped { entry: fixture.entry.clone(), reason };
            }
        }
        Ok(outcomes)
    }

    /// Names a planned fixture and finds its path; a reason to skip it when the corpus already
    /// holds its body or its name.
    fn place(&self, fixture: &mut Planned, name: &str, taken: &mut BTreeSet<String>) -> Option<String> {
        if let Some((_, path)) = self.existing.iter().find(|(body, _)| *body == fixture.body) {
            return Some(format!("already in the corpus as {}", path.display()));
        }
        let extension = match fixture.kind {
            FixtureKind::Response => "json",
            FixtureKind::Transcript => "sse",
        };
        let folder = |validity: Validity| {
            let mut folder = PathBuf::from(&fixture.provider);
            if fixture.kind == FixtureKind::Transcript {
                folder.push(corpus::STREAMS_DIR);
            }
            folder.join(validity.as_str())
        };
        for validity in [Validity::Valid, Validity::Invalid] {
            let path = folder(validity).join(format!("{name}.{extension}"));
            if self.fixtures.join(&path).exists() || !taken.insert(path.to_string_lossy().into_owned()) {
                return Some(format!("{} exists: pass another --name", path.display()));
            }
        }
        fixture.name = name.to_string();
        fixture.path = folder(fixture.validity).join(format!("{name}.{extension}"));
        None
    }

    fn plan_one(&self, recording: &Recording, exchange: &Exchange, options: &Options) -> Outcome {
        let skip = |reason: String| Outcome::Skipped { entry: exchange.entry.clone(), reason };
        let (raw, mut normalisation) = match &exchange.body {
            Body::Bytes(bytes) => (bytes.clone(), Vec::new()),
            Body::Dechunked(bytes) => (bytes.clone(), vec![Normalisation::Dechunked]),
            Body::Framed(bytes) => (bytes.clone(), vec![Normalisation::FramedEvents]),
            Body::Structure(value) => match serde_json::to_vec(value) {
                Ok(bytes) => (bytes, vec![Normalisation::ReSerialisedJson]),
                Err(err) => return skip(format!("cannot write the recorded structure as JSON: {err}")),
            },
            Body::Unusable(reason) => return skip(reason.clone()),
        };
        if let Some(status) = exchange.status.filter(|s| !(200..300).contains(s)) {
            return skip(format!("HTTP status {status}: an error response, not a chat completion"));
        }
        let streamed = exchange.header("content-type").is_some_and(|t| t.contains("event-stream"))
            || recording::is_event_stream(&raw);
        let chat_endpoint = exchange.url.as_deref().is_some_and(|url| url.contains("chat/completions"));
        let kind = match classify(&raw, streamed, chat_endpoint) {
            Ok(kind) => kind,
            Err(reason) => return skip(reason),
        };
        let (provider, server) = match (&options.provider, exchange.url.as_deref().and_then(infer_provider)) {
            (Some(provider), inferred) => {
                let server = options.server.clone().or_else(|| {
                    inferred.filter(|(p, _)| p == provider).and_then(|(_, s)| s.map(str::to_string))
                });
                (provider.clone(), server)
            }
            (None, Some((provider, server))) => {
                (provider.to_string(), options.server.clone().or(server.map(str::to_string)))
            }
            (None, None) => {
                let host = exchange.url.as_deref().unwrap_or("no request URL in the recording");
                return skip(format!("which provider sent it? ({host}): pass --provider"));
            }
        };
        if !self.providers.contains(&provider) {
            return skip(format!("no schema for provider `{provider}`"));
        }

        let (body, found) = redact::redact(&raw);
        if sorted_keys(&body, kind) {
            normalisation.push(Normalisation::SortedKeys);
        }
        normalisation.extend(options.recorder.iter().copied());
        normalisation.sort();
        normalisation.dedup();
        let check = match self.check(&provider, kind, &body) {
            Ok(check) => check,
            Err(reason) => return skip(reason),
        };
        let date = options
            .date
            .clone()
            .or_else(|| exchange.date.clone())
            .or_else(|| check.created.and_then(recording::date_of_unix));
        let Some(date) = date else {
            return skip("no capture date in the recording or the body: pass --date".into());
        };
        let redaction = redactions(&body, kind, &found);
        let mut origin = options.origin.clone();
        origin.format = Some(recording.format.as_str().to_string());
        origin.entry = Some(exchange.entry.clone());
        if let Some(url) = origin.url.take() {
            origin.url = Some(String::from_utf8_lossy(&redact::redact(url.as_bytes()).0).into_owned());
        }
        let description = options.description.clone().unwrap_or_else(|| {
            describe(check.model.as_deref(), server.as_deref(), kind, &check.shapes, recording, exchange)
        });
        let validity = if check.errors.is_empty() { Validity::Valid } else { Validity::Invalid };
        let sidecar = Sidecar {
            description,
            source: Origin::Captured,
            date,
            version: None,
            model: check.model,
            server: server.filter(|_| provider == COMPATIBLE),
            normalisation,
            origin: Some(origin),
            redaction,
            sdk: None,
            expect: check.errors.into_iter().collect(),
        };
        Outcome::Fixture(Box::new(Planned {
            entry: exchange.entry.clone(),
            provider,
            kind,
            validity,
            name: String::new(),
            path: PathBuf::new(),
            sidecar_text: sidecar_text(&sidecar),
            body,
            sidecar,
        }))
    }

    /// Runs the check the fixture's trial will run.
    fn check(&self, provider: &str, kind: FixtureKind, body: &[u8]) -> Result<Checked, String> {
        match kind {
            FixtureKind::Response => {
                let schema = self
                    .schemas
                    .iter()
                    .find(|s| s.provider() == provider)
                    .ok_or_else(|| format!("no schema for provider `{provider}`"))?;
                let value =
                    crate::json::parse(body).map_err(|bad| format!("not readable as JSON: {}", bad.kind))?;
                let text = String::from_utf8_lossy(body);
                let checked = schema.check_text(&value, &text);
                Ok(Checked {
                    errors: checked
                        .violations
                        .iter()
                        .map(|v| ExpectedError::schema(&v.pointer, &v.keyword))
                        .collect(),
                    model: value.get("model").and_then(Value::as_str).map(str::to_string),
                    created: value.get("created").and_then(Value::as_i64),
                    shapes: shapes(&value),
                })
            }
            FixtureKind::Transcript => {
                let schemas = match self.streams.support(provider) {
                    Support::Schemas(schemas) => schemas,
                    Support::NotDocumented(note) => {
                        return Err(format!("a stream, but `{provider}` documents no streaming ({note})"))
                    }
                    Support::Broken(error) => return Err(format!("`{provider}` stream schemas: {error}")),
                    Support::Unknown => return Err(format!("no schema for provider `{provider}`")),
                };
                let report = stream::check_transcript(schemas, body);
                let first = first_chunk(body);
                let mut shapes = vec!["streamed".to_string()];
                if let Some(reassembled) = &report.reassembled {
                    shapes.extend(shapes_of_message(reassembled));
                }
                Ok(Checked {
                    errors: report.expected_errors(),
                    model: first
                        .as_ref()
                        .and_then(|c| c.get("model"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    created: first.as_ref().and_then(|c| c.get("created")).and_then(Value::as_i64),
                    shapes,
                })
            }
        }
    }
}

/// Writes a planned fixture's body and sidecar under `fixtures`.
pub fn write(planned: &Planned, fixtures: &Path) -> Result<(), ImportError> {
    let body = fixtures.join(&planned.path);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |err: std::io::Error| ImportError::Io { path, message: err.to_string() }
    };
    if let Some(folder) = body.parent() {
        fs::create_dir_all(folder).map_err(io(folder))?;
    }
    fs::write(&body, &planned.body).map_err(io(&body))?;
    let sidecar = body.with_extension("toml");
    fs::write(&sidecar, &planned.sidecar_text).map_err(io(&sidecar))
}

/// What the check of one body found.
struct Checked {
    errors: BTreeSet<ExpectedError>,
    model: Option<String>,
    created: Option<i64>,
    /// What the response shows, for the description: `tool calls`, `refusal`, `streamed`, ...
    shapes: Vec<String>,
}

/// Whether a body is a chat completion, and of which kind; why not otherwise.
fn classify(body: &[u8], streamed: bool, chat_endpoint: bool) -> Result<FixtureKind, String> {
    if streamed {
        let text = String::from_utf8_lossy(body);
        let chunks = text.lines().filter_map(|line| line.strip_prefix("data:")).map(str::trim);
        for data in chunks.filter(|d| d.starts_with('{')) {
            let Ok(value) = serde_json::from_str::<Value>(data) else { continue };
            return match value.get("object").and_then(Value::as_str) {
                Some("chat.completion.chunk") => Ok(FixtureKind::Transcript),
                // Azure OpenAI opens a stream with a prompt-filter chunk whose `object` is "": the
                // chunks after it say what the stream is.
                Some("") => continue,
                Some(other) => {
                    Err(format!("an event stream of `{other}` objects, not chat.completion.chunk"))
                }
                None if value.get("choices").is_some() => Ok(FixtureKind::Transcript),
                None if chat_endpoint => Ok(FixtureKind::Transcript),
                None => Err(format!(
                    "an event stream whose events are not chat chunks (type `{}`)",
                    value.get("type").and_then(Value::as_str).unwrap_or("unknown")
                )),
            };
        }
        return match chat_endpoint {
            true => Ok(FixtureKind::Transcript),
            false => Err("an event stream without a JSON chunk".into()),
        };
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(err) => return Err(format!("body is neither JSON nor an event stream ({err})")),
    };
    match (value.get("object").and_then(Value::as_str), &value) {
        (Some("chat.completion"), _) => Ok(FixtureKind::Response),
        (Some(other), _) => Err(format!("a `{other}` object, not chat.completion")),
        (None, Value::Object(map)) if map.get("choices").is_some_and(Value::is_array) => {
            Ok(FixtureKind::Response)
        }
        (None, Value::Object(map)) if map.contains_key("error") && chat_endpoint => Ok(FixtureKind::Response),
        (None, Value::Object(map)) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(4).collect();
            Err(format!("not a chat completion (keys: {})", keys.join(", ")))
        }
        _ => Err("not a chat completion (not a JSON object)".into()),
    }
}

/// The provider folder (and server) a request's host belongs to, where the host says so unambiguously.
pub fn infer_provider(url: &str) -> Option<(&'static str, Option<&'static str>)> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
    let path = &rest[authority.len()..];
    let ends = |suffix: &str| host == suffix || host.ends_with(&format!(".{suffix}"));
    let compatible = |server| Some((COMPATIBLE, Some(server)));
    match host.as_str() {
        _ if ends("api.openai.com") => Some(("openai", None)),
        _ if ends("openrouter.ai") => Some(("openrouter", None)),
        _ if ends("atoma.network") => Some(("atoma", None)),
        _ if ends("aiplatform.googleapis.com") && path.contains("/mistralai/") => Some(("mistral-gcp", None)),
        _ if ends("api.groq.com") => compatible("groq"),
        _ if ends("api.together.xyz") || ends("api.together.ai") => compatible("together"),
        _ if ends("api.fireworks.ai") => compatible("fireworks"),
        _ if ends("api.deepseek.com") => compatible("deepseek"),
        _ if ends("api.x.ai") => compatible("xai"),
        _ if ends("api.perplexity.ai") => compatible("perplexity"),
        _ if ends("api.cerebras.ai") => compatible("cerebras"),
        _ if ends("integrate.api.nvidia.com") => compatible("nvidia"),
        _ if ends("openai.azure.com") => compatible("azure"),
        _ if ends("api.deepinfra.com") => compatible("deepinfra"),
        _ if ends("api.hyperbolic.xyz") => compatible("hyperbolic"),
        _ if ends("api.sambanova.ai") => compatible("sambanova"),
        _ if ends("generativelanguage.googleapis.com") && path.contains("/openai/") => compatible("gemini"),
        "localhost:11434" | "127.0.0.1:11434" => compatible("ollama"),
        _ => None,
    }
}

/// Every object of the body (or of each chunk) lists its keys sorted, and at least three objects
/// have several keys: a recorder sorted them (providers send `id` before `choices`).
fn sorted_keys(body: &[u8], kind: FixtureKind) -> bool {
    fn visit(value: &Value, multi: &mut usize) -> bool {
        match value {
            Value::Object(map) => {
                let keys: Vec<&String> = map.keys().collect();
                if keys.len() > 1 {
                    *multi += 1;
                }
                keys.windows(2).all(|w| w[0] <= w[1]) && map.values().all(|v| visit(v, multi))
            }
            Value::Array(items) => items.iter().all(|v| visit(v, multi)),
            _ => true,
        }
    }
    let mut multi = 0;
    let sorted = match kind {
        FixtureKind::Response => serde_json::from_slice::<Value>(body).is_ok_and(|v| visit(&v, &mut multi)),
        FixtureKind::Transcript => String::from_utf8_lossy(body)
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .all(|v| visit(&v, &mut multi)),
    };
    sorted && multi >= 3
}

/// Each redaction with the JSON pointer of the string that holds its placeholder (JSON bodies).
fn redactions(body: &[u8], kind: FixtureKind, found: &[redact::Finding]) -> Vec<Redaction> {
    let mut pointers: Vec<String> = Vec::new();
    if kind == FixtureKind::Response && !found.is_empty() {
        if let Ok(value) = serde_json::from_slice::<Value>(body) {
            placeholders(&value, "", &mut pointers);
        }
    }
    let pointers_fit = pointers.len() == found.len();
    found
        .iter()
        .enumerate()
        .map(|(index, finding)| Redaction {
            rule: finding.rule.to_string(),
            pointer: pointers_fit.then(|| pointers[index].clone()),
            offset: finding.offset,
            length: finding.length,
        })
        .collect()
}

/// The pointer of every string (member name or value) once per placeholder in it, in document order.
fn placeholders(value: &Value, pointer: &str, out: &mut Vec<String>) {
    let count = |text: &str| text.matches("<redacted:").count();
    match value {
        Value::String(text) => out.extend(std::iter::repeat_n(pointer.to_string(), count(text))),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                placeholders(item, &format!("{pointer}/{index}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let member = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.extend(std::iter::repeat_n(member.clone(), count(key)));
                placeholders(item, &member, out);
            }
        }
        _ => {}
    }
}

/// The first chunk of an event stream, parsed.
fn first_chunk(body: &[u8]) -> Option<Value> {
    String::from_utf8_lossy(body)
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .find_map(|data| serde_json::from_str::<Value>(data.trim()).ok().filter(Value::is_object))
}

/// What a response shows, in words for its description.
fn shapes(value: &Value) -> Vec<String> {
    if value.get("error").is_some() && value.get("choices").is_none() {
        return vec!["error object in a 200 response".into()];
    }
    let mut shapes = shapes_of_message(value);
    if value.pointer("/usage/completion_tokens_details").is_some()
        || value.pointer("/usage/prompt_tokens_details").is_some()
    {
        shapes.push("usage details".into());
    }
    if value.get("choices").and_then(Value::as_array).is_some_and(|c| c.len() > 1) {
        shapes.push("several choices".into());
    }
    shapes
}

fn shapes_of_message(value: &Value) -> Vec<String> {
    let mut shapes = Vec::new();
    let message = value.pointer("/choices/0/message").unwrap_or(&Value::Null);
    match message.get("tool_calls").and_then(Value::as_array).map(Vec::len) {
        Some(0) | None => {}
        Some(1) => shapes.push("a tool call".into()),
        Some(_) => shapes.push("parallel tool calls".into()),
    }
    if message.get("refusal").is_some_and(|r| !r.is_null()) {
        shapes.push("refusal".into());
    }
    if ["reasoning", "reasoning_content", "reasoning_details"]
        .iter()
        .any(|k| message.get(*k).is_some_and(|r| !r.is_null()))
    {
        shapes.push("reasoning".into());
    }
    if value.pointer("/choices/0/logprobs").is_some_and(|l| !l.is_null()) {
        shapes.push("logprobs".into());
    }
    shapes
}

fn describe(
    model: Option<&str>,
    server: Option<&str>,
    kind: FixtureKind,
    shapes: &[String],
    recording: &Recording,
    exchange: &Exchange,
) -> String {
    let what = match kind {
        FixtureKind::Response => "response",
        FixtureKind::Transcript => "stream",
    };
    let mut text = format!("Captured {what}");
    if let Some(model) = model {
        text.push_str(&format!(" of {model}"));
    }
    if let Some(server) = server {
        text.push_str(&format!(" from {server}"));
    }
    let shown: Vec<&str> = shapes.iter().map(String::as_str).filter(|s| *s != "streamed").collect();
    if !shown.is_empty() {
        text.push_str(&format!(" ({})", shown.join(", ")));
    }
    text.push_str(&format!("; recording: {}, {}", recording.format.as_str(), exchange.entry));
    text
}

/// The sidecar as TOML; `[[expect]]` entries by hand, since a transcript's rule entry has no
/// pointer or keyword.
fn sidecar_text(sidecar: &Sidecar) -> String {
    let head = Sidecar { expect: Vec::new(), ..sidecar.clone() };
    let mut text = toml::to_string(&head).unwrap_or_default();
    for expected in &sidecar.expect {
        text.push_str("\n[[expect]]\n");
        if let Some(event) = expected.event {
            text.push_str(&format!("event = {event}\n"));
        }
        let quoted = |s: &str| toml::Value::String(s.to_string()).to_string();
        match &expected.rule {
            Some(rule) => text.push_str(&format!("rule = {}\n", quoted(rule))),
            None => text.push_str(&format!(
                "pointer = {}\nkeyword = {}\n",
                quoted(&expected.pointer),
                quoted(&expected.keyword)
            )),
        }
    }
    text
}

fn file_stem(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.split('.').next().unwrap_or_default().to_string()
}

/// Lowercase words joined by `-`: `test_chat[gpt-4o].yaml` → `test-chat-gpt-4o`.
pub fn kebab_case(text: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            previous_lower = false;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "recording".into()
    } else {
        out
    }
}

fn is_kebab_case(name: &str) -> bool {
    !name.is_empty() && kebab_case(name) == name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case() {
        assert_eq!(kebab_case("test_chat[gpt-4o]"), "test-chat-gpt-4o");
        assert_eq!(kebab_case("TestChatCompletion"), "test-chat-completion");
        assert_eq!(kebab_case("__"), "recording");
        assert!(is_kebab_case("tool-calls-2"));
        assert!(!is_kebab_case("Tool_calls"));
    }

    #[test]
    fn hosts_name_providers_and_servers() {
        assert_eq!(infer_provider("https://api.openai.com/v1/chat/completions"), Some(("openai", None)));
        assert_eq!(
            infer_provider("https://api.groq.com/openai/v1/chat/completions"),
            Some((COMPATIBLE, Some("groq")))
        );
        assert_eq!(
            infer_provider("http://localhost:11434/v1/chat/completions"),
            Some((COMPATIBLE, Some("ollama")))
        );
        assert_eq!(infer_provider("https://example.com/v1/chat/completions"), None);
        assert_eq!(infer_provider("https://evil.com/api.openai.com"), None);
    }

    #[test]
    fn classification_names_what_is_skipped() {
        assert_eq!(
            classify(br#"{"object":"chat.completion","choices":[]}"#, false, false),
            Ok(FixtureKind::Response)
        );
        assert!(classify(br#"{"object":"list","data":[]}"#, false, true).unwrap_err().contains("`list`"));
        assert_eq!(classify(br#"{"error":{"message":"x"}}"#, false, true), Ok(FixtureKind::Response));
        assert!(classify(br#"{"error":{"message":"x"}}"#, false, false).is_err());
        assert_eq!(
            classify(b"data: {\"object\":\"chat.completion.chunk\"}\n\n", true, false),
            Ok(FixtureKind::Transcript)
        );
        assert!(
            classify(b"event: message_start\ndata: {\"type\":\"message_start\"}\n\n", true, false).is_err()
        );
        // Azure's prompt-filter chunk (`object: ""`) first: the next chunk decides.
        let azure =
            b"data: {\"choices\":[],\"object\":\"\"}\n\ndata: {\"object\":\"chat.completion.chunk\"}\n\n";
        assert_eq!(classify(azure, true, false), Ok(FixtureKind::Transcript));
        assert!(classify(b"data: {\"object\":\"\"}\n\n", true, false).is_err());
    }

    #[test]
    fn sorted_keys_need_several_objects() {
        assert!(sorted_keys(br#"{"a":{"x":1,"y":2},"b":[{"c":1,"d":2}],"e":1}"#, FixtureKind::Response));
        assert!(!sorted_keys(
            br#"{"id":"x","choices":[],"a":{"x":1,"y":2},"b":{"c":1,"d":2}}"#,
            FixtureKind::Response
        ));
        assert!(!sorted_keys(br#"{"a":1,"b":2}"#, FixtureKind::Response));
    }
}

//! Knows which providers exist and where their tables and schemas live.
//!
//! A provider is data, not code: a folder `schemas/<id>/` with a `provider.toml`
//! is a provider. The committed folders are embedded in the library at build time
//! ([`Catalog::embedded`], what every check uses by default, from any folder); a
//! checkout with edited tables is opened only when named ([`Catalog::discover`],
//! `--workspace`, `$CHATCOMPAT_ROOT`), never guessed from the current folder. This
//! module lists the providers, derives or loads their schemas and compiles them once. A provider whose
//! `provider.toml` names a `chunk_root` also has a streaming chunk schema,
//! derived the same way; one without it is "streaming not documented", which
//! is a fact about the provider, never a failure.

use std::{
    fs,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::verdict::{Schema, SchemaError};
#[cfg(feature = "tools")]
use crate::{
    derive::{self, SchemaInfo},
    tables::{self, TableError},
};

/// What `build.rs` embedded: the committed `schemas/` folder of the checkout the crate was built from.
mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The environment variable naming a checkout whose `schemas/` replaces the embedded ones.
pub const ROOT_ENV: &str = "CHATCOMPAT_ROOT";

/// File name of the derived response schema inside a provider folder.
pub const SCHEMA_FILE: &str = "chat-completion.schema.json";
/// File name of the derived streaming chunk schema inside a provider folder.
pub const CHUNK_SCHEMA_FILE: &str = "chat-completion-chunk.schema.json";
/// File name of a provider's description inside its folder.
pub const PROVIDER_FILE: &str = "provider.toml";

/// Which of a provider's derived schemas: the response body, or one streamed chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SchemaKind {
    /// `chat-completion.schema.json`, rooted at `root`.
    Response,
    /// `chat-completion-chunk.schema.json`, rooted at `chunk_root`.
    Chunk,
}

impl SchemaKind {
    /// The committed file's name.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Response => SCHEMA_FILE,
            SchemaKind::Chunk => CHUNK_SCHEMA_FILE,
        }
    }

    /// The last segment of the schema's `$id`.
    pub fn id_suffix(self) -> &'static str {
        match self {
            SchemaKind::Response => "chat-completion",
            SchemaKind::Chunk => "chat-completion-chunk",
        }
    }
}

/// One provider folder.
#[derive(Debug, Clone)]
pub struct Provider {
    /// The folder name: `openrouter`, `mistral-gcp`, `openai-compatible`.
    pub id: String,
    pub name: String,
    /// The root type of the response body.
    pub root: String,
    /// What the tables were read from.
    pub sources: String,
    /// The root type of one streamed chunk, when the provider documents streaming.
    pub chunk_root: Option<String>,
    /// A note on streaming, e.g. `not documented: the SDK has no stream option`.
    pub streaming: Option<String>,
    /// How the provider's SDK reads a stream (the `[stream]` table), when stated.
    pub stream: Option<crate::stream::StreamTable>,
    /// How the provider's SDK reads numbers (the `[numbers]` table).
    pub numbers: crate::verdict::Numbers,
    /// Where a later SDK than the tables' seed reads responses differently (`[[later]]` rows).
    pub later: Vec<crate::verdict::Later>,
    /// The provider's folder: in a checkout, where its tables and schemas are; for an embedded
    /// provider, `schemas/<id>` as a name only (nothing is read from it).
    pub dir: PathBuf,
    /// The embedded schema texts (response, chunk), for a provider of [`Catalog::embedded`].
    embedded: Option<(&'static str, Option<&'static str>)>,
}

impl Provider {
    pub fn schema_path(&self) -> PathBuf {
        self.dir.join(SCHEMA_FILE)
    }

    /// The stable `$id` of this provider's response schema.
    pub fn schema_id(&self) -> String {
        self.schema_id_of(SchemaKind::Response)
    }

    /// The path of the chunk schema, when the provider documents streaming.
    pub fn chunk_schema_path(&self) -> Option<PathBuf> {
        self.chunk_root.as_ref().map(|_| self.dir.join(CHUNK_SCHEMA_FILE))
    }

    /// Whether the provider's tables document streamed chunks.
    pub fn streams(&self) -> bool {
        self.chunk_root.is_some()
    }

    /// The kinds of schema this provider has: always the response, the chunk when documented.
    pub fn schema_kinds(&self) -> Vec<SchemaKind> {
        let mut kinds = vec![SchemaKind::Response];
        if self.streams() {
            kinds.push(SchemaKind::Chunk);
        }
        kinds
    }

    /// The committed file of one kind of schema.
    pub fn schema_path_of(&self, kind: SchemaKind) -> PathBuf {
        self.dir.join(kind.file_name())
    }

    /// The stable `$id` of one kind of schema: `urn:chatcompat:<id>:chat-completion-chunk`.
    pub fn schema_id_of(&self, kind: SchemaKind) -> String {
        format!("urn:chatcompat:{}:{}", self.id, kind.id_suffix())
    }

    /// The root type of one kind of schema, if the provider has it.
    pub fn root_of(&self, kind: SchemaKind) -> Option<&str> {
        match kind {
            SchemaKind::Response => Some(&self.root),
            SchemaKind::Chunk => self.chunk_root.as_deref(),
        }
    }

    /// Why the provider has no chunk schema, in words, or `None` when it has one.
    pub fn streaming_unsupported(&self) -> Option<String> {
        if self.streams() {
            return None;
        }
        Some(self.streaming.clone().unwrap_or_else(|| "streaming not documented".to_string()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    name: String,
    root: String,
    #[serde(default)]
    sources: String,
    #[serde(default)]
    chunk_root: Option<String>,
    #[serde(default)]
    streaming: Option<String>,
    #[serde(default)]
    stream: Option<crate::stream::StreamTable>,
    #[serde(default)]
    numbers: crate::verdict::Numbers,
    #[serde(default)]
    later: Vec<crate::verdict::Later>,
}

/// Problems finding providers, or deriving and loading their schemas.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    ProviderFile { path: PathBuf, message: String },
    #[error("unknown provider `{name}` (known: {})", known.join(", "))]
    UnknownProvider { name: String, known: Vec<String> },
    #[cfg(feature = "tools")]
    #[error("{} problem(s) in the field tables:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Tables(Vec<TableError>),
    #[error("{what} needs a chatcompat checkout (the embedded schemas have no tables, fixtures or reports): pass --workspace DIR or set CHATCOMPAT_ROOT")]
    NeedsCheckout { what: String },
    #[error("{}: not a JSON schema: {message}", path.display())]
    SchemaFile { path: PathBuf, message: String },
    #[error(transparent)]
    Compile(#[from] SchemaError),
    #[error("provider `{provider}` documents no streamed chunks ({note})")]
    StreamingNotDocumented { provider: String, note: String },
}

/// Where a catalog's providers were read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The schemas embedded in the library when it was built.
    Embedded,
    /// A checkout's `schemas/` folder, named by the caller.
    Checkout,
}

/// Every provider of one workspace, or of the embedded schemas.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The checkout (empty for the embedded catalog).
    pub root: PathBuf,
    pub providers: Vec<Provider>,
    pub origin: Origin,
}

impl Catalog {
    /// The providers embedded in the library at build time (the committed `schemas/`), sorted by id.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        let mut providers = Vec::new();
        for (id, toml, response, chunk) in embedded::PROVIDERS {
            let dir = Path::new("schemas").join(id);
            let mut provider = parse_provider(id, toml, &dir.join(PROVIDER_FILE), dir.clone())?;
            provider.embedded = Some((response, *chunk));
            providers.push(provider);
        }
        Ok(Catalog { root: PathBuf::new(), providers, origin: Origin::Embedded })
    }

    /// The catalog a run uses: the checkout `workspace` when given, else the one `$CHATCOMPAT_ROOT`
    /// names, else the embedded schemas. The current folder is never looked at.
    pub fn open(workspace: Option<&Path>) -> Result<Catalog, CatalogError> {
        match workspace.map(Path::to_path_buf).or_else(|| std::env::var_os(ROOT_ENV).map(PathBuf::from)) {
            Some(root) => Catalog::discover(&root),
            None => Catalog::embedded(),
        }
    }

    /// The checkout this crate was built from, when it is still there (it has `schemas/` and
    /// `Cargo.toml`): where `derive`, `models` and `report` work by default.
    pub fn build_checkout() -> Option<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
        (root.join("schemas").is_dir() && root.join("Cargo.toml").is_file()).then(|| root.to_path_buf())
    }

    /// Lists the providers under `root/schemas`, sorted by id.
    pub fn discover(root: &Path) -> Result<Catalog, CatalogError> {
        let schemas = root.join("schemas");
        let entries = fs::read_dir(&schemas)
            .map_err(|err| CatalogError::Io { path: schemas.clone(), message: err.to_string() })?;
        let mut providers = Vec::new();
        for entry in entries.flatten() {
            let dir = entry.path();
            let file = dir.join(PROVIDER_FILE);
            if !file.is_file() {
                continue;
            }
            let text = fs::read_to_string(&file)
                .map_err(|err| CatalogError::Io { path: file.clone(), message: err.to_string() })?;
            let id = entry.file_name().to_string_lossy().into_owned();
            providers.push(parse_provider(&id, &text, &file, dir)?);
        }
        providers.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog { root: root.to_path_buf(), providers, origin: Origin::Checkout })
    }

    pub fn ids(&self) -> Vec<String> {
        self.providers.iter().map(|p| p.id.clone()).collect()
    }

    pub fn provider(&self, id: &str) -> Result<&Provider, CatalogError> {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| CatalogError::UnknownProvider { name: id.to_string(), known: self.ids() })
    }

    /// Derives `provider`'s schema from its tables.
    #[cfg(feature = "tools")]
    pub fn derive(&self, provider: &Provider) -> Result<serde_json::Value, CatalogError> {
        self.derive_kind(provider, SchemaKind::Response)
    }

    /// Derives one kind of `provider`'s schemas from its tables (the chunk schema from `chunk_root`).
    #[cfg(feature = "tools")]
    pub fn derive_kind(
        &self,
        provider: &Provider,
        kind: SchemaKind,
    ) -> Result<serde_json::Value, CatalogError> {
        self.needs_checkout("deriving schemas")?;
        let root = provider.root_of(kind).ok_or_else(|| not_streaming(provider))?;
        let set = tables::load(&provider.dir, root).map_err(CatalogError::Tables)?;
        let tables_dir = format!("schemas/{}/", provider.id);
        let title = match kind {
            SchemaKind::Response => format!("{} chat completion", provider.name),
            SchemaKind::Chunk => format!("{} chat completion chunk", provider.name),
        };
        let id = provider.schema_id_of(kind);
        Ok(derive::derive(&set, &SchemaInfo { id: &id, title: &title, tables: &tables_dir }))
    }

    /// Reads the committed schema of `provider` and compiles it.
    pub fn load_schema(&self, provider: &Provider) -> Result<Schema, CatalogError> {
        self.load_schema_kind(provider, SchemaKind::Response)
    }

    /// Reads the committed chunk schema of `provider` and compiles it;
    /// [`CatalogError::StreamingNotDocumented`] when it has none.
    pub fn load_chunk_schema(&self, provider: &Provider) -> Result<Schema, CatalogError> {
        self.load_schema_kind(provider, SchemaKind::Chunk)
    }

    /// Reads one kind of committed schema of `provider` and compiles it.
    pub fn load_schema_kind(&self, provider: &Provider, kind: SchemaKind) -> Result<Schema, CatalogError> {
        if provider.root_of(kind).is_none() {
            return Err(not_streaming(provider));
        }
        let path = provider.schema_path_of(kind);
        let text = match (provider.embedded, kind) {
            (Some((response, _)), SchemaKind::Response) => response.to_string(),
            (Some((_, Some(chunk))), SchemaKind::Chunk) => chunk.to_string(),
            _ => fs::read_to_string(&path)
                .map_err(|err| CatalogError::Io { path: path.clone(), message: err.to_string() })?,
        };
        let document = serde_json::from_str(&text)
            .map_err(|err| CatalogError::SchemaFile { path: path.clone(), message: err.to_string() })?;
        Ok(Schema::compile(&provider.id, document)?
            .with_numbers(provider.numbers.clone())
            .with_later(provider.later.clone()))
    }

    /// Fails with [`CatalogError::NeedsCheckout`] for the embedded catalog: `what` needs tables or files.
    pub fn needs_checkout(&self, what: &str) -> Result<(), CatalogError> {
        match self.origin {
            Origin::Checkout => Ok(()),
            Origin::Embedded => Err(CatalogError::NeedsCheckout { what: what.to_string() }),
        }
    }

    /// Every provider's compiled schema, in catalog order.
    pub fn load_schemas(&self) -> Result<Vec<Schema>, CatalogError> {
        self.providers.iter().map(|p| self.load_schema(p)).collect()
    }
}

/// Reads and compiles a JSON Schema file that is not a provider's (`check --schema FILE`): it is named
/// by its file name without `.json` and `.schema` (`my-sdk.schema.json` → `my-sdk`).
pub fn schema_file(path: &Path) -> Result<Schema, CatalogError> {
    let text = fs::read_to_string(path)
        .map_err(|err| CatalogError::Io { path: path.to_path_buf(), message: err.to_string() })?;
    let document = serde_json::from_str(&text)
        .map_err(|err| CatalogError::SchemaFile { path: path.to_path_buf(), message: err.to_string() })?;
    let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = file.strip_suffix(".json").unwrap_or(&file);
    let name = name.strip_suffix(".schema").unwrap_or(name);
    Schema::compile(name, document).map_err(|err| CatalogError::SchemaFile {
        path: path.to_path_buf(),
        message: format!("not a schema chatcompat can check with: {}", err.message),
    })
}

/// Reads one `provider.toml` (`file` names it in errors).
fn parse_provider(id: &str, text: &str, file: &Path, dir: PathBuf) -> Result<Provider, CatalogError> {
    let parsed: ProviderFile = toml::from_str(text)
        .map_err(|err| CatalogError::ProviderFile { path: file.to_path_buf(), message: err.to_string() })?;
    if let Some(unknown) = parsed.stream.as_ref().map(crate::stream::StreamTable::unknown_rows) {
        if !unknown.is_empty() {
            return Err(CatalogError::ProviderFile {
                path: file.to_path_buf(),
                message: format!("[stream.rules] names no rule: {}", unknown.join(", ")),
            });
        }
    }
    if let Some((i, problem)) =
        parsed.later.iter().enumerate().find_map(|(i, row)| row.problem().map(|p| (i, p)))
    {
        return Err(CatalogError::ProviderFile {
            path: file.to_path_buf(),
            message: format!("[[later]] row {} ({}): {problem}", i + 1, parsed.later[i].sdk),
        });
    }
    Ok(Provider {
        id: id.to_string(),
        name: parsed.name,
        root: parsed.root,
        sources: parsed.sources,
        chunk_root: parsed.chunk_root,
        streaming: parsed.streaming,
        stream: parsed.stream,
        numbers: parsed.numbers,
        later: parsed.later,
        dir,
        embedded: None,
    })
}

fn not_streaming(provider: &Provider) -> CatalogError {
    CatalogError::StreamingNotDocumented {
        provider: provider.id.clone(),
        note: provider.streaming.clone().unwrap_or_else(|| "no `chunk_root` in provider.toml".to_string()),
    }
}

/// Renders a schema document the way it is committed: pretty, with a final newline.
pub fn schema_text(document: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(document).unwrap_or_default();
    text.push('\n');
    text
}

/// What `derive` did, or would do, to one provider's committed schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// The committed file equals a fresh derivation.
    UpToDate,
    /// The file was (re)written.
    Written,
    /// The committed file differs from a fresh derivation, or is missing (check mode).
    Stale,
}

/// One derived file and what `derive` did, or would do, to it.
#[derive(Debug)]
pub struct Derived<'a> {
    pub provider: &'a Provider,
    pub kind: SchemaKind,
    /// The committed file.
    pub path: PathBuf,
    pub outcome: Result<Drift, CatalogError>,
}

#[cfg(feature = "tools")]
impl Catalog {
    /// Derives every provider's schemas (the response, and the chunk where
    /// documented); writes the files unless `check_only`.
    pub fn derive_all(&self, check_only: bool) -> Vec<Derived<'_>> {
        self.providers
            .iter()
            .flat_map(|provider| provider.schema_kinds().into_iter().map(move |kind| (provider, kind)))
            .map(|(provider, kind)| {
                let path = provider.schema_path_of(kind);
                let outcome = self.derive_kind(provider, kind).and_then(|document| {
                    // A schema that does not compile is an error, never written nor "up to date".
                    Schema::compile(&provider.id, document.clone())?;
                    let fresh = schema_text(&document);
                    let path = path.clone();
                    if fs::read_to_string(&path).is_ok_and(|committed| committed == fresh) {
                        Ok(Drift::UpToDate)
                    } else if check_only {
                        Ok(Drift::Stale)
                    } else {
                        fs::write(&path, fresh)
                            .map(|()| Drift::Written)
                            .map_err(|err| CatalogError::Io { path, message: err.to_string() })
                    }
                });
                Derived { provider, kind, path, outcome }
            })
            .collect()
    }
}

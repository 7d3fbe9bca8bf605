//! Knows which providers exist and where their tables and schemas live.
//!
//! A provider is data, not code: a folder `schemas/<id>/` with a `provider.toml`
//! is a provider. This module finds the workspace, lists those folders, derives
//! or loads their schemas and compiles them once. A provider whose
//! `provider.toml` names a `chunk_root` also has a streaming chunk schema,
//! derived the same way; one without it is "streaming not documented", which
//! is a fact about the provider, never a failure.

use std::{
    fs,
    path::{Path, PathBuf},
};

use serde::Deserialize;

use crate::{
    derive::{self, SchemaInfo},
    tables::{self, TableError},
    verdict::{Schema, SchemaError},
};

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
    pub stream: Option<crate::stream::Conventions>,
    /// How the provider's SDK reads numbers (the `[numbers]` table).
    pub numbers: crate::verdict::Numbers,
    pub dir: PathBuf,
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
    stream: Option<crate::stream::Conventions>,
    #[serde(default)]
    numbers: crate::verdict::Numbers,
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
    #[error("{} problem(s) in the field tables:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Tables(Vec<TableError>),
    #[error("{}: not a JSON schema: {message}", path.display())]
    SchemaFile { path: PathBuf, message: String },
    #[error(transparent)]
    Compile(#[from] SchemaError),
    #[error("provider `{provider}` documents no streamed chunks ({note})")]
    StreamingNotDocumented { provider: String, note: String },
}

/// Every provider of one workspace.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub root: PathBuf,
    pub providers: Vec<Provider>,
}

impl Catalog {
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
            let parsed: ProviderFile = toml::from_str(&text)
                .map_err(|err| CatalogError::ProviderFile { path: file.clone(), message: err.to_string() })?;
            providers.push(Provider {
                id: entry.file_name().to_string_lossy().into_owned(),
                name: parsed.name,
                root: parsed.root,
                sources: parsed.sources,
                chunk_root: parsed.chunk_root,
                streaming: parsed.streaming,
                stream: parsed.stream,
                numbers: parsed.numbers,
                dir,
            });
        }
        providers.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalog { root: root.to_path_buf(), providers })
    }

    /// The workspace of this checkout: `$CHATCOMPAT_ROOT`, else the nearest
    /// ancestor of the current directory with a `schemas/` folder, else the
    /// workspace this crate was built in.
    pub fn locate_workspace() -> PathBuf {
        if let Some(root) = std::env::var_os("CHATCOMPAT_ROOT") {
            return PathBuf::from(root);
        }
        let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf);
        let from_cwd = std::env::current_dir().ok().and_then(|cwd| {
            cwd.ancestors()
                .find(|dir| dir.join("schemas").is_dir() && dir.join("Cargo.toml").is_file())
                .map(Path::to_path_buf)
        });
        from_cwd.or(built_in).unwrap_or_else(|| PathBuf::from("."))
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
    pub fn derive(&self, provider: &Provider) -> Result<serde_json::Value, CatalogError> {
        self.derive_kind(provider, SchemaKind::Response)
    }

    /// Derives one kind of `provider`'s schemas from its tables (the chunk schema from `chunk_root`).
    pub fn derive_kind(
        &self,
        provider: &Provider,
        kind: SchemaKind,
    ) -> Result<serde_json::Value, CatalogError> {
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
        let text = fs::read_to_string(&path)
            .map_err(|err| CatalogError::Io { path: path.clone(), message: err.to_string() })?;
        let document = serde_json::from_str(&text)
            .map_err(|err| CatalogError::SchemaFile { path: path.clone(), message: err.to_string() })?;
        Ok(Schema::compile(&provider.id, document)?.with_numbers(provider.numbers.clone()))
    }

    /// Every provider's compiled schema, in catalog order.
    pub fn load_schemas(&self) -> Result<Vec<Schema>, CatalogError> {
        self.providers.iter().map(|p| self.load_schema(p)).collect()
    }
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

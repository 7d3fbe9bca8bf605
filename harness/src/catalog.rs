//! Knows which providers exist and where their tables and schemas live.
//!
//! A provider is data, not code: a folder `schemas/<id>/` with a `provider.toml`
//! is a provider. This module finds the workspace, lists those folders, derives
//! or loads their schemas and compiles them once.

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
/// File name of a provider's description inside its folder.
pub const PROVIDER_FILE: &str = "provider.toml";

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
    pub dir: PathBuf,
}

impl Provider {
    pub fn schema_path(&self) -> PathBuf {
        self.dir.join(SCHEMA_FILE)
    }

    /// The stable `$id` of this provider's response schema.
    pub fn schema_id(&self) -> String {
        format!("urn:chatcompat:{}:chat-completion", self.id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    name: String,
    root: String,
    #[serde(default)]
    sources: String,
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
        let set = tables::load(&provider.dir, &provider.root).map_err(CatalogError::Tables)?;
        let tables_dir = format!("schemas/{}/", provider.id);
        let title = format!("{} chat completion", provider.name);
        let id = provider.schema_id();
        Ok(derive::derive(&set, &SchemaInfo { id: &id, title: &title, tables: &tables_dir }))
    }

    /// Reads the committed schema of `provider` and compiles it.
    pub fn load_schema(&self, provider: &Provider) -> Result<Schema, CatalogError> {
        let path = provider.schema_path();
        let text = fs::read_to_string(&path)
            .map_err(|err| CatalogError::Io { path: path.clone(), message: err.to_string() })?;
        let document = serde_json::from_str(&text)
            .map_err(|err| CatalogError::SchemaFile { path: path.clone(), message: err.to_string() })?;
        Ok(Schema::compile(&provider.id, document)?)
    }

    /// Every provider's compiled schema, in catalog order.
    pub fn load_schemas(&self) -> Result<Vec<Schema>, CatalogError> {
        self.providers.iter().map(|p| self.load_schema(p)).collect()
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

impl Catalog {
    /// Derives every provider's schema; writes the files unless `check_only`.
    pub fn derive_all(&self, check_only: bool) -> Vec<(&Provider, Result<Drift, CatalogError>)> {
        self.providers
            .iter()
            .map(|provider| {
                let outcome = self.derive(provider).and_then(|document| {
                    let fresh = schema_text(&document);
                    let path = provider.schema_path();
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
                (provider, outcome)
            })
            .collect()
    }
}

//! chatcompat answers, with evidence, whether an LLM chat-completion response
//! conforms to what its provider documents, and whether a client built for one
//! provider can read another's responses.
//!
//! The pipeline, in reading order:
//! [`tables`] (Markdown field tables) → [`derive`] (draft 2020-12 JSON Schema) →
//! [`catalog`] (providers, committed schemas, compiled once) → [`json`] (strict
//! reading of a response body) → [`verdict`] (violations, extensions, verdict;
//! [`locate`] adds line and column) → [`corpus`] (fixtures and their metadata) →
//! [`lint`] (what a reviewer would ask a contributor to change). [`input`] turns
//! paths and standard input into inputs (the one folder walker); [`check`] runs
//! many responses (files, folders, JSON Lines, stdin) through it in parallel,
//! judging a conforming body on the [`tape`] (no `Value` built);
//! [`format`] renders the results for people and CI. [`stream`] checks a
//! streamed response (an event-stream transcript) chunk by chunk, by sequence
//! rules, and reassembled into one response. [`import`] turns recordings of real
//! traffic (cassettes, HAR, HTTP dumps, event streams) into fixtures, with [`redact`]'s rules
//! replacing secrets. [`single`] checks one body or one transcript given as bytes
//! (what a binding such as the Python package calls).
//!
//! ```
//! let response = serde_json::json!({
//!     "id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000,
//!     "model": "gpt-4o",
//!     "choices": [{"index": 0, "finish_reason": "stop",
//!                  "message": {"role": "assistant", "content": "Halo!"}}]
//! });
//! let checked = chatcompat::check("openai", &response).unwrap();
//! assert_eq!(checked.verdict(), chatcompat::Verdict::Conforms);
//! ```

pub mod catalog;
pub mod check;
#[cfg(feature = "tools")]
pub mod compat;
pub mod corpus;
#[cfg(feature = "tools")]
pub mod derive;
pub mod expectations;
pub mod fields;
pub mod format;
#[cfg(feature = "tools")]
pub mod generate;
#[cfg(feature = "tools")]
pub mod import;
pub mod input;
pub mod json;
#[cfg(feature = "tools")]
pub mod lint;
pub mod locate;
#[cfg(feature = "tools")]
pub mod models;
pub mod observe;
#[cfg(feature = "tools")]
pub mod oracle;
#[cfg(feature = "tools")]
pub mod redact;
#[cfg(feature = "tools")]
pub mod report;
pub mod single;
pub mod stream;
#[cfg(feature = "tools")]
pub mod tables;
pub mod tape;
pub mod verdict;

use std::sync::OnceLock;

pub use catalog::{Catalog, CatalogError, Provider};
pub use verdict::{Checked, Schema, Verdict, Violation};

/// Checks `response` against the schema of `provider` (`openai`, `openrouter`, `openai-compatible`, ...)
/// embedded in this library when it was built (or, when `$CHATCOMPAT_ROOT` names a checkout, that
/// checkout's committed schema). Schemas are compiled once per process.
pub fn check(provider: &str, response: &serde_json::Value) -> Result<Checked, CatalogError> {
    Ok(schema(provider)?.check(response))
}

/// The compiled schema of `provider`, as [`check`] uses it: for [`check::Checker`] (bytes, files,
/// JSON Lines, with line and column) and the other entry points that take a [`Schema`].
pub fn schema(provider: &str) -> Result<&'static Schema, CatalogError> {
    static SCHEMAS: OnceLock<Result<Vec<Schema>, String>> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        Catalog::open(None).and_then(|catalog| catalog.load_schemas()).map_err(|err| err.to_string())
    });
    let schemas = schemas
        .as_ref()
        .map_err(|message| CatalogError::Io { path: "schemas".into(), message: message.clone() })?;
    schemas.iter().find(|s| s.provider() == provider).ok_or_else(|| CatalogError::UnknownProvider {
        name: provider.to_string(),
        known: schemas.iter().map(|s| s.provider().to_string()).collect(),
    })
}

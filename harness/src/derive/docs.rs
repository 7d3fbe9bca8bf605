//! `chatcompat derive --tables DIR --root TYPE`: a schema from an SDK's docs folder, with
//! what the pages cannot know said out loud (issue #17).
//!
//! Speakeasy's TypeScript pages carry no nullability and no integer facts. The facts come
//! from the SDK's source (`--sdk-source`, [`crate::tables::sdk_source`]) or from an
//! overrides file in our table format (`--overrides`, [`crate::tables::overrides`]); what
//! neither supplied is listed in the schema's description and in the notes for stderr.

use std::path::Path;

use serde_json::Value;

use super::{derive, SchemaInfo};
use crate::tables::{self, overrides, sdk_source, Dialect, Scalar, TableError, TypeKind, TypeRef, TypeSet};

/// Where the facts the pages lack may come from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The SDK's source folder (zod `src/models/**`, or a Python SDK's pydantic models).
    pub sdk_source: Option<&'a Path>,
    /// An overrides file in our table format.
    pub overrides: Option<&'a Path>,
}

/// A derived schema and what the user should be told about it.
#[derive(Debug, Clone)]
pub struct FromDocs {
    pub schema: Value,
    /// One line each, for stderr: where facts came from, and which are still unknown.
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// Every problem of every page (and of the overrides file), one per line.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: "))]
    Tables(Vec<TableError>),
    #[error("--sdk-source {0}")]
    SdkSource(#[from] sdk_source::SdkSourceError),
    #[error("the derived schema does not compile: {0}")]
    Compile(String),
}

/// Loads the pages, fills in facts from the options, derives and compiles the schema.
pub fn from_docs(dir: &Path, root: &str, options: &Options<'_>) -> Result<FromDocs, DocsError> {
    let mut set = tables::load(dir, root).map_err(DocsError::Tables)?;
    let mut notes = Vec::new();
    let mut filled: Vec<String> = Vec::new();
    if let Some(source) = options.sdk_source {
        let facts = sdk_source::read(source)?;
        let applied = facts.apply(&mut set);
        notes.push(format!(
            "--sdk-source {}: {} models in {} files; {} of the pages' object types matched: {} fields made nullable, \
             {} numbers made integer, {} wire keys and {} required flags corrected",
            source.display(),
            facts.types.len(),
            facts.files,
            applied.filled.len(),
            applied.nullable,
            applied.integers,
            applied.wire_keys,
            applied.required,
        ));
        if !applied.unmatched.is_empty() {
            notes.push(format!("no SDK model for: {}", applied.unmatched.join(", ")));
        }
        if !applied.missing_fields.is_empty() {
            notes.push(format!(
                "fields of the pages the SDK models do not have (kept as the pages say): {}",
                applied.missing_fields.join(", ")
            ));
        }
        filled = applied.filled;
    }
    let mut overridden: Vec<String> = Vec::new();
    if let Some(file) = options.overrides {
        let rows = overrides::read(file).map_err(DocsError::Tables)?;
        let done = overrides::apply(&mut set, &rows).map_err(DocsError::Tables)?;
        notes.push(format!(
            "--overrides {}: {} rows replaced, {} added",
            file.display(),
            done.replaced.len(),
            done.added.len()
        ));
        overridden = done.replaced.into_iter().chain(done.added).collect();
    }
    let gaps = gaps(&set, &filled, &overridden);
    if let Some(gap) = &gaps {
        notes.push(gap.note());
    }
    let name: String = set
        .root
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' })
        .collect();
    let id = format!("urn:chatcompat:custom:{name}");
    let shown = dir.display().to_string();
    let mut schema = derive(&set, &SchemaInfo { id: &id, title: &set.root, tables: &shown });
    if let (Some(gap), Value::Object(map)) = (&gaps, &mut schema) {
        let text = match map.get("description").and_then(Value::as_str) {
            Some(description) => format!("{description}\n\n{}", gap.description()),
            None => gap.description(),
        };
        // Keep `description` where the root's own would be: after `title`.
        map.insert("description".into(), Value::String(text));
    }
    crate::Schema::compile(&id, schema.clone()).map_err(|err| DocsError::Compile(err.to_string()))?;
    Ok(FromDocs { schema, notes })
}

/// The facts a derived schema lacks: types read from TypeScript pages that no SDK model
/// or override filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gaps {
    /// Object types whose nullability nobody supplied.
    pub types: Vec<String>,
    /// `Type.field` rows typed *number* that may be integers.
    pub numbers: Vec<String>,
}

impl Gaps {
    fn note(&self) -> String {
        format!(
            "{} types come from TypeScript pages, which do not say which fields accept null or which numbers are \
             integers: {} (every field taken as not nullable); numbers that may be integers: {}. Supply the facts \
             with --sdk-source DIR (the SDK's zod or pydantic models) or --overrides FILE (rows in our table format)",
            self.types.len(),
            self.types.join(", "),
            if self.numbers.is_empty() { "none".to_string() } else { self.numbers.join(", ") },
        )
    }

    fn description(&self) -> String {
        format!(
            "Not known from the docs pages (Speakeasy TypeScript pages carry no nullability and no integer facts): \
             every field of {} is taken as not nullable, and {} as any number.",
            self.types.join(", "),
            if self.numbers.is_empty() { "no field".to_string() } else { self.numbers.join(", ") },
        )
    }
}

/// TypeScript-dialect object types not filled by the SDK's source; rows overridden count as known.
pub fn gaps(set: &TypeSet, filled: &[String], overridden: &[String]) -> Option<Gaps> {
    let mut gaps = Gaps { types: Vec::new(), numbers: Vec::new() };
    for ty in &set.types {
        let TypeKind::Object { fields } = &ty.kind else { continue };
        if ty.dialect != Dialect::TypeScript || fields.is_empty() || filled.contains(&ty.name) {
            continue;
        }
        let open: Vec<_> =
            fields.iter().filter(|f| !overridden.contains(&format!("{}.{}", ty.name, f.name))).collect();
        if open.is_empty() {
            continue;
        }
        gaps.types.push(ty.name.clone());
        for field in open {
            if is_number(&field.ty) {
                gaps.numbers.push(format!("{}.{}", ty.name, field.name));
            }
        }
    }
    (!gaps.types.is_empty()).then_some(gaps)
}

fn is_number(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Scalar(Scalar::Number) => true,
        TypeRef::Array(inner) => is_number(inner),
        _ => false,
    }
}

//! Writes the typed models from the field tables: `harness/src/models/<provider>.rs`
//! per provider and `index.rs` listing them (`chatcompat models`).
//!
//! The output is declarative — one `rt::object!`, `rt::closed_enum!`,
//! `rt::open_enum!`, `rt::tagged_union!` or `rt::union!` block per table page, one
//! line per row — so a table's diff and its model's diff read alike, and rustfmt
//! leaves the blocks alone (it does not format brace-delimited macro calls).
//! Tagged unions take their tag from the derived schema's `if`/`then`, so the
//! model and the schema cannot disagree on it. [`check`] compares ignoring
//! whitespace and trailing commas, so a later `cargo fmt` is not drift.

use std::{
    collections::BTreeSet,
    fmt::Write as _,
    fs,
    path::{Path, PathBuf},
};

use serde_json::Value;

use crate::{
    catalog::{Catalog, CatalogError, Drift, Provider},
    tables::{self, Field, Scalar, TypeDef, TypeKind, TypeRef, TypeSet},
};

/// Where the generated models live, relative to the workspace.
pub const MODELS_DIR: &str = "harness/src/models";
/// The generated file that declares every provider's module and lists the models.
pub const INDEX_FILE: &str = "index.rs";

/// One generated file: where it goes and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub text: String,
}

/// Generates every provider's model file and the index, in catalog order.
pub fn generate_all(catalog: &Catalog) -> Result<Vec<GeneratedFile>, CatalogError> {
    let dir = catalog.root.join(MODELS_DIR);
    let mut files = Vec::new();
    let mut index = Vec::new();
    for provider in &catalog.providers {
        let set = tables::load(&provider.dir, &provider.root).map_err(CatalogError::Tables)?;
        let schema = catalog.derive(provider)?;
        let module = module_name(&provider.id);
        let model = ProviderModel::new(provider, &set, &schema);
        files.push(GeneratedFile { path: dir.join(format!("{module}.rs")), text: model.render() });
        index.push((provider.id.clone(), module, model.type_name(&set.root)));
    }
    files.push(GeneratedFile { path: dir.join(INDEX_FILE), text: render_index(&index) });
    Ok(files)
}

/// Writes every generated file (or, when `check_only`, only compares), as `derive` does for schemas.
pub fn write_all(catalog: &Catalog, check_only: bool) -> Result<Vec<(PathBuf, Drift)>, CatalogError> {
    let mut outcomes = Vec::new();
    for file in generate_all(catalog)? {
        let committed = fs::read_to_string(&file.path).ok();
        let drift = match committed {
            Some(committed) if same_code(&committed, &file.text) => Drift::UpToDate,
            _ if check_only => Drift::Stale,
            _ => {
                fs::write(&file.path, &file.text)
                    .map_err(|err| CatalogError::Io { path: file.path.clone(), message: err.to_string() })?;
                Drift::Written
            }
        };
        outcomes.push((file.path, drift));
    }
    Ok(outcomes)
}

/// Every committed model file that differs from a fresh generation, as (path, first differing line).
pub fn check(catalog: &Catalog) -> Result<Vec<(PathBuf, String)>, CatalogError> {
    let mut stale = Vec::new();
    for file in generate_all(catalog)? {
        match fs::read_to_string(&file.path) {
            Ok(committed) if same_code(&committed, &file.text) => {}
            Ok(committed) => {
                let first = committed
                    .lines()
                    .zip(file.text.lines())
                    .find(|(a, b)| a.split_whitespace().ne(b.split_whitespace()))
                    .map_or_else(
                        || "the files differ in length".to_string(),
                        |(a, b)| format!("committed `{}`, fresh `{}`", a.trim(), b.trim()),
                    );
                stale.push((file.path, first));
            }
            Err(_) => stale.push((file.path, "missing".to_string())),
        }
    }
    Ok(stale)
}

/// Whether two Rust sources are the same code up to whitespace and trailing commas.
pub fn same_code(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

fn normalize(text: &str) -> String {
    let compact: String = text.split_whitespace().collect();
    compact.replace(",]", "]").replace(",}", "}").replace(",)", ")")
}

/// The Rust module name of a provider id: `mistral-gcp` → `mistral_gcp`.
pub fn module_name(id: &str) -> String {
    let mut name: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || KEYWORDS.contains(&name.as_str())
    {
        name.insert_str(0, "provider_");
    }
    name
}

/// Rust's keywords, strict and reserved (an identifier that is one needs `r#`).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
    "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self",
    "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Type names the generated code itself uses unqualified.
const RESERVED_TYPES: &[&str] =
    &["Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err", "Self"];

struct ProviderModel<'a> {
    provider: &'a Provider,
    set: &'a TypeSet,
    schema: &'a Value,
    /// Rust type name of every table type, by table name.
    names: Vec<(String, String)>,
}

impl<'a> ProviderModel<'a> {
    fn new(provider: &'a Provider, set: &'a TypeSet, schema: &'a Value) -> Self {
        let mut used = BTreeSet::new();
        let names = set
            .types
            .iter()
            .map(|ty| {
                let mut name = camel_ident(&ty.name, "Type");
                if RESERVED_TYPES.contains(&name.as_str()) {
                    name.push_str("Type");
                }
                (ty.name.clone(), unique(name, &mut used))
            })
            .collect();
        ProviderModel { provider, set, schema, names }
    }

    fn type_name(&self, table_name: &str) -> String {
        self.names
            .iter()
            .find(|(table, _)| table == table_name)
            .map_or_else(|| camel_ident(table_name, "Type"), |(_, rust)| rust.clone())
    }

    fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "//! The typed model of {}'s chat completion (`{}`), generated by `chatcompat models`",
            self.provider.name,
            self.type_name(&self.set.root)
        );
        let _ = writeln!(
            out,
            "//! from the field tables in `schemas/{}/`: do not edit by hand.",
            self.provider.id
        );
        out.push_str("//!\n");
        out.push_str(
            "//! One block per table page, one line per row; `crate::models::runtime` has the macros.\n",
        );
        out.push('\n');
        out.push_str("use crate::models::runtime as rt;\n");
        for ty in &self.set.types {
            out.push('\n');
            match &ty.kind {
                TypeKind::Object { fields } => self.render_object(ty, fields, &mut out),
                TypeKind::Enum { values, open } => self.render_enum(ty, values, *open, &mut out),
                TypeKind::Union { members } => self.render_union(ty, members, &mut out),
            }
        }
        out
    }

    fn render_object(&self, ty: &TypeDef, fields: &[Field], out: &mut String) {
        out.push_str("rt::object! {\n");
        doc(out, 1, ty.description.as_deref());
        let _ = writeln!(out, "    pub struct {} {{", self.type_name(&ty.name));
        let mut used: BTreeSet<String> = ["rest".to_string()].into();
        for field in fields {
            let kind = match (field.required, field.nullable) {
                (true, false) => "required",
                (true, true) => "required_nullable",
                (false, false) => "optional",
                (false, true) => "optional_nullable",
            };
            let facts = format!("`{}`: {}.", field.wire_key, kind.replace('_', ", "));
            let text = match field.description.as_deref() {
                Some(description) => format!("{facts} {description}"),
                None => facts,
            };
            doc(out, 2, Some(&text));
            let ident = unique(snake_ident(&tables::snake_case(&field.name)), &mut used);
            let _ = writeln!(
                out,
                "        {}: {kind} {} = {},",
                raw_ident(&ident),
                self.rust_type(&field.ty),
                string_literal(&field.wire_key)
            );
        }
        out.push_str("    }\n}\n");
    }

    fn render_enum(&self, ty: &TypeDef, values: &[String], open: bool, out: &mut String) {
        out.push_str(if open { "rt::open_enum! {\n" } else { "rt::closed_enum! {\n" });
        doc(out, 1, ty.description.as_deref());
        let _ = writeln!(out, "    pub enum {} {{", self.type_name(&ty.name));
        let mut used = BTreeSet::new();
        for value in values {
            let variant = unique(camel_ident(value, "Value"), &mut used);
            let _ = writeln!(out, "        {variant} = {},", string_literal(value));
        }
        if open {
            let _ = writeln!(out, "        _ => {},", unique("Other".to_string(), &mut used));
        }
        out.push_str("    }\n}\n");
    }

    fn render_union(&self, ty: &TypeDef, members: &[TypeRef], out: &mut String) {
        let name = self.type_name(&ty.name);
        let mut used = BTreeSet::new();
        if let Some((tag, branches)) = self.tagged(&ty.name) {
            out.push_str("rt::tagged_union! {\n");
            doc(out, 1, ty.description.as_deref());
            let _ = writeln!(out, "    pub enum {name}: {} {{", string_literal(&tag));
            for (value, member) in branches {
                let variant = unique(camel_ident(&value, "Tag"), &mut used);
                let rust = self.type_name(&member);
                let _ = writeln!(out, "        {variant}({rust}) = {},", string_literal(&value));
            }
        } else {
            out.push_str("rt::union! {\n");
            doc(out, 1, ty.description.as_deref());
            let _ = writeln!(out, "    pub enum {name} {{");
            for member in members {
                let variant = unique(self.variant_of(member), &mut used);
                let _ = writeln!(out, "        {variant}({}),", self.rust_type(member));
            }
        }
        out.push_str("    }\n}\n");
    }

    /// The tag property and (value, member type) pairs, when the derived schema selects members by a tag.
    fn tagged(&self, union: &str) -> Option<(String, Vec<(String, String)>)> {
        let def = self.schema.get("$defs")?.get(union)?;
        let branches = def.get("allOf")?.as_array()?;
        let mut tag = None;
        let mut pairs = Vec::new();
        for branch in branches {
            let (property, condition) = branch.get("if")?.get("properties")?.as_object()?.iter().next()?;
            let value = condition.get("const")?.as_str()?;
            let member = branch.get("then")?.get("$ref")?.as_str()?.strip_prefix("#/$defs/")?;
            if tag.get_or_insert_with(|| property.clone()) != property {
                return None;
            }
            pairs.push((value.to_string(), member.to_string()));
        }
        Some((tag?, pairs))
    }

    fn rust_type(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Scalar(scalar) => scalar_type(*scalar).to_string(),
            TypeRef::Named(name) => self.type_name(name),
            TypeRef::Array(item) => format!("Vec<{}>", self.rust_type(item)),
            TypeRef::Map(value) => format!("rt::Map<{}>", self.rust_type(value)),
            // A const literal is read as the JSON kind of its value; the schema holds the value.
            TypeRef::Literal(values) => scalar_type(literal_scalar(values)).to_string(),
        }
    }

    fn variant_of(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Scalar(Scalar::Boolean) => "Bool".to_string(),
            TypeRef::Scalar(scalar) => camel_ident(&scalar.to_string(), "Value"),
            TypeRef::Named(name) => self.type_name(name),
            TypeRef::Array(item) => format!("{}List", self.variant_of(item)),
            TypeRef::Map(value) => format!("{}Map", self.variant_of(value)),
            TypeRef::Literal(values) => self.variant_of(&TypeRef::Scalar(literal_scalar(values))),
        }
    }
}

/// The scalar a const literal's values share (`"assistant"` → string), else any.
fn literal_scalar(values: &[serde_json::Value]) -> Scalar {
    let kinds: Vec<Scalar> = values
        .iter()
        .map(|v| match v {
            serde_json::Value::String(_) => Scalar::String,
            serde_json::Value::Bool(_) => Scalar::Boolean,
            serde_json::Value::Number(_) => Scalar::Number,
            _ => Scalar::Any,
        })
        .collect();
    match kinds.first() {
        Some(first) if kinds.iter().all(|k| k == first) => *first,
        _ => Scalar::Any,
    }
}

fn scalar_type(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::String => "String",
        Scalar::Integer => "rt::Integer",
        Scalar::Number => "rt::Number",
        Scalar::Boolean => "bool",
        Scalar::DateTime => "rt::DateTime",
        Scalar::Object => "rt::Object",
        Scalar::Any => "rt::Any",
    }
}

fn render_index(models: &[(String, String, String)]) -> String {
    let mut out = String::new();
    out.push_str("//! Every provider's typed model, generated by `chatcompat models` from `schemas/*/`:\n");
    out.push_str("//! do not edit by hand.\n\n");
    out.push_str("use crate::models::runtime::Model;\n");
    for (_, module, _) in models {
        out.push('\n');
        let _ = writeln!(out, "#[path = \"{module}.rs\"]");
        out.push_str(
            "#[allow(clippy::large_enum_variant, clippy::enum_variant_names, reason = \"named after the tables\")]\n",
        );
        let _ = writeln!(out, "pub mod {module};");
    }
    out.push_str("\n/// Every provider's model, in catalog order.\n");
    out.push_str("pub const MODELS: &[Model] = &[\n");
    for (id, module, root) in models {
        let _ = writeln!(
            out,
            "    Model::new::<{module}::{root}>({}, {}),",
            string_literal(id),
            string_literal(root)
        );
    }
    out.push_str("];\n");
    out
}

/// Writes `text` as `///` lines at `depth` levels of four spaces.
fn doc(out: &mut String, depth: usize, text: Option<&str>) {
    let Some(text) = text else { return };
    let indent = "    ".repeat(depth);
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {}", line.trim_start());
        }
    }
}

fn string_literal(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// `finish_reason` → itself; keywords get `r#` (or a trailing `_` where `r#` is not allowed).
fn raw_ident(ident: &str) -> String {
    match ident {
        "self" | "Self" | "super" | "crate" => format!("{ident}_"),
        _ if KEYWORDS.contains(&ident) => format!("r#{ident}"),
        _ => ident.to_string(),
    }
}

/// A snake_case identifier from a snake_cased name: other characters become `_`.
fn snake_ident(name: &str) -> String {
    let mut ident: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert_str(0, "field_");
    }
    ident
}

/// An UpperCamelCase identifier: `tool_calls` → `ToolCalls`, `reasoning.summary` →
/// `ReasoningSummary`, `URL` → `Url`, `ImageURLChunk` stays; `fallback` when nothing is left.
fn camel_ident(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    for part in text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let all_upper = part.len() > 1 && part.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            if all_upper && part.chars().all(|c| c.is_ascii_uppercase()) {
                out.extend(chars.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(chars);
            }
        }
    }
    if out.is_empty() {
        return fallback.to_string();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, fallback);
    }
    out
}

/// `name`, or `name2`, `name3`… when taken; records the result as taken.
fn unique(name: String, used: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{name}{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}

/// The path of a generated file relative to the workspace, for messages.
pub fn shown(workspace: &Path, path: &Path) -> String {
    path.strip_prefix(workspace).unwrap_or(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert_eq!(camel_ident("tool_calls", "V"), "ToolCalls");
        assert_eq!(camel_ident("reasoning.summary", "V"), "ReasoningSummary");
        assert_eq!(camel_ident("openai-responses-v1", "V"), "OpenaiResponsesV1");
        assert_eq!(camel_ident("URL", "V"), "Url");
        assert_eq!(camel_ident("ImageURLChunk", "V"), "ImageURLChunk");
        assert_eq!(camel_ident("", "Value"), "Value");
        assert_eq!(camel_ident("4o", "Value"), "Value4o");
        assert_eq!(raw_ident("type"), "r#type");
        assert_eq!(raw_ident("self"), "self_");
        assert_eq!(snake_ident("_metadata"), "_metadata");
        assert_eq!(module_name("openai-compatible"), "openai_compatible");
    }

    #[test]
    fn same_code_ignores_layout_only() {
        assert!(same_code("let a = [\n    1,\n    2,\n];\n", "let a = [1, 2];"));
        assert!(!same_code("let a = [1, 2];", "let a = [2, 1];"));
    }
}

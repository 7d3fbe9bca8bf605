//! A sidecar of overrides for pages read from an SDK's docs: one file in our table
//! format, with a `# TypeName` section and a `## Fields` table for each type to correct.
//! Each row replaces the docs' row of the same field (type, required, nullable, wire key,
//! source, description), or adds the field when the docs do not list it (issue #17).

use std::path::{Path, PathBuf};

use super::{
    normalize, parse_page, Field, PageKind, RawRef, TableError, TableErrorKind, TypeKind, TypeRef, TypeSet,
};

/// The rows an overrides file gives for one type.
#[derive(Debug, Clone)]
pub struct Override {
    pub type_name: String,
    pub file: PathBuf,
    pub line: usize,
    pub fields: Vec<Field>,
}

/// What [`apply`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overridden {
    /// `Type.field` rows replaced.
    pub replaced: Vec<String>,
    /// `Type.field` rows added.
    pub added: Vec<String>,
}

/// Reads every `# Type` section of `file`; every problem with its line.
pub fn read(file: &Path) -> Result<Vec<Override>, Vec<TableError>> {
    let text = std::fs::read_to_string(file).map_err(|err| {
        vec![TableError {
            file: file.to_path_buf(),
            line: 1,
            kind: TableErrorKind::Unreadable(err.to_string()),
        }]
    })?;
    let lines: Vec<&str> = text.lines().collect();
    let mut starts: Vec<usize> = Vec::new();
    let mut fenced = false;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with("# ") {
            starts.push(i);
        }
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    if starts.is_empty() {
        errors.push(TableError { file: file.to_path_buf(), line: 1, kind: TableErrorKind::NoTitle });
    }
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        // Blank the other sections so line numbers stay the file's own.
        let mut section = "\n".repeat(start);
        for line in &lines[start..end] {
            section.push_str(line);
            section.push('\n');
        }
        let (page, page_errors) = parse_page(file, &section);
        errors.extend(page_errors);
        let Some(page) = page else { continue };
        let PageKind::Object(rows) = page.kind else {
            errors.push(TableError {
                file: file.to_path_buf(),
                line: start + 1,
                kind: TableErrorKind::Override(format!("`{}` is not a `## Fields` table", page.name)),
            });
            continue;
        };
        let fields = rows
            .into_iter()
            .map(|row| Field {
                name: row.name,
                wire_key: row.wire_key,
                ty: unresolved(row.ty),
                required: row.required,
                nullable: row.nullable,
                source: row.source,
                description: row.description,
                line: row.line,
            })
            .collect();
        out.push(Override { type_name: page.name, file: normalize(file), line: start + 1, fields });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A type as written, with a link standing for the type of that name (not followed).
fn unresolved(ty: RawRef) -> TypeRef {
    match ty {
        RawRef::Scalar(s) => TypeRef::Scalar(s),
        RawRef::Link { name, .. } => TypeRef::Named(name),
        RawRef::Array(inner) => TypeRef::Array(Box::new(unresolved(*inner))),
        RawRef::Map(inner) => TypeRef::Map(Box::new(unresolved(*inner))),
        RawRef::Literal(values) => TypeRef::Literal(values),
    }
}

/// The type names a field's type refers to.
fn names(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(name) => out.push(name.clone()),
        TypeRef::Array(inner) | TypeRef::Map(inner) => names(inner, out),
        TypeRef::Scalar(_) | TypeRef::Literal(_) => {}
    }
}

/// Applies `overrides` to `set`: a type or a linked type the pages do not have is an error.
pub fn apply(set: &mut TypeSet, overrides: &[Override]) -> Result<Overridden, Vec<TableError>> {
    let mut errors = Vec::new();
    let mut done = Overridden::default();
    let known: Vec<String> = set.types.iter().map(|t| t.name.clone()).collect();
    for each in overrides {
        let error = |line: usize, what: String| TableError {
            file: each.file.clone(),
            line,
            kind: TableErrorKind::Override(what),
        };
        let Some(ty) = set.types.iter_mut().find(|t| t.name == each.type_name) else {
            errors.push(error(each.line, format!("the pages have no type `{}`", each.type_name)));
            continue;
        };
        let TypeKind::Object { fields } = &mut ty.kind else {
            errors.push(error(each.line, format!("`{}` is not an object in the pages", each.type_name)));
            continue;
        };
        for row in &each.fields {
            let mut linked = Vec::new();
            names(&row.ty, &mut linked);
            if let Some(missing) = linked.iter().find(|n| !known.contains(n)) {
                errors.push(error(
                    row.line,
                    format!("row `{}` links to `{missing}`, a type the pages do not have", row.name),
                ));
                continue;
            }
            let place = format!("{}.{}", each.type_name, row.name);
            let mut row = row.clone();
            match fields.iter_mut().find(|f| f.name == row.name) {
                Some(field) => {
                    // The docs' description stays when the override gives none.
                    if row.description.is_none() {
                        row.description.clone_from(&field.description);
                    }
                    row.line = field.line;
                    *field = row;
                    done.replaced.push(place);
                }
                None => {
                    fields.push(row);
                    done.added.push(place);
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(done)
    } else {
        Err(errors)
    }
}

//! Reads a folder of field tables (one Markdown page per type) into a [`TypeSet`].
//!
//! The pages are Speakeasy's generated SDK docs (`## Fields`, `## Values`,
//! `## Supported Types`), optionally extended with the columns `Nullable`,
//! `Wire key` and `Source`, so that a provider's own `docs/models` folder parses
//! unchanged. The Markdown is tokenized by pulldown-cmark; only the small type
//! notation inside a cell (`*integer*`, `[X](x.md)[]`, `Record<string, *string*>`)
//! is read here. Every problem is kept with its file and line, and loading goes on
//! past it, so one bad page never hides the others.

use std::{
    collections::BTreeMap,
    fmt, fs,
    path::{Path, PathBuf},
};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Every type reachable from one root page, in the order they were first reached.
#[derive(Debug, Clone)]
pub struct TypeSet {
    /// Name of the root type (the `# Heading` of the root page).
    pub root: String,
    /// Types by name, in first-reached order.
    pub types: Vec<TypeDef>,
}

impl TypeSet {
    /// The type with this name, if the set has one.
    pub fn get(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|ty| ty.name == name)
    }
}

/// One page: a named object, enum or union.
#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    pub file: PathBuf,
    pub description: Option<String>,
    pub kind: TypeKind,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A `## Fields` table; no rows means "any object".
    Object { fields: Vec<Field> },
    /// A `## Values` list. An open enum keeps unknown strings.
    Enum { values: Vec<String>, open: bool },
    /// A `## Supported Types` list, tried in order.
    Union { members: Vec<TypeRef> },
}

/// One row of a `## Fields` table.
#[derive(Debug, Clone)]
pub struct Field {
    /// The SDK's name (first column).
    pub name: String,
    /// The JSON key on the wire: the `Wire key` cell, or `name` in snake_case.
    pub wire_key: String,
    pub ty: TypeRef,
    pub required: bool,
    pub nullable: bool,
    /// Where the row's facts come from (`Source` column).
    pub source: Option<Source>,
    pub description: Option<String>,
    pub line: usize,
}

/// A type as written in a `Type` cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeRef {
    Scalar(Scalar),
    /// A linked page, by type name.
    Named(String),
    Array(Box<TypeRef>),
    /// `Record<string, T>`: an object whose every value is a `T`.
    Map(Box<TypeRef>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    String,
    Integer,
    Number,
    Boolean,
    /// RFC 3339 as the zod SDKs read it (see `derive::ZOD_DATE_TIME`).
    DateTime,
    /// Any JSON object.
    Object,
    /// Any JSON value.
    Any,
}

/// Provenance of a field's facts, as the `Source` column names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The seed document's own table.
    Seed,
    /// The provider's SDK code (zod or pydantic), read or run.
    Sdk,
    /// The provider's API specification.
    Spec,
    /// The provider's public API reference pages.
    Docs,
    /// The sources disagree or are uncertain; the more accepting reading was chosen.
    Lenient,
}

impl Source {
    pub const ALL: [(&'static str, Source); 5] = [
        ("seed", Source::Seed),
        ("sdk", Source::Sdk),
        ("spec", Source::Spec),
        ("docs", Source::Docs),
        ("lenient", Source::Lenient),
    ];
}

/// A problem in a table folder: file, line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {kind}", file.display())]
pub struct TableError {
    pub file: PathBuf,
    pub line: usize,
    pub kind: TableErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableErrorKind {
    #[error("cannot read the page: {0}")]
    Unreadable(String),
    #[error("the page has no `# Type` heading")]
    NoTitle,
    #[error("the page has no `## Fields`, `## Values` or `## Supported Types` section")]
    NoTypeSection,
    #[error("the fields table has no `{0}` column")]
    MissingColumn(&'static str),
    #[error("unknown column `{0}` (expected Field, Type, Required, Nullable, Wire key, Source, Description, Example)")]
    UnknownColumn(String),
    #[error("unknown type notation `{0}` (expected e.g. *string*, *integer*, *number*, *boolean*, *date-time*, [Type](type.md), a trailing [] or Record<string, T>)")]
    UnknownType(String),
    #[error("`{cell}` is not a yes/no cell in column {column} (expected :heavy_check_mark: or :heavy_minus_sign:)")]
    BadFlag { column: &'static str, cell: String },
    #[error("unknown source `{0}` (expected seed, sdk, spec, docs or lenient)")]
    UnknownSource(String),
    #[error("field `{0}` is listed twice")]
    DuplicateField(String),
    #[error("wire key `{key}` is used by two fields (`{first}` and `{second}`)")]
    DuplicateWireKey { key: String, first: String, second: String },
    #[error("bad wire key override `{0}` (expected one key in backticks, e.g. `_metadata`)")]
    BadWireKey(String),
    #[error("link to type `{name}` but no page exists at {}", target.display())]
    MissingType { name: String, target: PathBuf },
    #[error("types refer to each other in a cycle: {0}")]
    Cycle(String),
    #[error("the enum lists no values")]
    EmptyEnum,
    #[error("the union lists no member types")]
    EmptyUnion,
    #[error("two pages are named `{0}`")]
    DuplicateType(String),
}

/// Loads the type named `root` (or the page file of that name) and every type it reaches.
///
/// Returns the set when every page parsed, and otherwise every problem found,
/// sorted by file and line.
pub fn load(dir: &Path, root: &str) -> Result<TypeSet, Vec<TableError>> {
    let root_file = resolve_root(dir, root);
    let mut loader = Loader::default();
    let root_name = loader.visit(&root_file, &mut Vec::new());
    loader.errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    loader.errors.dedup();
    match root_name {
        Some(root) if loader.errors.is_empty() => Ok(TypeSet { root, types: loader.order }),
        _ => Err(loader.errors),
    }
}

/// The page file for a root given as a type name (`ChatCompletion`) or a file name.
pub fn resolve_root(dir: &Path, root: &str) -> PathBuf {
    let as_file = dir.join(root);
    if root.ends_with(".md") {
        as_file
    } else {
        dir.join(format!("{}.md", root.to_lowercase()))
    }
}

/// Converts an SDK field name to its default wire key: `promptTokens` → `prompt_tokens`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let after_lower = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit());
            let ends_acronym = prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase());
            if after_lower || ends_acronym {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Default)]
struct Loader {
    /// Pages already parsed, by canonical file, with the type name they define.
    seen: BTreeMap<PathBuf, Option<String>>,
    order: Vec<TypeDef>,
    errors: Vec<TableError>,
}

impl Loader {
    /// Parses `file` and everything it links to; returns the type name it defines.
    fn visit(&mut self, file: &Path, stack: &mut Vec<(PathBuf, String)>) -> Option<String> {
        let key = fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        if let Some(pos) = stack.iter().position(|(f, _)| *f == key) {
            let mut names: Vec<&str> = stack[pos..].iter().map(|(_, n)| n.as_str()).collect();
            names.push(&stack[pos].1);
            self.errors.push(TableError {
                file: file.to_path_buf(),
                line: 1,
                kind: TableErrorKind::Cycle(names.join(" → ")),
            });
            return self.seen.get(&key).cloned().flatten();
        }
        if let Some(name) = self.seen.get(&key) {
            return name.clone();
        }
        let text = match fs::read_to_string(file) {
            Ok(text) => text,
            Err(err) => {
                self.errors.push(TableError {
                    file: file.to_path_buf(),
                    line: 1,
                    kind: TableErrorKind::Unreadable(err.to_string()),
                });
                self.seen.insert(key, None);
                return None;
            }
        };
        let page = match parse_page(file, &text) {
            Ok(page) => page,
            Err(errors) => {
                self.errors.extend(errors);
                self.seen.insert(key, None);
                return None;
            }
        };
        if let Some(other) = self.order.iter().find(|t| t.name == page.name) {
            self.errors.push(TableError {
                file: file.to_path_buf(),
                line: 1,
                kind: TableErrorKind::DuplicateType(format!("{} (also {})", page.name, other.file.display())),
            });
        }
        self.seen.insert(key.clone(), Some(page.name.clone()));
        stack.push((key, page.name.clone()));
        // Reserve the slot first so the order is "first reached", parents before children.
        let slot = self.order.len();
        self.order.push(TypeDef {
            name: page.name.clone(),
            file: file.to_path_buf(),
            description: page.description.clone(),
            kind: TypeKind::Enum { values: Vec::new(), open: false },
        });
        let kind = self.resolve_kind(file, page.kind, stack);
        self.order[slot].kind = kind;
        stack.pop();
        Some(page.name)
    }

    fn resolve_kind(&mut self, file: &Path, kind: PageKind, stack: &mut Vec<(PathBuf, String)>) -> TypeKind {
        match kind {
            PageKind::Object(rows) => TypeKind::Object {
                fields: rows
                    .into_iter()
                    .map(|row| Field {
                        ty: self.resolve_ref(file, row.line, row.ty, stack),
                        name: row.name,
                        wire_key: row.wire_key,
                        required: row.required,
                        nullable: row.nullable,
                        source: row.source,
                        description: row.description,
                        line: row.line,
                    })
                    .collect(),
            },
            PageKind::Enum { values, open } => TypeKind::Enum { values, open },
            PageKind::Union(members) => TypeKind::Union {
                members: members
                    .into_iter()
                    .map(|(line, ty)| self.resolve_ref(file, line, ty, stack))
                    .collect(),
            },
        }
    }

    fn resolve_ref(
        &mut self,
        file: &Path,
        line: usize,
        ty: RawRef,
        stack: &mut Vec<(PathBuf, String)>,
    ) -> TypeRef {
        match ty {
            RawRef::Scalar(s) => TypeRef::Scalar(s),
            RawRef::Array(inner) => TypeRef::Array(Box::new(self.resolve_ref(file, line, *inner, stack))),
            RawRef::Map(inner) => TypeRef::Map(Box::new(self.resolve_ref(file, line, *inner, stack))),
            RawRef::Link { name, target } => {
                let dir = file.parent().unwrap_or(Path::new("."));
                let direct = dir.join(&target);
                let beside = dir.join(Path::new(&target).file_name().map(PathBuf::from).unwrap_or_default());
                let found = [direct.clone(), beside].into_iter().find(|p| p.is_file());
                match found {
                    Some(path) => match self.visit(&path, stack) {
                        Some(resolved) => TypeRef::Named(resolved),
                        None => TypeRef::Named(name),
                    },
                    None => {
                        self.errors.push(TableError {
                            file: file.to_path_buf(),
                            line,
                            kind: TableErrorKind::MissingType { name: name.clone(), target: direct },
                        });
                        TypeRef::Named(name)
                    }
                }
            }
        }
    }
}

/// A type notation before links are followed.
#[derive(Debug, Clone, PartialEq)]
enum RawRef {
    Scalar(Scalar),
    Link { name: String, target: String },
    Array(Box<RawRef>),
    Map(Box<RawRef>),
}

struct Page {
    name: String,
    description: Option<String>,
    kind: PageKind,
}

enum PageKind {
    Object(Vec<Row>),
    Enum { values: Vec<String>, open: bool },
    Union(Vec<(usize, RawRef)>),
}

struct Row {
    name: String,
    wire_key: String,
    ty: RawRef,
    required: bool,
    nullable: bool,
    source: Option<Source>,
    description: Option<String>,
    line: usize,
}

/// Table rows with their line numbers; the first row is the header.
type Rows = Vec<(usize, Vec<String>)>;

/// One Markdown block as this module needs it: headings, paragraphs, tables, code blocks.
#[derive(Debug)]
enum Block {
    Heading { level: HeadingLevel, text: String, line: usize },
    Paragraph { text: String },
    Table { line: usize, rows: Rows },
    Code { text: String },
}

fn parse_page(file: &Path, text: &str) -> Result<Page, Vec<TableError>> {
    let blocks = blocks(text);
    let error = |line: usize, kind: TableErrorKind| TableError { file: file.to_path_buf(), line, kind };
    let Some(name) = blocks.iter().find_map(|b| match b {
        Block::Heading { level: HeadingLevel::H1, text, .. } => {
            Some(text.trim().trim_matches('`').to_string())
        }
        _ => None,
    }) else {
        return Err(vec![error(1, TableErrorKind::NoTitle)]);
    };
    let description = blocks
        .iter()
        .skip_while(|b| !matches!(b, Block::Heading { level: HeadingLevel::H1, .. }))
        .skip(1)
        .take_while(|b| !matches!(b, Block::Heading { .. }))
        .find_map(|b| match b {
            Block::Paragraph { text } => Some(text.trim().to_string()),
            _ => None,
        });
    let open = text.contains("This is an open enum");
    let mut section: Option<(String, usize)> = None;
    let mut errors = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if let Block::Heading { level: HeadingLevel::H2, text, line } = block {
            section = Some((text.trim().to_lowercase(), *line));
            let rest = &blocks[i + 1..];
            let body: Vec<&Block> = rest
                .iter()
                .take_while(|b| {
                    !matches!(b, Block::Heading { level: HeadingLevel::H2 | HeadingLevel::H1, .. })
                })
                .collect();
            let kind = match section.as_ref().map(|(s, _)| s.as_str()) {
                Some("fields") => Some(fields_section(file, &body, &mut errors)),
                Some("values") => Some(values_section(file, *line, &body, open, &mut errors)),
                Some("supported types") => Some(union_section(file, *line, &body, &mut errors)),
                _ => None,
            };
            if let Some(kind) = kind {
                return if errors.is_empty() { Ok(Page { name, description, kind }) } else { Err(errors) };
            }
        }
    }
    Err(vec![error(section.map_or(1, |(_, l)| l), TableErrorKind::NoTypeSection)])
}

fn fields_section(file: &Path, body: &[&Block], errors: &mut Vec<TableError>) -> PageKind {
    let Some(Block::Table { line, rows }) = body.iter().find(|b| matches!(b, Block::Table { .. })) else {
        // Speakeasy writes an empty section for `{}` types: any object.
        return PageKind::Object(Vec::new());
    };
    let error = |line: usize, kind: TableErrorKind| TableError { file: file.to_path_buf(), line, kind };
    let header: Vec<String> = rows[0].1.iter().map(|h| h.trim().to_lowercase()).collect();
    let mut columns = Columns::default();
    for (i, name) in header.iter().enumerate() {
        let slot = match name.as_str() {
            "field" => &mut columns.field,
            "type" => &mut columns.ty,
            "required" => &mut columns.required,
            "nullable" => &mut columns.nullable,
            "wire key" => &mut columns.wire_key,
            "source" => &mut columns.source,
            "description" => &mut columns.description,
            "example" => &mut columns.example,
            _ => {
                errors.push(error(*line, TableErrorKind::UnknownColumn(rows[0].1[i].trim().to_string())));
                continue;
            }
        };
        *slot = Some(i);
    }
    let mut missing = false;
    for (col, name) in [(columns.field, "Field"), (columns.ty, "Type"), (columns.required, "Required")] {
        if col.is_none() {
            errors.push(error(*line, TableErrorKind::MissingColumn(name)));
            missing = true;
        }
    }
    if missing {
        return PageKind::Object(Vec::new());
    }
    let (field_col, type_col, required_col) =
        (columns.field.unwrap_or(0), columns.ty.unwrap_or(0), columns.required.unwrap_or(0));
    let mut out: Vec<Row> = Vec::new();
    for (row_line, cells) in rows.iter().skip(1) {
        let cell = |col: Option<usize>| col.and_then(|c| cells.get(c)).map(|s| s.trim()).unwrap_or("");
        let name = cell(Some(field_col)).trim_matches('`').to_string();
        if name.is_empty() {
            continue;
        }
        let ty = match parse_type(cell(Some(type_col))) {
            Some(ty) => ty,
            None => {
                errors.push(error(*row_line, TableErrorKind::UnknownType(cell(Some(type_col)).to_string())));
                continue;
            }
        };
        let required = match flag(cell(Some(required_col))) {
            Some(v) => v,
            None => {
                errors.push(error(
                    *row_line,
                    TableErrorKind::BadFlag {
                        column: "Required",
                        cell: cell(Some(required_col)).to_string(),
                    },
                ));
                false
            }
        };
        let nullable = match columns.nullable.map(|c| cell(Some(c))) {
            None | Some("") => false,
            Some(text) => flag(text).unwrap_or_else(|| {
                errors.push(error(
                    *row_line,
                    TableErrorKind::BadFlag { column: "Nullable", cell: text.to_string() },
                ));
                false
            }),
        };
        let wire_key = match columns.wire_key.map(|c| cell(Some(c))) {
            None | Some("") => snake_case(&name),
            Some(text) => match wire_key_override(text) {
                Some(key) => key,
                None => {
                    errors.push(error(*row_line, TableErrorKind::BadWireKey(text.to_string())));
                    snake_case(&name)
                }
            },
        };
        let source = match columns.source.map(|c| cell(Some(c)).to_lowercase()) {
            None => None,
            Some(text) if text.is_empty() => None,
            Some(text) => {
                let word = text.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
                match Source::ALL.iter().find(|(w, _)| *w == word) {
                    Some((_, s)) => Some(*s),
                    None => {
                        errors.push(error(*row_line, TableErrorKind::UnknownSource(text.clone())));
                        None
                    }
                }
            }
        };
        if out.iter().any(|r| r.name == name) {
            errors.push(error(*row_line, TableErrorKind::DuplicateField(name)));
            continue;
        }
        if let Some(first) = out.iter().find(|r| r.wire_key == wire_key) {
            errors.push(error(
                *row_line,
                TableErrorKind::DuplicateWireKey { key: wire_key, first: first.name.clone(), second: name },
            ));
            continue;
        }
        let description =
            columns.description.map(|c| cell(Some(c)).to_string()).filter(|d| !d.is_empty() && d != "N/A");
        out.push(Row { name, wire_key, ty, required, nullable, source, description, line: *row_line });
    }
    PageKind::Object(out)
}

#[derive(Default)]
struct Columns {
    field: Option<usize>,
    ty: Option<usize>,
    required: Option<usize>,
    nullable: Option<usize>,
    wire_key: Option<usize>,
    source: Option<usize>,
    description: Option<usize>,
    example: Option<usize>,
}

fn values_section(
    file: &Path,
    line: usize,
    body: &[&Block],
    open: bool,
    errors: &mut Vec<TableError>,
) -> PageKind {
    let mut values = Vec::new();
    for block in body {
        match block {
            // Speakeasy: "a" | "b" | "c" in a code block.
            Block::Code { text, .. } => {
                let mut rest = text.as_str();
                while let Some(start) = rest.find('"') {
                    let after = &rest[start + 1..];
                    let Some(end) = after.find('"') else { break };
                    values.push(after[..end].to_string());
                    rest = &after[end + 1..];
                }
            }
            // A table with a `Value` column (Speakeasy's newer `| Name | Value |` too).
            Block::Table { rows, .. } => {
                let Some(col) = rows[0].1.iter().position(|h| h.trim().eq_ignore_ascii_case("value")) else {
                    continue;
                };
                for (_, cells) in rows.iter().skip(1) {
                    if let Some(v) = cells.get(col) {
                        let v = v.trim().trim_matches('`');
                        if !v.is_empty() {
                            values.push(v.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
        if !values.is_empty() {
            break;
        }
    }
    if values.is_empty() {
        errors.push(TableError { file: file.to_path_buf(), line, kind: TableErrorKind::EmptyEnum });
    }
    PageKind::Enum { values, open }
}

fn union_section(file: &Path, line: usize, body: &[&Block], errors: &mut Vec<TableError>) -> PageKind {
    let mut members = Vec::new();
    for block in body {
        if let Block::Heading { level: HeadingLevel::H3, text, line } = block {
            match parse_member(text.trim()) {
                Some(ty) => members.push((*line, ty)),
                None => errors.push(TableError {
                    file: file.to_path_buf(),
                    line: *line,
                    kind: TableErrorKind::UnknownType(text.trim().to_string()),
                }),
            }
        }
    }
    if members.is_empty() && errors.is_empty() {
        errors.push(TableError { file: file.to_path_buf(), line, kind: TableErrorKind::EmptyUnion });
    }
    PageKind::Union(members)
}

/// A `Required` or `Nullable` cell.
fn flag(cell: &str) -> Option<bool> {
    match cell.trim().to_lowercase().as_str() {
        ":heavy_check_mark:" | "✔️" | "✔" | "yes" | "true" => Some(true),
        ":heavy_minus_sign:" | "➖" | "no" | "false" | "" => Some(false),
        _ => None,
    }
}

/// A `Wire key` cell: exactly one backticked key with no spaces.
fn wire_key_override(cell: &str) -> Option<String> {
    let inner = cell.strip_prefix('`')?.strip_suffix('`')?;
    let valid = !inner.is_empty() && !inner.contains(['`', ' ', '\t', '"', '/']);
    valid.then(|| inner.to_string())
}

/// Parses a `Type` cell (already normalized to Markdown source form by [`blocks`]).
fn parse_type(cell: &str) -> Option<RawRef> {
    let cell = cell.trim();
    if let Some(inner) = cell.strip_suffix("[]") {
        return parse_type(inner).map(|t| RawRef::Array(Box::new(t)));
    }
    if let Some(inner) = cell.strip_prefix("Record<string,").and_then(|s| s.strip_suffix('>')) {
        return parse_type(inner).map(|t| RawRef::Map(Box::new(t)));
    }
    if let Some(word) = cell.strip_prefix('*').and_then(|s| s.strip_suffix('*')) {
        // `*components.Name*` names a page; a lowercase single word must be a scalar.
        let names_a_page = word.contains('.') || word.starts_with(char::is_uppercase);
        return scalar(word).map(RawRef::Scalar).or_else(|| names_a_page.then(|| named(word)).flatten());
    }
    if let Some(rest) = cell.strip_prefix('[') {
        let (text, dest) = rest.split_once("](")?;
        let dest = dest.strip_suffix(')')?;
        if dest.starts_with("http") {
            // Speakeasy links `Date` to MDN for date-time strings.
            return (text == "Date").then_some(RawRef::Scalar(Scalar::DateTime));
        }
        let name = text.rsplit('.').next().unwrap_or(text).trim_matches('*').to_string();
        return Some(RawRef::Link { name, target: dest.to_string() });
    }
    None
}

/// Parses a `### member` heading of a union page.
fn parse_member(text: &str) -> Option<RawRef> {
    if text.starts_with('[') || text.starts_with('*') {
        return parse_type(text);
    }
    let code = text.trim_matches('`').trim();
    if let Some(inner) = code.strip_suffix("[]") {
        return parse_member(inner).map(|t| RawRef::Array(Box::new(t)));
    }
    if code.replace(' ', "") == "{[k:string]:any}" {
        return Some(RawRef::Scalar(Scalar::Object));
    }
    scalar(code).map(RawRef::Scalar).or_else(|| named(code))
}

fn scalar(word: &str) -> Option<Scalar> {
    Some(match word.trim() {
        "string" => Scalar::String,
        "integer" => Scalar::Integer,
        "number" => Scalar::Number,
        "boolean" => Scalar::Boolean,
        "date-time" | "Date" => Scalar::DateTime,
        "object" => Scalar::Object,
        "any" => Scalar::Any,
        _ => return None,
    })
}

/// `components.ChatCompletionMessage` → a page `chatcompletionmessage.md` beside this one.
fn named(text: &str) -> Option<RawRef> {
    let name = text.trim().rsplit('.').next()?;
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| RawRef::Link { name: name.to_string(), target: format!("{}.md", name.to_lowercase()) })
}

/// Splits Markdown into the blocks this module reads, with 1-based line numbers.
///
/// Inline content is rendered back to its Markdown source form (`*x*`, `[t](d)`,
/// `` `c` ``) so that a `Type` cell can be read as notation.
fn blocks(text: &str) -> Vec<Block> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut inline = String::new();
    let mut table: Option<(usize, Rows)> = None;
    let mut row: Option<(usize, Vec<String>)> = None;
    let mut heading: Option<(HeadingLevel, usize)> = None;
    let mut code: Option<()> = None;
    let mut links: Vec<String> = Vec::new();
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, line_of(range.start)));
                inline.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, line)) = heading.take() {
                    out.push(Block::Heading { level, text: std::mem::take(&mut inline), line });
                }
            }
            Event::Start(Tag::Paragraph) => inline.clear(),
            Event::End(TagEnd::Paragraph) => {
                out.push(Block::Paragraph { text: std::mem::take(&mut inline) });
            }
            Event::Start(Tag::Table(_)) => table = Some((line_of(range.start), Vec::new())),
            Event::End(TagEnd::Table) => {
                if let Some((line, rows)) = table.take() {
                    out.push(Block::Table { line, rows });
                }
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => row = Some((line_of(range.start), Vec::new())),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                if let (Some(r), Some((_, rows))) = (row.take(), table.as_mut()) {
                    rows.push(r);
                }
            }
            Event::Start(Tag::TableCell) => inline.clear(),
            Event::End(TagEnd::TableCell) => {
                if let Some((_, cells)) = row.as_mut() {
                    cells.push(std::mem::take(&mut inline));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                code = Some(());
                inline.clear();
            }
            Event::End(TagEnd::CodeBlock) if code.take().is_some() => {
                out.push(Block::Code { text: std::mem::take(&mut inline) });
            }
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => inline.push('*'),
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => inline.push_str("**"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                inline.push('[');
                links.push(dest_url.to_string());
            }
            Event::End(TagEnd::Link) => {
                let dest = links.pop().unwrap_or_default();
                inline.push_str("](");
                inline.push_str(&dest);
                inline.push(')');
            }
            Event::Text(t) => inline.push_str(&t),
            Event::Code(t) => {
                inline.push('`');
                inline.push_str(&t);
                inline.push('`');
            }
            Event::SoftBreak | Event::HardBreak => inline.push(' '),
            Event::InlineHtml(h) if h.starts_with("<br") => inline.push(' '),
            _ => {}
        }
    }
    out
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scalar::String => "string",
            Scalar::Integer => "integer",
            Scalar::Number => "number",
            Scalar::Boolean => "boolean",
            Scalar::DateTime => "date-time",
            Scalar::Object => "object",
            Scalar::Any => "any",
        })
    }
}

#[cfg(test)]
mod tests;

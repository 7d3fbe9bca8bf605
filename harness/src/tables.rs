//! Reads a folder of field tables (one Markdown page per type) into a [`TypeSet`].
//!
//! The pages are Speakeasy's generated SDK docs (`## Fields`, `## Values`,
//! `## Supported Types`), optionally extended with the columns `Nullable`,
//! `Wire key` and `Source`, so that a provider's own `docs/models` folder parses
//! unchanged. The Markdown is tokenized by pulldown-cmark; only the small type
//! notation inside a cell (`*integer*`, `[X](x.md)[]`, `Record<string, *string*>`)
//! is read here. Every problem is kept with its file and line, and loading goes on
//! past it, so one bad page never hides the others.
//!
//! Three dialects are read: our own tables (with a `Nullable` column), Speakeasy's
//! TypeScript pages (`.md`, or `.mdx` with a `title:` front matter; `*"assistant"*`
//! const literals) and its Python pages (`*str*`, `List[...]`, `OptionalNullable[...]`,
//! `Literal[...]`). Each page remembers its [`Dialect`], so a caller can say which
//! facts the pages could not carry (see [`TypeSet::gaps`]).

use std::{
    collections::BTreeMap,
    fmt, fs,
    path::{Path, PathBuf},
};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

mod lenient;
pub mod overrides;
pub mod sdk_source;
pub use lenient::{citation, Facts, LenientError, Side, MARKER as LENIENT_MARKER};

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
    /// Which notation the page is written in, hence which facts it can carry.
    pub dialect: Dialect,
}

/// The notation a page is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Our own tables: a `Nullable` column says which fields accept `null`.
    Tables,
    /// Speakeasy's TypeScript pages: no nullability, and every number is *number*.
    TypeScript,
    /// Speakeasy's Python pages: `Nullable[...]` marks nullable scalars and links,
    /// `int` and `float` are told apart.
    Python,
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
    /// A const literal (`*"assistant"*`, `Literal["assistant"]`, `*true*`): one of these values.
    Literal(Vec<serde_json::Value>),
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

/// A problem in a table folder: file, line, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {kind}; fix: {}", file.display(), kind.fix())]
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
    #[error("no page for the root type `{root}`: looked for {looked}{nearby}")]
    RootNotFound { root: String, looked: String, nearby: String },
    #[error("the page has no `# Type` heading")]
    NoTitle,
    #[error("the page has no `## Fields`, `## Values` or `## Supported Types` section")]
    NoTypeSection,
    #[error("the fields table has no `{0}` column")]
    MissingColumn(&'static str),
    #[error("unknown column `{0}` (expected Field, Type, Required, Nullable, Wire key, Source, Description, Example)")]
    UnknownColumn(String),
    #[error("unknown type notation `{0}` (expected e.g. *string*, *integer*, *number*, *boolean*, *date-time*, *\"const\"*, [Type](type.md), a trailing [], Record<string, T>, or Python's *str*, *int*, *float*, *bool*, *Any*, List[T], Dict[str, T], Optional[T], Nullable[T], OptionalNullable[T], Literal[...])")]
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
    #[error("overrides: {0}")]
    Override(String),
    #[error("lenient row `{field}`: {problem}")]
    Lenient { field: String, problem: LenientError },
}

impl TableErrorKind {
    /// What to do about it, in one sentence: every error ends with this.
    pub fn fix(&self) -> &'static str {
        match self {
            Self::Unreadable(_) => {
                "check the path and the file's permissions, or fix the link that leads here"
            }
            Self::RootNotFound { .. } => {
                "pass --root the type's name as its page is titled, or the page's path relative to --tables"
            }
            Self::NoTitle => "start the page with `# TypeName` (or a `title:` line in its front matter)",
            Self::NoTypeSection => {
                "add a `## Fields` table, a `## Values` list or a `## Supported Types` list"
            }
            Self::MissingColumn(_) => "add the column to the table's header row",
            Self::UnknownColumn(_) => "rename the column to one of the expected names, or remove it",
            Self::UnknownType(_) => "write the type in one of the expected notations",
            Self::BadFlag { .. } => "write :heavy_check_mark: for yes or :heavy_minus_sign: for no",
            Self::UnknownSource(_) => "name one of the five sources, and say more in the Description",
            Self::DuplicateField(_) => "remove one of the two rows",
            Self::DuplicateWireKey { .. } => "give one of the fields its own key in the `Wire key` column",
            Self::BadWireKey(_) => "write exactly one key in backticks, or leave the cell empty",
            Self::MissingType { .. } => "add the page, or correct the link's target",
            Self::Cycle(_) => "break the cycle: a type cannot contain itself through required links",
            Self::EmptyEnum => "list the values in a code block (`\"a\" | \"b\"`), a list or a `Value` table",
            Self::EmptyUnion => "add a `### member type` heading per member",
            Self::DuplicateType(_) => "rename one page's title, or link to one page only",
            Self::Override(_) => {
                "name a type of the pages in each `# Type` heading, with a `## Fields` table of our format (schemas/README.md)"
            }
            Self::Lenient { .. } => {
                "cite each side in the Description as `Lenient: SOURCE FILE says READING; SOURCE FILE says READING.` and give the row the more accepting reading; when the sources agree, name that source instead of lenient (schemas/README.md)"
            }
        }
    }
}

/// Loads the type named `root` (or the page file of that name) and every type it reaches.
///
/// Returns the set when every page parsed, and otherwise every problem found in
/// every page the root reaches (a page with errors still has its links followed),
/// sorted by file and line.
pub fn load(dir: &Path, root: &str) -> Result<TypeSet, Vec<TableError>> {
    let root_file = find_root(dir, root)?;
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
///
/// Pages are `<name>.md` or `<name>.mdx`, in `dir` or the subfolders Speakeasy writes
/// (`components/`, `operations/`, `shared/`, `models/components/`, ...).
pub fn resolve_root(dir: &Path, root: &str) -> PathBuf {
    root_candidates(dir, root).into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        let file = if is_page_file(root) { root.to_string() } else { format!("{}.md", root.to_lowercase()) };
        normalize(&dir.join(file))
    })
}

/// Subfolders of a docs folder where Speakeasy puts model pages, tried in this order.
const ROOT_SUBFOLDERS: [&str; 7] =
    ["", "components", "operations", "shared", "models", "models/components", "models/operations"];

fn is_page_file(root: &str) -> bool {
    root.ends_with(".md") || root.ends_with(".mdx")
}

fn root_candidates(dir: &Path, root: &str) -> Vec<PathBuf> {
    let files: Vec<String> = if is_page_file(root) {
        vec![root.to_string()]
    } else {
        let lower = root.to_lowercase();
        vec![format!("{lower}.md"), format!("{lower}.mdx")]
    };
    let mut out = Vec::new();
    for sub in ROOT_SUBFOLDERS {
        for file in &files {
            out.push(normalize(&dir.join(sub).join(file)));
        }
    }
    out
}

/// The root page, or an error saying where it looked and which pages nearby could be meant.
fn find_root(dir: &Path, root: &str) -> Result<PathBuf, Vec<TableError>> {
    let candidates = root_candidates(dir, root);
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let folders: Vec<PathBuf> =
        ROOT_SUBFOLDERS.iter().map(|s| normalize(&dir.join(s))).filter(|p| p.is_dir()).collect();
    let looked = folders.iter().map(|f| format!("{}/", f.display())).collect::<Vec<_>>().join(", ");
    let file = if is_page_file(root) { root.to_string() } else { format!("{}.md(x)", root.to_lowercase()) };
    let nearby = nearby_roots(&folders, root);
    let nearby = if nearby.is_empty() {
        String::new()
    } else {
        format!("; pages nearby that could be meant: {}", nearby.join(", "))
    };
    Err(vec![TableError {
        file: normalize(dir),
        line: 1,
        kind: TableErrorKind::RootNotFound {
            root: root.to_string(),
            looked: format!(
                "{file} in {}",
                if looked.is_empty() { "no folder (it does not exist)".into() } else { looked }
            ),
            nearby,
        },
    }])
}

/// Page names in `folders` that look like the root asked for: same words, or a response type.
fn nearby_roots(folders: &[PathBuf], root: &str) -> Vec<String> {
    let wanted = root.trim_end_matches(".mdx").trim_end_matches(".md").to_lowercase();
    let mut hits: Vec<(u8, String)> = Vec::new();
    for folder in folders {
        let Ok(entries) = fs::read_dir(folder) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".mdx").or_else(|| name.strip_suffix(".md")) else { continue };
            let rank = if stem.contains(&wanted) || (!stem.is_empty() && wanted.contains(stem)) {
                0
            } else if stem.starts_with("chat")
                && ["response", "result", "completion"].iter().any(|w| stem.ends_with(w))
            {
                1
            } else {
                continue;
            };
            hits.push((rank, normalize(&folder.join(&name)).display().to_string()));
        }
    }
    hits.sort();
    hits.dedup();
    hits.into_iter().take(8).map(|(_, name)| name).collect()
}

/// `a/b/../c/./d` → `a/c/d`, without touching the file system (links print as the user would write them).
pub fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(part),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// Converts an SDK field name to its default wire key: `promptTokens` → `prompt_tokens`.
///
/// Digits follow Speakeasy's camel-casing of snake keys, read back from the zod
/// `remap$` tables of OpenRouter's SDK: a run of digits after a lowercase letter
/// starts a word when a lowercase unit follows it (`ephemeral5mInputTokens` →
/// `ephemeral_5m_input_tokens`, `uptimeLast1d` → `uptime_last_1d`), and stays in
/// its word otherwise (`b64Json` → `b64_json`, `sha256`, `p50`).
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        if c.is_uppercase() {
            let next = chars.get(i + 1);
            let after_lower = prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit());
            let ends_acronym = prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase());
            if after_lower || ends_acronym {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            if c.is_ascii_digit() && prev.is_some_and(char::is_lowercase) {
                let after_run = chars[i..].iter().find(|d| !d.is_ascii_digit());
                if after_run.is_some_and(|a| a.is_lowercase()) {
                    out.push('_');
                }
            }
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
        // A page with errors still yields what it could read, so its links are followed
        // and every page's errors are found in one run.
        let (page, errors) = parse_page(file, &text);
        self.errors.extend(errors);
        let Some(page) = page else {
            self.seen.insert(key, None);
            return None;
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
            dialect: page.dialect,
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
            RawRef::Literal(values) => TypeRef::Literal(values),
            RawRef::Link { name, target } => {
                let dir = file.parent().unwrap_or(Path::new("."));
                let direct = normalize(&dir.join(&target));
                let beside = normalize(
                    &dir.join(Path::new(&target).file_name().map(PathBuf::from).unwrap_or_default()),
                );
                // `*components.Name*` guesses `name.md`; an `.mdx` folder has `name.mdx`.
                let mdx = |p: &PathBuf| p.with_extension("mdx");
                let found = [direct.clone(), beside.clone(), mdx(&direct), mdx(&beside)]
                    .into_iter()
                    .find(|p| p.is_file());
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
    Literal(Vec<serde_json::Value>),
}

struct Page {
    name: String,
    description: Option<String>,
    kind: PageKind,
    dialect: Dialect,
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

/// One Markdown block as this module needs it: headings, paragraphs, tables, code blocks, list items.
#[derive(Debug)]
enum Block {
    Heading { level: HeadingLevel, text: String, line: usize },
    Paragraph { text: String },
    Table { line: usize, rows: Rows },
    Code { text: String },
    Item { text: String },
}

/// `.mdx` pages open with YAML front matter (`---`, `title: "ChatResult"`, `---`).
/// Returns the title and the text with the front matter blanked (line numbers kept).
fn front_matter(text: &str) -> (Option<String>, String) {
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        return (None, text.to_string());
    };
    let Some(end) = rest.lines().position(|l| l.trim_end() == "---") else {
        return (None, text.to_string());
    };
    let title = rest.lines().take(end).find_map(|l| {
        let value = l.strip_prefix("title:")?.trim();
        let value = value.trim_matches('"').trim_matches('\'').trim();
        (!value.is_empty()).then(|| value.to_string())
    });
    let mut out: String = "\n".repeat(end + 2);
    out.extend(rest.lines().skip(end + 1).map(|l| format!("{l}\n")));
    (title, out)
}

/// Reads one page: what it defines (if it could tell) and every problem on it.
fn parse_page(file: &Path, text: &str) -> (Option<Page>, Vec<TableError>) {
    let (front_title, text) = front_matter(text);
    let text = text.as_str();
    let blocks = blocks(text);
    let error = |line: usize, kind: TableErrorKind| TableError { file: file.to_path_buf(), line, kind };
    let heading = blocks.iter().find_map(|b| match b {
        Block::Heading { level: HeadingLevel::H1, text, .. } => {
            Some(text.trim().trim_matches('`').to_string())
        }
        _ => None,
    });
    // A deprecated type's title is struck through (`~~LegacyChatContentVideo~~`): the name is inside.
    let heading = heading.map(|h| strike_through(&h));
    let front_title = front_title.map(|t| strike_through(&t));
    let Some(name) = heading.clone().or(front_title) else {
        return (None, vec![error(1, TableErrorKind::NoTitle)]);
    };
    // The description is the first paragraph after the title (the `# Heading`, or the front matter).
    let description = blocks
        .iter()
        .skip_while(|b| heading.is_some() && !matches!(b, Block::Heading { level: HeadingLevel::H1, .. }))
        .skip(usize::from(heading.is_some()))
        .take_while(|b| !matches!(b, Block::Heading { .. }))
        .find_map(|b| match b {
            Block::Paragraph { text } => Some(text.trim().to_string()),
            _ => None,
        });
    let python = text.contains("```python")
        || ["*str*", "*int*", "*float*", "*bool*", "List[", "Dict[str", "Optional[", "Nullable[", "Literal["]
            .iter()
            .any(|word| text.contains(word));
    let open = text.contains("This is an open enum")
        || text.contains("Unrecognized<")
        || text.contains("Open enum:");
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
                Some("fields") => Some(fields_section(file, &body, python, &mut errors)),
                Some("values") => Some(values_section(file, *line, &body, open, &mut errors)),
                Some("supported types") => Some(union_section(file, *line, &body, &mut errors)),
                _ => None,
            };
            if let Some((kind, has_nullable_column)) = kind {
                let dialect = match () {
                    () if has_nullable_column => Dialect::Tables,
                    () if python => Dialect::Python,
                    () => Dialect::TypeScript,
                };
                return (Some(Page { name, description, kind, dialect }), errors);
            }
        }
    }
    (None, vec![error(section.map_or(1, |(_, l)| l), TableErrorKind::NoTypeSection)])
}

/// `~~Name~~` → `Name`.
fn strike_through(title: &str) -> String {
    let inner = title.strip_prefix("~~").and_then(|t| t.strip_suffix("~~")).unwrap_or(title);
    inner.trim().to_string()
}

/// Rows that only say "other keys are kept" (`additionalProperties`, pydantic's
/// `__pydantic_extra__`): our schemas keep undocumented keys anyway.
fn is_catchall_row(name: &str, ty: &RawRef) -> bool {
    matches!(name, "additionalProperties" | "__pydantic_extra__")
        && matches!(ty, RawRef::Map(value) if **value == RawRef::Scalar(Scalar::Any))
}

/// A Python field name's default wire key: Speakeasy appends `_` to names that are
/// Python keywords or clash with pydantic (`from_`, `and_`, `format_`) and aliases
/// them back to the plain name.
fn python_wire_key(name: &str) -> String {
    match name.strip_suffix('_') {
        Some(plain) if !plain.is_empty() && !plain.ends_with('_') => plain.to_string(),
        _ => name.to_string(),
    }
}

fn fields_section(
    file: &Path,
    body: &[&Block],
    python: bool,
    errors: &mut Vec<TableError>,
) -> (PageKind, bool) {
    let Some(Block::Table { line, rows }) = body.iter().find(|b| matches!(b, Block::Table { .. })) else {
        // Speakeasy writes an empty section for `{}` types: any object.
        return (PageKind::Object(Vec::new()), false);
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
    let has_nullable_column = columns.nullable.is_some();
    let mut missing = false;
    for (col, name) in [(columns.field, "Field"), (columns.ty, "Type"), (columns.required, "Required")] {
        if col.is_none() {
            errors.push(error(*line, TableErrorKind::MissingColumn(name)));
            missing = true;
        }
    }
    if missing {
        return (PageKind::Object(Vec::new()), has_nullable_column);
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
        let Some(Notation { ty, nullable: marked_nullable }) = parse_type(cell(Some(type_col))) else {
            errors.push(error(*row_line, TableErrorKind::UnknownType(cell(Some(type_col)).to_string())));
            continue;
        };
        if is_catchall_row(&name, &ty) {
            continue;
        }
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
            None | Some("") => marked_nullable,
            Some(text) => flag(text).unwrap_or_else(|| {
                errors.push(error(
                    *row_line,
                    TableErrorKind::BadFlag { column: "Nullable", cell: text.to_string() },
                ));
                false
            }),
        };
        let default_key = if python { python_wire_key(&name) } else { snake_case(&name) };
        let wire_key = match columns.wire_key.map(|c| cell(Some(c))) {
            None | Some("") => default_key,
            Some(text) => match wire_key_override(text) {
                Some(key) => key,
                None => {
                    errors.push(error(*row_line, TableErrorKind::BadWireKey(text.to_string())));
                    default_key
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
        if source == Some(Source::Lenient) {
            if let Err(err) = lenient::check(description.as_deref(), &ty, required, nullable) {
                errors.push(error(*row_line, TableErrorKind::Lenient { field: name.clone(), problem: err }));
            }
        }
        out.push(Row { name, wire_key, ty, required, nullable, source, description, line: *row_line });
    }
    (PageKind::Object(out), has_nullable_column)
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

/// Every `"quoted"` string in `text`, in order.
fn quoted(text: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('"') else { break };
        values.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    values
}

fn values_section(
    file: &Path,
    line: usize,
    body: &[&Block],
    open: bool,
    errors: &mut Vec<TableError>,
) -> (PageKind, bool) {
    let mut values = Vec::new();
    for block in body {
        match block {
            // Speakeasy TypeScript: "a" | "b" | "c" in a code block (`| Unrecognized<string>` when open).
            Block::Code { text, .. } => values.extend(quoted(text)),
            // Speakeasy Python: a list, one `"value"` per item.
            Block::Item { text } => {
                let item = text.trim().trim_matches('`');
                let found = quoted(item);
                if found.is_empty() && !item.is_empty() {
                    values.push(item.to_string());
                }
                values.extend(found);
                continue;
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
    (PageKind::Enum { values, open }, false)
}

fn union_section(
    file: &Path,
    line: usize,
    body: &[&Block],
    errors: &mut Vec<TableError>,
) -> (PageKind, bool) {
    let mut members = Vec::new();
    let before = errors.len();
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
    if members.is_empty() && errors.len() == before {
        errors.push(TableError { file: file.to_path_buf(), line, kind: TableErrorKind::EmptyUnion });
    }
    (PageKind::Union(members), false)
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

/// A `Type` cell read: the type, and whether the notation itself says `null` is accepted
/// (Python's `Nullable[T]` and `OptionalNullable[T]`, around the whole type only).
#[derive(Debug, PartialEq)]
struct Notation {
    ty: RawRef,
    nullable: bool,
}

/// Parses a `Type` cell (already normalized to Markdown source form by [`blocks`]).
///
/// TypeScript: `*string*`, `*number*`, `*"assistant"*`, `*true*`, `[components.X](x.md)`,
/// `*components.X*`, `T[]`, `Record<string, T>`. Python: `*str*`, `*int*`, `*float*`,
/// `*bool*`, `*Any*`, `List[T]`, `Dict[str, T]`, `Optional[T]`, `Nullable[T]`,
/// `OptionalNullable[T]`, `Literal[...]`, with the wrappers inside a link's text too
/// (`[OptionalNullable[models.X]](x.md)`).
fn parse_type(cell: &str) -> Option<Notation> {
    let cell = cell.trim();
    if cell.len() >= 2 && cell.starts_with('`') && cell.ends_with('`') {
        return parse_type(&cell[1..cell.len() - 1]);
    }
    if let Some(inner) = cell.strip_suffix("[]") {
        return parse_type(inner).map(|n| Notation { ty: RawRef::Array(Box::new(n.ty)), nullable: false });
    }
    if let Some((wrapper, inner)) = wrapped(cell) {
        return wrap(wrapper, inner, parse_type);
    }
    if let Some(inner) = cell.strip_prefix('*').and_then(|s| s.strip_suffix('*')) {
        return plain(inner);
    }
    if cell.starts_with('[') {
        let (text, dest) = split_link(cell)?;
        if dest.starts_with("http") {
            // Speakeasy links `Date` to MDN (TypeScript) and `date` to Python's docs for date-times.
            let is_date = matches!(text, "Date" | "date" | "datetime");
            return is_date.then_some(Notation { ty: RawRef::Scalar(Scalar::DateTime), nullable: false });
        }
        // The link's text is a type expression (`OptionalNullable[models.X]`), or else just the
        // page's name, whatever its characters (`Usage / 100%`).
        let mut notation = plain(text).unwrap_or_else(|| {
            let name = text.rsplit('.').next().unwrap_or(text).trim_matches('*').to_string();
            Notation { ty: RawRef::Link { name, target: String::new() }, nullable: false }
        });
        retarget(&mut notation.ty, dest);
        return Some(notation);
    }
    None
}

/// `List[`, `Dict[str,`, `Optional[`, ... around the whole of `text`: the wrapper and what is inside.
fn wrapped(text: &str) -> Option<(&'static str, &str)> {
    const WRAPPERS: [(&str, char); 8] = [
        ("Record<string,", '>'),
        ("List[", ']'),
        ("Dict[str,", ']'),
        ("OptionalNullable[", ']'),
        ("Optional[", ']'),
        ("Nullable[", ']'),
        ("Literal[", ']'),
        ("Union[", ']'),
    ];
    WRAPPERS.iter().find_map(|(open, close)| {
        let inner = text.strip_prefix(open)?.strip_suffix(*close)?;
        Some((*open, inner))
    })
}

/// Applies a wrapper to what `parse` makes of its inside.
fn wrap(wrapper: &str, inner: &str, parse: fn(&str) -> Option<Notation>) -> Option<Notation> {
    match wrapper {
        "Record<string," | "Dict[str," => {
            parse(inner).map(|n| Notation { ty: RawRef::Map(Box::new(n.ty)), nullable: false })
        }
        "List[" => parse(inner).map(|n| Notation { ty: RawRef::Array(Box::new(n.ty)), nullable: false }),
        "Optional[" => parse(inner),
        "OptionalNullable[" | "Nullable[" => parse(inner).map(|n| Notation { nullable: true, ..n }),
        "Literal[" => {
            let values: Option<Vec<serde_json::Value>> =
                split_top(inner, ',').into_iter().map(literal).collect();
            values.filter(|v| !v.is_empty()).map(|v| Notation { ty: RawRef::Literal(v), nullable: false })
        }
        _ => None,
    }
}

/// A type written without Markdown (inside `*...*`, a link's text or a `###` heading).
fn plain(text: &str) -> Option<Notation> {
    let text = text.trim();
    let bare = |ty: RawRef| Some(Notation { ty, nullable: false });
    if let Some(inner) = text.strip_suffix("[]") {
        return plain(inner).map(|n| Notation { ty: RawRef::Array(Box::new(n.ty)), nullable: false });
    }
    if let Some((wrapper, inner)) = wrapped(text) {
        return wrap(wrapper, inner, plain);
    }
    if text.replace(' ', "") == "{[k:string]:any}" {
        return bare(RawRef::Scalar(Scalar::Object));
    }
    if let Some(value) = literal(text) {
        return bare(RawRef::Literal(vec![value]));
    }
    scalar(text).map(RawRef::Scalar).or_else(|| named(text)).and_then(bare)
}

/// A literal value: `"assistant"`, `true`/`True`, `false`/`False`, or a number.
fn literal(text: &str) -> Option<serde_json::Value> {
    let text = text.trim();
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        return Some(serde_json::Value::String(text[1..text.len() - 1].to_string()));
    }
    match text {
        "true" | "True" => Some(serde_json::Value::Bool(true)),
        "false" | "False" => Some(serde_json::Value::Bool(false)),
        _ if text.starts_with(|c: char| c.is_ascii_digit() || c == '-') => {
            serde_json::from_str::<serde_json::Number>(text).ok().map(serde_json::Value::Number)
        }
        _ => None,
    }
}

/// Splits `text` at `sep` outside brackets and quotes.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quote = !quote,
            '[' | '<' | '(' if !quote => depth += 1,
            ']' | '>' | ')' if !quote => depth -= 1,
            c if c == sep && depth == 0 && !quote => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect()
}

/// `[text](dest)` spanning the whole of `cell`, with brackets allowed inside `text`.
fn split_link(cell: &str) -> Option<(&str, &str)> {
    let mut depth = 0usize;
    for (i, c) in cell.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    let dest = cell[i + 1..].strip_prefix('(')?.strip_suffix(')')?;
                    return Some((&cell[1..i], dest));
                }
            }
            _ => {}
        }
    }
    None
}

/// Points the one named type inside `ty` at the link's destination.
fn retarget(ty: &mut RawRef, dest: &str) {
    match ty {
        RawRef::Link { target, .. } => *target = dest.to_string(),
        RawRef::Array(inner) | RawRef::Map(inner) => retarget(inner, dest),
        RawRef::Scalar(_) | RawRef::Literal(_) => {}
    }
}

/// Parses a `### member` heading of a union page.
fn parse_member(text: &str) -> Option<RawRef> {
    if text.starts_with('[') || text.starts_with('*') {
        return parse_type(text).map(|n| n.ty);
    }
    plain(text.trim_matches('`')).map(|n| n.ty)
}

fn scalar(word: &str) -> Option<Scalar> {
    Some(match word.trim() {
        "string" | "str" => Scalar::String,
        "integer" | "int" => Scalar::Integer,
        "number" | "float" => Scalar::Number,
        "boolean" | "bool" => Scalar::Boolean,
        "date-time" | "Date" | "datetime" => Scalar::DateTime,
        "object" => Scalar::Object,
        "any" | "Any" => Scalar::Any,
        _ => return None,
    })
}

/// `components.ChatCompletionMessage` → a page `chatcompletionmessage.md` beside this one.
fn named(text: &str) -> Option<RawRef> {
    let text = text.trim();
    let name = text.rsplit('.').next()?;
    // `*components.Name*` names a page; a lowercase single word must be a scalar.
    let names_a_page = text.contains('.') || name.starts_with(char::is_uppercase);
    let valid =
        names_a_page && !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
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
    let mut items = 0usize;
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
            Event::Start(Tag::Paragraph) if items == 0 => inline.clear(),
            Event::End(TagEnd::Paragraph) if items == 0 => {
                out.push(Block::Paragraph { text: std::mem::take(&mut inline) });
            }
            Event::Start(Tag::Item) => {
                items += 1;
                inline.clear();
            }
            Event::End(TagEnd::Item) => {
                items = items.saturating_sub(1);
                out.push(Block::Item { text: std::mem::take(&mut inline) });
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

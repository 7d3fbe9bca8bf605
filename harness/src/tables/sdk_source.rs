//! Reads the facts an SDK's docs pages cannot carry from the SDK's own source (issue #17).
//!
//! Speakeasy's TypeScript pages show no nullability and print every number as *number*;
//! the SDK's zod inbound schemas (`src/models/**/*.ts`) say both, and their `remap$`
//! tables say the wire key of every renamed field. Its Python SDKs' pydantic models say
//! the same through `Nullable`/`OptionalNullable`/`Optional`, `int` and field aliases.
//! This module reads those declarations as text (no TypeScript or Python is run): one
//! [`TypeFacts`] per `X$inboundSchema = z.object({...})` or `class X(BaseModel)`, and
//! [`SdkFacts::apply`] writes them into a [`TypeSet`] read from the docs.

use std::{
    collections::BTreeMap,
    fs,
    path::{Path, PathBuf},
};

use super::{Scalar, TypeKind, TypeRef, TypeSet};

/// Every object schema found in an SDK source tree, by type name.
#[derive(Debug, Clone, Default)]
pub struct SdkFacts {
    pub types: BTreeMap<String, TypeFacts>,
    /// Source files read (`.ts` and `.py`).
    pub files: usize,
}

/// The fields of one SDK model, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeFacts {
    pub file: PathBuf,
    pub line: usize,
    pub fields: Vec<FieldFacts>,
    /// Folder depth of `file` below the folder read.
    pub depth: usize,
}

/// One model as a reader finds it: type name, line, fields.
type Model = (String, usize, Vec<FieldFacts>);

/// What the SDK's inbound validation says of one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFacts {
    /// The JSON key the SDK reads.
    pub wire_key: String,
    /// The SDK's own name for it (`remap$` target, or pydantic attribute), when it differs.
    pub sdk_name: Option<String>,
    /// Absent is rejected (no `.optional()`, no `.default(...)`, no Python default).
    pub required: bool,
    /// `null` is accepted (`z.nullable`, `.nullable()`, `.nullish()`; `Optional`/`Nullable` in pydantic).
    pub nullable: bool,
    /// The number kind of the value (or of an array's items): `int` or any number.
    pub number: Option<Number>,
    pub line: usize,
}

/// A numeric field's kind, as the SDK checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Number {
    /// zod `z.int()` / `z.number().int()`, pydantic `int`.
    Integer,
    /// zod `z.number()`, pydantic `float`.
    Any,
}

/// Why an SDK folder gave no facts.
#[derive(Debug, thiserror::Error)]
pub enum SdkSourceError {
    #[error("{}: not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("{}: no zod `X$inboundSchema = z.object(...)` or pydantic `class X(BaseModel)` found in {files} .ts/.py files; fix: point --sdk-source at the SDK's root or its src/ folder", dir.display())]
    NothingFound { dir: PathBuf, files: usize },
}

/// What [`SdkFacts::apply`] changed, for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Types whose fields were matched with an SDK model.
    pub filled: Vec<String>,
    /// Types of the docs with no SDK model of that name.
    pub unmatched: Vec<String>,
    pub nullable: usize,
    pub integers: usize,
    pub wire_keys: usize,
    pub required: usize,
    /// `Type.field` rows of the docs that the SDK model does not have.
    pub missing_fields: Vec<String>,
}

/// Folders never read: dependencies, builds, tests, virtual environments.
const SKIP: [&str; 10] =
    ["node_modules", ".git", "dist", "esm", "build", "tests", "test", ".venv", "venv", "__pycache__"];

/// Reads every `.ts` and `.py` file below `dir` (name order) for model declarations.
pub fn read(dir: &Path) -> Result<SdkFacts, SdkSourceError> {
    if !dir.is_dir() {
        return Err(SdkSourceError::NotAFolder(dir.to_path_buf()));
    }
    let mut facts = SdkFacts::default();
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter();
    let files = walker.filter_entry(|e| {
        e.depth() == 0
            || !(e.file_type().is_dir() && SKIP.contains(&e.file_name().to_string_lossy().as_ref()))
    });
    for entry in files.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str());
        let reader: fn(&str) -> Vec<Model> = match ext {
            Some("ts") if !path.to_string_lossy().ends_with(".d.ts") => zod::read,
            Some("py") => pydantic::read,
            _ => continue,
        };
        let Ok(text) = fs::read_to_string(path) else { continue };
        facts.files += 1;
        for (name, line, fields) in reader(&text) {
            // A name declared twice (a monorepo's packages) is taken from the file nearest the
            // folder given, then the first in name order: point --sdk-source at one package to choose.
            let depth = entry.depth();
            let nearer = facts.types.get(&name).is_none_or(|known| depth < known.depth);
            if nearer {
                facts.types.insert(name, TypeFacts { file: path.to_path_buf(), line, fields, depth });
            }
        }
    }
    if facts.types.is_empty() {
        return Err(SdkSourceError::NothingFound { dir: dir.to_path_buf(), files: facts.files });
    }
    Ok(facts)
}

impl SdkFacts {
    /// Writes the SDK's facts into the object types of `set` with the same name: wire key,
    /// required, nullable, and `integer` for a *number* the SDK checks as an integer.
    pub fn apply(&self, set: &mut TypeSet) -> Applied {
        let mut applied = Applied::default();
        for ty in &mut set.types {
            let TypeKind::Object { fields } = &mut ty.kind else { continue };
            if fields.is_empty() {
                continue;
            }
            let Some(model) = self.types.get(&ty.name) else {
                applied.unmatched.push(ty.name.clone());
                continue;
            };
            applied.filled.push(ty.name.clone());
            for field in fields.iter_mut() {
                let found = model.fields.iter().find(|f| f.sdk_name.as_deref() == Some(field.name.as_str()));
                let found = found
                    .or_else(|| {
                        model.fields.iter().find(|f| f.sdk_name.is_none() && f.wire_key == field.name)
                    })
                    .or_else(|| model.fields.iter().find(|f| f.wire_key == field.wire_key));
                let Some(sdk) = found else {
                    applied.missing_fields.push(format!("{}.{}", ty.name, field.name));
                    continue;
                };
                if field.wire_key != sdk.wire_key {
                    field.wire_key.clone_from(&sdk.wire_key);
                    applied.wire_keys += 1;
                }
                if field.nullable != sdk.nullable {
                    field.nullable = sdk.nullable;
                    applied.nullable += usize::from(sdk.nullable);
                }
                if field.required != sdk.required {
                    field.required = sdk.required;
                    applied.required += 1;
                }
                if sdk.number == Some(Number::Integer) && to_integer(&mut field.ty) {
                    applied.integers += 1;
                }
            }
        }
        applied
    }
}

/// `number` (or an array of them) becomes `integer`; whether anything changed.
fn to_integer(ty: &mut TypeRef) -> bool {
    match ty {
        TypeRef::Scalar(scalar @ Scalar::Number) => {
            *scalar = Scalar::Integer;
            true
        }
        TypeRef::Array(inner) => to_integer(inner),
        _ => false,
    }
}

/// Splits `text` at `sep` where no bracket, string or comment is open.
fn split_top(text: &str, sep: char) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\'' | '`' => skip_string(&mut chars, c),
            '/' if chars.peek().is_some_and(|(_, n)| *n == '/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if c == sep && depth == 0 => {
                parts.push((start, &text[start..i]));
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push((start, &text[start..]));
    parts
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, quote: char) {
    while let Some((_, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            c if c == quote => return,
            _ => {}
        }
    }
}

/// The index just past the bracket that closes the one opening at `open` (`(`, `[` or `{`).
fn closing(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut chars = text[open..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\'' | '`' => skip_string(&mut chars, c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn unquote(key: &str) -> &str {
    let key = key.trim();
    for q in ['"', '\''] {
        if let Some(inner) = key.strip_prefix(q).and_then(|k| k.strip_suffix(q)) {
            return inner;
        }
    }
    key
}

/// Speakeasy's zod inbound schemas, zod 3 (`z.number().int()`, `z.ZodTypeDef`) and zod 4 (`z.int()`).
mod zod {
    use super::{closing, line_at, split_top, unquote, FieldFacts, Model, Number};

    /// `(type name, line, fields)` of every `export const X$inboundSchema ... = z.object({...})`.
    pub(super) fn read(text: &str) -> Vec<Model> {
        const MARK: &str = "$inboundSchema";
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(found) = text[from..].find("export const ") {
            let start = from + found;
            from = start + 1;
            let decl = &text[start + "export const ".len()..];
            let name_end = decl.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).unwrap_or(0);
            let Some(name) = decl[..name_end].strip_suffix(MARK) else { continue };
            // The value: after the `=` that follows the (possibly multi-line) type annotation.
            let Some(eq) = assignment(decl) else { continue };
            let value = decl[eq + 1..].trim_start();
            // Only the value's start decides (a bounded look, so a file is read in linear time).
            let compact: String = value.chars().filter(|c| !c.is_whitespace()).take(64).collect();
            // Newer generators wrap objects that keep unknown keys: `collectExtraKeys$(z.object({...}), ...)`.
            let object = compact.strip_prefix("collectExtraKeys$(").unwrap_or(&compact);
            let Some(rest) =
                object.strip_prefix("z.object(").or_else(|| object.strip_prefix("z.strictObject("))
            else {
                continue;
            };
            if !rest.starts_with('{') {
                continue;
            }
            let value_at = start + "export const ".len() + (decl.len() - value.len());
            let Some(body_open) = text[value_at..].find('{').map(|i| value_at + i) else { continue };
            let Some(body_close) = closing(text, body_open) else { continue };
            let body = &text[body_open + 1..body_close - 1];
            let statement_end = text[body_close..].find("\n});").map_or(text.len(), |i| body_close + i);
            let remap = remap(&text[body_close..statement_end]);
            let mut fields = Vec::new();
            for (offset, entry) in split_top(body, ',') {
                let Some((key, expr)) = split_entry(entry) else { continue };
                let key = unquote(key).to_string();
                let line = line_at(text, body_open + 1 + offset + (entry.len() - entry.trim_start().len()));
                let facts = expression(expr);
                let sdk_name = remap.iter().find(|(wire, _)| *wire == key).map(|(_, name)| name.clone());
                fields.push(FieldFacts {
                    wire_key: key,
                    sdk_name,
                    required: !facts.optional,
                    nullable: facts.nullable,
                    number: facts.number,
                    line,
                });
            }
            out.push((name.to_string(), line_at(text, start), fields));
            from = body_close;
        }
        out
    }

    /// The offset of the `=` that assigns the value (after a type annotation with `<...>`).
    fn assignment(decl: &str) -> Option<usize> {
        let mut depth = 0i32;
        for (i, c) in decl.char_indices() {
            match c {
                '<' | '(' | '{' | '[' => depth += 1,
                '>' if !decl[..i].ends_with('=') => depth -= 1,
                ')' | '}' | ']' => depth -= 1,
                '=' if depth == 0 && !decl[i + 1..].starts_with('>') => return Some(i),
                ';' if depth == 0 => return None,
                _ => {}
            }
        }
        None
    }

    /// `key: expression` (the key may be quoted).
    fn split_entry(entry: &str) -> Option<(&str, &str)> {
        let entry = entry.trim();
        if entry.is_empty() || entry.starts_with("...") {
            return None;
        }
        let colon = if entry.starts_with(['"', '\'']) {
            let q = entry.chars().next()?;
            let end = entry[1..].find(q)? + 1;
            end + entry[end..].find(':')?
        } else {
            entry.find(':')?
        };
        Some((&entry[..colon], entry[colon + 1..].trim()))
    }

    /// `remap$(v, { "wire": "sdkName", ... })` pairs.
    fn remap(text: &str) -> Vec<(String, String)> {
        let Some(at) = text.find("remap$(") else { return Vec::new() };
        let Some(open) = text[at..].find('{').map(|i| at + i) else { return Vec::new() };
        let Some(close) = closing(text, open) else { return Vec::new() };
        split_top(&text[open + 1..close - 1], ',')
            .into_iter()
            .filter_map(|(_, pair)| {
                let (wire, name) = split_entry(pair)?;
                Some((unquote(wire).to_string(), unquote(name).to_string()))
            })
            .collect()
    }

    #[derive(Debug, Default, PartialEq, Eq)]
    pub(super) struct Facts {
        pub(super) optional: bool,
        pub(super) nullable: bool,
        pub(super) number: Option<Number>,
    }

    /// What a field's zod expression accepts: `z.nullable(X).optional()`, `X.nullable()`,
    /// `X.default(v)`, `z.optional(X)`, `z.array(X)`, `z.int()`, `z.number().int()`, ...
    pub(super) fn expression(expr: &str) -> Facts {
        let compact: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
        let mut facts = Facts::default();
        let mut core = compact.as_str();
        loop {
            let before = core;
            for (suffix, optional, nullable) in
                [(".optional()", true, false), (".nullable()", false, true), (".nullish()", true, true)]
            {
                if let Some(rest) = core.strip_suffix(suffix) {
                    core = rest;
                    facts.optional |= optional;
                    facts.nullable |= nullable;
                }
            }
            if let Some(rest) = strip_call_suffix(core, ".default(") {
                core = rest;
                facts.optional = true;
            }
            for (wrapper, optional, nullable) in
                [("z.nullable(", false, true), ("z.optional(", true, false), ("z.nullish(", true, true)]
            {
                if let Some(inner) = wrapped(core, wrapper) {
                    core = inner;
                    facts.optional |= optional;
                    facts.nullable |= nullable;
                }
            }
            if core == before {
                break;
            }
        }
        // An array's items decide its number kind.
        while let Some(inner) = wrapped(core, "z.array(") {
            core = inner;
        }
        if core.starts_with("z.int()")
            || core.starts_with("z.number().int()")
            || core.starts_with("z.int32()")
        {
            facts.number = Some(Number::Integer);
        } else if core.starts_with("z.number()") {
            facts.number = Some(Number::Any);
        }
        facts
    }

    /// `prefix(inner)` spanning the whole of `text`: the inner text.
    fn wrapped<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
        let inner = text.strip_prefix(prefix)?;
        let open = prefix.len() - 1;
        (closing(text, open)? == text.len()).then(|| &inner[..inner.len() - 1])
    }

    /// `text` without a trailing `.name(...)` call.
    fn strip_call_suffix<'a>(text: &'a str, call: &str) -> Option<&'a str> {
        let at = text.rfind(call)?;
        let open = at + call.len() - 1;
        (closing(text, open)? == text.len()).then(|| &text[..at])
    }
}

/// Speakeasy's pydantic models: `class X(BaseModel):` with `name: Type = default` fields.
mod pydantic {
    use super::{split_top, FieldFacts, Model, Number};

    pub(super) fn read(text: &str) -> Vec<Model> {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            let Some(head) = line.strip_prefix("class ") else { continue };
            let Some((name, bases)) = head.split_once('(') else { continue };
            if !bases.starts_with("BaseModel)") {
                continue;
            }
            let class_line = i;
            let mut fields = Vec::new();
            while i < lines.len() {
                let line = lines[i];
                if !line.is_empty() && !line.starts_with(char::is_whitespace) {
                    break;
                }
                let start = i + 1;
                i += 1;
                let trimmed = line.trim();
                if trimmed.starts_with("r\"\"\"") || trimmed.starts_with("\"\"\"") {
                    // A docstring: skip to its end.
                    let rest = trimmed.trim_start_matches('r').get(3..).unwrap_or("");
                    if !rest.contains("\"\"\"") {
                        while i < lines.len() && !lines[i].contains("\"\"\"") {
                            i += 1;
                        }
                        i += 1;
                    }
                    continue;
                }
                // Only fields at the class's own indentation (four spaces), not method bodies.
                if !line.starts_with("    ") || line.starts_with("     ") {
                    continue;
                }
                let mut statement = trimmed.to_string();
                while open_brackets(&statement) > 0 && i < lines.len() {
                    statement.push(' ');
                    statement.push_str(lines[i].trim());
                    i += 1;
                }
                if let Some(field) = field(&statement, start) {
                    fields.push(field);
                }
            }
            out.push((name.trim().to_string(), class_line, fields));
        }
        out
    }

    fn open_brackets(text: &str) -> i32 {
        text.chars()
            .map(|c| match c {
                '(' | '[' | '{' => 1,
                ')' | ']' | '}' => -1,
                _ => 0,
            })
            .sum()
    }

    /// `name: Type = default` (a field), or `None` for anything else.
    fn field(statement: &str, line: usize) -> Option<FieldFacts> {
        let (name, rest) = statement.split_once(':')?;
        let name = name.trim();
        if name.is_empty()
            || name.starts_with('_')
            || name == "model_config"
            || !name.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            return None;
        }
        let (annotation, default) = match split_top(rest, '=').as_slice() {
            [(_, annotation)] => (annotation.trim(), None),
            [(_, annotation), (_, default), ..] => (annotation.trim(), Some(default.trim())),
            [] => return None,
        };
        let (mut ty, alias) = annotated(annotation);
        let mut nullable = false;
        loop {
            let before = ty;
            for wrapper in ["OptionalNullable[", "Nullable[", "Optional["] {
                if let Some(inner) = ty.strip_prefix(wrapper).and_then(|t| t.strip_suffix(']')) {
                    ty = inner.trim();
                    // pydantic accepts `None` for `Optional[T]` (typing's `Union[T, None]`) too.
                    nullable = true;
                }
            }
            if ty == before {
                break;
            }
        }
        while let Some(inner) = ty.strip_prefix("List[").and_then(|t| t.strip_suffix(']')) {
            ty = inner.trim();
        }
        let number = match ty {
            "int" => Some(Number::Integer),
            "float" => Some(Number::Any),
            _ => None,
        };
        let wire_key = alias.unwrap_or_else(|| name.to_string());
        let sdk_name = (wire_key != name).then(|| name.to_string());
        Some(FieldFacts { wire_key, sdk_name, required: default.is_none(), nullable, number, line })
    }

    /// `Annotated[T, pydantic.Field(alias="x"), ...]` → (`T`, alias); anything else → (itself, none).
    fn annotated(annotation: &str) -> (&str, Option<String>) {
        let Some(inner) = annotation.strip_prefix("Annotated[").and_then(|a| a.strip_suffix(']')) else {
            return (annotation, None);
        };
        let parts = split_top(inner, ',');
        let ty = parts.first().map_or("", |(_, t)| t.trim());
        let alias = parts.iter().skip(1).find_map(|(_, part)| {
            let at = part.find("alias=")?;
            let value = part[at + "alias=".len()..].trim_start();
            let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
            let end = value[1..].find(quote)?;
            Some(value[1..=end].to_string())
        });
        (ty, alias)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zod_expressions() {
        use zod::expression;
        let f = |optional, nullable, number| zod::Facts { optional, nullable, number };
        assert_eq!(expression("z.int()"), f(false, false, Some(Number::Integer)));
        assert_eq!(expression("z.number().int()"), f(false, false, Some(Number::Integer)));
        assert_eq!(expression("z.nullable(z.int()).optional()"), f(true, true, Some(Number::Integer)));
        assert_eq!(expression("z.nullable(\n  z.number(),\n).optional()"), f(true, true, Some(Number::Any)));
        assert_eq!(expression("z.int().default(0)"), f(true, false, Some(Number::Integer)));
        assert_eq!(expression("z.string().nullable()"), f(false, true, None));
        assert_eq!(expression("z.string().nullish()"), f(true, true, None));
        assert_eq!(expression("z.array(z.number().int()).optional()"), f(true, false, Some(Number::Integer)));
        assert_eq!(expression("z.nullable(X$inboundSchema)"), f(false, true, None));
        assert_eq!(expression("z.literal(\"assistant\").default(\"assistant\")"), f(true, false, None));
        // `.int()` deep inside a union member is not the field's own kind.
        assert_eq!(expression("z.union([z.string(), z.array(z.int())])"), f(false, false, None));
    }

    #[test]
    fn zod_objects_in_three_layouts() {
        let text = "export const A$inboundSchema: z.ZodType<A, z.ZodTypeDef, unknown> = z.object({\n  \
                    n: z.number().int(),\n  \"x_y\": z.nullable(z.string()).optional(),\n}).transform((v) => {\n  \
                    return remap$(v, {\n    \"x_y\": \"xY\",\n  });\n});\n\
                    export const B$inboundSchema: z.ZodType<B, unknown> = z\n  .object({\n    n: z.int(),\n  });\n\
                    export const C$inboundSchema: z.ZodType<C, unknown> =\n  collectExtraKeys$(\n    z.object({\n      \
                    quality_floor: z.number().optional(),\n    }).catchall(z.any()),\n    \"additionalProperties\",\n    \
                    true,\n  ).transform((v) => {\n    return remap$(v, {\n      \"quality_floor\": \"qualityFloor\",\n    \
                    });\n  });\n\
                    export const D$inboundSchema: z.ZodType<D, unknown> = smartUnion([z.string(), z.int()]);\n\
                    export const A$outboundSchema = z.object({ n: z.string() });\n";
        let models = zod::read(text);
        let names: Vec<&str> = models.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        let a = &models[0].2;
        assert_eq!((a[0].wire_key.as_str(), a[0].number, a[0].required), ("n", Some(Number::Integer), true));
        assert_eq!((a[1].wire_key.as_str(), a[1].sdk_name.as_deref()), ("x_y", Some("xY")));
        assert!(a[1].nullable && !a[1].required);
        assert_eq!(a[1].line, 3);
        assert_eq!(models[1].2[0].number, Some(Number::Integer));
        let c = &models[2].2[0];
        assert_eq!(
            (c.sdk_name.as_deref(), c.number, c.required),
            (Some("qualityFloor"), Some(Number::Any), false)
        );
    }

    #[test]
    fn pydantic_fields() {
        let text = "class Usage(BaseModel):\n    model_config = ConfigDict(\n        populate_by_name=True\n    )\n\
                    \n    prompt_tokens: int\n    r\"\"\"Tokens.\"\"\"\n\n    cost: OptionalNullable[float] = UNSET\n\
                    \n    tool_call_id: Annotated[\n        Optional[str], pydantic.Field(alias=\"toolCallId\")\n    ] = None\n\
                    \n    ids: Nullable[List[int]]\n\n    @property\n    def x(self):\n        y: int = 1\n        return y\n\
                    \nclass UsageTypedDict(TypedDict):\n    a: int\n";
        let models = pydantic::read(text);
        assert_eq!(models.len(), 1);
        let (name, _, fields) = &models[0];
        assert_eq!(name, "Usage");
        let keys: Vec<&str> = fields.iter().map(|f| f.wire_key.as_str()).collect();
        assert_eq!(keys, ["prompt_tokens", "cost", "toolCallId", "ids"]);
        assert!(fields[0].required && !fields[0].nullable && fields[0].number == Some(Number::Integer));
        assert!(!fields[1].required && fields[1].nullable && fields[1].number == Some(Number::Any));
        assert_eq!(fields[2].sdk_name.as_deref(), Some("tool_call_id"));
        assert!(fields[2].nullable && !fields[2].required);
        assert!(fields[3].required && fields[3].nullable && fields[3].number == Some(Number::Integer));
        assert_eq!(fields[0].line, 6);
    }
}

//! Table parsing and derivation: every type notation, every malformed-table error.

use rstest::rstest;
use serde_json::{json, Value};

use super::*;
use crate::derive::{derive, SchemaInfo, ZOD_DATE_TIME};

/// Writes `pages` (file name, Markdown) into a fresh folder.
fn folder(pages: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in pages {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn object_page(name: &str, rows: &str) -> String {
    format!(
        "# {name}\n\nA test type.\n\n## Fields\n\n| Field | Type | Required | Nullable | Wire key | Source | Description |\n| --- | --- | --- | --- | --- | --- | --- |\n{rows}"
    )
}

/// Derives the schema of a one-page folder whose root has one field `value` of type `notation`.
fn derive_field(notation: &str, extra: &[(&str, &str)]) -> Value {
    let root = object_page("Root", &format!("| `value` | {notation} | :heavy_check_mark: | | | sdk | |\n"));
    let mut pages = vec![("root.md", root.as_str())];
    pages.extend_from_slice(extra);
    let dir = folder(&pages);
    let set = load(dir.path(), "Root").unwrap_or_else(|errors| panic!("{errors:?}"));
    let schema = derive(&set, &SchemaInfo { id: "urn:test", title: "t", tables: "t" });
    schema["$defs"]["Root"]["properties"]["value"].clone()
}

const ENUM_CLOSED: &str = "# Colour\n\n## Values\n\n```typescript\n\"red\" | \"green\"\n```\n";
const ENUM_OPEN: &str =
    "# Colour\n\nThis is an open enum.\n\n## Values\n\n```typescript\n\"red\" | \"green\"\n```\n";
const CHILD: &str = "# Child\n\n## Fields\n\n| Field | Type | Required | Description |\n| --- | --- | --- | --- |\n| `name` | *string* | :heavy_check_mark: | N/A |\n";

#[rstest]
#[case::string("*string*", json!({"type": "string"}))]
#[case::integer("*integer*", json!({"type": "integer"}))]
#[case::number("*number*", json!({"type": "number"}))]
#[case::boolean("*boolean*", json!({"type": "boolean"}))]
#[case::object("*object*", json!({"type": "object"}))]
#[case::any("*any*", json!({}))]
#[case::date_time("*date-time*", json!({"type": "string", "pattern": ZOD_DATE_TIME}))]
#[case::speakeasy_date("[Date](https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Date)", json!({"type": "string", "pattern": ZOD_DATE_TIME}))]
#[case::scalar_array("*number*[]", json!({"type": "array", "items": {"type": "number"}}))]
#[case::nested_array("*string*[][]", json!({"type": "array", "items": {"type": "array", "items": {"type": "string"}}}))]
#[case::map("Record<string, *string*>", json!({"type": "object", "additionalProperties": {"type": "string"}}))]
#[case::any_map("Record<string, *any*>", json!({"type": "object", "additionalProperties": {}}))]
// Speakeasy's TypeScript const literals and Python notation.
#[case::const_string("*\"assistant\"*", json!({"const": "assistant"}))]
#[case::const_true("*true*", json!({"const": true}))]
#[case::py_str("*str*", json!({"type": "string"}))]
#[case::py_int("*int*", json!({"type": "integer"}))]
#[case::py_float("*float*", json!({"type": "number"}))]
#[case::py_bool("*bool*", json!({"type": "boolean"}))]
#[case::py_any("*Any*", json!({}))]
#[case::py_code_wrapped("`*int*`", json!({"type": "integer"}))]
#[case::py_optional("*Optional[int]*", json!({"type": "integer"}))]
#[case::py_nullable("*Nullable[str]*", json!({"type": ["string", "null"]}))]
#[case::py_optional_nullable("*OptionalNullable[float]*", json!({"type": ["number", "null"]}))]
#[case::py_literal("*Optional[Literal[\"assistant\"]]*", json!({"const": "assistant"}))]
#[case::py_literal_bool("*Literal[True]*", json!({"const": true}))]
#[case::py_nullable_literal("*Nullable[Literal[\"a\"]]*", json!({"enum": ["a", null]}))]
#[case::py_list("List[*str*]", json!({"type": "array", "items": {"type": "string"}}))]
#[case::py_dict("Dict[str, *Any*]", json!({"type": "object", "additionalProperties": {}}))]
#[case::py_list_of_dict("List[Dict[str, *Any*]]", json!({"type": "array", "items": {"type": "object", "additionalProperties": {}}}))]
#[case::py_date("[date](https://docs.python.org/3/library/datetime.html#date-objects)", json!({"type": "string", "pattern": ZOD_DATE_TIME}))]
fn scalar_notations(#[case] notation: &str, #[case] expected: Value) {
    assert_eq!(derive_field(notation, &[]), expected);
}

#[rstest]
#[case::link("[Child](child.md)", json!({"$ref": "#/$defs/Child"}))]
#[case::speakeasy_link("[components.Child](../../models/components/child.md)", json!({"$ref": "#/$defs/Child"}))]
#[case::italic_name("*components.Child*", json!({"$ref": "#/$defs/Child"}))]
#[case::link_array("[models.Child](child.md)[]", json!({"type": "array", "items": {"$ref": "#/$defs/Child"}}))]
#[case::py_link("[models.Child](../models/child.md)", json!({"$ref": "#/$defs/Child"}))]
#[case::py_optional_link("[Optional[models.Child]](child.md)", json!({"$ref": "#/$defs/Child"}))]
#[case::py_nullable_link("[OptionalNullable[models.Child]](child.md)", json!({"anyOf": [{"$ref": "#/$defs/Child"}, {"type": "null"}]}))]
#[case::py_list_link("List[[models.Child](child.md)]", json!({"type": "array", "items": {"$ref": "#/$defs/Child"}}))]
#[case::py_dict_link("Dict[str, [models.Child](child.md)]", json!({"type": "object", "additionalProperties": {"$ref": "#/$defs/Child"}}))]
#[case::mdx_link("[models.Child](child.mdx)", json!({"$ref": "#/$defs/Child"}))]
fn named_notations(#[case] notation: &str, #[case] expected: Value) {
    let mdx = notation.contains(".mdx");
    let child = if mdx { ("child.mdx", CHILD) } else { ("child.md", CHILD) };
    assert_eq!(derive_field(notation, &[child]), expected);
}

#[rstest]
#[case::closed(ENUM_CLOSED, json!({"title": "Colour", "enum": ["red", "green"]}))]
#[case::open(ENUM_OPEN, json!({"title": "Colour", "type": "string", "examples": ["red", "green"]}))]
#[case::table("# Colour\n\n## Values\n\n| Name | Value |\n| --- | --- |\n| `Red` | red |\n| `Green` | green |\n", json!({"title": "Colour", "enum": ["red", "green"]}))]
#[case::python_list("# Colour\n\n## Values\n\n- `\"red\"`\n- `\"green\"`\n", json!({"title": "Colour", "enum": ["red", "green"]}))]
#[case::typescript_unrecognized("# Colour\n\n## Values\n\n```typescript\n\"red\" | \"green\" | Unrecognized<string>\n```\n", json!({"title": "Colour", "type": "string", "examples": ["red", "green"]}))]
#[case::front_matter("---\ntitle: \"Colour\"\n---\n\n## Values\n\n```typescript\n\"red\" | \"green\"\n```\n", json!({"title": "Colour", "enum": ["red", "green"]}))]
fn enum_pages(#[case] page: &str, #[case] expected: Value) {
    assert_eq!(derive_field("[Colour](colour.md)", &[("colour.md", page)]), expected);
}

#[test]
fn nullable_and_required_are_separate_facts() {
    let root = object_page(
        "Root",
        "| `a` | *string* | :heavy_check_mark: | :heavy_check_mark: | | sdk | |\n\
         | `b` | [Colour](colour.md) | :heavy_minus_sign: | :heavy_check_mark: | | sdk | |\n\
         | `c` | [Child](child.md) | :heavy_minus_sign: | :heavy_check_mark: | | spec | |\n\
         | `d` | *integer*[] | :heavy_minus_sign: | :heavy_minus_sign: | | seed | |\n",
    );
    let dir = folder(&[("root.md", &root), ("colour.md", ENUM_CLOSED), ("child.md", CHILD)]);
    let set = load(dir.path(), "Root").unwrap();
    let schema = derive(&set, &SchemaInfo { id: "urn:test", title: "t", tables: "t" });
    let root = &schema["$defs"]["Root"];
    assert_eq!(root["required"], json!(["a"]));
    assert_eq!(root["properties"]["a"], json!({"type": ["string", "null"]}));
    assert_eq!(root["properties"]["b"], json!({"title": "Colour", "enum": ["red", "green", null]}));
    assert_eq!(root["properties"]["c"], json!({"anyOf": [{"$ref": "#/$defs/Child"}, {"type": "null"}]}));
    assert_eq!(root["properties"]["d"], json!({"type": "array", "items": {"type": "integer"}}));
    assert_eq!(schema["$ref"], json!("#/$defs/Root"));
}

#[rstest]
#[case::camel("promptTokens", "prompt_tokens")]
#[case::already_snake("prompt_tokens", "prompt_tokens")]
#[case::long("upstashRateLimitingActive", "upstash_rate_limiting_active")]
#[case::acronym_inside("imageURLChunk", "image_url_chunk")]
#[case::single("id", "id")]
// Pairs from OpenRouter's zod `remap$` tables: a digit run starts a word before a lowercase unit.
#[case::digit_unit("ephemeral5mInputTokens", "ephemeral_5m_input_tokens")]
#[case::digit_unit_last("inputCacheWrite1h", "input_cache_write_1h")]
#[case::digits_unit_middle("uptimeLast30m", "uptime_last_30m")]
#[case::digits_in_word("b64Json", "b64_json")]
#[case::digits_at_end("partialImageB64", "partial_image_b64")]
#[case::digits_only_suffix("sha256", "sha256")]
#[case::snake_digits("ephemeral_5m_input_tokens", "ephemeral_5m_input_tokens")]
fn wire_keys_default_to_snake_case(#[case] field: &str, #[case] wire: &str) {
    assert_eq!(snake_case(field), wire);
}

#[test]
fn wire_key_override_wins() {
    let root =
        object_page("Root", "| `metadata` | *object* | :heavy_minus_sign: | | `_metadata` | sdk | |\n");
    let dir = folder(&[("root.md", &root)]);
    let set = load(dir.path(), "Root").unwrap();
    let TypeKind::Object { fields } = &set.types[0].kind else { panic!("not an object") };
    assert_eq!(fields[0].wire_key, "_metadata");
    assert_eq!(fields[0].source, Some(Source::Sdk));
}

#[test]
fn a_speakeasy_table_without_extensions_parses() {
    let page = "# Root\n\n## Fields\n\n| Field | Type | Required | Description | Example |\n| --- | --- | --- | --- | --- |\n| `finishReason` | *string* | :heavy_minus_sign: | N/A | stop |\n";
    let dir = folder(&[("root.md", page)]);
    let set = load(dir.path(), "Root").unwrap();
    let TypeKind::Object { fields } = &set.types[0].kind else { panic!("not an object") };
    assert_eq!(
        (fields[0].wire_key.as_str(), fields[0].nullable, fields[0].source),
        ("finish_reason", false, None)
    );
    assert_eq!(fields[0].description, None);
}

#[test]
fn empty_fields_section_is_any_object() {
    let dir = folder(&[("root.md", "# Root\n\n## Fields\n\nNo declared fields.\n")]);
    let set = load(dir.path(), "Root").unwrap();
    assert!(matches!(&set.types[0].kind, TypeKind::Object { fields } if fields.is_empty()));
}

#[test]
fn tagged_unions_select_members_by_their_tag() {
    let member = |name: &str, tag: &str| {
        (
            format!("{}.md", name.to_lowercase()),
            object_page(
                name,
                &format!(
                    "| `type` | [{name}Type]({}type.md) | :heavy_check_mark: | | | sdk | |\n",
                    name.to_lowercase()
                ),
            ),
            format!("{}type.md", name.to_lowercase()),
            format!("# {name}Type\n\n## Values\n\n```typescript\n\"{tag}\"\n```\n"),
        )
    };
    let (a_file, a_page, a_type_file, a_type) = member("Alpha", "alpha");
    let (b_file, b_page, b_type_file, b_type) = member("Beta", "beta");
    let union = "# Either\n\n## Supported Types\n\n### `components.Alpha`\n\n### [Beta](beta.md)\n";
    let schema = derive_field(
        "[Either](either.md)",
        &[
            ("either.md", union),
            (&a_file, &a_page),
            (&a_type_file, &a_type),
            (&b_file, &b_page),
            (&b_type_file, &b_type),
        ],
    );
    assert_eq!(schema, json!({"$ref": "#/$defs/Either"}));
    let dir = folder(&[
        (
            "root.md",
            &object_page("Root", "| `value` | [Either](either.md) | :heavy_check_mark: | | | sdk | |\n"),
        ),
        ("either.md", union),
        (&a_file, &a_page),
        (&a_type_file, &a_type),
        (&b_file, &b_page),
        (&b_type_file, &b_type),
    ]);
    let set = load(dir.path(), "Root").unwrap();
    let full = derive(&set, &SchemaInfo { id: "urn:test", title: "t", tables: "t" });
    let either = &full["$defs"]["Either"];
    assert_eq!(either["properties"]["type"], json!({"enum": ["alpha", "beta"]}));
    assert_eq!(either["allOf"][1]["then"], json!({"$ref": "#/$defs/Beta"}));
}

#[test]
fn untagged_unions_become_any_of() {
    let union = "# Arguments\n\n## Supported Types\n\n### `{ [k: string]: any }`\n\n### `string`\n";
    let dir = folder(&[
        (
            "root.md",
            &object_page(
                "Root",
                "| `value` | [Arguments](arguments.md) | :heavy_check_mark: | | | sdk | |\n",
            ),
        ),
        ("arguments.md", union),
    ]);
    let set = load(dir.path(), "Root").unwrap();
    let full = derive(&set, &SchemaInfo { id: "urn:test", title: "t", tables: "t" });
    assert_eq!(full["$defs"]["Arguments"], json!({"anyOf": [{"type": "object"}, {"type": "string"}]}));
}

/// Every malformed-table class: the pages, then the error's line and a fragment of its text.
#[rstest]
#[case::missing_column(&[("root.md", "# Root\n\n## Fields\n\n| Field | Description |\n| --- | --- |\n| `a` | x |\n")], 5, "no `Type` column")]
#[case::unknown_column(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required | Wirekey |\n| --- | --- | --- | --- |\n| `a` | *string* | :heavy_check_mark: | x |\n")], 5, "unknown column `Wirekey`")]
#[case::unknown_type(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | *strnig* | :heavy_check_mark: |\n")], 7, "unknown type notation `*strnig*`")]
#[case::bad_required(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | *string* | maybe |\n")], 7, "not a yes/no cell in column Required")]
#[case::missing_type_file(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | [Gone](gone.md) | :heavy_check_mark: |\n")], 7, "no page exists")]
#[case::duplicate_field(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | *string* | :heavy_check_mark: |\n| `a` | *integer* | :heavy_check_mark: |\n")], 8, "field `a` is listed twice")]
#[case::duplicate_wire_key(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required | Wire key |\n| --- | --- | --- | --- |\n| `a` | *string* | :heavy_check_mark: | `x` |\n| `b` | *string* | :heavy_check_mark: | `x` |\n")], 8, "wire key `x` is used by two fields")]
#[case::bad_override(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required | Wire key |\n| --- | --- | --- | --- |\n| `a` | *string* | :heavy_check_mark: | two words |\n")], 7, "bad wire key override")]
#[case::unknown_source(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required | Source |\n| --- | --- | --- | --- |\n| `a` | *string* | :heavy_check_mark: | rumour |\n")], 7, "unknown source `rumour`")]
#[case::no_title(&[("root.md", "## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n")], 1, "no `# Type` heading")]
#[case::no_section(&[("root.md", "# Root\n\n## Example Usage\n\ntext\n")], 3, "no `## Fields`")]
#[case::empty_enum(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | [E](e.md) | :heavy_check_mark: |\n"), ("e.md", "# E\n\n## Values\n\nnone\n")], 3, "the enum lists no values")]
#[case::cycle(&[("root.md", "# Root\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | [A](a.md) | :heavy_check_mark: |\n"), ("a.md", "# A\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `r` | [Root](root.md) | :heavy_minus_sign: |\n")], 1, "cycle: Root → A → Root")]
fn malformed_tables_name_file_and_line(
    #[case] pages: &[(&str, &str)],
    #[case] line: usize,
    #[case] fragment: &str,
) {
    let dir = folder(pages);
    let errors = load(dir.path(), "Root").expect_err("the tables are malformed");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let hit = errors.iter().find(|e| e.to_string().contains(fragment));
    let hit = hit.unwrap_or_else(|| panic!("no error contains {fragment:?}: {shown:?}"));
    assert_eq!(hit.line, line, "{shown:?}");
    assert!(hit.file.extension().is_some_and(|e| e == "md"), "{shown:?}");
}

#[test]
fn one_bad_page_does_not_hide_another() {
    let root = object_page("Root", "| `a` | [A](a.md) | :heavy_check_mark: | | | | |\n| `b` | [B](b.md) | :heavy_check_mark: | | | | |\n");
    let bad = "# A\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `x` | *nope* | :heavy_check_mark: |\n";
    let also_bad = "# B\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `y` | *string* | perhaps |\n";
    let dir = folder(&[("root.md", &root), ("a.md", bad), ("b.md", also_bad)]);
    let errors = load(dir.path(), "Root").expect_err("two pages are bad");
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[test]
fn errors_are_found_on_every_page_the_root_reaches_even_when_the_root_is_bad() {
    // The root has an error of its own and links on to two more bad pages, one of them two links away.
    let root = "# Root\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | *strnig* | :heavy_check_mark: |\n| `b` | [components.B](../../models/components/b.md) | :heavy_check_mark: |\n";
    let b = "# B\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `c` | [C](c.md) | perhaps |\n";
    let c = "# C\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `d` | *Nullabel[int]* | :heavy_check_mark: |\n";
    let dir = tempfile::tempdir().unwrap();
    let components = dir.path().join("models/components");
    std::fs::create_dir_all(&components).unwrap();
    for (name, text) in [("root.md", root), ("b.md", b), ("c.md", c)] {
        std::fs::write(components.join(name), text).unwrap();
    }
    let errors = load(&dir.path().join("models"), "Root").expect_err("three pages are bad");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let at: Vec<(String, usize)> =
        errors.iter().map(|e| (e.file.file_name().unwrap().to_string_lossy().into_owned(), e.line)).collect();
    assert_eq!(
        at,
        [("b.md".to_string(), 7), ("c.md".to_string(), 7), ("root.md".to_string(), 7)],
        "{shown:?}"
    );
    // Paths print normalised, and every message ends with its fix.
    assert!(shown.iter().all(|s| !s.contains("../") && s.contains("; fix: ")), "{shown:?}");
    assert!(errors[0].file.ends_with("models/components/b.md"), "{shown:?}");
}

#[test]
fn normalize_resolves_parent_components_lexically() {
    assert_eq!(
        normalize(Path::new("docs/models/components/../../models/components/x.md")),
        PathBuf::from("docs/models/components/x.md")
    );
    assert_eq!(normalize(Path::new("../a/./b")), PathBuf::from("../a/b"));
}

#[test]
fn a_struck_through_title_names_the_deprecated_type() {
    // OpenRouter's SDK titles a deprecated page `~~LegacyChatContentVideo~~` (front matter or heading).
    let mdx = "---\ntitle: \"~~Legacy~~\"\n---\n\nOld part.\n\n## Fields\n\n| Field | Type | Required | Description |\n\
               | --- | --- | --- | --- |\n| `url` | *string* | :heavy_check_mark: | N/A |\n";
    let root = object_page(
        "Root",
        "| `old` | [Legacy](legacy.mdx) | :heavy_minus_sign: | :heavy_minus_sign: | | sdk | |\n",
    );
    let dir = folder(&[("root.md", &root), ("legacy.mdx", mdx)]);
    let set = load(dir.path(), "Root").unwrap();
    assert!(set.get("Legacy").is_some(), "{:?}", set.types.iter().map(|t| &t.name).collect::<Vec<_>>());
    let dir = folder(&[("legacy.md", "# ~~Legacy~~\n\n## Fields\n\n| Field | Type | Required |\n| --- | --- | --- |\n| `a` | *string* | :heavy_check_mark: |\n")]);
    assert_eq!(load(dir.path(), "legacy.md").unwrap().root, "Legacy");
}

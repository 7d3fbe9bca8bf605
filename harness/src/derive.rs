//! Derives a draft 2020-12 JSON Schema from one provider's [`TypeSet`].
//!
//! Objects and unions become `$defs`; enums are written inline at each use, so a
//! value outside a closed enum fails with the keyword `enum` at its own pointer.
//! Undocumented properties stay allowed (no `additionalProperties: false`):
//! real providers add fields, and reporting them is the verdict module's job.
//! A nullable object or union is `anyOf [$ref, null]`; the verdict module looks
//! through that `anyOf` so an error inside the object is reported where it is.

use serde_json::{json, Map, Value};

use crate::tables::{Field, Scalar, TypeDef, TypeKind, TypeRef, TypeSet};

pub mod docs;

pub use crate::verdict::ZOD_DATE_TIME;

/// What the derived schema says about itself.
#[derive(Debug, Clone)]
pub struct SchemaInfo<'a> {
    /// A stable identifier, e.g. `urn:chatcompat:openai:chat-completion`.
    pub id: &'a str,
    pub title: &'a str,
    /// Where the tables live, for the "derived from" comment.
    pub tables: &'a str,
}

/// Builds the schema for `set`, rooted at its root type.
pub fn derive(set: &TypeSet, info: &SchemaInfo<'_>) -> Value {
    let mut defs = Map::new();
    for ty in &set.types {
        if let Some(schema) = def_schema(set, ty) {
            defs.insert(ty.name.clone(), schema);
        }
    }
    let mut root = Map::new();
    root.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    root.insert("$id".into(), json!(info.id));
    root.insert("title".into(), json!(info.title));
    if let Some(description) = set.get(&set.root).and_then(|t| t.description.as_ref()) {
        root.insert("description".into(), json!(description));
    }
    root.insert(
        "$comment".into(),
        json!(format!(
            "Derived by `chatcompat derive` from the field tables in {}; do not edit by hand.",
            info.tables
        )),
    );
    match set.get(&set.root).map(|t| &t.kind) {
        // An enum has no `$defs` entry (enums are inlined where used), so a root enum is the root schema.
        Some(TypeKind::Enum { .. }) => {
            if let Value::Object(inline) = type_schema(set, &TypeRef::Named(set.root.clone()), false) {
                root.extend(inline.into_iter().filter(|(key, _)| key != "title"));
            }
        }
        _ => {
            root.insert("$ref".into(), json!(def_ref(&set.root)));
        }
    }
    root.insert("$defs".into(), Value::Object(defs));
    Value::Object(root)
}

/// The `$ref` string for a named type: `#/$defs/` and the name as a JSON pointer token
/// (RFC 6901: `~` is `~0`, `/` is `~1`) percent-encoded for a URI fragment (RFC 3986), so a
/// page titled `Chat Completion` is `#/$defs/Chat%20Completion`. Its `$defs` key stays the name.
/// [`crate::verdict::resolve_ref`] reads it back.
pub fn def_ref(name: &str) -> String {
    let token = name.replace('~', "~0").replace('/', "~1");
    let mut reference = String::from("#/$defs/");
    for byte in token.bytes() {
        // RFC 3986 `fragment`: pchar / "/" / "?", pchar = unreserved / sub-delims / ":" / "@".
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&byte) {
            reference.push(char::from(byte));
        } else {
            reference.push_str(&format!("%{byte:02X}"));
        }
    }
    reference
}

fn def_schema(set: &TypeSet, ty: &TypeDef) -> Option<Value> {
    let mut schema = Map::new();
    if let Some(description) = &ty.description {
        schema.insert("description".into(), json!(description));
    }
    match &ty.kind {
        TypeKind::Object { fields } => {
            schema.insert("type".into(), json!("object"));
            let properties: Map<String, Value> =
                fields.iter().map(|field| (field.wire_key.clone(), field_schema(set, field))).collect();
            schema.insert("properties".into(), Value::Object(properties));
            let required: Vec<&str> =
                fields.iter().filter(|f| f.required).map(|f| f.wire_key.as_str()).collect();
            if !required.is_empty() {
                schema.insert("required".into(), json!(required));
            }
        }
        TypeKind::Union { members } => match discriminator(set, members) {
            Some((property, tags)) => {
                schema.insert("type".into(), json!("object"));
                schema.insert("required".into(), json!([property]));
                let all: Vec<&str> = tags.iter().map(|(tag, _)| tag.as_str()).collect();
                schema.insert("properties".into(), json!({ property.as_str(): { "enum": all } }));
                let branches: Vec<Value> = tags
                    .iter()
                    .map(|(tag, member)| {
                        json!({
                            "if": {
                                "required": [property],
                                "properties": { property.as_str(): { "const": tag } }
                            },
                            "then": { "$ref": def_ref(member) }
                        })
                    })
                    .collect();
                schema.insert("allOf".into(), Value::Array(branches));
            }
            None => {
                let branches: Vec<Value> =
                    members.iter().map(|member| type_schema(set, member, false)).collect();
                schema.insert("anyOf".into(), Value::Array(branches));
            }
        },
        // Enums are inlined where they are used.
        TypeKind::Enum { .. } => return None,
    }
    Some(Value::Object(schema))
}

fn field_schema(set: &TypeSet, field: &Field) -> Value {
    let mut schema = type_schema(set, &field.ty, field.nullable);
    if let (Some(description), Value::Object(map)) = (&field.description, &mut schema) {
        map.insert("description".into(), json!(description));
    }
    schema
}

/// The schema of a value of type `ty`; `null` is accepted too when `nullable`.
fn type_schema(set: &TypeSet, ty: &TypeRef, nullable: bool) -> Value {
    let with_null = |name: &str| if nullable { json!([name, "null"]) } else { json!(name) };
    match ty {
        TypeRef::Scalar(Scalar::Any) => json!({}),
        TypeRef::Scalar(Scalar::DateTime) => {
            json!({ "type": with_null("string"), "pattern": ZOD_DATE_TIME })
        }
        TypeRef::Scalar(scalar) => json!({ "type": with_null(&scalar.to_string()) }),
        TypeRef::Array(item) => {
            json!({ "type": with_null("array"), "items": type_schema(set, item, false) })
        }
        TypeRef::Map(value) => json!({
            "type": with_null("object"),
            "additionalProperties": type_schema(set, value, false)
        }),
        TypeRef::Literal(values) => match values.as_slice() {
            [one] if !nullable => json!({ "const": one }),
            _ => {
                let mut all = values.clone();
                if nullable {
                    all.push(Value::Null);
                }
                json!({ "enum": all })
            }
        },
        TypeRef::Named(name) => match set.get(name).map(|t| &t.kind) {
            Some(TypeKind::Enum { values, open: false }) => {
                let mut all: Vec<Value> = values.iter().map(|v| json!(v)).collect();
                if nullable {
                    all.push(Value::Null);
                }
                json!({ "title": name, "enum": all })
            }
            Some(TypeKind::Enum { values, open: true }) => {
                json!({ "title": name, "type": with_null("string"), "examples": values })
            }
            _ if nullable => json!({ "anyOf": [{ "$ref": def_ref(name) }, { "type": "null" }] }),
            _ => json!({ "$ref": def_ref(name) }),
        },
    }
}

/// A property that tells a union's members apart: required in every member and a
/// one-value closed enum with a different value in each (`type`, `role`).
fn discriminator(set: &TypeSet, members: &[TypeRef]) -> Option<(String, Vec<(String, String)>)> {
    let objects: Vec<(&str, &Vec<Field>)> = members
        .iter()
        .map(|m| match m {
            TypeRef::Named(name) => match set.get(name).map(|t| &t.kind) {
                Some(TypeKind::Object { fields }) => Some((name.as_str(), fields)),
                _ => None,
            },
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (_, first_fields) = objects.first()?;
    first_fields.iter().filter(|f| f.required).find_map(|candidate| {
        let mut tags: Vec<(String, String)> = Vec::new();
        for (member, fields) in &objects {
            let field = fields.iter().find(|f| f.wire_key == candidate.wire_key && f.required)?;
            let tag = match &field.ty {
                TypeRef::Named(enum_name) => match set.get(enum_name).map(|t| &t.kind) {
                    Some(TypeKind::Enum { values, open: false }) => match values.as_slice() {
                        [tag] => tag.clone(),
                        _ => return None,
                    },
                    _ => return None,
                },
                // A const literal (`*"text"*`, `Literal["text"]`) tags its member the same way.
                TypeRef::Literal(values) => match values.as_slice() {
                    [Value::String(tag)] => tag.clone(),
                    _ => return None,
                },
                _ => return None,
            };
            let tag = &tag;
            if tags.iter().any(|(t, _)| t == tag) {
                return None;
            }
            tags.push((tag.clone(), member.to_string()));
        }
        Some((candidate.wire_key.clone(), tags))
    })
}

#[cfg(test)]
mod ref_tests {
    use super::def_ref;
    use crate::verdict::{resolve_ref, Schema};
    use serde_json::json;

    #[test]
    fn names_with_pointer_and_uri_characters_are_escaped_and_compile() {
        for name in ["Chat Completion", "a/b", "50%", "x#y", "say \"hi\"", "t~1", "Straße", "ok"] {
            let reference = def_ref(name);
            let schema = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": reference,
                "$defs": { name: { "type": "object", "required": ["id"] } }
            });
            assert_eq!(resolve_ref(&schema, &reference), Some(&schema["$defs"][name]), "{name}: {reference}");
            let compiled =
                Schema::compile("custom", schema).unwrap_or_else(|e| panic!("{name}: {reference}: {e}"));
            assert!(!compiled.check(&json!({})).violations.is_empty(), "{name}: the $ref is followed");
        }
        assert_eq!(def_ref("Chat Completion"), "#/$defs/Chat%20Completion");
        assert_eq!(def_ref("a/b~c"), "#/$defs/a~1b~0c");
        assert_eq!(def_ref("50%"), "#/$defs/50%25");
    }

    /// Found by `fuzz/` (target `tables`): a page set whose root is an enum (`derive --tables --root
    /// Role`) derived `"$ref": "#/$defs/Role"`, but enums are inlined and have no `$defs` entry, so the
    /// schema did not compile.
    #[test]
    fn a_root_enum_is_the_root_schema() {
        use crate::tables::{Dialect, TypeDef, TypeKind, TypeSet};
        for open in [false, true] {
            let set = TypeSet {
                root: "Role".into(),
                types: vec![TypeDef {
                    name: "Role".into(),
                    file: "role.md".into(),
                    description: None,
                    kind: TypeKind::Enum { values: vec!["assistant".into()], open },
                    dialect: Dialect::Tables,
                }],
            };
            let info = super::SchemaInfo { id: "urn:test", title: "roles", tables: "t/" };
            let schema = super::derive(&set, &info);
            assert_eq!(schema["title"], "roles");
            assert!(schema.get("$ref").is_none(), "{schema:#}");
            let compiled = Schema::compile("custom", schema).unwrap();
            assert!(compiled.check(&json!("assistant")).violations.is_empty());
            assert!(!compiled.check(&json!(1)).violations.is_empty(), "open: {open}");
            assert_eq!(compiled.check(&json!("user")).violations.is_empty(), open);
        }
    }
}

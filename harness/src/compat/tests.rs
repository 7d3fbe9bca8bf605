//! Unit tests of `compat`: the incompatibilities found between two schemas, their witnesses, and the errors a bad schema gives.

use serde_json::json;

use super::*;

fn schema(name: &str, document: Value) -> Schema {
    Schema::compile(name, document).unwrap()
}

fn compared(a: Value, b: Value) -> Comparison {
    let comparison = compare(&schema("a", a), &schema("b", b)).unwrap();
    assert!(comparison.unconfirmed.is_empty(), "{:#?}", comparison.unconfirmed);
    comparison
}

/// (path, kind, B's pointer, B's keyword) of every incompatibility.
fn found(comparison: &Comparison) -> Vec<(String, Kind, String, String)> {
    comparison
        .incompatibilities
        .iter()
        .map(|i| (i.path.clone(), i.kind, i.witness.pointer.clone(), i.witness.keyword.clone()))
        .collect()
}

fn one(path: &str, kind: Kind, pointer: &str, keyword: &str) -> Vec<(String, Kind, String, String)> {
    vec![(path.to_string(), kind, pointer.to_string(), keyword.to_string())]
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

#[test]
fn optional_and_undocumented_fields_b_requires() {
    let a = object(json!({"id": {"type": "string"}, "usage": {"type": "object"}}), &["id"]);
    let b = object(
        json!({"id": {"type": "string"}, "usage": {"type": "object"}, "model": {"type": "string"}}),
        &["id", "usage", "model"],
    );
    let comparison = compared(a, b);
    assert_eq!(
        found(&comparison),
        vec![
            ("usage".to_string(), Kind::Optional, "/usage".to_string(), "required".to_string()),
            ("model".to_string(), Kind::Missing, "/model".to_string(), "required".to_string()),
        ]
    );
    // The witness of `usage` carries `model` (A allows it undocumented), so B reports `usage` alone.
    let usage = &comparison.incompatibilities[0].witness;
    assert_eq!(usage.response, json!({"id": "", "model": ""}));
    assert_eq!(usage.violations.len(), 1);
    assert_eq!(comparison.worst(), Some(Kind::Missing));
}

#[test]
fn null_where_b_wants_a_value() {
    let a = object(json!({"content": {"type": ["string", "null"]}}), &["content"]);
    let b = object(json!({"content": {"type": "string"}}), &["content"]);
    assert_eq!(found(&compared(a, b)), one("content", Kind::Nullable, "/content", "type"));
}

#[test]
fn array_or_string_against_string() {
    let a = json!({
        "type": "object", "required": ["content"],
        "properties": {"content": {"$ref": "#/$defs/Content"}},
        "$defs": {"Content": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}
    });
    let b = object(json!({"content": {"type": "string"}}), &["content"]);
    let comparison = compared(a, b);
    assert_eq!(found(&comparison), one("content", Kind::Type, "/content", "type"));
    assert_eq!(comparison.incompatibilities[0].witness.response, json!({"content": []}));
    assert_eq!(comparison.incompatibilities[0].allows, "string or array");
}

#[test]
fn number_against_integer_and_back() {
    let number = object(json!({"n": {"type": "number"}}), &["n"]);
    let integer = object(json!({"n": {"type": "integer"}}), &["n"]);
    assert_eq!(found(&compared(number.clone(), integer.clone())), one("n", Kind::Integer, "/n", "type"));
    assert!(compared(integer, number).compatible());
}

#[test]
fn enums_name_the_values_b_lacks() {
    let closed = |values: Value| object(json!({"f": {"enum": values}}), &["f"]);
    let comparison = compared(closed(json!(["stop", "error", "length"])), closed(json!(["stop", "length"])));
    assert_eq!(found(&comparison), one("f", Kind::Enum, "/f", "enum"));
    assert_eq!(comparison.incompatibilities[0].values, vec!["\"error\"".to_string()]);
    assert_eq!(comparison.incompatibilities[0].witness.response, json!({"f": "error"}));

    let open = object(json!({"f": {"type": "string", "examples": ["stop", "error"]}}), &["f"]);
    let comparison = compared(open.clone(), closed(json!(["stop"])));
    assert_eq!(found(&comparison), one("f", Kind::OpenEnum, "/f", "enum"));
    assert_eq!(comparison.incompatibilities[0].values, vec!["\"error\"".to_string()]);
    // A closed enum read by an open one, or by a plain string: nothing to report.
    assert!(compared(closed(json!(["stop"])), open).compatible());
    assert!(compared(closed(json!(["stop"])), object(json!({"f": {"type": "string"}}), &["f"])).compatible());
}

#[test]
fn any_string_against_a_date_time() {
    let a = object(json!({"at": {"type": "string"}}), &["at"]);
    let b = object(json!({"at": {"type": "string", "pattern": ZOD_DATE_TIME}}), &["at"]);
    assert_eq!(found(&compared(a, b.clone())), one("at", Kind::Format, "/at", "pattern"));
    assert!(compared(b.clone(), b).compatible());
}

#[test]
fn a_tag_b_does_not_know_and_members_compared_by_tag() {
    let tagged = |tags: &[&str], function_required: &[&str]| {
        let mut defs = serde_json::Map::new();
        let mut branches = Vec::new();
        for tag in tags {
            let name = format!("M{tag}");
            let properties = json!({"type": {"enum": [tag]}, "function": {"type": "string"}});
            let mut required = vec!["type"];
            if *tag == "function" {
                required.extend(function_required);
            }
            defs.insert(name.clone(), object(properties, &required));
            branches.push(json!({
                "if": {"required": ["type"], "properties": {"type": {"const": tag}}},
                "then": {"$ref": format!("#/$defs/{name}")}
            }));
        }
        defs.insert(
            "Call".into(),
            json!({"type": "object", "required": ["type"], "properties": {"type": {"enum": tags}}, "allOf": branches}),
        );
        json!({"type": "array", "items": {"$ref": "#/$defs/Call"}, "$defs": defs})
    };
    let a = tagged(&["function", "custom"], &[]);
    let b = tagged(&["function"], &["function"]);
    let comparison = compared(a, b);
    assert_eq!(
        found(&comparison),
        vec![
            ("[]".to_string(), Kind::Union, "/0/type".to_string(), "enum".to_string()),
            ("[].function".to_string(), Kind::Optional, "/0/function".to_string(), "required".to_string()),
        ]
    );
    assert_eq!(comparison.incompatibilities[0].values, vec!["\"custom\"".to_string()]);
}

#[test]
fn a_tagged_union_read_as_a_plain_object_and_back() {
    let member =
        |role: &str, content: Value| object(json!({"role": {"enum": [role]}, "content": content}), &["role"]);
    let a = json!({
        "$ref": "#/$defs/Message",
        "$defs": {
            "Message": {
                "type": "object", "required": ["role"], "properties": {"role": {"enum": ["user", "assistant"]}},
                "allOf": [
                    {"if": {"required": ["role"], "properties": {"role": {"const": "user"}}}, "then": {"$ref": "#/$defs/User"}},
                    {"if": {"required": ["role"], "properties": {"role": {"const": "assistant"}}}, "then": {"$ref": "#/$defs/Assistant"}}
                ]
            },
            "User": member("user", json!({"type": "array"})),
            "Assistant": member("assistant", json!({"type": ["string", "null"]}))
        }
    });
    let b = object(json!({"role": {"enum": ["assistant"]}, "content": {"type": "string"}}), &["role"]);
    let comparison = compared(a.clone(), b.clone());
    // `user` is rejected at its tag; B also reports what is inside a user message (an array content),
    // after what the members B admits show.
    assert_eq!(
        found(&comparison),
        vec![
            ("role".to_string(), Kind::Enum, "/role".to_string(), "enum".to_string()),
            ("content".to_string(), Kind::Nullable, "/content".to_string(), "type".to_string()),
            ("content".to_string(), Kind::Type, "/content".to_string(), "type".to_string()),
        ]
    );
    let nullable = &comparison.incompatibilities[1].witness;
    assert_eq!(nullable.response, json!({"role": "assistant", "content": null}));
    let array = &comparison.incompatibilities[2].witness;
    assert_eq!(array.response, json!({"role": "user", "content": []}));
    assert_eq!(array.violations.len(), 2, "the tag and the content");
    // The other way: B's assistant member wants what A's object allows, except null content.
    let comparison = compared(b, a);
    assert_eq!(found(&comparison), Vec::new());
}

#[test]
fn a_value_that_fits_none_of_b_s_untagged_members() {
    let a = object(json!({"text": {"type": "string"}}), &[]);
    let b = json!({"anyOf": [
        object(json!({"text": {"type": "string"}}), &["text"]),
        object(json!({"image": {"type": "string"}}), &["image"])
    ]});
    let comparison = compared(a, b);
    assert_eq!(found(&comparison), one("(root)", Kind::Union, "", "anyOf"));
}

#[test]
fn undocumented_fields_where_b_forbids_them() {
    let a = object(json!({"id": {"type": "string"}, "extra": {"type": "integer"}}), &["id"]);
    let mut b = object(json!({"id": {"type": "string"}}), &["id"]);
    b["additionalProperties"] = json!(false);
    let comparison = compared(a, b);
    assert_eq!(
        found(&comparison),
        vec![
            ("extra".to_string(), Kind::Additional, String::new(), "additionalProperties".to_string()),
            ("(root)".to_string(), Kind::Additional, String::new(), "additionalProperties".to_string()),
        ]
    );
}

#[test]
fn maps_compare_their_values() {
    let map = |value: Value| object(json!({"m": {"type": "object", "additionalProperties": value}}), &["m"]);
    let comparison = compared(map(json!({"type": "number"})), map(json!({"type": "integer"})));
    assert_eq!(found(&comparison), one("m.key", Kind::Integer, "/m/key", "type"));
}

#[test]
fn a_schema_is_compatible_with_itself() {
    let a = object(
        json!({"a": {"type": ["string", "null"]}, "b": {"enum": ["x", null]}, "c": {"type": "array", "items": {"type": "number"}}}),
        &["a"],
    );
    assert!(compared(a.clone(), a).compatible());
}

#[test]
fn an_unreadable_schema_is_an_error_not_a_panic() {
    let a = schema("a", json!({"type": "string", "pattern": "^x$"}));
    let b = schema("b", json!({"type": "string"}));
    assert!(matches!(compare(&a, &b), Err(CompatError::Unsupported { .. })));
    let cyclic = schema(
        "c",
        json!({"$ref": "#/$defs/X", "$defs": {"X": {"type": "array", "items": {"$ref": "#/$defs/X"}}}}),
    );
    assert!(matches!(compare(&cyclic, &b), Err(CompatError::Unsupported { .. })));
}

#[test]
fn kinds_are_ordered_worst_first() {
    let mut sorted = Kind::ALL;
    sorted.sort();
    assert_eq!(sorted, Kind::ALL);
    assert_eq!(Kind::ALL.iter().map(|k| k.as_str()).collect::<BTreeSet<_>>().len(), Kind::ALL.len());
}

//! One response body, or one event-stream transcript, given as bytes and checked
//! against a shipped schema exactly as `chatcompat check` checks one file.
//!
//! This is the entry point for bindings (the Python package in `python/`) and for
//! tests that hold a raw body: [`check_body`] runs the body through
//! [`crate::check::Checker::check_bytes`], so the strict reader, the provider's `[numbers]`,
//! positions and the names of unreadable inputs are the binary's, not a copy;
//! [`check_stream`] runs [`crate::stream::check_transcript`] with the provider's stream
//! schemas. Schemas come from the same catalog as [`crate::check`] (embedded at build
//! time, or the checkout `$CHATCOMPAT_ROOT` names) and are compiled once per process.
//!
//! ```
//! let body = br#"{"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000,
//!   "model": "gpt-4o", "choices": [{"index": 0, "finish_reason": "done",
//!   "message": {"role": "assistant", "content": "Halo!"}}]}"#;
//! let checked = chatcompat::single::check_body("openai", body).unwrap().unwrap();
//! assert_eq!(checked.verdict(), chatcompat::Verdict::Violates);
//! let position = checked.violations[0].position.unwrap();
//! assert_eq!((position.line.get(), position.column.get()), (2, 64));
//!
//! let unreadable = chatcompat::single::check_body("openai", b"{\"id\": ").unwrap().unwrap_err();
//! assert_eq!(unreadable.kind.name(), "syntax");
//! ```

use std::sync::OnceLock;

use crate::{
    catalog::{Catalog, CatalogError},
    check::{CheckOptions, Checker, ResponseError},
    stream::{self, StreamCatalog, StreamSchemas, Support, TranscriptReport},
    verdict::Checked,
};

/// Checks one response body (the bytes as received) against `provider`'s shipped schema.
///
/// `Ok(Ok(checked))`: the body was read; every violation carries its line and column in
/// `body`. `Ok(Err(error))`: the body is not one well-formed JSON value (empty, binary,
/// not UTF-8, a syntax error, a duplicate key, ...): [`ResponseError::kind`] names it and
/// [`ResponseError::position`] says where. `Err`: the provider is unknown, or the shipped
/// schemas could not be loaded.
pub fn check_body(provider: &str, body: &[u8]) -> Result<Result<Checked, ResponseError>, CatalogError> {
    let schema = crate::schema(provider)?;
    let checker = Checker::new(vec![schema], CheckOptions::default());
    let response = checker.check_bytes("", body);
    Ok(response.outcome.map(|judgements| {
        // One schema in, one judgement out.
        judgements.into_iter().next().map(|judgement| judgement.checked).unwrap_or_default()
    }))
}

/// Checks one event-stream transcript (the raw `text/event-stream` body) against
/// `provider`'s chunk schema, its SDK's stream rules and, reassembled, its response schema.
///
/// Bad input is never an `Err`: a transcript that is not UTF-8, not JSON or empty is a
/// [`TranscriptReport`] whose findings say so. `Err` is for a provider that is unknown
/// ([`CatalogError::UnknownProvider`]), documents no streaming
/// ([`CatalogError::StreamingNotDocumented`]), or whose schemas did not load.
pub fn check_stream(provider: &str, body: &[u8]) -> Result<TranscriptReport, CatalogError> {
    Ok(stream::check_transcript(stream_schemas(provider)?, body))
}

/// The compiled stream schemas and conventions of `provider`, loaded once per process.
pub fn stream_schemas(provider: &str) -> Result<&'static StreamSchemas, CatalogError> {
    static STREAMS: OnceLock<StreamCatalog> = OnceLock::new();
    let catalog = catalog()?;
    let streams = STREAMS.get_or_init(|| StreamCatalog::load(catalog));
    match streams.support(provider) {
        Support::Schemas(schemas) => Ok(schemas),
        Support::NotDocumented(note) => Err(CatalogError::StreamingNotDocumented {
            provider: provider.to_string(),
            note: note.to_string(),
        }),
        Support::Broken(message) => {
            Err(CatalogError::Io { path: "schemas".into(), message: message.to_string() })
        }
        Support::Unknown => {
            Err(CatalogError::UnknownProvider { name: provider.to_string(), known: catalog.ids() })
        }
    }
}

/// Every shipped provider's id, sorted (`atoma`, `mistral-gcp`, `openai`, ...).
pub fn providers() -> Result<Vec<String>, CatalogError> {
    Ok(catalog()?.ids())
}

/// The ids of the shipped providers that document streaming (have a chunk schema), sorted.
pub fn streaming_providers() -> Result<Vec<String>, CatalogError> {
    Ok(catalog()?.providers.iter().filter(|p| p.streams()).map(|p| p.id.clone()).collect())
}

/// The catalog [`crate::schema`] uses too (embedded, or `$CHATCOMPAT_ROOT`'s checkout), read once per process.
fn catalog() -> Result<&'static Catalog, CatalogError> {
    static CATALOG: OnceLock<Result<Catalog, String>> = OnceLock::new();
    CATALOG
        .get_or_init(|| Catalog::open(None).map_err(|err| err.to_string()))
        .as_ref()
        .map_err(|message| CatalogError::Io { path: "schemas".into(), message: message.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verdict;

    const CONFORMING: &[u8] = br#"{"id": "c1", "object": "chat.completion", "created": 1, "model": "m",
 "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi"}}]}"#;

    #[test]
    fn a_body_is_judged_as_the_binary_judges_a_file() {
        let checked = check_body("openai", CONFORMING).unwrap().unwrap();
        assert_eq!(checked.verdict(), Verdict::Conforms);
        let wide =
            br#"{"id": "c1", "object": "chat.completion", "created": 1e20, "model": "m", "choices": []}"#;
        let checked = check_body("openai", wide).unwrap().unwrap();
        assert_eq!(checked.violations[0].pointer, "/created", "{checked:?}");
        assert_eq!(checked.violations[0].position.map(|p| p.column.get()), Some(54));
        // The same float is an integer for a zod SDK: the provider's [numbers] is applied.
        let checked = check_body("openrouter", wide).unwrap().unwrap();
        assert!(checked.violations.iter().all(|v| v.pointer != "/created"), "{checked:?}");
    }

    #[test]
    fn unreadable_bodies_are_named_and_placed() {
        let error = check_body("openai", b"{\n  \"id\": 1,\n  \"id\": 2}").unwrap().unwrap_err();
        assert_eq!(error.kind.name(), "duplicate-key");
        assert_eq!(error.position.map(|p| p.line.get()), Some(3));
        let error = check_body("openai", b"{\"a\": \0}").unwrap().unwrap_err();
        assert_eq!(error.kind.name(), "binary");
        assert_eq!(check_body("openai", b"").unwrap().unwrap_err().kind.name(), "empty");
    }

    #[test]
    fn unknown_and_non_streaming_providers_are_errors_that_name_the_known_ones() {
        let err = check_body("nosuch", CONFORMING).unwrap_err().to_string();
        assert!(err.contains("nosuch") && err.contains("openai"), "{err}");
        let err = check_stream("nosuch", b"").unwrap_err().to_string();
        assert!(err.contains("openrouter"), "{err}");
        let silent = providers().unwrap().into_iter().find(|id| !streaming_providers().unwrap().contains(id));
        let silent = silent.expect("a provider that documents no streaming");
        assert!(matches!(check_stream(&silent, b""), Err(CatalogError::StreamingNotDocumented { .. })));
    }

    #[test]
    fn a_transcript_that_is_not_json_is_a_report_not_an_error() {
        let report = check_stream("openai", b"data: {nope\n\n").unwrap();
        assert_eq!(report.verdict(), Verdict::Violates);
        assert!(report.findings.iter().any(|f| f.name() == "data-json"), "{:?}", report.findings);
    }
}

//! Typed reference models of every provider's response, generated from the field
//! tables, that read a response and write it back without losing anything.
//!
//! # Why generated, and why this shape
//!
//! The tables are the one source of truth: `chatcompat models` ([`codegen`])
//! turns each provider's tables into `models/<provider>.rs`, one declarative
//! block per page, and `cargo test` fails when a committed model differs from a
//! fresh generation (the `models/drift` trial), so a table that gains a field
//! fails until the model has it. The models are real types — a struct per object
//! page with one typed field per row, an enum per enum page (an open enum keeps an
//! unknown value in its last variant), a Rust enum per union — so they show what an
//! SDK built from the same tables would do, rather than re-checking a schema.
//!
//! Exactness comes from reading text, not values ([`runtime`]): an object is split
//! into its entries in written order with each value still as JSON text
//! (serde_json's `RawValue`); documented keys are parsed into typed fields, and
//! undocumented ones stay as text in their place. Numbers are newtypes over their
//! literal ([`runtime::Integer`], [`runtime::Number`]), checked to be a number of
//! the right kind but never converted, so `1.0`, `6764.71`, `1e3` and integers
//! beyond `u64` come back as written — without serde_json's `arbitrary_precision`,
//! which would change every `Value` in the workspace. Absent and `null` are kept
//! apart: a required nullable field is `Option<T>` (`None` is `null`), an optional
//! one `Option<T>` (`None` is absent), an optional nullable one [`runtime::Maybe`].
//!
//! [`exact`] compares two texts value by value, number literal by number literal
//! and key by key, which is what "lossless" means in the round-trip suite.
//!
//! ```
//! use chatcompat::models::{openai::ChatCompletion, runtime};
//!
//! let text = r#"{"id":"x","object":"chat.completion","created":1.0,"model":"m","choices":[],
//!                "x-gateway":{"region":"id-1","cost":6764.71},
//!                "usage":{"prompt_tokens":1e3,"completion_tokens":123456789012345678901234567890,"total_tokens":0}}"#;
//! let response: ChatCompletion = runtime::from_str(text).unwrap();
//! assert_eq!(response.created.as_str(), "1.0");
//! assert_eq!(response.usage.as_value().unwrap().prompt_tokens.as_str(), "1e3");
//! // Written back: the same keys in the same order, every number as it was written.
//! let compact: String = text.split_whitespace().collect();
//! assert_eq!(runtime::to_string(&response).unwrap(), compact);
//! ```

pub mod codegen;
pub mod exact;
pub mod runtime;

mod index;

pub use index::*;
pub use runtime::{Model, ModelError};

/// The typed model of `provider`, if one was generated for it.
pub fn find(provider: &str) -> Option<&'static Model> {
    MODELS.iter().find(|model| model.provider == provider)
}

/// What a round trip through a model did wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoundTripError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("the model cannot read it: {0}")]
    Unreadable(ModelError),
    #[error("the model's output is not JSON: {0}")]
    BadOutput(String),
    #[error("changed in the round trip: {0}")]
    Changed(exact::Difference),
}

/// Reads `text` into `model` and writes it back; the output must be the same
/// JSON value with the same number literals and the same key order (whitespace
/// and string escapes may differ). Returns the output.
pub fn roundtrip_lossless(model: &Model, text: &str) -> Result<String, RoundTripError> {
    let before = exact::Exact::parse(text).map_err(|err| RoundTripError::NotJson(err.to_string()))?;
    let output = model.roundtrip(text).map_err(RoundTripError::Unreadable)?;
    let after = exact::Exact::parse(&output).map_err(|err| RoundTripError::BadOutput(err.to_string()))?;
    if let Some(difference) = exact::first_difference(&before, &after) {
        return Err(RoundTripError::Changed(difference));
    }
    // The same check as plain values too (it cannot fail where the exact one passed, but says so if it does).
    let values =
        (serde_json::from_str::<serde_json::Value>(text), serde_json::from_str::<serde_json::Value>(&output));
    if let (Ok(a), Ok(b)) = values {
        if a != b {
            let pointer = String::new();
            return Err(RoundTripError::Changed(exact::Difference {
                pointer,
                left: a.to_string(),
                right: b.to_string(),
            }));
        }
    }
    Ok(output)
}

//! Test-only crate: see `tests/corpus.rs`.

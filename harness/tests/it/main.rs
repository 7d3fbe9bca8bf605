//! Integration tests of the `chatcompat` library and binary, one module per topic.

mod bad_input;
mod captures;
mod check;
mod compat;
mod derive;
mod expectations;
mod import;
mod inputs;
mod observe;
mod portable;
mod positions;
mod rendering;
mod report;
mod sample;
mod schemas;
mod stream;
mod tape;
mod verdict;

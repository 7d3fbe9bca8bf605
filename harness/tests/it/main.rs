//! Integration tests of the `chatcompat` library and binary, one module per topic.

mod bad_input;
mod observe;
mod report;
mod schemas;
mod verdict;

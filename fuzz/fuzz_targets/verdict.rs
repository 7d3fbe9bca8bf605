//! Feeds arbitrary bytes to the strict reader and, when they parse, to every
//! shipped schema: violations, extensions, positions, excerpts and each
//! rendering must come out without a panic, and a located violation must lie inside the text.
#![no_main]

use chatcompat::json;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let value = match json::parse(data) {
        Ok(value) => value,
        Err(bad) => {
            let _ = bad.to_string();
            return;
        }
    };
    let text = std::str::from_utf8(data).expect("json::parse accepted it, so it is UTF-8");
    let lines = text.split('\n').count();
    for schema in common::schemas() {
        let checked = schema.check_text(&value, text);
        let _ = checked.verdict();
        for violation in &checked.violations {
            let _ = violation.to_string();
            if let Some(position) = violation.position {
                assert!(position.line >= 1 && position.line <= lines, "{position} outside {lines} lines");
                let _ = chatcompat::locate::excerpt(text, position, position.line);
            }
        }
        for extension in &checked.extensions {
            assert!(extension.starts_with('/'), "{extension}");
        }
    }
});

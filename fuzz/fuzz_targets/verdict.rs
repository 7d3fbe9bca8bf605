//! Feeds arbitrary bytes to the strict reader and, when they parse, to every
//! shipped schema: violations, extensions, positions, excerpts and each
//! rendering must come out without a panic; a located violation must lie inside
//! the text and point at the first character of a JSON value (the value at its
//! pointer, or for a missing key the object that lacks it); a bad input's position
//! must lie inside the text too.
#![no_main]

use chatcompat::json;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let value = match json::parse(data) {
        Ok(value) => value,
        Err(bad) => {
            let message = bad.to_string();
            assert!(!message.is_empty());
            if let Ok(text) = std::str::from_utf8(data) {
                common::assert_inside(&common::line_lengths(text), bad.position, &message);
            }
            return;
        }
    };
    let text = std::str::from_utf8(data).expect("json::parse accepted it, so it is UTF-8");
    let lines = common::line_lengths(text);
    for schema in common::schemas() {
        let checked = schema.check_text(&value, text);
        let _ = checked.verdict();
        for violation in &checked.violations {
            let shown = violation.to_string();
            assert!(violation.pointer.is_empty() || violation.pointer.starts_with('/'), "{shown}");
            let Some(position) = violation.position else { continue };
            common::assert_inside(&lines, position, &shown);
            let at = common::char_at(text, position);
            assert!(
                at.is_some_and(|c| matches!(c, '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n')),
                "{shown}: {position} is at {at:?}, not the start of a JSON value"
            );
            let excerpt = chatcompat::locate::excerpt(text, position, position.line);
            assert!(excerpt.contains('^'), "{shown}: no caret in {excerpt:?}");
        }
        for extension in &checked.extensions {
            assert!(extension.starts_with('/'), "{extension}");
            assert!(value.pointer(extension).is_some(), "extension {extension} is not in the value");
        }
    }
});

//! Feeds arbitrary bytes to the strict reader and, when they parse, to every
//! shipped schema: violations, extensions, positions, excerpts and each
//! rendering must come out without a panic; a located violation must lie inside
//! the text and point at the first character of a JSON value (the value at its
//! pointer, or for a missing key the object that lacks it); a bad input's position
//! must lie inside the text too. The tape (the fast path for conforming bodies) must
//! refuse what the strict reader refuses and, on what it reads, judge as the full path:
//! conforming exactly when there is no violation, with the same extensions.
#![no_main]

use chatcompat::json;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let tape_reads =
        std::str::from_utf8(data).is_ok_and(|text| chatcompat::tape::with_tape(text, |_| ()).is_some());
    let parsed = match json::read(data) {
        Ok(parsed) => parsed,
        Err(bad) => {
            assert!(!tape_reads, "the tape read a body the strict reader refuses: {bad}");
            let message = bad.to_string();
            assert!(!message.is_empty());
            if let Ok(text) = std::str::from_utf8(data) {
                common::assert_inside(&common::line_lengths(text), bad.position, &message);
            }
            return;
        }
    };
    let value = &parsed.value;
    let text = std::str::from_utf8(data).expect("json::read accepted it, so it is UTF-8");
    for schema in common::schemas() {
        if !tape_reads {
            break;
        }
        let full = schema.check_parsed(&parsed);
        let fast =
            chatcompat::tape::with_tape(text, |root| schema.check_tape(root)).expect("read once, read again");
        match fast {
            Some(checked) => {
                assert!(
                    full.violations.is_empty(),
                    "{}: the tape says conforms, the full path {:?}",
                    schema.provider(),
                    full.violations
                );
                assert_eq!(checked.extensions, full.extensions, "{}: extensions", schema.provider());
            }
            None => assert!(
                !full.violations.is_empty(),
                "{}: the tape says violates, the full path conforms",
                schema.provider()
            ),
        }
    }
    let lines = common::line_lengths(text);
    for schema in common::schemas() {
        let checked = schema.check_text(value, text);
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

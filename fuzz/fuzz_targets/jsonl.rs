//! Feeds arbitrary bytes to the JSON Lines reader of `chatcompat check`, through
//! every output format: nothing may panic, every non-blank line is one response,
//! the JSON format stays one valid object per line and the JUnit XML stays well-formed.
#![no_main]

use chatcompat::{
    check::{CheckOptions, Checker, InputMode},
    format::{self, Format},
};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&control, input)) = data.split_first() else { return };
    let schemas = common::schemas();
    let chosen: Vec<&chatcompat::Schema> =
        schemas.iter().enumerate().filter(|(i, _)| control >> (i % 8) & 1 == 1).map(|(_, s)| s).collect();
    let chosen = if chosen.is_empty() { vec![&schemas[0]] } else { chosen };
    let mode = match control % 3 {
        0 => InputMode::Jsonl,
        1 => InputMode::Auto,
        _ => InputMode::Json,
    };
    let options = CheckOptions {
        strict: control & 0x80 != 0,
        input: mode,
        max_response_bytes: 1 + (control as usize % 7) * 512,
        excerpts: true,
        batch_responses: 1 + control as usize % 5,
        batch_bytes: 256,
    };
    let max = options.max_response_bytes;
    let checker = Checker::new(chosen, options);
    for format in Format::ALL {
        let mut out = Vec::new();
        let summary = {
            let mut reporter = format::reporter(format, &mut out, control & 0x40 != 0);
            checker.run_stream("fuzz.jsonl", input, mode, reporter.as_mut()).expect("writing to memory")
        };
        if mode == InputMode::Jsonl {
            // LF, CR and CRLF each end a line; a line of spaces and tabs only is blank.
            let responses =
                lines(input).filter(|line| !line.iter().all(|b| matches!(b, b' ' | b'\t'))).count();
            assert_eq!(summary.responses, responses);
        } else if mode == InputMode::Json && input.len() <= max {
            assert_eq!(summary.responses, 1);
        }
        let text = String::from_utf8(out).expect("reports are UTF-8");
        assert!(summary.failed <= summary.responses && summary.malformed <= summary.failed, "{summary:?}");
        match format {
            Format::Json => {
                for line in text.lines() {
                    serde_json::from_str::<serde_json::Value>(line).expect("one JSON object per line");
                }
                assert_eq!(text.lines().count(), summary.responses * checker.providers().len());
            }
            Format::Junit => assert!(text.starts_with("<?xml") && text.trim_end().ends_with("</testsuites>")),
            _ => {}
        }
    }
});

/// The lines of `input` by the one line model: LF, CR and CRLF each end one line; no line after a final end.
fn lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = input;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(rest.len());
        let line = &rest[..end];
        let skip = match rest.get(end) {
            Some(b'\r') if rest.get(end + 1) == Some(&b'\n') => 2,
            Some(_) => 1,
            None => 0,
        };
        rest = &rest[end + skip..];
        Some(line)
    })
}

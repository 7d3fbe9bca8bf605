//! Feeds arbitrary bytes, as an event-stream transcript, to the SSE reader
//! (`stream::sse::parse`) and to `stream::check_transcript` under one provider's
//! stream schemas (the first byte picks which). Checks, beyond "no panic":
//! - the reader: events are numbered 1..n in line order; each `data` line's recorded
//!   line and offset point at exactly that line's value in the body; comments are where
//!   they say; the line count is the one line model's (LF, CR, CRLF);
//! - the checker: every finding about one event names an existing event, every rule that
//!   is about one event names it, every position lies inside the transcript, and a chunk's
//!   schema violation points at the first character of a JSON value (or, unlocated, at its
//!   event's first line); findings are in order; counts agree with the reader;
//! - the shelf the checker reads chunks onto: each chunk it takes reads back as serde_json reads it.
#![no_main]

use chatcompat::stream::{self, sse, FindingKind, Rule, Scope};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&control, body)) = data.split_first() else { return };
    let streams = common::streams();
    let schemas = &streams.supported[control as usize % streams.supported.len()];

    let text = String::from_utf8_lossy(body);
    check_reader(&text);

    let report = stream::check_transcript(schemas, body);
    let parsed = sse::parse(&text);
    assert_eq!(report.events, parsed.events.len());
    assert_eq!(report.comments, parsed.comments.len());
    assert!(report.chunks <= report.events);
    assert_eq!(report.reassembled.is_some(), report.chunks > 0);
    // Positions count no column for a leading byte order mark (editors hide it).
    let shown_text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let lines = common::line_lengths(shown_text);
    let mut previous: Option<(bool, Option<usize>, Option<chatcompat::locate::Position>)> = None;
    for finding in &report.findings {
        let shown = stream::render_finding(std::path::Path::new("fuzz.sse"), finding);
        let key = (finding.event.is_none(), finding.event, finding.position);
        assert!(previous.is_none_or(|p| p <= key), "{shown}: findings out of order");
        previous = Some(key);
        if let Some(event) = finding.event {
            assert!(event >= 1 && event <= report.events, "{shown}: event {event} of {}", report.events);
        } else {
            assert!(!about_one_event(finding.row()), "{shown}: names no event");
        }
        if let Some(position) = finding.position {
            common::assert_inside(&lines, position, &shown);
        }
        if let (FindingKind::Schema { scope: Scope::Chunk, .. }, Some(event), Some(position)) =
            (&finding.kind, finding.event, finding.position)
        {
            let event = &parsed.events[event - 1];
            let at = common::char_at(shown_text, position);
            let value_start =
                at.is_some_and(|c| matches!(c, '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n'));
            let event_line = position.line.get() == event.line && position.column.get() == 1;
            assert!(value_start || event_line, "{shown}: {position} is at {at:?}, not a value");
        }
        if let FindingKind::Schema { scope: Scope::Chunk, .. } = finding.kind {
            assert!(finding.event.is_some(), "{shown}: a chunk's violation names no event");
        }
    }
    check_shelf(&parsed);
});

/// The chunks `check_transcript` judges on one shelf: each that the shelf takes reads back as
/// serde_json reads it, whatever was read or refused before it on the same shelf.
fn check_shelf(parsed: &sse::EventStream) {
    chatcompat::tape::with_shelf(|shelf| {
        let mut docs = Vec::new();
        for data in parsed.events.iter().filter_map(|e| e.data.as_deref()) {
            if let Some(doc) = shelf.read(data) {
                docs.push((data, doc));
            }
        }
        let shelf = &*shelf;
        for (data, doc) in docs {
            let value: serde_json::Value =
                serde_json::from_str(data).unwrap_or_else(|e| panic!("the shelf read what serde_json refuses: {e}"));
            assert_eq!(shelf.node(doc).to_value(), value, "{data}");
        }
    });
}

/// Rules that are always about one event (the others may be about the stream as a whole).
fn about_one_event(rule: Rule) -> bool {
    !matches!(
        rule,
        Rule::ReassembledSchema
            | Rule::OneFinishReason
            | Rule::FinalFinishReason
            | Rule::ArgumentsJson
            | Rule::DoneMissing
            | Rule::NoChunks
            | Rule::Utf8
            | Rule::ByteOrderMark
            | Rule::ReassemblySkipped
    )
}

/// The SSE reader's own invariants, against the body's lines split independently.
fn check_reader(text: &str) {
    let parsed = sse::parse(text);
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    assert_eq!(parsed.byte_order_mark, body.len() != text.len());
    let lines = split_lines(body);
    assert_eq!(parsed.lines, lines.len(), "line count");
    let mut last_line = 0;
    for (index, event) in parsed.events.iter().enumerate() {
        assert_eq!(event.number, index + 1);
        assert!(
            event.line > last_line && event.line <= lines.len(),
            "event {} at line {}",
            event.number,
            event.line
        );
        last_line = event.line;
        let Some(data) = &event.data else {
            assert!(event.data_lines.is_empty());
            continue;
        };
        let values: Vec<&str> = data.split('\n').collect();
        assert_eq!(values.len(), event.data_lines.len(), "event {}: data lines", event.number);
        for (value, at) in values.iter().zip(&event.data_lines) {
            assert!(at.line >= event.line && at.line <= lines.len());
            let shown: String = lines[at.line - 1].chars().skip(at.offset).collect();
            assert_eq!(&shown, value, "event {}: data line {} offset {}", event.number, at.line, at.offset);
        }
        if index + 1 < parsed.events.len() {
            assert!(event.terminated, "only the last event can be unterminated");
        }
    }
    for comment in &parsed.comments {
        assert!(comment.line >= 1 && comment.line <= lines.len());
        assert_eq!(lines[comment.line - 1].strip_prefix(':'), Some(comment.text.as_str()));
    }
}

/// `body` cut into lines: LF, CR and CRLF each end one; no line after a final end.
fn split_lines(body: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        lines.push(&rest[..end]);
        rest = &rest[end..];
        rest = rest
            .strip_prefix("\r\n")
            .or_else(|| rest.strip_prefix('\r'))
            .or_else(|| rest.strip_prefix('\n'))
            .unwrap_or(rest);
    }
    lines
}

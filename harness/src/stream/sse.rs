//! Splits an event-stream body into events by the WHATWG "interpreting an event
//! stream" rules, keeping the line every event and every `data` line starts on.
//!
//! Why our own parser: the well-kept crates (`eventsource-stream`, `sseer`) are
//! async `Stream` adapters, and the synchronous ones (`sse-parse`, `sse-core`)
//! hand back only `event`/`data`/`id`/`retry`. A conformance report must say
//! "event 4, line 9, column 31", must show keep-alive comments, and must tell a
//! last event that ends without a blank line (which WHATWG and the SDKs drop)
//! from a terminated one, so the parser has to keep positions and framing facts
//! the crates throw away. It is one pass over `&str`, with no I/O.
//!
//! Deliberate differences from a browser's `EventSource`: a block with fields but
//! no `data` is still an [`Event`] (with `data: None`), because every SDK in the
//! reference fails on it and the checks must be able to say so; and a last block
//! without its blank line is kept, marked `terminated: false`, for the same reason.

use std::borrow::Cow;

/// One event: the field lines between two blank lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'a> {
    /// 1-based position among the events of the stream (comments do not count).
    pub number: usize,
    /// 1-based line of the event's first field.
    pub line: usize,
    /// `event:` (the event type), when sent.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n` (borrowed from the body when there is one line, as
    /// nearly always); `None` when the block has no `data` field.
    pub data: Option<Cow<'a, str>>,
    /// Where each `data` line's value starts, in order: line k of [`Event::data`] is `data_lines[k]`.
    pub data_lines: Vec<DataLine>,
    /// The last `id:` of the block, when sent.
    pub id: Option<String>,
    /// The last valid `retry:` of the block (milliseconds), when sent.
    pub retry: Option<u64>,
    /// Whether a blank line ended the block (false only for a last block cut at the end of the body).
    pub terminated: bool,
    /// Whether the block has a `data`, `event`, `id` or valid `retry` field. A block of other
    /// lines only (a whitespace-only line is a field named by its spaces) is dispatched by no
    /// SDK: openai-python's `SSEDecoder` and Speakeasy's `parseEvent` both ignore it.
    pub known_field: bool,
}

/// Where one `data` line's value starts in the transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataLine {
    /// 1-based line.
    pub line: usize,
    /// Characters before the value on that line (`data: ` is 6).
    pub offset: usize,
}

/// A `:` comment line, e.g. a keep-alive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub line: usize,
    /// The text after the colon, as sent.
    pub text: String,
}

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LineEnd {
    CrLf,
    Lf,
    Cr,
}

/// Everything the parser found in one body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventStream<'a> {
    pub events: Vec<Event<'a>>,
    pub comments: Vec<Comment>,
    /// The body started with a UTF-8 byte order mark (stripped, as WHATWG says).
    pub byte_order_mark: bool,
    /// The kinds of line end the body uses, in order of first appearance.
    pub line_ends: Vec<LineEnd>,
    /// Number of lines.
    pub lines: usize,
}

/// Parses `text` as an event stream. Every text is a valid stream, so there is no error.
pub fn parse(text: &str) -> EventStream<'_> {
    let mut stream = EventStream::default();
    let mut body = text;
    if let Some(rest) = body.strip_prefix('\u{FEFF}') {
        stream.byte_order_mark = true;
        body = rest;
    }
    let mut block: Option<Event<'_>> = None;
    let mut line_number = 0;
    let mut rest = body;
    while !rest.is_empty() {
        line_number += 1;
        let (line, ending, after) = split_line(rest);
        rest = after;
        if let Some(ending) = ending {
            if !stream.line_ends.contains(&ending) {
                stream.line_ends.push(ending);
            }
        }
        if line.is_empty() {
            if let Some(mut event) = block.take() {
                event.terminated = true;
                stream.events.push(event);
            }
            continue;
        }
        if let Some(comment) = line.strip_prefix(':') {
            stream.comments.push(Comment { line: line_number, text: comment.to_string() });
            continue;
        }
        let (name, value, offset) = match line.find(':') {
            Some(colon) => {
                let value = &line[colon + 1..];
                let (value, skipped) = match value.strip_prefix(' ') {
                    Some(stripped) => (stripped, 1),
                    None => (value, 0),
                };
                (&line[..colon], value, line[..colon].chars().count() + 1 + skipped)
            }
            None => (line, "", line.chars().count()),
        };
        let number = stream.events.len() + 1;
        let event = block.get_or_insert_with(|| Event {
            number,
            line: line_number,
            event: None,
            data: None,
            data_lines: Vec::new(),
            id: None,
            retry: None,
            terminated: false,
            known_field: false,
        });
        match name {
            "data" => {
                match &mut event.data {
                    Some(data) => {
                        let data = data.to_mut();
                        data.push('\n');
                        data.push_str(value);
                    }
                    None => event.data = Some(Cow::Borrowed(value)),
                }
                event.data_lines.push(DataLine { line: line_number, offset });
                event.known_field = true;
            }
            "event" => {
                event.event = Some(value.to_string());
                event.known_field = true;
            }
            "id" if !value.contains('\0') => {
                event.id = Some(value.to_string());
                event.known_field = true;
            }
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                event.retry = value.parse().ok();
                event.known_field = true;
            }
            _ => {}
        }
    }
    if let Some(event) = block {
        stream.events.push(event);
    }
    stream.lines = line_number;
    stream
}

/// The first line of `text`, how it ended (`None` at the end of the body), and the rest.
fn split_line(text: &str) -> (&str, Option<LineEnd>, &str) {
    // memchr, not `str::find` with a char set: this runs once per line of every transcript.
    match memchr::memchr2(b'\r', b'\n', text.as_bytes()) {
        Some(at) if text[at..].starts_with("\r\n") => (&text[..at], Some(LineEnd::CrLf), &text[at + 2..]),
        Some(at) if text[at..].starts_with('\r') => (&text[..at], Some(LineEnd::Cr), &text[at + 1..]),
        Some(at) => (&text[..at], Some(LineEnd::Lf), &text[at + 1..]),
        None => (text, None, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data<'s>(stream: &'s EventStream<'_>) -> Vec<Option<&'s str>> {
        stream.events.iter().map(|e| e.data.as_deref()).collect()
    }

    #[test]
    fn each_line_end_kind_ends_lines_and_blank_lines_end_events() {
        for (body, kind) in [
            ("data: a\n\ndata: b\n\n", LineEnd::Lf),
            ("data: a\r\n\r\ndata: b\r\n\r\n", LineEnd::CrLf),
            ("data: a\r\rdata: b\r\r", LineEnd::Cr),
        ] {
            let stream = parse(body);
            assert_eq!(data(&stream), [Some("a"), Some("b")], "{body:?}");
            assert_eq!(stream.line_ends, [kind], "{body:?}");
            assert_eq!(stream.events[1].line, 3, "{body:?}");
            assert!(stream.events.iter().all(|e| e.terminated));
        }
    }

    #[test]
    fn mixed_line_ends_count_lines_once_each() {
        let stream = parse("data: a\r\n\ndata: b\r\rdata: c\n\n");
        assert_eq!(data(&stream), [Some("a"), Some("b"), Some("c")]);
        assert_eq!(stream.events.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 3, 5]);
        assert_eq!(stream.line_ends, [LineEnd::CrLf, LineEnd::Lf, LineEnd::Cr]);
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines_and_keeps_each_line_position() {
        let stream = parse("event: chunk\ndata: {\"a\":\ndata:1}\n\n");
        let event = &stream.events[0];
        assert_eq!(event.data.as_deref(), Some("{\"a\":\n1}"));
        assert_eq!(event.event.as_deref(), Some("chunk"));
        assert_eq!(event.line, 1);
        assert_eq!(event.data_lines, [DataLine { line: 2, offset: 6 }, DataLine { line: 3, offset: 5 }]);
    }

    #[test]
    fn comments_are_kept_apart_and_make_no_event() {
        let stream = parse(": keep-alive\n\n:OPENROUTER PROCESSING\ndata: x\n\n");
        assert_eq!(data(&stream), [Some("x")]);
        assert_eq!(stream.events[0].line, 4);
        assert_eq!(stream.events[0].number, 1);
        assert_eq!(
            stream.comments,
            [
                Comment { line: 1, text: " keep-alive".into() },
                Comment { line: 3, text: "OPENROUTER PROCESSING".into() }
            ]
        );
    }

    #[test]
    fn a_last_event_without_a_blank_line_is_kept_and_marked() {
        let stream = parse("data: a\n\ndata: [DONE]");
        assert_eq!(data(&stream), [Some("a"), Some("[DONE]")]);
        assert!(stream.events[0].terminated);
        assert!(!stream.events[1].terminated);
        let with_newline = parse("data: a\n\ndata: [DONE]\n");
        assert!(!with_newline.events[1].terminated, "one line end is not a blank line");
    }

    #[test]
    fn a_leading_byte_order_mark_is_stripped_once() {
        let stream = parse("\u{FEFF}data: a\n\n");
        assert!(stream.byte_order_mark);
        assert_eq!(data(&stream), [Some("a")]);
        let later = parse("data: \u{FEFF}a\n\n");
        assert!(!later.byte_order_mark);
        assert_eq!(data(&later), [Some("\u{FEFF}a")]);
    }

    #[test]
    fn fields_follow_the_whatwg_rules() {
        let stream = parse("id: 7\nretry: 3000\nretry: soon\nevent: error\ndata\nfoo: bar\n\n");
        let event = &stream.events[0];
        assert_eq!(event.id.as_deref(), Some("7"));
        assert_eq!(event.retry, Some(3000));
        assert_eq!(event.event.as_deref(), Some("error"));
        assert_eq!(event.data.as_deref(), Some(""), "a field name alone has the empty value");
        let only_space = parse("data:  two spaces\n\n");
        assert_eq!(data(&only_space), [Some(" two spaces")], "only one leading space is removed");
    }

    #[test]
    fn a_block_without_data_is_an_event_with_no_data() {
        let stream = parse("event: ping\n\ndata: a\n\n");
        assert_eq!(data(&stream), [None, Some("a")]);
        assert_eq!(stream.events[1].number, 2);
    }

    #[test]
    fn a_whitespace_only_line_makes_a_block_with_no_known_field() {
        let stream = parse("data: a\n\n  \n\ndata: b\n\n");
        assert_eq!(data(&stream), [Some("a"), None, Some("b")]);
        assert_eq!(stream.events.iter().map(|e| e.known_field).collect::<Vec<_>>(), [true, false, true]);
        assert!(parse("id: 1\n\n").events[0].known_field);
    }

    #[test]
    fn empty_and_blank_bodies_have_no_events() {
        assert!(parse("").events.is_empty());
        assert!(parse("\n\n\r\n").events.is_empty());
        assert_eq!(parse("\n\n\r\n").lines, 3);
    }
}

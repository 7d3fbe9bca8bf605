//! What every target shares: the embedded catalog and its compiled schemas (built once per process), a
//! scratch folder per process, and the position checks (a position must lie inside the text it names).
#![allow(dead_code)]

use std::{path::Path, sync::OnceLock};

use chatcompat::{
    locate::{Line, Position},
    stream::StreamCatalog,
    Catalog, Schema,
};

/// The catalog embedded in the library at build time.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().expect("the embedded catalog loads"))
}

/// Every provider's compiled response schema.
pub fn schemas() -> &'static [Schema] {
    static SCHEMAS: OnceLock<Vec<Schema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| catalog().load_schemas().expect("the embedded schemas compile"))
}

/// Every provider's stream schemas (chunk + response + conventions).
pub fn streams() -> &'static StreamCatalog {
    static STREAMS: OnceLock<StreamCatalog> = OnceLock::new();
    STREAMS.get_or_init(|| {
        let streams = StreamCatalog::load(catalog());
        assert!(streams.problems.is_empty(), "stream schemas: {:?}", streams.problems);
        assert!(!streams.supported.is_empty());
        streams
    })
}

/// A scratch folder for this process (libFuzzer runs one input at a time per process), removed
/// when the process ends normally.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::Builder::new().prefix("chatcompat-fuzz-").tempdir().expect("a temp dir"))
        .path()
}

/// The lines of `text` by the one line model (LF, CR and CRLF each end a line), as character counts.
/// A text ending in a line end has one more, empty, line after it (where an "unexpected end" points).
pub fn line_lengths(text: &str) -> Vec<usize> {
    let mut lengths = vec![0];
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                lengths.push(0);
            }
            '\n' => lengths.push(0),
            _ => *lengths.last_mut().unwrap() += 1,
        }
    }
    lengths
}

/// Asserts that `position` (shown for `what`) names a character of a text whose line lengths are `lines`
/// (from [`line_lengths`]), or the end of one of its
/// lines: line in 1..=lines, column in 1..=length + 1.
pub fn assert_inside(lines: &[usize], position: Position, what: &dyn std::fmt::Display) {
    let Line(line) = position.line;
    assert!(
        line >= 1 && line <= lines.len(),
        "{what}: line {line} outside the {} lines of the text",
        lines.len()
    );
    let column = position.column.get();
    let length = lines[line - 1];
    assert!(
        column >= 1 && column <= length + 1,
        "{what}: column {column} outside line {line} ({length} characters)"
    );
}

/// The character at `position` of `text` (None at a line's end).
pub fn char_at(text: &str, position: Position) -> Option<char> {
    let offset = chatcompat::locate::offset_of(text, position)?;
    text[offset..].chars().next().filter(|c| *c != '\n' && *c != '\r')
}

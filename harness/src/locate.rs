//! Positions in a text: typed lines and columns, the one line model every reader
//! uses, and the one-pass locator that finds where violating values stand.
//!
//! `serde_json::Value` keeps no positions, and a failure must say "line 14,
//! column 22". Positions are needed only for values that fail, so instead of a
//! position-keeping parser on the hot path, [`locate_all`] scans the (already
//! valid) text once per body for every pointer asked for, and [`Cursor`] turns
//! the byte offsets it found into positions in one more forward pass: the cost
//! is linear in the size of the body plus the number of violations.
//!
//! The line model: LF, CR and CRLF each end one line, in every reader (the body
//! reader, the JSON Lines reader and the event-stream reader). A column counts
//! characters (Unicode scalar values) from 1, as editors do; byte columns exist
//! only as serde_json reports them ([`ByteColumn`]) and are converted once, where
//! its errors are read ([`offset_of_byte_position`]).

use std::{collections::HashMap, fmt};

/// A 1-based line number. LF, CR and CRLF each end a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Line(pub usize);

/// A 1-based column counted in characters (Unicode scalar values), as editors count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Column(pub usize);

/// A 1-based column counted in bytes, as serde_json reports it. Never shown: turn
/// it into a byte offset with [`offset_of_byte_position`], then into a [`Position`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ByteColumn(pub usize);

impl Line {
    /// The line number as a plain number (for output records).
    pub fn get(self) -> usize {
        self.0
    }
}

impl Column {
    /// The column as a plain number (for output records).
    pub fn get(self) -> usize {
        self.0
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A line and a character column, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: Line,
    pub column: Column,
}

impl Position {
    /// Line 1, column 1.
    pub const START: Position = Position { line: Line(1), column: Column(1) };

    /// Line `line`, column `column` (characters).
    pub const fn new(line: usize, column: usize) -> Position {
        Position { line: Line(line), column: Column(column) }
    }

    /// The first column of line `line`.
    pub const fn line_start(line: usize) -> Position {
        Position::new(line, 1)
    }

    /// The position of byte `offset` in `bytes` (clamped to the end). One scan
    /// from the start: for many offsets of one text, use a [`Cursor`].
    pub fn of_offset(bytes: &[u8], offset: usize) -> Position {
        Cursor::new(bytes).advance(offset)
    }

    /// This position (inside a record that starts on line `first_line` of a
    /// file) as a position in the file.
    pub fn in_record_at(self, first_line: Line) -> Position {
        Position { line: Line(self.line.0 + first_line.0.saturating_sub(1)), column: self.column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Turns byte offsets of one text into positions, moving forward only: a run of
/// non-decreasing offsets costs one pass over the text. (A smaller offset starts over.)
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    column: usize,
    after_cr: bool,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor { bytes, at: 0, line: 1, column: 1, after_cr: false }
    }

    /// The position of byte `offset` (clamped to the end of the text).
    pub fn advance(&mut self, offset: usize) -> Position {
        let offset = offset.min(self.bytes.len());
        if offset < self.at {
            *self = Cursor::new(self.bytes);
        }
        for &byte in &self.bytes[self.at..offset] {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' => {
                    self.line += 1;
                    self.column = 1;
                }
                b'\r' => {
                    self.line += 1;
                    self.column = 1;
                    self.after_cr = true;
                }
                _ => {
                    self.after_cr = false;
                    // Count characters: every byte that does not continue a UTF-8 sequence.
                    if byte & 0xC0 != 0x80 {
                        self.column += 1;
                    }
                }
            }
        }
        self.at = offset;
        Position::new(self.line, self.column)
    }
}

/// The byte offset that a serde_json error position (its line counts LF only,
/// its column counts bytes) stands for in `text`, on a character boundary.
pub fn offset_of_byte_position(text: &str, line: usize, column: ByteColumn) -> usize {
    let bytes = text.as_bytes();
    let line_start = if line <= 1 {
        0
    } else {
        match memchr::memchr_iter(b'\n', bytes).nth(line - 2) {
            Some(newline) => newline + 1,
            None => return text.len(),
        }
    };
    let mut offset = (line_start + column.0.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The byte offset of `position` in `text`, if the line exists (a column past the
/// line's end gives the line's end). One scan: for rendering a few positions.
pub fn offset_of(text: &str, position: Position) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut line = 1;
    let mut at = 0;
    while line < position.line.0 {
        let end = memchr::memchr2(b'\n', b'\r', &bytes[at..])? + at;
        at = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') { end + 2 } else { end + 1 };
        line += 1;
    }
    let rest = &text[at..];
    let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    let within =
        rest[..line_end].char_indices().nth(position.column.0.saturating_sub(1)).map_or(line_end, |(i, _)| i);
    Some(at + within)
}

/// Where a located value starts: its position and its byte offset in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    pub position: Position,
    pub offset: usize,
}

/// Where the value at `pointer` starts in `text`; for a pointer whose last token
/// is missing, where its parent starts. `None` if `text` is not JSON.
pub fn find(text: &str, pointer: &str) -> Option<Position> {
    locate_all(text, &[pointer]).pop().flatten().map(|spot| spot.position)
}

/// Where the value at each of `pointers` starts in `text` (for a pointer that
/// goes past what the text has, its deepest existing ancestor), in one scan of
/// the text and one pass over the offsets found: linear in the text's size plus
/// the pointers' total length, whatever their number. `None` where the text is
/// not JSON along the way.
pub fn locate_all(text: &str, pointers: &[&str]) -> Vec<Option<Spot>> {
    if pointers.is_empty() {
        return Vec::new();
    }
    let mut trie = Trie { nodes: vec![TrieNode::default()] };
    let ends: Vec<usize> = pointers.iter().map(|pointer| trie.insert(pointer)).collect();
    let bytes = text.as_bytes();
    let root_at = skip_ws(bytes, 0);
    if root_at < bytes.len() {
        trie.visit(text, 0, root_at);
    }
    // For each pointer: the offset of its deepest node that the scan found.
    let mut offsets: Vec<(usize, usize)> = Vec::with_capacity(pointers.len());
    for (index, &end) in ends.iter().enumerate() {
        let mut node = Some(end);
        while let Some(n) = node {
            if let Some(at) = trie.nodes[n].found {
                offsets.push((at, index));
                break;
            }
            node = trie.nodes[n].parent;
        }
    }
    offsets.sort_unstable();
    let mut spots = vec![None; pointers.len()];
    let mut cursor = Cursor::new(bytes);
    for (offset, index) in offsets {
        spots[index] = Some(Spot { position: cursor.advance(offset), offset });
    }
    spots
}

/// The pointers asked for, as a tree of tokens; the scan descends only into the
/// values some pointer goes through and skips every other one.
#[derive(Default)]
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    parent: Option<usize>,
    children: HashMap<String, usize>,
    /// Where the value starts, once the scan has seen it.
    found: Option<usize>,
}

impl Trie {
    /// Adds `pointer`; returns its last node.
    fn insert(&mut self, pointer: &str) -> usize {
        let mut node = 0;
        for token in pointer.split('/').skip(1) {
            let token = if token.contains('~') {
                token.replace("~1", "/").replace("~0", "~")
            } else {
                token.to_string()
            };
            node = match self.nodes[node].children.get(&token) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(TrieNode { parent: Some(node), ..TrieNode::default() });
                    self.nodes[node].children.insert(token, child);
                    child
                }
            };
        }
        node
    }

    /// Records that `node`'s value starts at `at`, descends into the children
    /// asked for, and returns the offset just past the value.
    fn visit(&mut self, text: &str, node: usize, at: usize) -> Option<usize> {
        self.nodes[node].found = Some(at);
        let bytes = text.as_bytes();
        if self.nodes[node].children.is_empty() {
            return skip_value(bytes, at);
        }
        match *bytes.get(at)? {
            b'{' => {
                let mut i = skip_ws(bytes, at + 1);
                if bytes.get(i) == Some(&b'}') {
                    return Some(i + 1);
                }
                loop {
                    let key_end = skip_string(bytes, i)?;
                    let raw = &text[i + 1..key_end - 1];
                    let child = if raw.contains('\\') {
                        let name: String = serde_json::from_str(&text[i..key_end]).ok()?;
                        self.nodes[node].children.get(&name).copied()
                    } else {
                        self.nodes[node].children.get(raw).copied()
                    };
                    i = skip_ws(bytes, key_end);
                    if bytes.get(i) != Some(&b':') {
                        return None;
                    }
                    i = skip_ws(bytes, i + 1);
                    let end = match child {
                        Some(child) => self.visit(text, child, i)?,
                        None => skip_value(bytes, i)?,
                    };
                    i = skip_ws(bytes, end);
                    match bytes.get(i)? {
                        b',' => i = skip_ws(bytes, i + 1),
                        b'}' => return Some(i + 1),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let mut i = skip_ws(bytes, at + 1);
                if bytes.get(i) == Some(&b']') {
                    return Some(i + 1);
                }
                let mut index = 0usize;
                let mut digits = [0u8; 20];
                loop {
                    let child = self.nodes[node].children.get(itoa(index, &mut digits)).copied();
                    let end = match child {
                        Some(child) => self.visit(text, child, i)?,
                        None => skip_value(bytes, i)?,
                    };
                    i = skip_ws(bytes, end);
                    match bytes.get(i)? {
                        b',' => i = skip_ws(bytes, i + 1),
                        b']' => return Some(i + 1),
                        _ => return None,
                    }
                    index += 1;
                }
            }
            _ => skip_value(bytes, at),
        }
    }
}

/// `n` in decimal, written into `buffer`.
fn itoa(mut n: usize, buffer: &mut [u8; 20]) -> &str {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[at..]).unwrap_or("0")
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// The offset just past the string starting at `at` (which must be `"`).
fn skip_string(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
        match bytes[i] {
            b'\\' => i += 2,
            _ => return Some(i + 1),
        }
    }
}

/// The offset just past the value starting at `at`.
fn skip_value(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at)? {
        b'"' => skip_string(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = at;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = at;
            while i < bytes.len() && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
            Some(i)
        }
    }
}

/// Widest excerpt of a line, in characters.
const WIDTH: usize = 100;

/// The source line at `position` (a line of `text`), shown as line `shown_line`
/// with a caret under the column; long lines are cut to a window around the column.
/// Finds the line with one scan: for many excerpts of one text use [`excerpt_at`].
pub fn excerpt(text: &str, position: Position, shown_line: Line) -> String {
    let offset = offset_of(text, position).unwrap_or(text.len());
    excerpt_at(text, Spot { position, offset }, shown_line)
}

/// [`excerpt`] for a located value: reads only the window around `spot.offset`.
///
/// The caret is padded by display width: a wide character (CJK, most emoji)
/// takes two cells in a terminal, so it counts two (unicode-width's East Asian
/// Width); the column number itself still counts it as one character. Control
/// characters are shown as a space.
pub fn excerpt_at(text: &str, spot: Spot, shown_line: Line) -> String {
    use unicode_width::UnicodeWidthChar;
    let offset = spot.offset.min(text.len());
    let before_on_line = spot.position.column.0.saturating_sub(1);
    let back = before_on_line.min(WIDTH / 2);
    let cut_before = before_on_line > back;
    // Walk back `back` characters (never past a line end: the column says how many there are).
    let mut start = offset;
    for _ in 0..back {
        match text[..start].char_indices().next_back() {
            Some((i, c)) if c != '\n' && c != '\r' => start = i,
            _ => break,
        }
    }
    let mut shown = String::new();
    let mut caret_at = 0;
    if cut_before {
        shown.push('…');
        caret_at += 1;
    }
    let mut more = false;
    for (taken, (i, c)) in text[start..].char_indices().enumerate() {
        if c == '\n' || c == '\r' {
            break;
        }
        if taken == WIDTH {
            more = true;
            break;
        }
        let c = if c.is_control() { ' ' } else { c };
        if start + i < offset {
            caret_at += c.width().unwrap_or(1);
        }
        shown.push(c);
    }
    if more {
        shown.push('…');
    }
    let gutter = shown_line.to_string();
    format!("{gutter} | {shown}\n{} | {}^\n", " ".repeat(gutter.len()), " ".repeat(caret_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_missing_keys() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c\": {\"d\": null}\n}";
        assert_eq!(find(text, "/a/1/b"), Some(Position::new(2, 18)));
        assert_eq!(find(text, "/c/d"), Some(Position::new(3, 14)));
        assert_eq!(find(text, "/c/missing"), Some(Position::new(3, 8)));
        assert_eq!(find(text, "/a/7"), Some(Position::new(2, 8)));
        assert_eq!(find(text, ""), Some(Position::new(1, 1)));
    }

    #[test]
    fn escaped_keys_and_strings_with_brackets_do_not_confuse_it() {
        let text = r#"{"x": "}]\"", "k\u00e9y": 1, "a/b": 2}"#;
        assert_eq!(find(text, "/kéy"), Some(Position::new(1, 27)));
        assert_eq!(find(text, "/a~1b"), Some(Position::new(1, 37)));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"é\": \"ü\", \"n\": 1}";
        assert_eq!(find(text, "/n"), Some(Position::new(1, 17)));
        let cjk = "{\"名前\": \"東京都\", \"n\": true}";
        assert_eq!(find(cjk, "/n"), Some(Position::new(1, 20)));
    }

    #[test]
    fn cr_lf_and_crlf_each_end_one_line() {
        for end in ["\n", "\r", "\r\n"] {
            let text = ["{", "  \"a\": 1,", "  \"b\": [true]", "}"].join(end);
            assert_eq!(find(&text, "/b/0"), Some(Position::new(3, 9)), "{end:?}");
            assert_eq!(Position::of_offset(text.as_bytes(), text.len()), Position::new(4, 2), "{end:?}");
        }
        assert_eq!(Position::of_offset(b"a\r\rb", 3), Position::new(3, 1));
    }

    #[test]
    fn every_pointer_is_located_in_one_pass_whatever_the_order() {
        let items: Vec<String> = (0..50).map(|i| format!("{{\"v\": {i}}}")).collect();
        let text = format!("[\n{}\n]", items.join(",\n"));
        let pointers: Vec<String> = (0..50).rev().map(|i| format!("/{i}/v")).collect();
        let refs: Vec<&str> = pointers.iter().map(String::as_str).collect();
        let spots = locate_all(&text, &refs);
        for (k, spot) in spots.iter().enumerate() {
            let i = 49 - k;
            let spot = spot.expect("located");
            assert_eq!(spot.position, Position::new(i + 2, 7), "{}", pointers[k]);
            assert!(text[spot.offset..].starts_with(&i.to_string()));
        }
    }

    #[test]
    fn a_pointer_into_a_scalar_stops_at_the_scalar() {
        assert_eq!(find(r#"{"a": 3}"#, "/a/b/c"), Some(Position::new(1, 7)));
        assert_eq!(find("  ", "/a"), None);
    }

    #[test]
    fn byte_positions_of_serde_json_become_offsets_on_character_boundaries() {
        let text = "{\n\"é\": x}";
        // serde_json: line 2, byte column 7 is the `x` (é is two bytes).
        let offset = offset_of_byte_position(text, 2, ByteColumn(7));
        assert_eq!(&text[offset..offset + 1], "x");
        assert_eq!(Position::of_offset(text.as_bytes(), offset), Position::new(2, 6));
        assert_eq!(offset_of_byte_position(text, 9, ByteColumn(1)), text.len());
        assert!(text.is_char_boundary(offset_of_byte_position("\"é\"", 1, ByteColumn(3))));
    }

    #[test]
    fn offsets_of_positions_follow_the_same_line_model() {
        let text = "ab\r\ncé\rd";
        assert_eq!(offset_of(text, Position::new(2, 2)), Some(5));
        assert_eq!(offset_of(text, Position::new(3, 1)), Some(8));
        assert_eq!(offset_of(text, Position::new(2, 99)), Some(7));
        assert_eq!(offset_of(text, Position::new(4, 1)), None);
    }

    #[test]
    fn the_caret_sits_under_the_value_after_wide_characters() {
        use unicode_width::UnicodeWidthStr;
        let text = "{\"名前\": \"東京都\", \"n\": 1}";
        let position = find(text, "/n").unwrap_or(Position::START);
        let shown = excerpt(text, position, Line(1));
        let mut rows = shown.lines();
        let line = rows.next().unwrap_or_default();
        let caret = rows.next().unwrap_or_default();
        let cells = caret.find('^').unwrap_or(0);
        // The text before the caret's cell, measured in terminal cells, ends just before `1`.
        let mut width = 0;
        let mut under = None;
        for c in line.chars() {
            if width == cells {
                under = Some(c);
                break;
            }
            width += UnicodeWidthStr::width(c.to_string().as_str());
        }
        assert_eq!(under, Some('1'), "{shown}");
    }

    #[test]
    fn excerpts_show_the_located_line_only_for_every_line_end() {
        for end in ["\n", "\r", "\r\n"] {
            let text = ["{", "  \"a\": 1,", "  \"b\": x", "}"].join(end);
            let shown = excerpt(&text, Position::new(3, 8), Line(3));
            assert_eq!(shown, "3 |   \"b\": x\n  |        ^\n", "{end:?}");
        }
    }
}

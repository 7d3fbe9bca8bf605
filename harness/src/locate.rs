//! Finds where a JSON pointer's value stands in the text it was parsed from.
//!
//! `serde_json::Value` keeps no positions, and a failure must say "line 14,
//! column 22". Positions are needed only for values that fail, so instead of a
//! position-keeping parser on the hot path, this module re-scans the (already
//! valid) text along one pointer when an error is rendered.

use std::fmt;

/// A 1-based line and column (the column counts characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `bytes` (clamped to the end).
    pub fn of_offset(bytes: &[u8], offset: usize) -> Position {
        let before = &bytes[..offset.min(bytes.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        Position { line, column }
    }

    /// The byte offset of this position in `text`, if it is inside it.
    pub fn offset_in(text: &str, position: Position) -> Option<usize> {
        let line_start =
            if position.line == 1 { 0 } else { text.match_indices('\n').nth(position.line - 2)?.0 + 1 };
        let line = &text[line_start..];
        let within =
            line.char_indices().nth(position.column.saturating_sub(1)).map_or(line.len(), |(i, _)| i);
        Some(line_start + within)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Where the value at `pointer` starts in `text`; for a pointer whose last token
/// is missing, where its parent object starts. `None` if `text` is not JSON.
pub fn find(text: &str, pointer: &str) -> Option<Position> {
    let bytes = text.as_bytes();
    let mut at = skip_ws(bytes, 0);
    if pointer.is_empty() {
        return Some(Position::of_offset(bytes, at));
    }
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        match *bytes.get(at)? {
            b'{' => match member(text, at, &token)? {
                Some(value_at) => at = value_at,
                None => break,
            },
            b'[' => {
                let index: usize = token.parse().ok()?;
                match element(bytes, at, index)? {
                    Some(value_at) => at = value_at,
                    None => break,
                }
            }
            _ => break,
        }
    }
    Some(Position::of_offset(bytes, at))
}

/// The first integer literal (no fraction, no exponent) in `text` that fits
/// neither i64 nor u64, with its byte offset. Strings are skipped.
pub fn oversized_integer(text: &str) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i)?,
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                let literal = &text[start..i];
                let integral = !literal.contains(['.', 'e', 'E']);
                if integral && literal.parse::<i64>().is_err() && literal.parse::<u64>().is_err() {
                    return Some((start, literal.to_string()));
                }
            }
            _ => i += 1,
        }
    }
    None
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// In the object starting at `at`, the start of the value under `key`
/// (`Some(None)` if the object has no such key). The last duplicate wins, as in serde_json.
fn member(text: &str, at: usize, key: &str) -> Option<Option<usize>> {
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, at + 1);
    let mut found = None;
    if bytes.get(i) == Some(&b'}') {
        return Some(None);
    }
    loop {
        let key_end = skip_string(bytes, i)?;
        let name: String = serde_json::from_str(&text[i..key_end]).ok()?;
        i = skip_ws(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
        if name == key {
            found = Some(i);
        }
        i = skip_ws(bytes, skip_value(bytes, i)?);
        match bytes.get(i)? {
            b',' => i = skip_ws(bytes, i + 1),
            b'}' => return Some(found),
            _ => return None,
        }
    }
}

/// In the array starting at `at`, the start of element `index` (`Some(None)` if shorter).
fn element(bytes: &[u8], at: usize, index: usize) -> Option<Option<usize>> {
    let mut i = skip_ws(bytes, at + 1);
    if bytes.get(i) == Some(&b']') {
        return Some(None);
    }
    let mut n = 0;
    loop {
        if n == index {
            return Some(Some(i));
        }
        i = skip_ws(bytes, skip_value(bytes, i)?);
        match bytes.get(i)? {
            b',' => i = skip_ws(bytes, i + 1),
            b']' => return Some(None),
            _ => return None,
        }
        n += 1;
    }
}

/// The offset just past the string starting at `at` (which must be `"`).
fn skip_string(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
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
                        depth -= 1;
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

/// The source line at `position` (a line of `text`), shown as line `shown_line`
/// with a caret under the column; long lines are cut to a window around the column.
pub fn excerpt(text: &str, position: Position, shown_line: usize) -> String {
    const WIDTH: usize = 100;
    let line = text.lines().nth(position.line.saturating_sub(1)).unwrap_or("");
    let column = position.column.saturating_sub(1);
    let start = column.saturating_sub(WIDTH / 2);
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    let mut more = false;
    for (taken, c) in line.chars().skip(start).enumerate() {
        if taken == WIDTH {
            more = true;
            break;
        }
        shown.push(if c.is_control() { ' ' } else { c });
    }
    if more {
        shown.push('…');
    }
    let caret_at = column - start + usize::from(start > 0);
    let gutter = shown_line.to_string();
    format!("{gutter} | {shown}\n{} | {}^\n", " ".repeat(gutter.len()), " ".repeat(caret_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_missing_keys() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c\": {\"d\": null}\n}";
        assert_eq!(find(text, "/a/1/b"), Some(Position { line: 2, column: 18 }));
        assert_eq!(find(text, "/c/d"), Some(Position { line: 3, column: 14 }));
        assert_eq!(find(text, "/c/missing"), Some(Position { line: 3, column: 8 }));
        assert_eq!(find(text, ""), Some(Position { line: 1, column: 1 }));
    }

    #[test]
    fn escaped_keys_and_strings_with_brackets_do_not_confuse_it() {
        let text = r#"{"x": "}]\"", "k\u00e9y": 1, "a/b": 2}"#;
        assert_eq!(find(text, "/kéy"), Some(Position { line: 1, column: 27 }));
        assert_eq!(find(text, "/a~1b"), Some(Position { line: 1, column: 37 }));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"é\": \"ü\", \"n\": 1}";
        assert_eq!(find(text, "/n"), Some(Position { line: 1, column: 17 }));
    }

    #[test]
    fn oversized_integers_are_found_outside_strings() {
        assert_eq!(oversized_integer(r#"{"a": "123456789012345678901234", "b": 1e30}"#), None);
        let text = r#"{"a": 18446744073709551616}"#;
        assert_eq!(oversized_integer(text), Some((6, "18446744073709551616".to_string())));
    }
}

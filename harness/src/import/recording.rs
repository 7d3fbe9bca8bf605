//! Reads a recording of HTTP traffic into its responses: VCR cassettes (vcrpy, Ruby VCR, go-vcr;
//! YAML), HAR files, nock recordings, raw HTTP response dumps and `curl -i` output, raw
//! event-stream bodies and bare JSON bodies.
//!
//! The format is sniffed from the content, never from the file name. A body is kept as the bytes
//! the recording holds; where a recorder stored a parsed structure instead (vcrpy's
//! `body: {string: ...}` is bytes; a `parsed_body`/`json` mapping, pydantic-ai's
//! `body: {type: json, content: ...}` and nock's `response` object are not), the structure is kept
//! as it is and [`Body::Structure`] says so, so the importer can write it back and record the
//! re-serialisation.

use serde_json::{Map, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// One response found in a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// Where in the recording: `interactions[2]`, `log.entries[0]`, `response`.
    pub entry: String,
    /// The request's URL, where the recording has it.
    pub url: Option<String>,
    pub status: Option<u16>,
    /// Response headers, names lowercased, in recorded order.
    pub headers: Vec<(String, String)>,
    /// When the recording says the response was received (`YYYY-MM-DD`).
    pub date: Option<String>,
    pub body: Body,
}

impl Exchange {
    /// The first value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A response body as the recording holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// The bytes, as recorded.
    Bytes(Vec<u8>),
    /// The bytes after joining the chunked transfer coding the recording kept.
    Dechunked(Vec<u8>),
    /// A parsed structure the recorder stored instead of the bytes.
    Structure(Value),
    /// An event stream rebuilt from a recording that kept only each event's data, one per line.
    Framed(Vec<u8>),
    /// A body that cannot be a chat completion as recorded (compressed, binary): why.
    Unusable(String),
}

/// The formats [`read`] recognises; the name goes into the sidecar's `origin.format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    VcrPy,
    RubyVcr,
    GoVcr,
    Har,
    Nock,
    Http,
    EventStream,
    DataLines,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::VcrPy => "vcrpy",
            Format::RubyVcr => "ruby-vcr",
            Format::GoVcr => "go-vcr",
            Format::Har => "har",
            Format::Nock => "nock",
            Format::Http => "http",
            Format::EventStream => "event-stream",
            Format::DataLines => "data-lines",
            Format::Json => "json",
        }
    }
}

/// Every response of a recording, in recorded order.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub format: Format,
    pub exchanges: Vec<Exchange>,
}

impl Recording {
    /// A body recorded alone: one exchange with no request, status, headers or date.
    fn bare(format: Format, body: Body) -> Recording {
        Recording {
            format,
            exchanges: vec![Exchange {
                entry: "body".into(),
                url: None,
                status: None,
                headers: Vec::new(),
                date: None,
                body,
            }],
        }
    }
}

/// Why a recording cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordingError {
    #[error("empty recording")]
    Empty,
    #[error("not UTF-8 at byte {0}: a cassette, HAR or event stream is text")]
    NotText(usize),
    #[error("line {line}, column {column}: not YAML: {message}")]
    Yaml { line: usize, column: usize, message: String },
    #[error("line {line}, column {column}: not JSON: {message}")]
    Json { line: usize, column: usize, message: String },
    #[error("not a recording chatcompat knows: expected a VCR cassette (`interactions`/`http_interactions`), a HAR file (`log.entries`), a nock recording, an HTTP response (`HTTP/1.1 200 ...`), an event stream (`data: ...`) or a JSON body")]
    Unknown,
}

/// Reads `bytes` as whichever recording format it is.
pub fn read(bytes: &[u8]) -> Result<Recording, RecordingError> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).ok_or(RecordingError::Empty)?;
    let rest = &bytes[start..];
    if rest.starts_with(b"HTTP/") {
        return read_http(bytes, start);
    }
    if is_event_stream(rest) {
        return Ok(Recording::bare(Format::EventStream, Body::Bytes(bytes.to_vec())));
    }
    let text = std::str::from_utf8(bytes).map_err(|err| RecordingError::NotText(err.valid_up_to()))?;
    if let Some(framed) = data_lines(text) {
        return Ok(Recording::bare(Format::DataLines, Body::Framed(framed)));
    }
    if rest.starts_with(b"{") || rest.starts_with(b"[") {
        let value: Value = serde_json::from_str(text).map_err(|err| RecordingError::Json {
            line: err.line(),
            column: err.column(),
            message: err.to_string(),
        })?;
        return read_json(bytes, value);
    }
    let documents = YamlLoader::load_from_str(text).map_err(|err| RecordingError::Yaml {
        line: err.marker().line(),
        column: err.marker().col() + 1,
        message: err.info().to_string(),
    })?;
    let document = documents.into_iter().next().ok_or(RecordingError::Empty)?;
    read_cassette(&document, text.contains("!!binary"))
}

/// A stream recorded as its events' data only, one JSON object per line (two or more lines; the
/// Vercel AI SDK's `*.chunks.txt`), framed back into events: `data: <line>` and a blank line each.
/// The lines are kept byte for byte; empty lines are dropped, as the SDK's replay drops them.
fn data_lines(text: &str) -> Option<Vec<u8>> {
    let lines: Vec<&str> = text.lines().filter(|line| !line.trim().is_empty()).collect();
    if lines.len() < 2
        || !lines.iter().all(|line| serde_json::from_str::<Value>(line).is_ok_and(|v| v.is_object()))
    {
        return None;
    }
    let mut framed = Vec::with_capacity(text.len() + lines.len() * 8);
    for line in lines {
        framed.extend_from_slice(b"data: ");
        framed.extend_from_slice(line.as_bytes());
        framed.extend_from_slice(b"\n\n");
    }
    Some(framed)
}

/// A body whose first line is an event-stream field (`data:`, `event:`, `id:`, `retry:`) or comment.
pub fn is_event_stream(body: &[u8]) -> bool {
    let start = body.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(body.len());
    let body = &body[start..];
    [&b"data:"[..], b"event:", b"id:", b"retry:", b":"].iter().any(|field| body.starts_with(field))
}

fn read_json(bytes: &[u8], value: Value) -> Result<Recording, RecordingError> {
    if let Some(entries) = value.pointer("/log/entries").and_then(Value::as_array) {
        return Ok(Recording {
            format: Format::Har,
            exchanges: entries.iter().enumerate().map(har_entry).collect(),
        });
    }
    if let Value::Array(items) = &value {
        if items.iter().all(|item| item.get("scope").is_some() && item.get("response").is_some()) {
            return Ok(Recording {
                format: Format::Nock,
                exchanges: items.iter().enumerate().map(nock_entry).collect(),
            });
        }
    }
    if value.is_object() {
        return Ok(Recording::bare(Format::Json, Body::Bytes(bytes.to_vec())));
    }
    Err(RecordingError::Unknown)
}

fn har_entry((index, entry): (usize, &Value)) -> Exchange {
    let response = &entry["response"];
    let headers = response["headers"]
        .as_array()
        .map(|headers| {
            headers
                .iter()
                .filter_map(|h| {
                    Some((h["name"].as_str()?.to_ascii_lowercase(), h["value"].as_str()?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let content = &response["content"];
    let body = match (content["text"].as_str(), content["encoding"].as_str()) {
        (None, _) => Body::Unusable("the HAR entry has no response text (content.text)".into()),
        (Some(text), Some("base64")) => match base64_decode(text) {
            Some(bytes) => usable(bytes),
            None => Body::Unusable("content.text is not valid base64".into()),
        },
        (Some(text), _) => Body::Bytes(text.as_bytes().to_vec()),
    };
    Exchange {
        entry: format!("log.entries[{index}]"),
        url: entry["request"]["url"].as_str().map(str::to_string),
        status: response["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
        headers,
        date: entry["startedDateTime"].as_str().and_then(date_of),
        body,
    }
}

fn nock_entry((index, entry): (usize, &Value)) -> Exchange {
    let url = match (entry["scope"].as_str(), entry["path"].as_str()) {
        (Some(scope), Some(path)) => Some(format!("{scope}{path}")),
        (Some(scope), None) => Some(scope.to_string()),
        _ => None,
    };
    let headers: Vec<(String, String)> = match &entry["rawHeaders"] {
        Value::Array(flat) => flat
            .chunks(2)
            .filter_map(|pair| {
                Some((pair.first()?.as_str()?.to_ascii_lowercase(), pair.get(1)?.as_str()?.to_string()))
            })
            .collect(),
        Value::Object(map) => {
            map.iter().filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_string()))).collect()
        }
        _ => Vec::new(),
    };
    let body = match &entry["response"] {
        Value::String(text) => Body::Bytes(text.as_bytes().to_vec()),
        Value::Array(parts) if parts.iter().all(Value::is_string) => {
            Body::Unusable("nock kept the body as compressed hex chunks: record with decompression on".into())
        }
        structure => Body::Structure(structure.clone()),
    };
    let mut exchange = Exchange {
        entry: format!("[{index}]"),
        url,
        status: entry["status"].as_u64().and_then(|s| u16::try_from(s).ok()),
        headers,
        date: None,
        body,
    };
    exchange.date = exchange.header("date").and_then(date_of);
    exchange
}

/// A raw HTTP response (a socket dump, `curl -i`): status line, headers, blank line, body.
/// Interim and proxy responses (`100 Continue`, `200 Connection established`) before it are skipped.
fn read_http(bytes: &[u8], start: usize) -> Result<Recording, RecordingError> {
    let mut at = start;
    loop {
        let Some((status_line, mut cursor)) = line(bytes, at) else { return Err(RecordingError::Unknown) };
        let status_text = String::from_utf8_lossy(status_line);
        let status = status_text.split_whitespace().nth(1).and_then(|code| code.parse::<u16>().ok());
        let mut headers = Vec::new();
        while let Some((header, next)) = line(bytes, cursor) {
            cursor = next;
            if header.is_empty() {
                break;
            }
            let header = String::from_utf8_lossy(header);
            if let Some((name, value)) = header.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        let interim = matches!(status, Some(100..=199))
            || status_text.to_ascii_lowercase().contains("connection established");
        if interim && bytes[cursor.min(bytes.len())..].starts_with(b"HTTP/") {
            at = cursor;
            continue;
        }
        let raw = bytes.get(cursor..).unwrap_or_default().to_vec();
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
        let body = match chunked.then(|| dechunk(&raw)).flatten() {
            Some(joined) => Body::Dechunked(joined),
            None => Body::Bytes(raw),
        };
        let mut exchange =
            Exchange { entry: "response".into(), url: None, status, headers, date: None, body };
        exchange.date = exchange.header("date").and_then(date_of);
        return Ok(Recording { format: Format::Http, exchanges: vec![exchange] });
    }
}

/// The line at `at` without its end (LF or CRLF), and where the next one starts.
fn line(bytes: &[u8], at: usize) -> Option<(&[u8], usize)> {
    if at >= bytes.len() {
        return None;
    }
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let text = &bytes[at..end];
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    Some((text, (end + 1).min(bytes.len() + 1)))
}

/// Joins a body in the chunked transfer coding; `None` when it is not one.
fn dechunk(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let (size_line, next) = line(raw, at)?;
        let size_text = std::str::from_utf8(size_line).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        let chunk = raw.get(next..next + size)?;
        out.extend_from_slice(chunk);
        let after = raw.get(next + size..)?;
        at = next + size + if after.starts_with(b"\r\n") { 2 } else { usize::from(after.starts_with(b"\n")) };
    }
}

/// A VCR cassette: vcrpy and go-vcr (`interactions`), Ruby VCR (`http_interactions`).
fn read_cassette(document: &Yaml, has_binary: bool) -> Result<Recording, RecordingError> {
    let (interactions, format, key) = match (&document["interactions"], &document["http_interactions"]) {
        (Yaml::Array(list), _) => {
            let go = list.iter().any(|i| !matches!(i["request"]["url"], Yaml::BadValue));
            (list, if go { Format::GoVcr } else { Format::VcrPy }, "interactions")
        }
        (_, Yaml::Array(list)) => (list, Format::RubyVcr, "http_interactions"),
        _ => return Err(RecordingError::Unknown),
    };
    let exchanges = interactions
        .iter()
        .enumerate()
        .map(|(index, interaction)| {
            let request = &interaction["request"];
            let response = &interaction["response"];
            let url =
                [&request["uri"], &request["url"]].into_iter().find_map(|y| y.as_str().map(str::to_string));
            let status = match (&response["status"], &response["code"]) {
                (Yaml::Hash(_), _) => response["status"]["code"].as_i64(),
                (_, Yaml::Integer(code)) => Some(*code),
                (Yaml::Integer(code), _) => Some(*code),
                (Yaml::String(text), _) => text.split_whitespace().next().and_then(|c| c.parse().ok()),
                _ => None,
            }
            .and_then(|s| u16::try_from(s).ok());
            let headers = yaml_headers(&response["headers"]);
            let mut exchange = Exchange {
                entry: format!("{key}[{index}]"),
                url,
                status,
                headers,
                date: interaction["recorded_at"].as_str().and_then(date_of),
                body: cassette_body(response, has_binary),
            };
            if exchange.date.is_none() {
                exchange.date = exchange.header("date").and_then(date_of);
            }
            exchange
        })
        .collect();
    Ok(Recording { format, exchanges })
}

/// Headers as cassettes keep them: a mapping of name to a value or a list of values.
fn yaml_headers(headers: &Yaml) -> Vec<(String, String)> {
    let Yaml::Hash(map) = headers else { return Vec::new() };
    let mut out = Vec::new();
    for (name, value) in map {
        let Some(name) = scalar(name) else { continue };
        match value {
            Yaml::Array(values) => {
                out.extend(values.iter().filter_map(scalar).map(|v| (name.to_ascii_lowercase(), v)));
            }
            other => out.extend(scalar(other).map(|v| (name.to_ascii_lowercase(), v))),
        }
    }
    out
}

/// The body of a cassette's response, wherever its recorder put it.
fn cassette_body(response: &Yaml, has_binary: bool) -> Body {
    let body = match &response["body"] {
        Yaml::BadValue => ["parsed_body", "json", "content"]
            .iter()
            .map(|key| &response[*key])
            .find(|y| !matches!(y, Yaml::BadValue))
            .unwrap_or(&Yaml::BadValue),
        body => body,
    };
    match body {
        Yaml::String(text) => Body::Bytes(text.as_bytes().to_vec()),
        Yaml::Hash(_) => {
            if let Yaml::String(text) = &body["string"] {
                // vcrpy writes a compressed body as `string: !!binary |` followed by base64.
                if has_binary
                    && !text.trim_start().starts_with(['{', '['])
                    && !is_event_stream(text.as_bytes())
                {
                    if let Some(bytes) = base64_decode(text) {
                        return usable(bytes);
                    }
                }
                return Body::Bytes(text.as_bytes().to_vec());
            }
            if let Some(encoded) = body["base64_string"].as_str() {
                return match base64_decode(encoded) {
                    Some(bytes) => usable(bytes),
                    None => Body::Unusable("base64_string is not valid base64".into()),
                };
            }
            // pydantic-ai's newer cassettes: `body: {type: json, content: <parsed body>}`, or a
            // `content` string for any other type (an event stream, text).
            if let (Some(kind), false) = (body["type"].as_str(), matches!(body["content"], Yaml::BadValue)) {
                return match &body["content"] {
                    Yaml::String(text) if kind != "json" => Body::Bytes(text.as_bytes().to_vec()),
                    content => Body::Structure(to_json(content)),
                };
            }
            for key in ["parsed_body", "json"] {
                if !matches!(body[key], Yaml::BadValue) {
                    return Body::Structure(to_json(&body[key]));
                }
            }
            let keys: Vec<String> = match body {
                Yaml::Hash(map) => map.keys().filter_map(scalar).collect(),
                _ => Vec::new(),
            };
            if keys.iter().all(|k| k == "encoding") {
                return Body::Unusable("the cassette holds no body text".into());
            }
            Body::Structure(to_json(body))
        }
        Yaml::Array(_) => Body::Structure(to_json(body)),
        Yaml::Null | Yaml::BadValue => Body::Unusable("the cassette holds no body".into()),
        other => Body::Bytes(scalar(other).unwrap_or_default().into_bytes()),
    }
}

/// Decoded bytes, unless they are compressed.
fn usable(bytes: Vec<u8>) -> Body {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return Body::Unusable(
            "gzip-compressed body: record with decompression on (vcrpy: decode_compressed_response=True)"
                .into(),
        );
    }
    if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Body::Unusable("zstd-compressed body: record with decompression on".into());
    }
    Body::Bytes(bytes)
}

fn scalar(yaml: &Yaml) -> Option<String> {
    match yaml {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A YAML structure as JSON: mappings keep their order, numbers their spelling where JSON allows it.
pub fn to_json(yaml: &Yaml) -> Value {
    match yaml {
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(text) => serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .unwrap_or_else(|_| text.parse::<f64>().ok().map_or(Value::Null, Value::from)),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => {
            let mut object = Map::new();
            for (key, value) in map {
                object.insert(scalar(key).unwrap_or_default(), to_json(value));
            }
            Value::Object(object)
        }
    }
}

/// `YYYY-MM-DD` from an ISO 8601 timestamp (`2024-03-05T10:00:00Z`) or an HTTP date
/// (`Tue, 05 Mar 2024 10:00:00 GMT`).
pub fn date_of(text: &str) -> Option<String> {
    let text = text.trim();
    let iso = text.get(..10).filter(|d| {
        d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
    });
    if let Some(date) = iso {
        return Some(date.to_string());
    }
    let parts: Vec<&str> = text.split([' ', ',']).filter(|p| !p.is_empty()).collect();
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    for window in parts.windows(3) {
        let (Ok(day), Some(month), Ok(year)) = (
            window[0].parse::<u32>(),
            months.iter().position(|m| window[1].eq_ignore_ascii_case(m)),
            window[2].parse::<u32>(),
        ) else {
            continue;
        };
        if (1..=31).contains(&day) && (1970..=9999).contains(&year) {
            return Some(format!("{year:04}-{:02}-{day:02}", month + 1));
        }
    }
    None
}

/// `YYYY-MM-DD` of a Unix time in seconds (a response's `created`).
pub fn date_of_unix(seconds: i64) -> Option<String> {
    if !(0..=253_402_300_799).contains(&seconds) {
        return None;
    }
    // Howard Hinnant's days-to-civil.
    let z = seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// Standard or URL-safe base64, whitespace ignored; `None` on any other byte.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b if b.is_ascii_whitespace() => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_timestamps() {
        assert_eq!(date_of("2024-03-05T10:00:00.000Z").as_deref(), Some("2024-03-05"));
        assert_eq!(date_of("Tue, 05 Mar 2024 10:00:00 GMT").as_deref(), Some("2024-03-05"));
        assert_eq!(date_of("yesterday"), None);
        assert_eq!(date_of_unix(1_700_000_000).as_deref(), Some("2023-11-14"));
        assert_eq!(date_of_unix(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date_of_unix(-1), None);
    }

    #[test]
    fn base64_and_chunks() {
        assert_eq!(base64_decode("aGVs\nbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64_decode("not base64!"), None);
        assert_eq!(dechunk(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").as_deref(), Some(&b"hello world"[..]));
        assert_eq!(dechunk(b"{\"id\": 1}"), None);
    }

    #[test]
    fn interim_responses_are_skipped() {
        let dump =
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/2 200 \r\ncontent-type: application/json\r\n\r\n{\"a\":1}";
        let recording = read(dump).unwrap();
        assert_eq!(recording.exchanges[0].status, Some(200));
        assert_eq!(recording.exchanges[0].body, Body::Bytes(b"{\"a\":1}".to_vec()));
    }

    #[test]
    fn data_lines_are_framed_as_events() {
        let recording = read(b"{\"id\":\"a\",\"choices\":[]}\n\n{\"id\":\"a\", \"choices\":[]}").unwrap();
        assert_eq!(recording.format, Format::DataLines);
        assert_eq!(
            recording.exchanges[0].body,
            Body::Framed(
                b"data: {\"id\":\"a\",\"choices\":[]}\n\ndata: {\"id\":\"a\", \"choices\":[]}\n\n".to_vec()
            )
        );
        // One JSON body on several lines stays a body; a line that is not an object is no stream.
        assert_eq!(read(b"{\n  \"id\": \"a\"\n}\n").unwrap().format, Format::Json);
        assert!(matches!(read(b"{\"a\":1}\n[1]\n"), Err(RecordingError::Json { .. })));
    }

    #[test]
    fn typed_bodies_of_pydantic_ai_cassettes() {
        let cassette = b"interactions:\n- request:\n    uri: https://api.cerebras.ai/v1/chat/completions\n  response:\n    status: 200\n    body:\n      type: json\n      content:\n        id: a\n        created: 1\n- request:\n    uri: https://api.cerebras.ai/v1/chat/completions\n  response:\n    status: 200\n    body:\n      type: text\n      content: |\n        data: [DONE]\n\n";
        let recording = read(cassette).unwrap();
        assert_eq!(recording.exchanges[0].status, Some(200));
        assert_eq!(
            recording.exchanges[0].body,
            Body::Structure(serde_json::json!({"id": "a", "created": 1}))
        );
        assert_eq!(recording.exchanges[1].body, Body::Bytes(b"data: [DONE]\n".to_vec()));
    }

    #[test]
    fn unknown_and_broken_recordings_are_errors() {
        assert_eq!(read(b"   "), Err(RecordingError::Empty));
        assert_eq!(read(b"just: a mapping"), Err(RecordingError::Unknown));
        assert!(matches!(read(b"{\"a\": "), Err(RecordingError::Json { .. })));
        assert!(matches!(read(b"a: [1,"), Err(RecordingError::Yaml { .. })));
    }
}

//! Reviews a corpus the way a pull-request reviewer would: layout, names,
//! sidecars, expectations, duplicate bodies, well-formed JSON (UTF-8 text for
//! stream transcripts), known providers, and no secret-shaped string (the rules of
//! [`crate::redact`], the same the importer redacts with).
//!
//! Unlike a trial, the lint does not judge a body against its schema; it says
//! what a contributor must change before the trials can mean anything, and each
//! problem ends with the fix.

use std::{collections::BTreeMap, fmt, fs, path::PathBuf};

use crate::corpus::{self, Corpus, FixtureError, FixtureKind, Validity};

/// One problem in the corpus, with the change that fixes it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LintProblem {
    pub path: PathBuf,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for LintProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; fix: {} (see CONTRIBUTING.md)", self.path.display(), self.problem, self.fix)
    }
}

/// Every lint problem of `corpus`, given the providers that have schemas.
pub fn lint(corpus: &Corpus, known_providers: &[String]) -> Vec<LintProblem> {
    let mut problems = Vec::new();
    let mut push = |path: &PathBuf, problem: String, fix: &str| {
        problems.push(LintProblem { path: path.clone(), problem, fix: fix.to_string() })
    };
    for misplaced in &corpus.misplaced {
        push(
            &misplaced.path,
            misplaced.reason.clone(),
            "put bodies at <provider>/valid/<name>.json or <provider>/invalid/<name>.json, \
             transcripts at <provider>/streams/valid/<name>.sse or <provider>/streams/invalid/<name>.sse",
        );
    }
    let mut bodies: BTreeMap<Vec<u8>, PathBuf> = BTreeMap::new();
    for fixture in corpus.fixtures.iter().chain(&corpus.transcripts) {
        if !known_providers.contains(&fixture.provider) {
            push(
                &fixture.body,
                format!("provider `{}` has no schema", fixture.provider),
                "use one of the folders under schemas/, or add the provider's tables first",
            );
        }
        if !is_kebab_case(&fixture.name) {
            push(
                &fixture.body,
                format!("name `{}` is not kebab-case", fixture.name),
                "rename it to lowercase words joined by `-` that say what it shows, e.g. tool-calls-parallel.json",
            );
        }
        match corpus::read_sidecar(fixture) {
            Ok(sidecar) => {
                if sidecar.description.trim().is_empty() {
                    push(
                        &fixture.sidecar,
                        "empty description".into(),
                        "say in one sentence what the fixture shows",
                    );
                }
                if !is_date(&sidecar.date) {
                    push(
                        &fixture.sidecar,
                        format!("date `{}` is not YYYY-MM-DD", sidecar.date),
                        "write the capture date as YYYY-MM-DD",
                    );
                }
                if sidecar.server.is_some() && fixture.provider != crate::import::COMPATIBLE {
                    push(
                        &fixture.sidecar,
                        format!("`server` on a `{}` fixture", fixture.provider),
                        "move the fixture under openai-compatible/ (other servers' responses are checked against the \
                         core), or remove `server`",
                    );
                }
                match fixture.validity {
                    Validity::Invalid if sidecar.expect.is_empty() => push(
                        &fixture.sidecar,
                        "invalid fixture without expected errors".into(),
                        match fixture.kind {
                            FixtureKind::Response => {
                                "add [[expect]] entries with pointer and keyword for every error it must produce"
                            }
                            FixtureKind::Transcript => {
                                "add [[expect]] entries (event, and pointer + keyword or rule) for every error it \
                                 must produce"
                            }
                        },
                    ),
                    Validity::Valid if !sidecar.expect.is_empty() => push(
                        &fixture.sidecar,
                        "valid fixture with expected errors".into(),
                        "remove the [[expect]] entries, or move the fixture to invalid/",
                    ),
                    _ => {}
                }
            }
            Err(err) => push(&fixture.sidecar, err.to_string(), "write the sidecar as CONTRIBUTING.md shows"),
        }
        for path in [&fixture.body, &fixture.sidecar] {
            if let Ok(bytes) = fs::read(path) {
                for found in crate::redact::find(&bytes) {
                    push(
                        path,
                        format!(
                            "holds a secret-shaped string (rule {}, byte {}, {} bytes)",
                            found.rule, found.offset, found.length
                        ),
                        "import it with `chatcompat import`, which redacts by rule, or replace the string with \
                         <redacted:RULE>",
                    );
                }
            }
        }
        match fs::read(&fixture.body) {
            Ok(bytes) if fixture.kind == FixtureKind::Transcript => {
                if let Err(err) = std::str::from_utf8(&bytes) {
                    push(
                        &fixture.body,
                        format!("not UTF-8 (byte {})", err.valid_up_to()),
                        "save the event stream exactly as received; an event stream is UTF-8 text",
                    );
                }
                if !bytes.windows(5).any(|w| w == b"data:") {
                    push(
                        &fixture.body,
                        "no `data:` line: not an event stream".into(),
                        "save the raw text/event-stream body, `data: {...}` events separated by blank lines",
                    );
                }
                if let Some(first) = bodies.get(&bytes) {
                    push(
                        &fixture.body,
                        format!("same transcript as {}", first.display()),
                        "remove one of the two, or change it to show something the other does not",
                    );
                } else {
                    bodies.insert(bytes, fixture.body.clone());
                }
            }
            Ok(bytes) => {
                if let Err(bad) = crate::json::parse(&bytes) {
                    let err = FixtureError::BadBody { path: fixture.body.clone(), bad };
                    push(
                        &fixture.body,
                        err.to_string(),
                        "save the body as one well-formed UTF-8 JSON document",
                    );
                }
                if let Some(first) = bodies.get(&bytes) {
                    push(
                        &fixture.body,
                        format!("same body as {}", first.display()),
                        "remove one of the two, or change it to show something the other does not",
                    );
                } else {
                    bodies.insert(bytes, fixture.body.clone());
                }
            }
            Err(err) => push(&fixture.body, format!("cannot read: {err}"), "make the file readable"),
        }
    }
    problems.sort();
    problems
}

fn is_kebab_case(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_names() {
        assert!(is_kebab_case("tool-calls-parallel"));
        assert!(is_kebab_case("docs-example-2"));
        for bad in ["ToolCalls", "tool_calls", "-x", "x-", "a--b", ""] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }

    #[test]
    fn dates() {
        assert!(is_date("2026-11-24"));
        assert!(!is_date("24.11.2026"));
        assert!(!is_date("2026-1-24"));
    }
}

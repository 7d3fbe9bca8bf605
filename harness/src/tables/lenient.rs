//! The citation a `lenient` row must carry, and the check that the row agrees with it.
//!
//! A row's source is `lenient` when two sources disagree and the table takes the reading
//! that accepts more. That choice is only as good as the facts it rests on, so its
//! Description must name them, one clause per side, each naming the file that says it:
//!
//! ```text
//! Lenient: openai-openapi openapi.yaml `CompletionUsage` says optional, not nullable;
//! openai-python src/openai/types/completion_usage.py says optional, nullable.
//! ```
//!
//! A reading may use the words `required`, `optional`, `nullable`, `not nullable` and
//! `any string` (outside backticks); those are checked against the row's own columns: the
//! row must be nullable when a side says `nullable` and must not be when every side that
//! speaks says `not nullable`, likewise optional against `required`, and a plain `*string*`
//! when a side says `any string`. When every side says the same words and nothing else
//! (outside code and parentheses), the sources agree and the row is not lenient (name
//! that source instead). Anything else a reading says is
//! for the reader: free text, code in backticks.

use super::{RawRef, Scalar};

/// The word that opens the citation in a lenient row's Description.
pub const MARKER: &str = "Lenient:";

/// One side of a lenient choice: the source named and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// Who says it: an SDK or spec, with the file (`openai-python src/openai/types/completion_usage.py`).
    pub source: String,
    /// What it says (free text; the checked words are in [`Side::facts`]).
    pub reading: String,
    pub facts: Facts,
}

/// The checked words of one reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// `Some(true)` for `nullable`, `Some(false)` for `not nullable`.
    pub nullable: Option<bool>,
    /// `Some(true)` for `required`, `Some(false)` for `optional`.
    pub required: Option<bool>,
    /// `any string`: a plain string with no enum.
    pub any_string: bool,
}

impl Facts {
    fn is_empty(self) -> bool {
        self == Facts::default()
    }
}

/// Why a lenient row fails its check; the message names what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LenientError {
    #[error("a lenient row must cite its sources (`{MARKER} A says ...; B says ...`), and this one has no `{MARKER}`")]
    Uncited,
    #[error("the citation names {0} side(s); a lenient choice has at least two (`A says ...; B says ...`)")]
    OneSided(usize),
    #[error("`{0}` is not `SOURCE says READING`")]
    NoSays(String),
    #[error("`{0}` names no file the fact is read from (e.g. `src/models/components/x.ts`, `openapi.json`)")]
    NoFile(String),
    #[error("the row contradicts its sources: {0}")]
    Contradicts(String),
    #[error("every source cited says the same ({0}), so the row is not lenient")]
    Agree(String),
}

/// The sides a Description cites after [`MARKER`], up to the end of that sentence.
pub fn citation(description: &str) -> Result<Vec<Side>, LenientError> {
    let start = description.find(MARKER).ok_or(LenientError::Uncited)? + MARKER.len();
    let text = sentence(&description[start..]);
    let clauses = split_outside_code(text, ';');
    let mut sides = Vec::new();
    for clause in clauses.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        let Some(at) = find_outside_code(clause, " says ") else {
            return Err(LenientError::NoSays(clause.to_string()));
        };
        let (source, reading) = (clause[..at].trim(), clause[at + " says ".len()..].trim());
        if !names_a_file(source) {
            return Err(LenientError::NoFile(source.to_string()));
        }
        sides.push(Side { source: source.to_string(), reading: reading.to_string(), facts: facts(reading) });
    }
    if sides.len() < 2 {
        return Err(LenientError::OneSided(sides.len()));
    }
    Ok(sides)
}

/// Checks a lenient row: its citation, and its columns against what the sides say.
pub(super) fn check(
    description: Option<&str>,
    ty: &RawRef,
    required: bool,
    nullable: bool,
) -> Result<(), LenientError> {
    let sides = citation(description.unwrap_or(""))?;
    let who = |pick: &dyn Fn(&Facts) -> bool| {
        sides.iter().filter(|s| pick(&s.facts)).map(|s| s.source.as_str()).collect::<Vec<_>>().join(", ")
    };
    let says_null = sides.iter().any(|s| s.facts.nullable == Some(true));
    let says_not_null = sides.iter().any(|s| s.facts.nullable == Some(false));
    if says_null && !nullable {
        let by = who(&|f| f.nullable == Some(true));
        return Err(LenientError::Contradicts(format!("{by} says nullable, the row is not")));
    }
    if nullable && says_not_null && !says_null {
        return Err(LenientError::Contradicts(
            "every source cited says not nullable, the row is nullable".into(),
        ));
    }
    let says_optional = sides.iter().any(|s| s.facts.required == Some(false));
    let says_required = sides.iter().any(|s| s.facts.required == Some(true));
    if says_optional && required {
        let by = who(&|f| f.required == Some(false));
        return Err(LenientError::Contradicts(format!("{by} says optional, the row is required")));
    }
    if !required && says_required && !says_optional {
        return Err(LenientError::Contradicts(
            "every source cited says required, the row is optional".into(),
        ));
    }
    if sides.iter().any(|s| s.facts.any_string) && *ty != RawRef::Scalar(Scalar::String) {
        let by = who(&|f| f.any_string);
        return Err(LenientError::Contradicts(format!("{by} says any string, the row's type is narrower")));
    }
    let first = sides[0].facts;
    if !first.is_empty() && sides.iter().all(|s| s.facts == first && says_nothing_else(&s.reading)) {
        return Err(LenientError::Agree(describe(first)));
    }
    Ok(())
}

fn describe(facts: Facts) -> String {
    let mut words = Vec::new();
    match facts.required {
        Some(true) => words.push("required"),
        Some(false) => words.push("optional"),
        None => {}
    }
    match facts.nullable {
        Some(true) => words.push("nullable"),
        Some(false) => words.push("not nullable"),
        None => {}
    }
    if facts.any_string {
        words.push("any string");
    }
    words.join(", ")
}

/// Whether a reading says only checked words: its prose outside backticks and parentheses
/// (where the code and the reasons go) has nothing else but `and`.
fn says_nothing_else(reading: &str) -> bool {
    let mut prose = String::new();
    let (mut code, mut depth) = (false, 0usize);
    for c in reading.chars() {
        match c {
            '`' => code = !code,
            '(' if !code => depth += 1,
            ')' if !code => depth = depth.saturating_sub(1),
            c if !code && depth == 0 => prose.push(c),
            _ => {}
        }
    }
    prose.split(|c: char| !(c.is_alphanumeric() || c == '-')).filter(|w| !w.is_empty()).all(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "required" | "optional" | "nullable" | "not" | "any" | "string" | "and"
        )
    })
}

/// The checked words of a reading, outside backticks.
fn facts(reading: &str) -> Facts {
    let prose: String = reading.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let words: Vec<String> = prose
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out = Facts::default();
    for (i, word) in words.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| words[p].as_str());
        match word.as_str() {
            "nullable" => out.nullable = Some(prev != Some("not")),
            "required" => out.required = Some(true),
            "optional" => out.required = Some(false),
            "string" if prev == Some("any") => out.any_string = true,
            _ => {}
        }
    }
    out
}

/// A source names a file: a path with `/`, or a name with a file extension.
fn names_a_file(source: &str) -> bool {
    const EXTENSIONS: [&str; 8] = [".ts", ".py", ".json", ".yaml", ".yml", ".md", ".rs", ".go"];
    source.split(|c: char| c.is_whitespace() || c == '`' || c == '(' || c == ')' || c == ',').any(|token| {
        (token.contains('/') && token.len() > 1) || EXTENSIONS.iter().any(|ext| token.ends_with(ext))
    })
}

/// `text` up to the end of its first sentence: a `.` followed by white space or the end,
/// outside backticks (so `x.ts`, `1.3.0` and `` `a. b` `` do not end it).
fn sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    let mut code = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => code = !code,
            b'.' if !code && bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace) => return &text[..i],
            _ => {}
        }
    }
    text
}

fn split_outside_code(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut code, mut start) = (false, 0);
    for (i, c) in text.char_indices() {
        if c == '`' {
            code = !code;
        } else if c == sep && !code {
            parts.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&text[start..]);
    parts
}

fn find_outside_code(text: &str, needle: &str) -> Option<usize> {
    let mut code = false;
    for (i, c) in text.char_indices() {
        if c == '`' {
            code = !code;
        } else if !code && text[i..].starts_with(needle) {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRING: RawRef = RawRef::Scalar(Scalar::String);

    fn run(description: &str, required: bool, nullable: bool) -> Result<(), LenientError> {
        check(Some(description), &STRING, required, nullable)
    }

    #[test]
    fn a_cited_more_accepting_choice_passes() {
        let d = "Token counts. Lenient: openai-openapi openapi.yaml `CompletionUsage` says optional, not \
                 nullable; openai-python src/openai/types/completion_usage.py says optional, nullable \
                 (`Optional[X] = None`). More text after it.";
        assert_eq!(run(d, false, true), Ok(()));
        let sides = citation(d).unwrap();
        assert_eq!(sides.len(), 2);
        assert_eq!(sides[0].source, "openai-openapi openapi.yaml `CompletionUsage`");
        assert_eq!(sides[1].facts, Facts { nullable: Some(true), required: Some(false), any_string: false });
    }

    #[test]
    fn a_row_without_a_citation_fails() {
        assert_eq!(run("The SDK rejects null, the spec allows it.", false, true), Err(LenientError::Uncited));
        assert_eq!(check(None, &STRING, false, true), Err(LenientError::Uncited));
    }

    #[test]
    fn one_side_or_no_file_is_not_a_citation() {
        assert_eq!(run("Lenient: src/x.ts says nullable.", false, true), Err(LenientError::OneSided(1)));
        assert!(matches!(
            run("Lenient: the SDK says nullable; the spec says not nullable.", false, true),
            Err(LenientError::NoFile(source)) if source == "the SDK"
        ));
        assert!(matches!(
            run("Lenient: src/x.ts nullable; openapi.json says not nullable.", false, true),
            Err(LenientError::NoSays(_))
        ));
    }

    #[test]
    fn a_row_that_contradicts_its_sources_fails() {
        // Both sides not nullable, the row nullable: the NeosantaraAI `userTotalUsage` mistake.
        let both_not = "Lenient: nusaai src/models/components/metadata.ts says optional, not nullable; \
                        openapi.json says optional, not nullable (`nullable` beside `$ref` is ignored).";
        assert!(matches!(run(both_not, false, true), Err(LenientError::Contradicts(_))));
        // ...and when the row follows them, the sources agree: not lenient.
        assert_eq!(run(both_not, false, false), Err(LenientError::Agree("optional, not nullable".into())));
        let one_null = "Lenient: a/x.ts says not nullable; openapi.json says nullable.";
        assert!(
            matches!(run(one_null, false, false), Err(LenientError::Contradicts(m)) if m.contains("openapi.json"))
        );
        // Same checked words, but one side says more (a narrower type): still two readings.
        let wider = "Lenient: v1 src/a.ts says optional, nullable, a string only; v2 src/a.ts says optional, nullable.";
        assert_eq!(run(wider, false, true), Ok(()));
        let optional = "Lenient: openapi.yaml says required, nullable; sdk/m.py says optional, nullable.";
        assert_eq!(run(optional, false, true), Ok(()));
        assert!(matches!(run(optional, true, true), Err(LenientError::Contradicts(_))));
        let both_required = "Lenient: openapi.yaml says required; sdk/m.py says required, `x`.";
        assert!(matches!(run(both_required, false, false), Err(LenientError::Contradicts(_))));
    }

    #[test]
    fn any_string_needs_a_plain_string() {
        let d =
            "Lenient: docs/models/x.md says only `function`; src/models/x.ts says any string (`z.string()`).";
        assert_eq!(run(d, true, false), Ok(()));
        let link = RawRef::Link { name: "Kind".into(), target: "kind.md".into() };
        assert!(matches!(check(Some(d), &link, true, false), Err(LenientError::Contradicts(_))));
    }

    #[test]
    fn words_in_backticks_and_dotted_names_are_not_read() {
        // `OptionalNullable` in code is not the word `nullable`; `x.ts` and `1.3.0` do not end the sentence.
        let d = "Lenient: sdk 1.1.0 src/a.ts says `OptionalNullable[int]`; sdk 1.3.0 src/a.ts says nullable.";
        let sides = citation(d).unwrap();
        assert_eq!(sides[0].facts, Facts::default());
        assert_eq!(sides[1].facts.nullable, Some(true));
        assert_eq!(sides[1].source, "sdk 1.3.0 src/a.ts");
    }
}

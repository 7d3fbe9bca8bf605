//! Secret-shaped and personal strings, by rule: the one list that `chatcompat import` redacts with
//! and `chatcompat lint` refuses.
//!
//! A rule is a shape, not a guess at meaning: an API key in one provider's published format, a
//! bearer token, an e-mail address, an OpenAI organisation or project id. Shapes come from the
//! providers' key formats as secret scanners document them (gitleaks, mongodb/kingfisher rules):
//! OpenAI `sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-`, `sk-None-` (DeepSeek's `sk-` + 32 hex
//! falls under the same rule); OpenRouter `sk-or-v1-`; Anthropic `sk-ant-api03-` and
//! `sk-ant-admin01-`; Groq `gsk_`; xAI `xai-`; Google `AIza`; Hugging Face `hf_`; Fireworks
//! `fw_`; Together `tgp_v1_`; Perplexity `pplx-`; Cerebras `csk-`; NVIDIA `nvapi-`; Replicate
//! `r8_`. Mistral, Cohere, Azure OpenAI and Together's older keys have no prefix (32 to 64 letters
//! and digits, the same shape as a response id), so only their context finds them: an
//! `Authorization: Bearer` value or an `api_key`/`api-key`/`x-api-key` field (`api-key-field`).
//!
//! A match replaces the secret's bytes with `<redacted:RULE>`, which no rule matches again, so a
//! redacted body passes the lint. Addresses at the reserved example domains (RFC 2606: `example.com`,
//! `.org`, `.net`, `*.example`, `*.test`, `*.invalid`) are not personal and stay.

use std::sync::OnceLock;

use regex::bytes::Regex;

/// One redaction rule: its stable name (written into sidecars) and its shape.
#[derive(Debug)]
pub struct Rule {
    pub name: &'static str,
    /// What it finds, in a few words.
    pub what: &'static str,
    regex: Regex,
    /// Which capture group is the secret (0: the whole match).
    group: usize,
    /// The secret must contain at least this many ASCII digits (keys do; words and paths rarely).
    min_digits: usize,
}

/// A secret-shaped string found in a text: its rule and byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    /// Byte offset of the secret's first byte.
    pub offset: usize,
    /// Length of the secret in bytes.
    pub length: usize,
}

/// The text that replaces a secret found by `rule`.
pub fn placeholder(rule: &str) -> String {
    format!("<redacted:{rule}>")
}

/// Every rule, in the order they are tried (a more specific prefix before a more general one).
pub fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let rule = |name, what, pattern: &str, group, min_digits| Rule {
            name,
            what,
            regex: Regex::new(pattern).unwrap_or_else(|err| unreachable!("rule {name}: {err}")),
            group,
            min_digits,
        };
        vec![
            rule("openrouter-key", "OpenRouter API key", r"sk-or-v1-[0-9A-Za-z]{32,}", 0, 2),
            rule(
                "anthropic-key",
                "Anthropic API key",
                r"sk-ant-[a-z]{3,6}[0-9]{0,4}-[A-Za-z0-9_-]{32,}",
                0,
                2,
            ),
            rule(
                "openai-key",
                "OpenAI-style API key (OpenAI, DeepSeek, ...)",
                r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}",
                0,
                2,
            ),
            rule("groq-key", "Groq API key", r"gsk_[A-Za-z0-9]{20,}", 0, 2),
            rule("xai-key", "xAI API key", r"xai-[A-Za-z0-9_]{40,}", 0, 2),
            rule("google-api-key", "Google API key", r"AIza[0-9A-Za-z_-]{35,}", 0, 1),
            rule("huggingface-token", "Hugging Face token", r"(?:hf_|api_org_)[A-Za-z0-9]{30,}", 0, 0),
            rule("fireworks-key", "Fireworks API key", r"fw_[A-Za-z0-9]{20,}", 0, 2),
            rule("together-key", "Together API key", r"tgp_v1_[A-Za-z0-9_-]{30,}", 0, 2),
            rule("perplexity-key", "Perplexity API key", r"pplx-[A-Za-z0-9]{40,}", 0, 2),
            rule("cerebras-key", "Cerebras API key", r"csk-[a-z0-9]{40,}", 0, 2),
            rule("nvidia-key", "NVIDIA API key", r"nvapi-[A-Za-z0-9_-]{40,}", 0, 2),
            rule("replicate-token", "Replicate API token", r"r8_[A-Za-z0-9]{30,}", 0, 2),
            rule(
                "jwt",
                "JSON Web Token",
                r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
                0,
                0,
            ),
            rule("bearer-token", "bearer token", r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{16,})", 1, 0),
            rule(
                "api-key-field",
                "a key in an api_key / api-key / x-api-key field (Mistral, Cohere, Azure, ...)",
                r#"(?i)\b(?:x-)?api[_-]?key["']?\s*[:=]\s*\[?\s*["']?([A-Za-z0-9_-]{20,})"#,
                1,
                1,
            ),
            rule("openai-org-id", "OpenAI organization id", r"org-[A-Za-z0-9]{20,}", 0, 1),
            rule("openai-project-id", "OpenAI project id", r"proj_[A-Za-z0-9]{20,}", 0, 1),
            rule(
                "email",
                "e-mail address",
                r"[A-Za-z0-9][A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
                0,
                0,
            ),
        ]
    })
}

/// Every secret-shaped string in `text`, in byte order; overlapping matches of later rules are dropped.
pub fn find(text: &[u8]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for rule in rules() {
        for captures in rule.regex.captures_iter(text) {
            let Some(secret) = captures.get(rule.group) else { continue };
            let (start, end) = (secret.start(), secret.end());
            if !starts_a_token(text, start) || !accepts(rule, &captures, &text[start..end]) {
                continue;
            }
            if findings.iter().any(|f| start < f.offset + f.length && f.offset < end) {
                continue;
            }
            findings.push(Finding { rule: rule.name, offset: start, length: end - start });
        }
    }
    findings.sort_by_key(|f| f.offset);
    findings
}

/// `text` with every finding replaced by its placeholder, and the findings with their offsets in the
/// returned text (where each placeholder starts) and their original lengths.
///
/// Replacing can uncover a secret: a later rule's match that overlapped an earlier one is dropped by
/// [`find`], and once the earlier one is a placeholder the rest of it stands alone (`sk-...08-@corp.io`
/// leaves `08-@corp.io`, an address again after the `>`). So it is redacted again until [`find`] finds
/// nothing: what this returns is clean for the lint. Each pass only shrinks the text that is not a
/// placeholder, and a pass uncovers only what touched the previous pass's replacements.
pub fn redact(text: &[u8]) -> (Vec<u8>, Vec<Finding>) {
    let (mut out, mut placed) = redact_once(text, find(text));
    loop {
        let more = find(&out);
        if more.is_empty() {
            return (out, placed);
        }
        // No rule matches inside a placeholder, so the new findings lie between the earlier ones:
        // shift each earlier placeholder by what the new replacements before it add.
        for earlier in &mut placed {
            let shift: isize = more
                .iter()
                .filter(|f| f.offset < earlier.offset)
                .map(|f| placeholder(f.rule).len() as isize - f.length as isize)
                .sum();
            earlier.offset = earlier.offset.saturating_add_signed(shift);
        }
        let (next, found) = redact_once(&out, more);
        out = next;
        placed.extend(found);
        placed.sort_by_key(|f| f.offset);
    }
}

/// `text` with each of `findings` (sorted, not overlapping) replaced by its placeholder.
fn redact_once(text: &[u8], findings: Vec<Finding>) -> (Vec<u8>, Vec<Finding>) {
    let mut out = Vec::with_capacity(text.len());
    let mut placed = Vec::with_capacity(findings.len());
    let mut at = 0;
    for finding in findings {
        out.extend_from_slice(&text[at..finding.offset]);
        placed.push(Finding { rule: finding.rule, offset: out.len(), length: finding.length });
        out.extend_from_slice(placeholder(finding.rule).as_bytes());
        at = finding.offset + finding.length;
    }
    out.extend_from_slice(&text[at..]);
    (out, placed)
}

/// A key begins a token: not glued to a word before it (`task-...` is no `sk-` key), except after
/// a JSON or C escape such as `\n`.
fn starts_a_token(text: &[u8], start: usize) -> bool {
    match start.checked_sub(1).map(|i| text[i]) {
        Some(b) if b.is_ascii_alphanumeric() => {
            matches!(b, b'n' | b't' | b'r') && start >= 2 && text[start - 2] == b'\\'
        }
        _ => true,
    }
}

fn accepts(rule: &Rule, captures: &regex::bytes::Captures<'_>, secret: &[u8]) -> bool {
    if secret.iter().filter(|b| b.is_ascii_digit()).count() < rule.min_digits {
        return false;
    }
    if rule.name == "email" {
        let domain = captures.get(1).map_or(&b""[..], |m| m.as_bytes()).to_ascii_lowercase();
        let reserved = [&b"example.com"[..], b"example.org", b"example.net"];
        let reserved_tld = [&b".example"[..], b".test", b".invalid", b".localhost"];
        if reserved.iter().any(|d| domain == *d || domain.ends_with(&[b".", *d].concat()))
            || reserved_tld.iter().any(|tld| domain.ends_with(tld))
        {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_found(text: &str) -> Vec<&'static str> {
        find(text.as_bytes()).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn each_shape_is_found_by_its_own_rule() {
        let cases = [
            ("sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "openrouter-key"),
            (
                "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AA",
                "anthropic-key",
            ),
            ("sk-proj-AbCdEf0123456789_-GhIjKlMnOpQrStUvWx9876", "openai-key"),
            ("sk-AbCdEfGhIjKlMnOpQrStT3BlbkFJ0123456789AbCdEfGhIj", "openai-key"),
            ("gsk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMn", "groq-key"),
            ("xai-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWxYz0123456789Ab", "xai-key"),
            ("AIzaSyAbCdEfGhIjKlMnOpQrStUvWxYz0123456", "google-api-key"),
            ("hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "huggingface-token"),
            ("fw_AbCdEfGhIjKl0123456789Mn", "fireworks-key"),
            ("tgp_v1_AbCdEfGhIjKlMnOp0123456789_QrStUvWxYz-AbCdE", "together-key"),
            ("Authorization: Bearer abcdefghijklmnop0123", "bearer-token"),
            ("api_key=AbCdEfGhIjKlMnOp0123456789AbCdEf", "api-key-field"),
            ("\"organization\": \"org-AbCdEfGhIjKlMnOpQrStUv12\"", "openai-org-id"),
            ("proj_AbCdEfGhIjKlMnOpQrStUv12", "openai-project-id"),
            ("write to jane.doe@corp-mail.co.uk today", "email"),
        ];
        for (text, rule) in cases {
            assert_eq!(rules_found(text), [rule], "{text}");
        }
    }

    #[test]
    fn words_ids_and_example_addresses_are_not_secrets() {
        for text in [
            "a task-management-system-for-everyone",
            "chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012",
            "\"id\": \"gen-1727890000-AbCdEfGhIjKlMnOpQrSt\"",
            "mail me at someone@example.com or x@mail.example",
            "the risk-averse organisation-wide approach",
            "<redacted:openai-key> and <redacted:email>",
        ] {
            assert_eq!(rules_found(text), Vec::<&str>::new(), "{text}");
        }
    }

    #[test]
    fn a_key_after_a_json_escape_is_found() {
        assert_eq!(rules_found(r#""key:\nsk-proj-AbCdEf0123456789_-GhIjKlMn""#), ["openai-key"]);
    }

    #[test]
    fn redaction_keeps_every_other_byte_and_places_offsets_in_the_output() {
        let text = br#"{"a":"x sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef","b":"c@corp.io"}"#;
        let (out, placed) = redact(text);
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            r#"{"a":"x <redacted:openrouter-key>","b":"<redacted:email>"}"#
        );
        assert_eq!(placed[0], Finding { rule: "openrouter-key", offset: 8, length: 57 });
        assert_eq!(&out[placed[1].offset..placed[1].offset + 16], b"<redacted:email>");
        assert!(find(&out).is_empty());
    }

    /// Found by `fuzz/` (target `import`): the e-mail rule's match overlapped an OpenAI key and was
    /// dropped, and once the key was a placeholder the address stood alone: an imported body kept it.
    #[test]
    fn what_a_replacement_uncovers_is_redacted_too() {
        let text = b"key sk-AbCdEfGhIjKlMnOpQr0123456789.jane@corp-mail.io and b@corp.io";
        let (out, placed) = redact(text);
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "key <redacted:openai-key>.<redacted:email> and <redacted:email>"
        );
        assert!(find(&out).is_empty());
        let rules: Vec<_> = placed.iter().map(|f| f.rule).collect();
        assert_eq!(rules, ["openai-key", "email", "email"]);
        assert_eq!(placed.iter().map(|f| f.length).collect::<Vec<_>>(), [31, 17, 9]);
        for finding in &placed {
            let shown = placeholder(finding.rule);
            assert_eq!(&out[finding.offset..finding.offset + shown.len()], shown.as_bytes(), "{finding:?}");
        }
    }
}

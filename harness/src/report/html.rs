//! Renders a [`Report`] as one self-contained HTML page (`reports/index.html`).
//!
//! No scripts and no external assets: it works from `file://` and any static
//! host, and cannot log a console error. Every value from a fixture or a table
//! goes through [`escape`]; links only ever point at anchors built from
//! provider ids, never at text taken from a fixture.

use std::fmt::Write as _;

use super::{column_ids, markdown::facts_text, row, row_ids, Cell, Report};

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    out.push_str(HEAD);
    let _ = writeln!(out, "<h1>chatcompat compatibility report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"meta\">chatcompat {} · corpus as of {} · report format {}</p>",
        escape(&report.chatcompat_version),
        escape(&report.corpus_date),
        report.format
    );
    matrix(report, &mut out);
    sdk(report, &mut out);
    details(report, &mut out);
    coverage(report, &mut out);
    fields(report, &mut out);
    corpus(report, &mut out);
    streams(report, &mut out);
    deviations(report, &mut out);
    roundtrip(report, &mut out);
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

const HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chatcompat compatibility report</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1f24; background: #fff; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; }
.meta, .legend { color: #57606a; font-size: .9rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.cell { text-align: center; white-space: nowrap; }
td.cell a { color: inherit; text-decoration: none; display: block; }
.all { background: #dafbe1; } .some { background: #fff8c5; } .none { background: #ffebe9; } .empty { background: #f6f8fa; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; word-break: break-all; }
details { margin: .25rem 0; } summary { cursor: pointer; }
ul { padding-left: 1.2rem; }
</style>
</head>
<body>
<main>
"#;

fn matrix(report: &Report, out: &mut String) {
    let columns = column_ids(report);
    let _ = writeln!(
        out,
        "<h2 id=\"matrix\">Can a client for the column's provider read the row's responses?</h2>"
    );
    let _ = writeln!(
        out,
        "<p class=\"legend\">Rows: the provider whose valid fixtures are checked. Columns: the schema they are checked \
         against. A cell: fixtures accepted / checked; green all, yellow some, red none. Select a cell for the detail.</p>"
    );
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table id=\"compat\">\n<thead><tr><th>fixtures ↓ / schema →</th>"
    );
    for column in &columns {
        let _ = write!(out, "<th>{}</th>", escape(column));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for row_id in row_ids(report) {
        let _ = write!(out, "<tr><th>{}</th>", escape(row_id));
        for cell in row(report, row_id) {
            let accepted = cell.conforms + cell.conforms_with_extensions;
            let class = match (accepted, cell.total) {
                (_, 0) => "empty",
                (a, t) if a == t => "all",
                (0, _) => "none",
                _ => "some",
            };
            let _ = write!(
                out,
                "<td class=\"cell {class}\"><a href=\"#{}\">{accepted}/{}</a></td>",
                anchor(cell),
                cell.total
            );
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

fn details(report: &Report, out: &mut String) {
    let _ = writeln!(out, "<h2 id=\"details\">Cells in detail</h2>");
    for cell in &report.matrix {
        let _ = writeln!(
            out,
            "<section id=\"{}\"><h3>{} fixtures → {} schema</h3>\n<p>{} checked: {} conform, {} conform with extensions, {} violate.</p>",
            anchor(cell),
            escape(&cell.fixtures),
            escape(&cell.schema),
            cell.total,
            cell.conforms,
            cell.conforms_with_extensions,
            cell.violates
        );
        for (title, groups) in
            [("What stops them", &cell.blocking), ("Undocumented fields", &cell.extensions)]
        {
            if groups.is_empty() {
                continue;
            }
            let _ = writeln!(out, "<p>{title}:</p><ul>");
            for group in groups {
                let pointer = if group.pointer.is_empty() { "(root)" } else { &group.pointer };
                let _ = writeln!(
                    out,
                    "<li><details><summary><code>{}</code> {}: {} fixture(s)</summary><ul>{}</ul></details></li>",
                    escape(pointer),
                    escape(&group.keyword),
                    group.fixtures.len(),
                    group.fixtures.iter().map(|f| format!("<li><code>{}</code></li>", escape(f))).collect::<String>()
                );
            }
            let _ = writeln!(out, "</ul>");
        }
        let _ = writeln!(out, "<p><a href=\"#matrix\">back to the matrix</a></p></section>");
    }
}

fn coverage(report: &Report, out: &mut String) {
    let _ = writeln!(out, "<h2 id=\"coverage\">Coverage</h2>");
    let _ = writeln!(
        out,
        "<p class=\"legend\">How much of each provider's own contract its valid fixtures exercise: documented paths \
         present, optional ones absent, nullable ones null, enum values seen.</p>"
    );
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table><thead><tr><th>provider</th><th>own schema accepts</th><th>coverage</th><th>gaps</th><th>undocumented fields seen</th></tr></thead><tbody>"
    );
    for (coverage, observed) in report.coverage.iter().zip(&report.observed) {
        let own =
            report.matrix.iter().find(|c| c.fixtures == coverage.provider && c.schema == coverage.provider);
        let accepted = own
            .map_or("-".to_string(), |c| format!("{}/{}", c.conforms + c.conforms_with_extensions, c.total));
        let list = |items: &[String]| {
            if items.is_empty() {
                "none".to_string()
            } else {
                format!(
                    "<details><summary>{}</summary><ul>{}</ul></details>",
                    items.len(),
                    items.iter().map(|i| format!("<li><code>{}</code></li>", escape(i))).collect::<String>()
                )
            }
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{accepted}</td><td>{}% ({}/{})</td><td>{}</td><td>{}</td></tr>",
            escape(&coverage.provider),
            coverage.percent,
            coverage.covered,
            coverage.items,
            list(&coverage.gaps),
            list(&observed.undocumented)
        );
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

fn fields(report: &Report, out: &mut String) {
    let columns = column_ids(report);
    let _ = writeln!(out, "<h2 id=\"fields\">Fields</h2>");
    let _ = writeln!(
        out,
        "<p class=\"legend\">req: must be present; opt: may be absent; null: accepted; seen n: valid fixtures that show \
         the path. An empty cell: not documented.</p>"
    );
    let _ = write!(out, "<div class=\"scroll\"><table id=\"fields-table\">\n<thead><tr><th>path</th>");
    for column in &columns {
        let _ = write!(out, "<th>{}</th>", escape(column));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for row in &report.fields {
        let _ = write!(out, "<tr><td><code>{}</code></td>", escape(&row.path));
        for column in &columns {
            // facts_text is Markdown-escaped; undo that before HTML-escaping.
            let text = row.providers.get(*column).map(facts_text).unwrap_or_default();
            let plain =
                text.replace("\\|", "|").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
            let _ = write!(out, "<td>{}</td>", escape(&plain));
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

fn corpus(report: &Report, out: &mut String) {
    let _ = writeln!(out, "<h2 id=\"corpus\">Corpus</h2>\n<div class=\"scroll\"><table>");
    let _ = writeln!(out, "<thead><tr><th>provider</th><th>valid</th><th>invalid</th><th>failing trials</th></tr></thead><tbody>");
    for row in &report.corpus {
        let total = |counts: &std::collections::BTreeMap<crate::corpus::Origin, usize>| {
            counts.values().sum::<usize>()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.provider),
            total(&row.valid),
            total(&row.invalid),
            row.failing.len()
        );
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

fn streams(report: &Report, out: &mut String) {
    let streaming = &report.streaming;
    let _ = writeln!(out, "<h2 id=\"streams\">Streams</h2>");
    let _ = writeln!(
        out,
        "<p class=\"legend\">Can a client for the column's provider read the row's streamed responses? Each valid \
         transcript is read with the column's conventions, checked chunk by chunk, by the sequence rules, and \
         reassembled against the column's response schema. n/a: the column's provider documents no streaming.</p>"
    );
    if !streaming.matrix.is_empty() {
        let _ = write!(out, "<div class=\"scroll\"><table id=\"streams-table\">\n<thead><tr><th>transcripts ↓ / stream schema →</th>");
        for provider in &streaming.providers {
            let _ = write!(out, "<th>{}</th>", escape(&provider.id));
        }
        let _ = writeln!(out, "</tr></thead>\n<tbody>");
        for row in &streaming.corpus {
            let _ = write!(out, "<tr><th>{}</th>", escape(&row.provider));
            for cell in super::streams::row(streaming, &row.provider) {
                if !cell.supported {
                    let _ = write!(out, "<td class=\"cell empty\">n/a</td>");
                    continue;
                }
                let accepted = cell.conforms + cell.conforms_with_extensions;
                let class = match (accepted, cell.total) {
                    (_, 0) => "empty",
                    (a, t) if a == t => "all",
                    (0, _) => "none",
                    _ => "some",
                };
                let title: Vec<String> = cell
                    .blocking
                    .iter()
                    .map(|g| format!("{} {} {}: {}", g.scope, g.pointer, g.name, g.transcripts.len()))
                    .collect();
                let _ = write!(
                    out,
                    "<td class=\"cell {class}\" title=\"{}\">{accepted}/{}</td>",
                    escape(&title.join("; ")),
                    cell.total
                );
            }
            let _ = writeln!(out, "</tr>");
        }
        let _ = writeln!(out, "</tbody></table></div>");
        for cell in streaming.matrix.iter().filter(|c| !c.blocking.is_empty()) {
            let items: String = cell
                .blocking
                .iter()
                .map(|g| {
                    format!(
                        "<li>{} <code>{}</code> {}: {} transcript(s)</li>",
                        escape(&g.scope),
                        escape(&g.pointer),
                        escape(&g.name),
                        g.transcripts.len()
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "<details><summary>{} transcripts → {} stream schema ({} of {} accepted)</summary><ul>{items}</ul></details>",
                escape(&cell.transcripts),
                escape(&cell.schema),
                cell.conforms + cell.conforms_with_extensions,
                cell.total
            );
        }
    }
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table><thead><tr><th>provider</th><th>streaming</th><th>valid transcripts</th>\
         <th>invalid transcripts</th><th>failing trials</th></tr></thead><tbody>"
    );
    for row in super::streams::support_rows(streaming) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(row.provider),
            escape(&row.support.replace('`', "")),
            row.valid,
            row.invalid,
            row.failing
        );
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

/// The anchor of a cell's detail section, from provider ids only (slugged).
fn anchor(cell: &Cell) -> String {
    let slug =
        |s: &str| s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>();
    format!("cell-{}-{}", slug(&cell.fixtures), slug(&cell.schema))
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn deviations(report: &Report, out: &mut String) {
    let known: Vec<&String> =
        report.corpus.iter().chain(&report.streaming.corpus).flat_map(|row| &row.expected_failures).collect();
    if known.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<h2 id=\"deviations\">Known provider deviations</h2>\n<p class=\"legend\">Valid fixtures that show what a \
         provider really sends where it breaks its own SDK's types; each is an expected failure, with its reason in \
         <code>fixtures/chatcompat-expectations.toml</code>.</p>\n<ul>{}</ul>",
        known.iter().map(|id| format!("<li><code>{}</code></li>", escape(id))).collect::<String>()
    );
}

fn roundtrip(report: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "<h2 id=\"roundtrip\">Round trips and strictness</h2>\n<p>{}</p>",
        escape(&report.roundtrip.note)
    );
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table><thead><tr><th>provider</th><th>fixtures lossless</th><th>generated valid</th>\
         <th>generated lossless</th><th>rules enforced</th><th>findings</th></tr></thead><tbody>"
    );
    for row in &report.roundtrip.providers {
        let findings: String = row
            .fixture_failures
            .iter()
            .chain(&row.findings)
            .map(|f| format!("<li><code>{}</code></li>", escape(f)))
            .collect();
        let findings = if findings.is_empty() { "none".to_string() } else { format!("<ul>{findings}</ul>") };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}/{}</td><td>{}/{}</td><td>{}/{}</td><td>{}/{}</td><td>{findings}</td></tr>",
            escape(&row.provider),
            row.fixtures_lossless,
            row.fixtures,
            row.generated_valid,
            row.generated,
            row.generated_lossless,
            row.generated,
            row.rules_exercised.saturating_sub(row.findings.len()),
            row.rules
        );
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

/// By the SDKs: the clients and their versions, the by-SDK matrix, and agreement with `check` per provider.
fn sdk(report: &Report, out: &mut String) {
    use super::sdk::{agreement_text, cell, cell_text};
    let evidence = &report.sdk;
    let _ = writeln!(out, "<h2 id=\"sdk\">By the SDKs' own parsers</h2>");
    if !evidence.available {
        let _ = writeln!(out, "<p>No SDK oracle results (<code>reports/oracles.jsonl</code>).</p>");
        return;
    }
    let _ = writeln!(out, "<p class=\"legend\">{}</p>", inline_code(&evidence.note));
    let class_of = |c: &crate::oracle::SdkCell| match c {
        c if c.bodies_total + c.transcripts_total == 0 => "empty",
        c if c.bodies_accepted == c.bodies_total && c.transcripts_accepted == c.transcripts_total => "all",
        c if c.bodies_accepted + c.transcripts_accepted == 0 => "none",
        _ => "some",
    };
    let _ = writeln!(
        out,
        "<p class=\"legend\">By B's SDK: the row's valid fixtures that the column provider's own SDK reads.</p>\n\
         <div class=\"scroll\"><table>\n<thead><tr><th>fixtures ↓ / provider's SDK →</th>"
    );
    let columns = column_ids(report);
    for column in &columns {
        let _ = write!(out, "<th>{}</th>", escape(column));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for row_id in row_ids(report) {
        let _ = write!(out, "<tr><th>{}</th>", escape(row_id));
        for column in &columns {
            match super::sdk::own(evidence, column).and_then(|client| cell(evidence, row_id, client)) {
                Some(c) => {
                    let _ = write!(out, "<td class=\"cell {}\">{}</td>", class_of(c), escape(&cell_text(c)));
                }
                None => {
                    let _ = write!(out, "<td class=\"cell empty\">–</td>");
                }
            }
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table></div>\n<p class=\"legend\">Every client, own SDK or not:</p>");
    let _ = writeln!(out, "<div class=\"scroll\"><table>\n<thead><tr><th>fixtures ↓ / client →</th>");
    for client in &evidence.clients {
        let serves = if client.serves.is_empty() {
            String::new()
        } else {
            format!("<br>own SDK of {}", escape(&client.serves.join(", ")))
        };
        let _ = write!(out, "<th>{} {}{serves}</th>", escape(&client.label), escape(&client.version));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for row_id in row_ids(report) {
        let _ = write!(out, "<tr><th>{}</th>", escape(row_id));
        for client in &evidence.clients {
            let (class, text) = match cell(evidence, row_id, client) {
                Some(c) => (class_of(c), cell_text(c)),
                None => ("empty", "–".to_string()),
            };
            let _ = write!(out, "<td class=\"cell {class}\">{}</td>", escape(&text));
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table></div>");
    let _ = writeln!(out, "<h3>Agreement of <code>check</code> with each provider's own SDK</h3>");
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table>\n<thead><tr><th>provider</th><th>own SDK</th><th>files</th><th>agree</th>\
         <th>waived</th><th>disagree</th><th>not run</th><th>agreement</th></tr></thead>\n<tbody>"
    );
    for row in &evidence.agreement {
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&row.provider),
            escape(&row.label),
            escape(&row.version),
            row.total,
            row.agree,
            row.waived,
            row.disagree,
            row.not_run,
            agreement_text(row)
        );
    }
    let _ = writeln!(out, "</tbody></table></div>");
    for row in evidence.agreement.iter().filter(|r| !r.differences.is_empty()) {
        let _ = writeln!(
            out,
            "<details><summary>{}: {} differences with {} {}</summary><ul>",
            escape(&row.provider),
            row.differences.len(),
            escape(&row.label),
            escape(&row.version)
        );
        for difference in &row.differences {
            let said = serde_json::to_value(difference.sdk)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let error = difference
                .error
                .as_deref()
                .map(|e| format!(": <code>{}</code>", escape(e)))
                .unwrap_or_default();
            let reason = difference
                .reason
                .as_deref()
                .map_or_else(|| "<strong>not waived</strong>".to_string(), escape);
            let _ = writeln!(
                out,
                "<li><code>{}</code>: <code>check</code> {}, the SDK {said}{error}. {reason}</li>",
                escape(&difference.file),
                escape(&difference.check)
            );
        }
        let _ = writeln!(out, "</ul></details>");
    }
}

/// Escapes `text` and turns its Markdown code spans (`like this`) into `<code>` elements.
fn inline_code(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("<code>{}</code>", escape(part)) } else { escape(part) })
        .collect()
}

#[cfg(test)]
mod inline_code_tests {
    #[test]
    fn code_spans_become_code_elements_and_the_rest_is_escaped() {
        assert_eq!(super::inline_code("run `a<b>` & c"), "run <code>a&lt;b&gt;</code> &amp; c");
    }
}

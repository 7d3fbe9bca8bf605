//! Renders a [`Report`] as one self-contained HTML page (`reports/index.html`).
//!
//! No scripts and no external assets: it works from `file://` and any static
//! host, and cannot log a console error. Every value from a fixture or a table
//! goes through [`escape`]; links only ever point at anchors built from
//! provider ids, never at text taken from a fixture.

use std::fmt::Write as _;

use std::collections::BTreeMap;

use super::contract::ContractList;
use super::{
    column_ids, has_captured, markdown::facts_text, row, row_ids, source_name, Cell, Counts, Report, Share,
    NO_CAPTURED,
};
use crate::corpus::Origin;

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
    contents(report, &mut out);
    evidence(report, &mut out);
    contract(report, &mut out);
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
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1b1f24; background: #fff; line-height: 1.4; }
main { max-width: 80rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; } h3 { font-size: 1rem; }
.meta, .legend { color: #57606a; font-size: .9rem; max-width: 60rem; }
nav.toc { background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem 1rem; font-size: .9rem; }
nav.toc ol { margin: .3rem 0; padding-left: 1.4rem; columns: 2 16rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
table { border-collapse: collapse; font-size: .85rem; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
tbody th { background: #f6f8fa; position: sticky; left: 0; z-index: 1; }
td.cell { white-space: nowrap; padding: .2rem; }
td.cell a { color: inherit; text-decoration: none; display: block; }
.part { display: block; padding: .1rem .35rem; margin: 1px 0; border-radius: 3px; }
.sym { display: inline-block; width: 1.1em; font-weight: bold; text-align: center; }
.all { background: #c8ecd1; } .most { background: #fff0a8; } .few { background: #ffd3a8; } .none { background: #ffc4c4; }
.empty { background: #f6f8fa; color: #57606a; }
td.own { outline: 3px solid #0550ae; outline-offset: -3px; }
.own-tag { display: block; font-size: .7rem; color: #0550ae; font-weight: bold; padding: 0 .35rem; }
.extra { display: block; font-size: .75rem; color: #57606a; padding: 0 .35rem; }
.waived { display: block; font-size: .75rem; padding: 0 .35rem; color: #6639ba; }
tbody th .label { white-space: nowrap; }
.nocap { display: block; font-weight: normal; font-size: .75rem; color: #9a6700; white-space: nowrap; }
.key span { display: inline-block; padding: 0 .4rem; margin: .1rem; border-radius: 3px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85em; overflow-wrap: break-word; }
th.path { min-width: 18rem; max-width: 26rem; font-weight: normal; }
th.path code { overflow-wrap: normal; }
#fields-table td { min-width: 7rem; }
.kind { display: inline-block; padding: 0 .35rem; border-radius: 3px; font-size: .8rem; font-weight: bold; }
.sev-structure { background: #ffc4c4; } .sev-presence { background: #ffd3a8; } .sev-value { background: #fff0a8; }
ol.incompat li { margin: .4rem 0; }
ol.incompat pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f8fa; padding: .4rem; font-size: .75rem; max-height: 12rem; overflow-y: auto; }
section.pair { border-top: 1px solid #d0d7de; margin-top: 1rem; font-size: .9rem; }
.inline .part { display: inline-block; }
h4 { font-size: .95rem; margin: .6rem 0 .3rem; }
.beside { font-size: .85rem; color: #57606a; }
details { margin: .25rem 0; } summary { cursor: pointer; }
ul { padding-left: 1.2rem; }
li.captured::marker { content: "● "; color: #0550ae; }
@media (max-width: 40rem) {
  main { padding: .5rem; }
  th.path { min-width: 9rem; max-width: 12rem; }
  nav.toc ol { columns: 1; }
}
</style>
</head>
<body>
<main>
"#;

/// The sections of the page, in order: (anchor, title).
fn sections(report: &Report) -> Vec<(&'static str, &'static str)> {
    let mut list = vec![
        ("evidence", "Three kinds of evidence, side by side"),
        ("contract", "By contract: what A may send that B rejects"),
        ("matrix", "By fixtures: can a client for B read A's responses?"),
        ("sdk", "By the SDKs' own parsers"),
        ("details", "Cells in detail"),
        ("coverage", "Coverage"),
        ("fields", "Fields"),
        ("corpus", "Corpus: captured, docs and synthetic fixtures"),
        ("streams", "Streams"),
    ];
    if report.corpus.iter().chain(&report.streaming.corpus).any(|row| !row.expected_failures.is_empty()) {
        list.push(("deviations", "Known provider deviations (waived)"));
    }
    list.push(("roundtrip", "Round trips and strictness"));
    list
}

fn contents(report: &Report, out: &mut String) {
    let _ = writeln!(out, "<nav class=\"toc\" aria-label=\"Contents\"><strong>Contents</strong><ol>");
    for (anchor, title) in sections(report) {
        let _ = writeln!(out, "<li><a href=\"#{anchor}\">{}</a></li>", escape(title));
    }
    let _ = writeln!(out, "</ol></nav>");
}

/// The colour key, with each shade's symbol, so the page reads without colour too.
fn key() -> String {
    let shades = [
        (Share::All, "all"),
        (Share::Most, "most (at least half)"),
        (Share::Few, "few (fewer than half)"),
        (Share::None, "none"),
        (Share::Empty, "nothing checked"),
    ];
    let spans: String = shades
        .iter()
        .map(|(share, words)| format!("<span class=\"{}\">{} {words}</span>", share.class(), share.symbol()))
        .collect();
    format!("<p class=\"legend key\">Accepted: {spans}</p>")
}

/// A row's header cell: its label (a server's on its own line), and the note of a row without captured evidence.
fn row_header(label: &str, captured: bool) -> String {
    let note = if captured { String::new() } else { format!("<span class=\"nocap\">{NO_CAPTURED}</span>") };
    let label = match label.split_once(" · ") {
        Some((provider, server)) => {
            format!(
                "<span class=\"label\">{}</span> <span class=\"label\">· {}</span>",
                escape(provider),
                escape(server)
            )
        }
        None => format!("<span class=\"label\">{}</span>", escape(label)),
    };
    format!("<th scope=\"row\">{label}{note}</th>")
}

/// One coloured line per source with fixtures, captured first: `✓ captured 3/3`.
fn source_parts(sources: &BTreeMap<Origin, Counts>, accepted: usize, total: usize) -> String {
    let mut out = String::new();
    for (origin, counts) in sources.iter().filter(|(_, c)| c.total > 0) {
        out.push_str(&part(
            Share::of(counts.accepted(), counts.total),
            source_name(*origin),
            counts.accepted(),
            counts.total,
        ));
    }
    let known: usize = sources.values().map(|c| c.total).sum();
    if known < total {
        let accepted = accepted.saturating_sub(sources.values().map(Counts::accepted).sum());
        out.push_str(&part(Share::of(accepted, total - known), "no sidecar", accepted, total - known));
    }
    if out.is_empty() {
        out.push_str(&part(Share::Empty, "no fixtures", 0, 0));
    }
    out
}

fn part(share: Share, name: &str, accepted: usize, total: usize) -> String {
    let counts = if total == 0 { String::new() } else { format!(" {accepted}/{total}") };
    format!(
        "<span class=\"part {}\"><span class=\"sym\" aria-hidden=\"true\">{}</span> {name}{counts}</span>",
        share.class(),
        share.symbol()
    )
}

/// Text with a break opportunity after each `/` and `.`, so a long path wraps at its separators only.
fn path(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
        if c == '/' || c == '.' {
            out.push_str("<wbr>");
        }
    }
    out
}

/// The three kinds of evidence in one matrix; each part links to its section's detail.
fn evidence(report: &Report, out: &mut String) {
    let columns = column_ids(report);
    let _ = writeln!(out, "<h2 id=\"evidence\">Three kinds of evidence, side by side</h2>");
    let _ = writeln!(
        out,
        "<p class=\"legend\">Can a client built for the column's provider (B) read the row's responses (A)? Each \
         cell gives three answers: <strong>contract</strong>, what A's contract allows that B's rejects (how \
         many, and the worst kind); <strong>fixtures</strong>, the row's valid fixtures that B's schema accepts, captured \
         first; <strong>SDK</strong>, those B's own SDK client reads (– where B has none). Select a part for \
         its list. The framed cells are each row's own provider.</p>"
    );
    let _ = writeln!(out, "<p class=\"legend key\">Contract: {}</p>", contract_key());
    out.push_str(&key());
    let _ =
        writeln!(out, "<div class=\"scroll\"><table id=\"evidence-table\">\n<thead><tr><th>A ↓ / B →</th>");
    for column in &columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for row_id in row_ids(report) {
        let corpus_row = super::corpus_row(report, row_id);
        let provider = corpus_row.map_or(row_id, |r| r.provider.as_str());
        out.push_str("<tr>");
        out.push_str(&row_header(row_id, corpus_row.is_some_and(has_captured)));
        for cell in row(report, row_id) {
            let own = provider == cell.schema;
            let contract = match super::contract::pair(&report.contract, provider, &cell.schema) {
                Some(pair) => format!(
                    "<a href=\"#{}\">{}</a>",
                    super::contract::anchor(provider, &cell.schema),
                    contract_part("contract", &pair.response)
                ),
                None => part(Share::Empty, if own { "own contract" } else { "contract n/a" }, 0, 0),
            };
            let fixtures = format!(
                "<a href=\"#{}\">{}</a>",
                anchor(cell),
                source_parts(&cell.sources, cell.conforms + cell.conforms_with_extensions, cell.total)
            );
            let sdk = match super::sdk::own(&report.sdk, &cell.schema)
                .and_then(|client| super::sdk::cell(&report.sdk, row_id, client))
            {
                Some(c) if c.bodies_total > 0 => part(
                    Share::of(c.bodies_accepted, c.bodies_total),
                    "SDK",
                    c.bodies_accepted,
                    c.bodies_total,
                ),
                _ => part(Share::Empty, "no SDK", 0, 0),
            };
            let _ = write!(
                out,
                "<td class=\"cell{}\">{contract}{fixtures}{sdk}</td>",
                if own { " own" } else { "" }
            );
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table></div>");
}

/// The share a by-contract list is shown with: ✓ compatible, else by its worst kind's severity.
fn contract_share(list: &ContractList) -> Share {
    super::markdown::contract_share(list)
}

fn contract_key() -> String {
    [
        (Share::All, "compatible"),
        (Share::Most, "worst is a value (enum, integer, format, additional)"),
        (Share::Few, "worst is presence (optional, nullable)"),
        (Share::None, "worst is structure (type, missing, union)"),
    ]
    .iter()
    .map(|(share, words)| format!("<span class=\"{}\">{} {words}</span>", share.class(), share.symbol()))
    .collect()
}

/// `✗ contract 5 · worst type`, coloured by severity.
fn contract_part(name: &str, list: &ContractList) -> String {
    let share = contract_share(list);
    format!(
        "<span class=\"part {}\"><span class=\"sym\" aria-hidden=\"true\">{}</span> {name} {}</span>",
        share.class(),
        share.symbol(),
        escape(&super::contract::list_text(list))
    )
}

/// By contract: the providers' matrix (responses and chunks), then each pair's list with witnesses.
fn contract(report: &Report, out: &mut String) {
    let evidence = &report.contract;
    let _ = writeln!(out, "<h2 id=\"contract\">By contract: what A may send that B rejects</h2>");
    if !evidence.available {
        let _ = writeln!(
            out,
            "<p>Not compared: <code>{}</code></p>",
            escape(evidence.error.as_deref().unwrap_or("unknown"))
        );
        return;
    }
    let _ = writeln!(out, "<p class=\"legend\">{}</p>", inline_code(&evidence.note));
    let _ = writeln!(out, "<p class=\"legend key\">{}</p>", contract_key());
    let columns = column_ids(report);
    let _ =
        writeln!(out, "<div class=\"scroll\"><table id=\"contract-table\">\n<thead><tr><th>A ↓ / B →</th>");
    for column in &columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for from in &columns {
        let _ = write!(out, "<tr><th scope=\"row\"><span class=\"label\">{}</span></th>", escape(from));
        for to in &columns {
            let Some(pair) = super::contract::pair(evidence, from, to) else {
                let _ = write!(out, "<td class=\"cell own\">{}</td>", part(Share::Empty, "own", 0, 0));
                continue;
            };
            let chunk = match &pair.chunk {
                Some(list) => contract_part("chunks", list),
                None => part(Share::Empty, "chunks n/a", 0, 0),
            };
            let _ = write!(
                out,
                "<td class=\"cell\"><a href=\"#{}\">{}{chunk}</a></td>",
                super::contract::anchor(from, to),
                contract_part("responses", &pair.response)
            );
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(out, "</tbody></table></div>");
    let _ = writeln!(out, "<h3 id=\"contract-lists\">Each pair's list</h3>");
    for pair in &evidence.pairs {
        pair_section(report, pair, out);
    }
}

/// One pair's section: the three kinds of evidence, then the incompatibilities with their witnesses.
fn pair_section(report: &Report, pair: &super::contract::ContractPair, out: &mut String) {
    let _ = writeln!(
        out,
        "<section id=\"{}\" class=\"pair\"><h4>{} → {}: {}</h4>",
        super::contract::anchor(&pair.from, &pair.to),
        escape(&pair.from),
        escape(&pair.to),
        if pair.compatible() { "compatible by contract" } else { "not compatible by contract" }
    );
    // The other two kinds of evidence for the same question, for every row of A (its servers too).
    let mut beside = Vec::new();
    for row in report.corpus.iter().filter(|r| r.provider == pair.from) {
        if let Some(cell) = report.matrix.iter().find(|c| c.fixtures == row.row && c.schema == pair.to) {
            let sources: Vec<String> = cell
                .sources
                .iter()
                .filter(|(_, c)| c.total > 0)
                .map(|(origin, c)| format!("{} {}/{}", source_name(*origin), c.accepted(), c.total))
                .collect();
            let note = if has_captured(row) { String::new() } else { format!(" ({NO_CAPTURED})") };
            beside.push(format!(
                "by fixtures, <a href=\"#{}\">{}</a>{note}: {}",
                anchor(cell),
                escape(&row.row),
                escape(&sources.join(", "))
            ));
        }
        let sdk = super::sdk::own(&report.sdk, &pair.to)
            .and_then(|client| super::sdk::cell(&report.sdk, &row.row, client).map(|c| (client, c)));
        if let Some((client, c)) = sdk {
            beside.push(format!(
                "by {}'s SDK ({} {}), {}: {}/{} bodies read",
                escape(&pair.to),
                escape(&client.label),
                escape(&client.version),
                escape(&row.row),
                c.bodies_accepted,
                c.bodies_total
            ));
        }
    }
    if !beside.is_empty() {
        let _ = writeln!(out, "<p class=\"beside\">{}.</p>", beside.join("; "));
    }
    let mut lists = vec![("responses", Some(&pair.response))];
    lists.push(("chunks", pair.chunk.as_ref()));
    for (name, list) in lists {
        let Some(list) = list else {
            let note = pair.chunk_note.as_deref().unwrap_or("not compared");
            let _ = writeln!(out, "<p>{name}: n/a ({})</p>", escape(note));
            continue;
        };
        let _ = writeln!(out, "<p class=\"inline\">{}</p>", contract_part(name, list));
        if list.items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<ol class=\"incompat\">");
        for item in &list.items {
            let values = if item.values.is_empty() {
                String::new()
            } else {
                format!(
                    "<br>values {} rejects: {}",
                    escape(&pair.to),
                    item.values
                        .iter()
                        .map(|v| format!("<code>{}</code>", escape(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let witness = &item.witness;
            let others = if witness.other_errors > 0 {
                format!(" (and {} other error(s))", witness.other_errors)
            } else {
                String::new()
            };
            let shown = if witness.pointer.is_empty() { "(root)" } else { &witness.pointer };
            let body = serde_json::to_string(&witness.response).unwrap_or_default();
            let _ = writeln!(
                out,
                "<li><code>{}</code> <span class=\"kind sev-{}\">{}</span><br>{} allows: {}; {} requires: {}{values}\
                 <details><summary>witness: {}; {}'s schema reports <code>{}</code> at <code>{}</code>{others}</summary>\
                 <pre>{}</pre></details></li>",
                path(&item.path),
                severity_class(item.kind),
                item.kind,
                escape(&pair.from),
                inline_code(&item.allows),
                escape(&pair.to),
                inline_code(&item.requires),
                inline_code(&witness.change),
                escape(&pair.to),
                escape(&witness.keyword),
                path(shown),
                escape(&body)
            );
        }
        let _ = writeln!(out, "</ol>");
    }
    let _ = writeln!(out, "<p><a href=\"#contract\">back to the contract matrix</a></p></section>");
}

fn severity_class(kind: crate::compat::Kind) -> &'static str {
    match super::contract::Severity::of(kind) {
        super::contract::Severity::Structure => "structure",
        super::contract::Severity::Presence => "presence",
        super::contract::Severity::Value => "value",
    }
}

fn matrix(report: &Report, out: &mut String) {
    let columns = column_ids(report);
    let _ = writeln!(
        out,
        "<h2 id=\"matrix\">By fixtures: can a client for the column's provider read the row's responses?</h2>"
    );
    let _ = writeln!(
        out,
        "<p class=\"legend\">Rows: the provider whose valid fixtures are checked (an OpenAI-compatible server's \
         captured responses get a row of their own, <code>openai-compatible · server</code>). Columns: the schema \
         they are checked against. A cell: fixtures accepted / checked, one line per source, captured first \
         (recorded from a live API), then the provider's documentation examples, then synthetic fixtures written \
         here. The framed cells are each row's own schema. <em>+ext</em>: accepted with undocumented fields; \
         <em>waived</em>: known provider deviations, counted apart. Select a cell for the detail.</p>"
    );
    out.push_str(&key());
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table id=\"compat\">\n<thead><tr><th>fixtures ↓ / schema →</th>"
    );
    for column in &columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for row_id in row_ids(report) {
        let corpus_row = super::corpus_row(report, row_id);
        let own = corpus_row.map(|r| r.provider.as_str());
        out.push_str("<tr>");
        out.push_str(&row_header(row_id, corpus_row.is_some_and(has_captured)));
        for cell in row(report, row_id) {
            let own = own == Some(cell.schema.as_str());
            let mut extra = String::new();
            if cell.conforms_with_extensions > 0 {
                let _ = write!(extra, "<span class=\"extra\">+ext {}</span>", cell.conforms_with_extensions);
            }
            if cell.waived > 0 {
                let _ = write!(extra, "<span class=\"waived\">{} waived</span>", cell.waived);
            }
            let tag = if own { "<span class=\"own-tag\">own schema</span>" } else { "" };
            let _ = write!(
                out,
                "<td class=\"cell{}\"><a href=\"#{}\">{tag}{}{extra}</a></td>",
                if own { " own" } else { "" },
                anchor(cell),
                source_parts(&cell.sources, cell.conforms + cell.conforms_with_extensions, cell.total)
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
            "<section id=\"{}\"><h3>{} fixtures → {} schema</h3>\n<p>{} checked: {} conform, {} conform with extensions, {} violate{}. {}</p>",
            anchor(cell),
            escape(&cell.fixtures),
            escape(&cell.schema),
            cell.total,
            cell.conforms,
            cell.conforms_with_extensions,
            cell.violates,
            if cell.waived > 0 { format!(" ({} waived)", cell.waived) } else { String::new() },
            by_source_words(&cell.sources)
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
                let captured =
                    if group.captured > 0 { format!(", {} captured", group.captured) } else { String::new() };
                let items: String = group
                    .fixtures
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        let class = if i < group.captured { " class=\"captured\"" } else { "" };
                        format!("<li{class}><code>{}</code></li>", escape(f))
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "<li><details><summary><code>{}</code> {}: {} fixture(s){captured}</summary><ul>{items}</ul></details></li>",
                    path(pointer),
                    escape(&group.keyword),
                    group.fixtures.len(),
                );
            }
            let _ = writeln!(out, "</ul>");
        }
        let _ = writeln!(out, "<p><a href=\"#matrix\">back to the matrix</a></p></section>");
    }
}

/// `By source: captured 3 (3 accepted), synthetic 20 (18 accepted).` (captured listed even at 0).
fn by_source_words(sources: &BTreeMap<Origin, Counts>) -> String {
    let parts: Vec<String> = sources
        .iter()
        .filter(|(origin, counts)| counts.total > 0 || **origin == Origin::Captured)
        .map(|(origin, counts)| match counts.total {
            0 => format!("{} none", source_name(*origin)),
            n => format!("{} {n} ({} accepted)", source_name(*origin), counts.accepted()),
        })
        .collect();
    format!("By source: {}.", parts.join(", "))
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
        let _ = write!(out, "<tr><th scope=\"row\" class=\"path\"><code>{}</code></th>", path(&row.path));
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
    let _ = writeln!(out, "<h2 id=\"corpus\">Corpus: captured, docs and synthetic fixtures</h2>");
    let _ = writeln!(
        out,
        "<p class=\"legend\">Fixtures per row and source, as valid / invalid. <em>captured</em>: recorded from a live \
         API (each sidecar names the recording's repository, commit and path); <em>docs</em>: the provider's \
         documentation examples; <em>synthetic</em>: written here from the tables. <em>waived</em>: valid fixtures \
         that break their own schema as a known provider deviation.</p>"
    );
    corpus_table(&report.corpus, "fixtures", out);
}

/// The corpus summary of `rows` (fixtures, or transcripts): sources apart, captured first.
fn corpus_table(rows: &[super::CorpusRow], what: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "<div class=\"scroll\"><table>\n<thead><tr><th>{what}</th><th>captured</th><th>docs</th><th>synthetic</th>\
         <th>failing trials</th><th>waived</th></tr></thead><tbody>"
    );
    for row in rows {
        let split = |origin: Origin| {
            let get = |counts: &BTreeMap<Origin, usize>| counts.get(&origin).copied().unwrap_or(0);
            format!("{} / {}", get(&row.valid), get(&row.invalid))
        };
        let captured = if has_captured(row) {
            format!("<td>{}</td>", split(Origin::Captured))
        } else {
            format!("<td class=\"empty\">0 / 0 <span class=\"nocap\">{NO_CAPTURED}</span></td>")
        };
        let _ = writeln!(
            out,
            "<tr>{}{captured}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row_header(&row.row, true),
            split(Origin::DocsExample),
            split(Origin::Synthetic),
            row.failing.len(),
            row.expected_failures.len()
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
        out.push_str(&key());
        let _ = write!(out, "<div class=\"scroll\"><table id=\"streams-table\">\n<thead><tr><th>transcripts ↓ / stream schema →</th>");
        for provider in &streaming.providers {
            let _ = write!(out, "<th>{}</th>", escape(&provider.id));
        }
        let _ = writeln!(out, "</tr></thead>\n<tbody>");
        for row in &streaming.corpus {
            out.push_str("<tr>");
            out.push_str(&row_header(&row.row, has_captured(row)));
            for cell in super::streams::row(streaming, &row.row) {
                if !cell.supported {
                    let _ = write!(out, "<td class=\"cell\">{}</td>", part(Share::Empty, "n/a", 0, 0));
                    continue;
                }
                let own = cell.schema == row.provider;
                let title: Vec<String> = cell
                    .blocking
                    .iter()
                    .map(|g| format!("{} {} {}: {}", g.scope, g.pointer, g.name, g.transcripts.len()))
                    .collect();
                let mut extra = String::new();
                if cell.read_with_loss > 0 {
                    let _ = write!(extra, "<span class=\"extra\">{} with loss</span>", cell.read_with_loss);
                }
                if cell.waived > 0 {
                    let _ = write!(extra, "<span class=\"waived\">{} waived</span>", cell.waived);
                }
                let tag = if own { "<span class=\"own-tag\">own schema</span>" } else { "" };
                let _ = write!(
                    out,
                    "<td class=\"cell{}\" title=\"{}\">{tag}{}{extra}</td>",
                    if own { " own" } else { "" },
                    escape(&title.join("; ")),
                    source_parts(&cell.sources, cell.conforms + cell.conforms_with_extensions, cell.total)
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
         <th>invalid transcripts</th><th>of which captured</th><th>failing trials</th></tr></thead><tbody>"
    );
    for row in super::streams::support_rows(streaming) {
        let captured = if row.captured == 0 && row.valid + row.invalid > 0 {
            format!("<td class=\"empty\">0 <span class=\"nocap\">{NO_CAPTURED}</span></td>")
        } else {
            format!("<td>{}</td>", row.captured)
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{captured}<td>{}</td></tr>",
            escape(row.provider),
            escape(&row.support.replace('`', "")),
            row.valid,
            row.invalid,
            row.failing
        );
    }
    let _ = writeln!(out, "</tbody></table></div>");
    if !streaming.corpus.is_empty() {
        let _ = writeln!(out, "<h3>Transcripts by source</h3>");
        corpus_table(&streaming.corpus, "transcripts", out);
    }
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
    use super::sdk::{agreement_text, cell};
    let evidence = &report.sdk;
    let _ = writeln!(out, "<h2 id=\"sdk\">By the SDKs' own parsers</h2>");
    if !evidence.available {
        let _ = writeln!(out, "<p>No SDK oracle results (<code>reports/oracles.jsonl</code>).</p>");
        return;
    }
    let _ = writeln!(out, "<p class=\"legend\">{}</p>", inline_code(&evidence.note));
    let parts = |c: &crate::oracle::SdkCell| {
        if c.bodies_total + c.transcripts_total == 0 {
            return part(Share::Empty, "not run", 0, 0);
        }
        let mut text =
            part(Share::of(c.bodies_accepted, c.bodies_total), "bodies", c.bodies_accepted, c.bodies_total);
        if c.transcripts_total > 0 {
            text.push_str(&part(
                Share::of(c.transcripts_accepted, c.transcripts_total),
                "streams",
                c.transcripts_accepted,
                c.transcripts_total,
            ));
        }
        text
    };
    let captured = |label: &str| {
        report.corpus.iter().chain(&report.streaming.corpus).filter(|r| r.row == label).any(has_captured)
    };
    let _ = writeln!(
        out,
        "<p class=\"legend\">By B's SDK: the row's valid fixtures that the column provider's own SDK reads; \
         framed: the row's own SDK.</p>\n{}\
         <div class=\"scroll\"><table>\n<thead><tr><th>fixtures ↓ / provider's SDK →</th>",
        key()
    );
    let columns = column_ids(report);
    for column in &columns {
        let _ = write!(out, "<th>{}</th>", escape(column));
    }
    let _ = writeln!(out, "</tr></thead>\n<tbody>");
    for row_id in row_ids(report) {
        out.push_str("<tr>");
        out.push_str(&row_header(row_id, captured(row_id)));
        let provider = super::corpus_row(report, row_id).map(|r| r.provider.as_str());
        for column in &columns {
            let own = if provider == Some(*column) { " own" } else { "" };
            let shown =
                match super::sdk::own(evidence, column).and_then(|client| cell(evidence, row_id, client)) {
                    Some(c) => parts(c),
                    None => part(Share::Empty, "no SDK", 0, 0),
                };
            let _ = write!(out, "<td class=\"cell{own}\">{shown}</td>");
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
        out.push_str("<tr>");
        out.push_str(&row_header(row_id, captured(row_id)));
        for client in &evidence.clients {
            let shown = match cell(evidence, row_id, client) {
                Some(c) => parts(c),
                None => part(Share::Empty, "not run", 0, 0),
            };
            let _ = write!(out, "<td class=\"cell\">{shown}</td>");
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

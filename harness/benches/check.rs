//! Throughput of `chatcompat check` against a serde_json parse of the same bytes.
//!
//! Generates 100,000 realistic OpenAI chat completions (tool calls, several
//! choices, usage details, logprobs, long and non-ASCII content, a few gateway
//! extensions and a few violations) into a temporary JSON Lines file, then
//! measures in one run, on one thread (a rayon pool of 1) and on all cores (rayon's
//! default pool as the OS schedules it, and a pool with one thread pinned per core):
//!
//! - baseline: reading the lines and `serde_json::from_slice::<Value>` alone;
//! - check: [`Checker::run`] end to end (strict parse, validation, extensions,
//!   tallying; positions and excerpts only where a violation needs them).
//!
//! It prints responses/s, MB/s, the ratio to the baseline and the peak resident
//! memory of each phase (VmHWM, reset between phases through
//! `/proc/self/clear_refs`).
//!
//! Then the streaming case, in the same run: 10,000 OpenAI transcripts generated in
//! memory (10 to 60 chunks each: a role-only first chunk, Unicode content deltas or
//! tool calls whose arguments are split over many fragments, a finish-reason chunk,
//! usually the `include_usage` chunk with `choices: []`, `data: [DONE]`, some
//! `: keep-alive` comments, a few gateway extensions and a few violations), measured
//! the same way:
//!
//! - baseline: splitting each transcript into lines and `serde_json::from_str::<Value>`
//!   of every `data: ` line but `[DONE]`;
//! - check: [`stream::check_transcript`] end to end (SSE parsing, reading each chunk as
//!   the SDKs' JSON parsers do, chunk schema, sequence rules and openai-python's
//!   accumulator replay, reassembly and the non-streaming schema).
//!
//! Run it with `cargo bench -p chatcompat --bench check`;
//! `CHATCOMPAT_BENCH_RESPONSES=N` changes the corpus size, `CHATCOMPAT_BENCH_CORPUS=FILE`
//! keeps the generated corpus there (to time `chatcompat check FILE` on it),
//! `CHATCOMPAT_BENCH_TRANSCRIPTS=N` the number of transcripts (0 skips the streaming case),
//! `CHATCOMPAT_BENCH_BREAKDOWN=1` adds where a check and a transcript check spend their time,
//! `CHATCOMPAT_BENCH_ROUNDS=N` times each phase N times (default 3) and keeps the fastest.
//!
//! Last, one body with many violations (`CHATCOMPAT_BENCH_VIOLATIONS`, default 1000,4000,16000): a
//! pretty-printed response whose every choice has a string `index`, checked and located (line and column of
//! every violation) on one thread. Time per violation stays flat when locating is linear.
#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::{
    fs::File,
    io::{self, BufRead, BufReader, BufWriter, Write},
    path::Path,
    time::{Duration, Instant},
};

use chatcompat::{
    check::{CheckOptions, Checker, Input, Response, Summary},
    format::{Reporter, RunInfo},
    stream::{self, StreamCatalog, StreamSchemas},
    Catalog,
};
use rayon::prelude::*;
use serde_json::{json, Value};

fn main() -> io::Result<()> {
    let count: usize =
        std::env::var("CHATCOMPAT_BENCH_RESPONSES").ok().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    // The fastest of `rounds` runs of each phase; more rounds steady the figures on a shared machine.
    let rounds = std::env::var("CHATCOMPAT_BENCH_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(3);
    let catalog = Catalog::embedded().map_err(io::Error::other)?;
    let provider = catalog.provider("openai").map_err(io::Error::other)?;
    let schema = catalog.load_schema(provider).map_err(io::Error::other)?;

    let dir = tempfile::tempdir()?;
    let path = std::env::var_os("CHATCOMPAT_BENCH_CORPUS")
        .map_or_else(|| dir.path().join("responses.jsonl"), std::path::PathBuf::from);
    let started = Instant::now();
    let bytes = generate(&path, count)?;
    let megabytes = bytes as f64 / 1e6;
    println!(
        "corpus: {count} responses, {megabytes:.1} MB ({:.0} bytes per response), generated in {:.1}s",
        bytes as f64 / count as f64,
        started.elapsed().as_secs_f64()
    );

    let cores = rayon::current_num_threads();
    let single = pinned_pool(1)?;
    let all_pinned = pinned_pool(cores)?;
    let checker = Checker::new(vec![&schema], CheckOptions::default());
    let inputs = [Input::Path(path.clone())];

    println!(
        "\n{:<26} {:>8} {:>12} {:>9} {:>8} {:>12} {:>11}",
        "phase", "time", "responses/s", "MB/s", "ratio", "peak memory", "cores busy"
    );
    let mut checks = Vec::new();
    let mut summary = None;
    let setups = [
        ("1 thread".to_string(), Some(&single)),
        (format!("{cores} threads"), None),
        (format!("{cores} threads pinned"), Some(&all_pinned)),
    ];
    for (threads, pool) in setups {
        let baseline = measure(rounds, pool, || baseline_parse(&path).map(|n| assert_eq!(n, count)))?;
        baseline.print(&format!("baseline, {threads}"), count, megabytes, None);
        let check = measure(rounds, pool, || {
            let mut tally = Tally::default();
            let result = checker.run(&inputs, &mut tally)?;
            assert_eq!(tally.responses, count);
            summary = Some(result);
            Ok(())
        })?;
        check.print(&format!("check, {threads}"), count, megabytes, Some(&baseline));
        checks.push(check);
    }
    if let Some(summary) = summary {
        let tally = &summary.tallies[0];
        println!(
            "\nverdicts: {} conform, {} conform with extensions, {} violate, {} not checked",
            tally.conforms, tally.conforms_with_extensions, tally.violates, tally.errors
        );
    }
    println!("ratio: check throughput / baseline throughput on the same number of threads (goal ≥ 0.5)");
    if let [one, all, pinned] = checks.as_slice() {
        println!(
            "check on {cores} threads: {:.2}× its single-thread throughput ({:.2}× pinned)",
            one.time.as_secs_f64() / all.time.as_secs_f64(),
            one.time.as_secs_f64() / pinned.time.as_secs_f64()
        );
    }
    println!(
        "cores busy: CPU time / wall time of the fastest round; below the thread count when other processes \
         compete, or when the kernel packs threads onto fewer cores (\"pinned\": one thread per core)"
    );
    let transcripts: usize =
        std::env::var("CHATCOMPAT_BENCH_TRANSCRIPTS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let streams = StreamCatalog::load(&catalog);
    let stream_schemas =
        streams.schemas("openai").ok_or_else(|| io::Error::other("no OpenAI chunk schema"))?;
    let corpus =
        (transcripts > 0).then(|| streaming(stream_schemas, transcripts, rounds, &single, &all_pinned));
    let corpus = corpus.transpose()?;
    if std::env::var_os("CHATCOMPAT_BENCH_BREAKDOWN").is_some() {
        breakdown(&path, &schema)?;
        if let Some(corpus) = &corpus {
            stream_breakdown(corpus, stream_schemas);
        }
    }
    many_violations(&schema, rounds);
    Ok(())
}

/// One body with `n` violations, each located: the fastest of `rounds` per size, and the time per violation.
fn many_violations(schema: &chatcompat::Schema, rounds: usize) {
    let sizes: Vec<usize> = std::env::var("CHATCOMPAT_BENCH_VIOLATIONS")
        .ok()
        .map(|list| list.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1000, 4000, 16000]);
    let checker = Checker::new(vec![schema], CheckOptions::default());
    println!("\none body, many violations, each located (1 thread):");
    println!("{:>10} {:>10} {:>10} {:>14}", "violations", "body KB", "seconds", "µs/violation");
    for n in sizes {
        let mut text = String::from(
            "{\n  \"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"created\": 1, \"model\": \"m\",\n  \"choices\": [\n",
        );
        for i in 0..n {
            let comma = if i + 1 < n { "," } else { "" };
            text.push_str(&format!(
                "    {{\"message\": {{\"role\": \"assistant\", \"content\": \"ü{i}\"}}, \"finish_reason\": \"stop\", \"index\": \"{i}\"}}{comma}\n"
            ));
        }
        text.push_str("  ]\n}\n");
        let mut best = Duration::MAX;
        let mut located = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            let response = checker.check_bytes("many.json", text.as_bytes());
            best = best.min(started.elapsed());
            located = response.outcome.as_ref().map_or(0, |judgements| {
                judgements[0].checked.violations.iter().filter(|v| v.position.is_some()).count()
            });
        }
        println!(
            "{n:>10} {:>10} {:>10.3} {:>14.2}{}",
            text.len() / 1024,
            best.as_secs_f64(),
            best.as_secs_f64() * 1e6 / n as f64,
            if located == n { "" } else { "  (not every violation located!)" }
        );
    }
}

/// A rayon pool of `threads` threads, thread `i` pinned to core `i` (where the OS allows it).
fn pinned_pool(threads: usize) -> io::Result<rayon::ThreadPool> {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .start_handler(move |index| {
            if let Some(core) = cores.get(index % cores.len().max(1)) {
                core_affinity::set_for_current(*core);
            }
        })
        .build()
        .map_err(io::Error::other)
}

/// One phase's fastest round.
struct Measured {
    time: Duration,
    /// Peak resident memory (VmHWM), in kB.
    peak: Option<u64>,
    /// CPU time / wall time of the fastest round.
    busy: Option<f64>,
}

impl Measured {
    fn print(&self, phase: &str, count: usize, megabytes: f64, baseline: Option<&Measured>) {
        let seconds = self.time.as_secs_f64();
        let ratio =
            baseline.map_or_else(|| "-".to_string(), |b| format!("{:.2}×", b.time.as_secs_f64() / seconds));
        let peak = self.peak.map_or_else(|| "?".to_string(), |kb| format!("{:.0} MB", kb as f64 / 1024.0));
        let busy = self.busy.map_or_else(|| "?".to_string(), |b| format!("{b:.2}"));
        println!(
            "{phase:<26} {:>7.2}s {:>12.0} {:>9.1} {ratio:>8} {peak:>12} {busy:>11}",
            seconds,
            count as f64 / seconds,
            megabytes / seconds
        );
    }
}

/// Runs `work` `rounds` times (in `pool`, or the global pool) and keeps the
/// fastest round, with the highest peak of resident memory of all rounds.
fn measure(
    rounds: usize,
    pool: Option<&rayon::ThreadPool>,
    mut work: impl FnMut() -> io::Result<()> + Send,
) -> io::Result<Measured> {
    let mut best = Measured { time: Duration::MAX, peak: None, busy: None };
    for _ in 0..rounds {
        reset_peak_memory();
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        match pool {
            Some(pool) => pool.install(&mut work)?,
            None => work()?,
        }
        let elapsed = started.elapsed();
        if elapsed < best.time {
            best.time = elapsed;
            best.busy =
                cpu_seconds().zip(cpu_before).map(|(after, before)| (after - before) / elapsed.as_secs_f64());
        }
        best.peak = best.peak.max(peak_memory());
    }
    Ok(best)
}

/// User + system CPU time of this process, from `/proc/self/stat` (Linux, 100 ticks a second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The baseline: the same lines, batched as `check` batches them, parsed by serde_json alone.
fn baseline_parse(path: &Path) -> io::Result<usize> {
    let options = CheckOptions::default();
    let mut reader = BufReader::with_capacity(256 << 10, File::open(path)?);
    let mut buffer = Vec::with_capacity(options.batch_bytes);
    let mut lines = Vec::with_capacity(options.batch_responses);
    let mut parsed = 0;
    loop {
        let start = buffer.len();
        let read = reader.read_until(b'\n', &mut buffer)?;
        if read > 0 {
            lines.push(start..buffer.len());
        }
        if read == 0 || lines.len() >= options.batch_responses || buffer.len() >= options.batch_bytes {
            parsed += lines
                .par_iter()
                .with_max_len(64)
                .filter(|range| serde_json::from_slice::<Value>(&buffer[(*range).clone()]).is_ok())
                .count();
            lines.clear();
            buffer.clear();
        }
        if read == 0 {
            return Ok(parsed);
        }
    }
}

/// Counts responses and keeps nothing: the cost of rendering is not the check's.
#[derive(Default)]
struct Tally {
    responses: usize,
}

impl Reporter for Tally {
    fn begin(&mut self, _info: &RunInfo) -> io::Result<()> {
        Ok(())
    }

    fn response(&mut self, _response: &Response) -> io::Result<()> {
        self.responses += 1;
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        Ok(())
    }
}

/// `/proc/self/status` VmHWM in kB, if this is Linux.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Lets the next [`peak_memory`] measure from now (Linux: `5` → clear_refs resets VmHWM).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Writes `count` responses as JSON Lines; returns the file's size.
fn generate(path: &Path, count: usize) -> io::Result<u64> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut random = Random(0x5eed_cafe_f00d_d00d);
    for i in 0..count {
        serde_json::to_writer(&mut out, &response(&mut random, i))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// SplitMix64: deterministic, dependency-free.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char).collect()
    }
}

const WORDS: &[&str] = &[
    "the",
    "response",
    "model",
    "weather",
    "in",
    "Jakarta",
    "is",
    "sunny",
    "with",
    "a",
    "high",
    "of",
    "31°C",
    "Terima",
    "kasih",
    "atas",
    "pertanyaan",
    "Anda",
    "berikut",
    "ringkasannya",
    "token",
    "usage",
    "tool",
    "function",
    "call",
    "returns",
    "JSON",
    "\"quoted\"",
    "über",
    "naïve",
    "café",
    "日本語",
    "🙂",
    "🚀",
    "—",
    "1.",
    "2.",
    "**bold**",
    "`code`",
    "\n",
    "\n\n",
    "- item",
    "https://example.com/docs?q=1&lang=id",
];

fn text(random: &mut Random, chars: usize) -> String {
    let mut out = String::with_capacity(chars + 16);
    while out.len() < chars {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push(' ');
        }
        out.push_str(random.pick(WORDS));
    }
    out
}

fn content_length(random: &mut Random) -> usize {
    match random.below(100) {
        0..=4 => 4_000 + random.below(16_000) as usize,
        5..=29 => 600 + random.below(1_400) as usize,
        _ => 40 + random.below(560) as usize,
    }
}

fn tool_call(random: &mut Random) -> Value {
    let city = random.pick(&["Jakarta", "Bandung", "Surabaya", "Medan", "Denpasar"]);
    let name = random.pick(&["get_weather", "search_docs", "lookup_order", "convert_currency"]);
    json!({
        "id": format!("call_{}", random.token(24)),
        "type": "function",
        "function": {
            "name": name,
            "arguments": format!("{{\"location\":\"{city}\",\"unit\":\"celsius\",\"days\":{}}}", random.below(7) + 1),
        },
    })
}

fn logprobs(random: &mut Random) -> Value {
    let tokens: Vec<Value> = (0..5 + random.below(20))
        .map(|_| {
            let token = random.pick(WORDS);
            json!({
                "token": token,
                "logprob": -(random.below(100_000) as f64) / 10_000.0,
                "bytes": token.as_bytes(),
                "top_logprobs": (0..2).map(|_| json!({
                    "token": random.pick(WORDS),
                    "logprob": -(random.below(200_000) as f64) / 10_000.0,
                    "bytes": null,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "content": tokens, "refusal": null })
}

fn choice(random: &mut Random, index: usize, tools: bool) -> Value {
    let mut message = json!({ "role": "assistant", "refusal": null, "annotations": [] });
    let finish_reason = if tools {
        let calls: Vec<Value> = (0..1 + random.below(3)).map(|_| tool_call(random)).collect();
        message["content"] = Value::Null;
        message["tool_calls"] = Value::Array(calls);
        "tool_calls"
    } else {
        let length = content_length(random);
        message["content"] = Value::String(text(random, length));
        if random.chance(10) {
            "length"
        } else {
            "stop"
        }
    };
    let logprobs = if random.chance(3) { logprobs(random) } else { Value::Null };
    json!({ "index": index, "message": message, "logprobs": logprobs, "finish_reason": finish_reason })
}

fn usage(random: &mut Random) -> Value {
    let prompt = 10 + random.below(4_000);
    let completion = 1 + random.below(2_000);
    let mut usage = json!({ "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion });
    if random.chance(75) {
        usage["prompt_tokens_details"] = json!({ "cached_tokens": random.below(prompt), "audio_tokens": 0 });
        usage["completion_tokens_details"] = json!({
            "reasoning_tokens": random.below(completion),
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        });
    }
    usage
}

fn response(random: &mut Random, i: usize) -> Value {
    let model =
        random.pick(&["gpt-4.1-2025-04-14", "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "o3-mini"]);
    let tools = random.chance(25);
    let choices = if random.chance(15) { 2 + random.below(3) as usize } else { 1 };
    let mut body = json!({
        "id": format!("chatcmpl-{}", random.token(29)),
        "object": "chat.completion",
        "created": 1_741_569_952 + i as u64,
        "model": model,
        "choices": (0..choices).map(|index| choice(random, index, tools)).collect::<Vec<_>>(),
    });
    if random.chance(90) {
        body["usage"] = usage(random);
    }
    if random.chance(60) {
        body["service_tier"] = json!("default");
        body["system_fingerprint"] = json!(format!("fp_{}", random.token(10)));
    }
    // Gateways add fields; a few captures break the schema.
    if random.chance(5) {
        body["x_groq"] = json!({ "id": format!("req_{}", random.token(26)) });
        body["usage"]["queue_time"] = json!(0.0123);
    }
    if random.chance(1) {
        body["created"] = json!("2025-03-10T01:25:52Z");
    }
    body
}

/// Where a single-threaded check spends its time, step by step (`CHATCOMPAT_BENCH_BREAKDOWN=1`).
fn breakdown(path: &Path, schema: &chatcompat::Schema) -> io::Result<()> {
    let text = std::fs::read(path)?;
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema.document())
        .map_err(|e| io::Error::other(e.to_string()))?;
    let values: Vec<Value> = lines.iter().map(|l| serde_json::from_slice(l).unwrap()).collect();
    let time = |name: &str, f: &dyn Fn() -> usize| {
        let started = Instant::now();
        let n = f();
        println!("{name:<40} {:>7.3}s  ({n})", started.elapsed().as_secs_f64());
    };
    println!("\nbreakdown, 1 thread, in memory:");
    time("serde_json::from_slice::<Value>", &|| {
        lines.iter().filter(|l| serde_json::from_slice::<Value>(l).is_ok()).count()
    });
    time("json::parse (strict)", &|| lines.iter().filter(|l| chatcompat::json::parse(l).is_ok()).count());
    time("Validator::is_valid (parsed values)", &|| values.iter().filter(|v| validator.is_valid(v)).count());
    time("Schema::check (parsed values)", &|| {
        values.iter().filter(|v| schema.check(v).violations.is_empty()).count()
    });
    // The fast path `check` takes first: read onto the tape, validate and walk it there.
    time("tape: read + Schema::check_tape", &|| {
        lines
            .iter()
            .filter_map(|l| std::str::from_utf8(l).ok())
            .filter(|text| {
                chatcompat::tape::with_tape(text, |root| schema.check_tape(root).is_some()) == Some(true)
            })
            .count()
    });
    Ok(())
}

/// The streaming case: a serde_json parse of every chunk against [`stream::check_transcript`],
/// over `count` transcripts generated in memory, on one thread and on all cores.
fn streaming(
    schemas: &StreamSchemas,
    count: usize,
    rounds: usize,
    single: &rayon::ThreadPool,
    all_pinned: &rayon::ThreadPool,
) -> io::Result<Transcripts> {
    let started = Instant::now();
    let corpus = Transcripts::generate(count);
    let resident = resident_memory();
    let megabytes = corpus.bytes as f64 / 1e6;
    println!(
        "\nstreams: {count} OpenAI transcripts, {} chunks ({:.1} per transcript), {megabytes:.1} MB in memory \
         ({:.0} bytes per chunk), generated in {:.1}s",
        corpus.chunks,
        corpus.chunks as f64 / count as f64,
        corpus.bytes as f64 / corpus.chunks as f64,
        started.elapsed().as_secs_f64()
    );

    let cores = rayon::current_num_threads();
    println!(
        "\n{:<26} {:>8} {:>12} {:>9} {:>8} {:>12} {:>11}",
        "phase", "time", "chunks/s", "MB/s", "ratio", "peak memory", "cores busy"
    );
    let mut checks = Vec::new();
    let mut tally = StreamTally::default();
    let setups = [
        ("1 thread".to_string(), Some(single)),
        (format!("{cores} threads"), None),
        (format!("{cores} threads pinned"), Some(all_pinned)),
    ];
    for (threads, pool) in setups {
        let baseline = measure(rounds, pool, || {
            let parsed: usize = corpus.bodies.par_iter().map(|body| baseline_chunks(body)).sum();
            assert_eq!(parsed, corpus.chunks);
            Ok(())
        })?;
        baseline.print(&format!("baseline, {threads}"), corpus.chunks, megabytes, None);
        let check = measure(rounds, pool, || {
            tally = corpus
                .bodies
                .par_iter()
                .zip(&corpus.broken)
                .enumerate()
                .map(|(i, (body, &broken))| {
                    StreamTally::of(i, &stream::check_transcript(schemas, body), broken)
                })
                .reduce(StreamTally::default, StreamTally::add);
            Ok(())
        })?;
        check.print(&format!("check, {threads}"), corpus.chunks, megabytes, Some(&baseline));
        checks.push(check);
    }
    if let Some(i) = tally.unexpected {
        let report = stream::check_transcript(schemas, &corpus.bodies[i]);
        let findings: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
        return Err(io::Error::other(format!(
            "transcript {i} was generated {} but checks {}: {findings:#?}",
            if corpus.broken[i] { "broken" } else { "valid" },
            if report.passed() { "clean" } else { "with errors" },
        )));
    }
    assert_eq!(tally.chunks, corpus.chunks);
    println!(
        "\nverdicts: {} conform, {} conform with extensions, {} violate (as generated); {} keep-alive comments",
        tally.conforms, tally.extensions, tally.violates, tally.comments
    );
    println!(
        "ratio: check_transcript throughput / baseline throughput (split lines, serde_json each chunk) on the \
         same number of threads"
    );
    if let [one, all, pinned] = checks.as_slice() {
        println!(
            "check_transcript on {cores} threads: {:.2}× its single-thread throughput ({:.2}× pinned)",
            one.time.as_secs_f64() / all.time.as_secs_f64(),
            one.time.as_secs_f64() / pinned.time.as_secs_f64()
        );
    }
    if let Some(resident) = resident {
        println!(
            "peak memory: {:.0} MB were resident before the phases (the transcripts held in memory); \
             a phase adds what is above that",
            resident as f64 / 1024.0
        );
    }
    Ok(corpus)
}

/// The streaming baseline: the cheapest split (lines starting with `data: `), then serde_json
/// on every chunk; returns the number of chunks parsed.
fn baseline_chunks(body: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(body) else { return 0 };
    text.lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]" && serde_json::from_str::<Value>(data).is_ok())
        .count()
}

/// `/proc/self/status` VmRSS in kB, if this is Linux.
fn resident_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// What checking the transcripts found.
#[derive(Debug, Default, Clone, Copy)]
struct StreamTally {
    chunks: usize,
    comments: usize,
    conforms: usize,
    extensions: usize,
    violates: usize,
    /// The first transcript whose verdict is not the one it was generated for.
    unexpected: Option<usize>,
}

impl StreamTally {
    fn of(i: usize, report: &stream::TranscriptReport, broken: bool) -> StreamTally {
        let verdict = report.verdict();
        StreamTally {
            chunks: report.chunks,
            comments: report.comments,
            conforms: usize::from(verdict == chatcompat::Verdict::Conforms),
            extensions: usize::from(verdict == chatcompat::Verdict::ConformsWithExtensions),
            violates: usize::from(verdict == chatcompat::Verdict::Violates),
            unexpected: (report.passed() == broken).then_some(i),
        }
    }

    fn add(self, other: StreamTally) -> StreamTally {
        StreamTally {
            chunks: self.chunks + other.chunks,
            comments: self.comments + other.comments,
            conforms: self.conforms + other.conforms,
            extensions: self.extensions + other.extensions,
            violates: self.violates + other.violates,
            unexpected: match (self.unexpected, other.unexpected) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// Streamed transcripts, generated in memory.
struct Transcripts {
    bodies: Vec<Vec<u8>>,
    /// Whether each transcript was generated to break the chunk schema or a sequence rule.
    broken: Vec<bool>,
    /// Chunks (data events but `[DONE]`) in all transcripts.
    chunks: usize,
    bytes: usize,
}

impl Transcripts {
    fn generate(count: usize) -> Transcripts {
        let mut random = Random(0x57ea_3c0d_e5ee_d5ee);
        let mut corpus =
            Transcripts { bodies: Vec::with_capacity(count), broken: Vec::new(), chunks: 0, bytes: 0 };
        for i in 0..count {
            let (body, chunks, broken) = transcript(&mut random, i);
            corpus.chunks += chunks;
            corpus.bytes += body.len();
            let mut body = body.into_bytes();
            body.shrink_to_fit();
            corpus.bodies.push(body);
            corpus.broken.push(broken);
        }
        corpus
    }
}

/// Writes one transcript's events.
struct StreamWriter<'r> {
    random: &'r mut Random,
    /// `id`, `object`, `created`, `model` and maybe `service_tier`, `system_fingerprint`.
    head: Value,
    /// `stream_options.include_usage`: every chunk has `usage: null`, the last one the totals.
    usage: bool,
    /// OpenAI's `obfuscation` padding on every chunk.
    obfuscation: bool,
    /// Chance in percent of a `: keep-alive` comment before an event.
    keep_alive: u64,
    /// A gateway's extension, added to the next chunk only.
    extension: Option<Value>,
    out: String,
    chunks: usize,
}

impl StreamWriter<'_> {
    fn chunk(&mut self, choices: Vec<Value>, usage: Value) {
        if self.random.chance(self.keep_alive) {
            self.out.push_str(": keep-alive\n\n");
        }
        let mut chunk = self.head.clone();
        chunk["choices"] = Value::Array(choices);
        if self.usage {
            chunk["usage"] = usage;
        }
        if self.obfuscation {
            let len = 1 + self.random.below(16) as usize;
            chunk["obfuscation"] = Value::String(self.random.token(len));
        }
        if let Some(extension) = self.extension.take() {
            chunk["x_groq"] = extension;
        }
        self.out.push_str("data: ");
        self.out.push_str(&chunk.to_string());
        self.out.push_str("\n\n");
        self.chunks += 1;
    }
}

fn delta_choice(index: usize, delta: Value, finish_reason: Value) -> Value {
    json!({ "index": index, "delta": delta, "logprobs": null, "finish_reason": finish_reason })
}

/// One OpenAI transcript of 10 to 60 chunks; returns it, its number of chunks and whether
/// it was made to fail (1%: a finish reason out of its enum, or an `id` that changes).
fn transcript(random: &mut Random, i: usize) -> (String, usize, bool) {
    let model =
        random.pick(&["gpt-4.1-2025-04-14", "gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "o3-mini"]);
    let mut head = json!({
        "id": format!("chatcmpl-{}", random.token(29)),
        "object": "chat.completion.chunk",
        "created": 1_741_569_952 + i as u64,
        "model": model,
    });
    if random.chance(60) {
        head["service_tier"] = json!("default");
        head["system_fingerprint"] = json!(format!("fp_{}", random.token(10)));
    }
    let total = 10 + random.below(51) as usize;
    let tools = random.chance(25);
    let choices = if !tools && random.chance(5) { 2 } else { 1 };
    let logprobs = !tools && random.chance(3);
    let broken = random.chance(1).then(|| random.below(2));
    let usage = random.chance(70);
    let mut writer = StreamWriter {
        obfuscation: random.chance(40),
        keep_alive: if random.chance(20) { 10 } else { 0 },
        extension: random.chance(3).then(|| json!({ "id": format!("req_{}", random.token(26)) })),
        random,
        head,
        usage,
        out: String::with_capacity(total * 320),
        chunks: 0,
    };

    // The role-only first chunk, one delta per choice.
    let role = if tools {
        json!({ "role": "assistant", "content": null })
    } else if writer.random.chance(50) {
        json!({ "role": "assistant", "content": "", "refusal": null })
    } else {
        json!({ "role": "assistant" })
    };
    writer.chunk((0..choices).map(|c| delta_choice(c, role.clone(), Value::Null)).collect(), Value::Null);

    let body = total - 1 - choices - usize::from(usage);
    if tools {
        tool_call_chunks(&mut writer, body);
    } else {
        content_chunks(&mut writer, body, choices, logprobs);
    }
    if broken == Some(1) {
        // A chunk object openai-python's strict client refuses (the chunk schema's `object` enum).
        writer.head["object"] = json!("chat.completion");
    }
    // openai-python's `get_final_completion()` raises on `length`: such a transcript fails too.
    let mut length = false;
    for c in 0..choices {
        let reason = match () {
            () if broken == Some(0) => "end_turn",
            () if tools => "tool_calls",
            () if writer.random.chance(10) => {
                length = true;
                "length"
            }
            () => "stop",
        };
        writer.chunk(vec![delta_choice(c, json!({}), json!(reason))], Value::Null);
    }
    if usage {
        let totals = self::usage(writer.random);
        writer.chunk(Vec::new(), totals);
    }
    writer.out.push_str("data: [DONE]\n\n");
    assert_eq!(writer.chunks, total);
    (writer.out, writer.chunks, broken.is_some() || length)
}

/// `body` content deltas of one to three words (round robin over the choices).
fn content_chunks(writer: &mut StreamWriter<'_>, body: usize, choices: usize, logprobs: bool) {
    for k in 0..body {
        let mut piece = String::new();
        for _ in 0..1 + writer.random.below(3) {
            let word = writer.random.pick(WORDS);
            if k >= choices || !piece.is_empty() {
                piece.push(' ');
            }
            piece.push_str(word);
        }
        let mut choice = delta_choice(k % choices, json!({ "content": piece }), Value::Null);
        if logprobs {
            choice["logprobs"] = json!({
                "content": [{
                    "token": piece,
                    "logprob": -(writer.random.below(100_000) as f64) / 10_000.0,
                    "bytes": piece.as_bytes(),
                    "top_logprobs": [],
                }],
                "refusal": null,
            });
        }
        writer.chunk(vec![choice], Value::Null);
    }
}

/// `body` tool-call chunks: one to three calls, each a first fragment (index, id, type, name)
/// and its arguments split over the remaining fragments.
fn tool_call_chunks(writer: &mut StreamWriter<'_>, body: usize) {
    let calls = if writer.random.chance(20) { 2 + writer.random.below(2) as usize } else { 1 };
    let fragments = body - calls;
    for call in 0..calls {
        let name = writer.random.pick(&["get_weather", "search_docs", "lookup_order", "convert_currency"]);
        let header = json!({ "tool_calls": [{
            "index": call,
            "id": format!("call_{}", writer.random.token(24)),
            "type": "function",
            "function": { "name": name, "arguments": "" },
        }] });
        writer.chunk(vec![delta_choice(0, header, Value::Null)], Value::Null);
        let pieces = fragments / calls + usize::from(call < fragments % calls);
        let city = writer.random.pick(&["Jakarta", "Bandung", "Zürich", "São Paulo", "東京"]);
        let days = 1 + writer.random.below(7);
        let query = text(writer.random, pieces * 6);
        let arguments =
            json!({ "location": city, "unit": "celsius", "days": days, "query": query }).to_string();
        let ends: Vec<usize> = arguments.char_indices().map(|(at, _)| at).chain([arguments.len()]).collect();
        let chars = ends.len() - 1;
        assert!(chars >= pieces, "arguments too short to split");
        for p in 0..pieces {
            let fragment = &arguments[ends[p * chars / pieces]..ends[(p + 1) * chars / pieces]];
            let delta = json!({ "tool_calls": [{ "index": call, "function": { "arguments": fragment } }] });
            writer.chunk(vec![delta_choice(0, delta, Value::Null)], Value::Null);
        }
    }
}

/// Where a single-threaded transcript check spends its time, step by step (`CHATCOMPAT_BENCH_BREAKDOWN=1`).
fn stream_breakdown(corpus: &Transcripts, schemas: &StreamSchemas) {
    let steps = [
        "sse::parse",
        "chunks onto the tape (Shelf::read)",
        "chunk Schema::check_tape",
        "rules::check",
        "reassemble::fold",
        "response Schema::check (reassembled)",
    ];
    let mut times = [Duration::ZERO; 6];
    let started = Instant::now();
    let parsed: usize = corpus.bodies.iter().map(|body| baseline_chunks(body)).sum();
    let serde = started.elapsed();
    assert_eq!(parsed, corpus.chunks);
    let mut lap = |step: usize, started: &mut Instant| {
        let now = Instant::now();
        times[step] += now - *started;
        *started = now;
    };
    for body in &corpus.bodies {
        let text = std::str::from_utf8(body).unwrap_or_default();
        let mut started = Instant::now();
        let parsed = stream::sse::parse(text);
        lap(0, &mut started);
        let events: Vec<&stream::sse::Event> =
            parsed.events.iter().filter(|e| e.data.as_deref().is_some_and(|d| d != "[DONE]")).collect();
        chatcompat::tape::with_shelf(|shelf| {
            let docs: Vec<_> =
                events.iter().filter_map(|e| shelf.read(e.data.as_deref().unwrap_or_default())).collect();
            lap(1, &mut started);
            let shelf = &*shelf;
            let chunks: Vec<stream::rules::Chunk<'_>> = events
                .iter()
                .zip(docs)
                .map(|(event, doc)| {
                    let node = shelf.node(doc);
                    let checked = schemas.chunk.check_tape(node).unwrap_or_default();
                    stream::rules::Chunk {
                        event: event.number,
                        line: event.line,
                        value: node,
                        violations: checked.violations,
                    }
                })
                .collect();
            lap(2, &mut started);
            std::hint::black_box(stream::rules::check(&chunks, schemas.conventions));
            lap(3, &mut started);
            let folded = stream::reassemble::fold(&chunks, schemas.conventions);
            lap(4, &mut started);
            std::hint::black_box(schemas.response.check(&folded.response));
            lap(5, &mut started);
        });
    }
    let started = Instant::now();
    for body in &corpus.bodies {
        std::hint::black_box(stream::check_transcript(schemas, body));
    }
    let whole = started.elapsed();
    println!("\nbreakdown, streams, 1 thread, in memory ({} chunks):", corpus.chunks);
    println!("{:<40} {:>7.3}s", "baseline (lines, serde_json::from_str)", serde.as_secs_f64());
    for (step, time) in steps.iter().zip(times) {
        println!("{step:<40} {:>7.3}s", time.as_secs_f64());
    }
    println!("{:<40} {:>7.3}s", "sum of the steps", times.iter().sum::<Duration>().as_secs_f64());
    println!("{:<40} {:>7.3}s", "check_transcript", whole.as_secs_f64());
}

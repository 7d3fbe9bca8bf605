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
//! - check: [`stream::check_transcript`] end to end (SSE parsing, strict reading,
//!   chunk schema, sequence rules, reassembly and the non-streaming schema).
//!
//! Run it with `cargo bench -p chatcompat --bench check`;
//! `CHATCOMPAT_BENCH_RESPONSES=N` changes the corpus size, `CHATCOMPAT_BENCH_CORPUS=FILE`
//! keeps the generated corpus there (to time `chatcompat check FILE` on it),
//! `CHATCOMPAT_BENCH_TRANSCRIPTS=N` the number of transcripts (0 skips the streaming case),
//! `CHATCOMPAT_BENCH_BREAKDOWN=1` adds where a check and a transcript check spend their time.
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
    let rounds = 3;
    let workspace = Catalog::locate_workspace();
    let catalog = Catalog::discover(&workspace).map_err(io::Error::other)?;
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
    let stream_schemas = streams.schemas("openai").ok_or_else(|| io::Error::other("no OpenAI chunk schema"))?;
    let corpus = (transcripts > 0).then(|| streaming(stream_schemas, transcripts, rounds, &single, &all_pinned));
    let corpus = corpus.transpose()?;
    if std::env::var_os("CHATCOMPAT_BENCH_BREAKDOWN").is_some() {
        breakdown(&path, &schema)?;
        if let Some(corpus) = &corpus {
            stream_breakdown(corpus, stream_schemas);
        }
    }
    Ok(())
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
    Ok(())
}

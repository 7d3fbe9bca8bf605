//! Command-line arguments: one subcommand per task, parsed by clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub const EXIT_CODES: &str = "\
Exit codes:
  0  success: every response conforms, every schema is up to date
  1  findings: a violation, a stale schema, a lint problem
  2  usage or I/O error: bad arguments, unreadable files, malformed tables";

#[derive(Debug, Parser)]
#[command(name = "chatcompat", version, about = "Conformance checks and compatibility reports for LLM chat-completion responses", after_help = EXIT_CODES)]
pub struct Cli {
    /// The chatcompat workspace (with schemas/ and fixtures/); default: found from the current directory
    #[arg(long, global = true, env = "CHATCOMPAT_ROOT", value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Derive JSON Schemas from the field tables
    #[command(after_help = EXIT_CODES)]
    Derive(DeriveArgs),
    /// Check the corpus against every schema and write the compatibility report (md, json, html)
    #[command(after_help = EXIT_CODES)]
    Report(ReportArgs),
    /// Review the corpus as a pull-request reviewer would: layout, names, sidecars, duplicates
    #[command(after_help = EXIT_CODES)]
    Lint(LintArgs),
    /// Generate the typed models (harness/src/models/<provider>.rs) from the field tables
    #[command(after_help = EXIT_CODES)]
    Models(ModelsArgs),
    /// Write generated responses as JSON Lines, reproducible from a seed (--invalid: broken ones)
    #[command(after_help = EXIT_CODES)]
    Sample(SampleArgs),
    /// Check responses against a provider's schema (and others'): files, folders, JSON Lines, stdin
    #[command(after_help = CHECK_EXIT_CODES)]
    Check(CheckArgs),
    /// What provider A's contract allows that B's rejects (responses and chunks), each with a witness
    #[command(after_help = COMPAT_EXIT_CODES)]
    Compat(CompatArgs),
    /// Inventory what responses show (present, absent, null, types, values) against a provider's tables
    #[command(after_help = EXIT_CODES)]
    Observe(ObserveArgs),
    /// Turn recordings (VCR cassettes, HAR, HTTP dumps, curl -i output, event streams) into fixtures, redacting secrets
    #[command(after_help = IMPORT_EXIT_CODES)]
    Import(ImportArgs),
}

pub const IMPORT_EXIT_CODES: &str = "\
Exit codes:
  0  at least one fixture written (or planned, with --dry-run); skipped responses are listed
  1  no chat completion imported: every response was skipped (each with its reason)
  2  usage or I/O error: bad arguments, unknown provider, a recording that cannot be read";

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Recordings: a VCR cassette (vcrpy, Ruby VCR, go-vcr; YAML), a HAR file, a nock recording, a raw HTTP
    /// response or `curl -i` output, a raw event-stream body, or a JSON body; a folder (walked for *.yaml, *.yml,
    /// *.har, *.json, *.sse, *.http, *.txt); - for standard input
    #[arg(value_name = "RECORDING", required = true, help_heading = "Input")]
    pub paths: Vec<PathBuf>,
    /// The provider folder the fixtures go to (default: from the request's host, e.g. api.openai.com → openai,
    /// api.groq.com → openai-compatible with server groq)
    #[arg(long, short = 'p', value_name = "P", help_heading = "Fixture")]
    pub provider: Option<String>,
    /// For openai-compatible: the server that sent the responses (vllm, ollama, llama.cpp, groq, ...)
    #[arg(long, value_name = "NAME", help_heading = "Fixture")]
    pub server: Option<String>,
    /// Where the recording comes from: `owner/repo@commit:path/in/repo` or a URL
    #[arg(long, value_name = "ORIGIN", help_heading = "Fixture")]
    pub origin: Option<String>,
    /// The capture date when the recording has none (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", help_heading = "Fixture")]
    pub date: Option<String>,
    /// The fixture name, kebab-case (default: the recording's file name; `-1`, `-2`, ... for several responses)
    #[arg(long, value_name = "NAME", help_heading = "Fixture")]
    pub name: Option<String>,
    /// The sidecar's description (default: made from the model and what the response shows)
    #[arg(long, value_name = "TEXT", help_heading = "Fixture")]
    pub description: Option<String>,
    /// What the recorder did that the recording does not show, added to each sidecar's
    /// `normalisation` (repeatable): recorder-reformatted (it parsed and re-wrote the body, as the
    /// Vercel AI SDK's recorder does), re-serialised-json, sorted-keys, dechunked, framed-events
    #[arg(long, value_name = "NORMALISATION", help_heading = "Fixture")]
    pub recorder: Vec<chatcompat::corpus::Normalisation>,
    /// Fixture directory (default: the workspace's fixtures/)
    #[arg(long, env = "CHATCOMPAT_FIXTURES", value_name = "DIR", help_heading = "Output")]
    pub fixtures: Option<PathBuf>,
    /// Write nothing: print what would be written, with each sidecar
    #[arg(long, help_heading = "Output")]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Fixture directory (default: the workspace's fixtures/)
    #[arg(long, env = "CHATCOMPAT_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Do not write: fail, naming the file, when a committed model differs from a fresh generation
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// The provider whose schema the responses follow (openai, openrouter, ...)
    #[arg(long, short = 'p', value_name = "P")]
    pub provider: String,
    /// How many responses to write, one per line
    #[arg(long, short = 'n', default_value_t = 16, value_name = "N")]
    pub count: usize,
    /// The seed: the same seed (and chatcompat version) writes the same bytes
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Write broken responses instead, one per line as
    /// {"instance": ..., "expect": [{"pointer": ..., "keyword": ...}], "mutation": ...}
    #[arg(long)]
    pub invalid: bool,
}

#[derive(Debug, Args)]
pub struct DeriveArgs {
    /// Do not write: fail, naming the file, when a committed schema differs from a fresh derivation
    #[arg(long, conflicts_with_all = ["tables", "root"])]
    pub check: bool,
    /// Derive from this folder of tables instead (e.g. an SDK's docs/models) and print to stdout
    #[arg(long, value_name = "DIR", requires = "root")]
    pub tables: Option<PathBuf>,
    /// The root type (name or page file) of --tables
    #[arg(long, value_name = "TYPE", requires = "tables")]
    pub root: Option<String>,
    /// With --tables: read nullability, integers and wire keys from the SDK's source here
    /// (zod inbound schemas in src/models/**, or pydantic models)
    #[arg(long, value_name = "DIR", requires = "tables")]
    pub sdk_source: Option<PathBuf>,
    /// With --tables: overrides in our table format (`# Type`, `## Fields` rows replacing the pages' rows)
    #[arg(long, value_name = "FILE", requires = "tables")]
    pub overrides: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Fixture directory (default: the workspace's fixtures/)
    #[arg(long, env = "CHATCOMPAT_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
    /// Where to write compatibility.md, compatibility.json and index.html (default: the workspace's reports/)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Do not write: fail, naming the file, when a committed report differs from a fresh one
    #[arg(long)]
    pub check: bool,
}

pub const CHECK_EXIT_CODES: &str = "\
Exit codes:
  0  every response conforms (with --strict: and has no undocumented fields)
  1  at least one response violates a schema or is not well-formed JSON
     (with --strict: or has undocumented fields)
  2  usage or I/O error: bad arguments, unknown provider, an input that cannot be read
     or is larger than --max-response-bytes, no response found";

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// A JSON file (one response), a folder (walked for *.json, *.jsonl, *.ndjson; *.toml sidecars
    /// skipped), a JSON Lines file (one response per line), or - for standard input
    #[arg(value_name = "PATH", required = true, help_heading = "Input")]
    pub paths: Vec<PathBuf>,
    /// How to read each input: auto (*.jsonl, *.ndjson: JSON Lines; *.json: one response;
    /// stdin and other names: sniffed from the first line), json or jsonl
    #[arg(long, value_enum, default_value_t = InputArg::Auto, value_name = "KIND", help_heading = "Input")]
    pub input: InputArg,
    /// Read the inputs as event-stream transcripts (*.sse files, folders walked for *.sse, - for
    /// standard input): each is checked chunk by chunk against the provider's chunk schema, by the
    /// sequence rules, and reassembled against its response schema
    #[arg(long, help_heading = "Input")]
    pub stream: bool,
    /// A longer response (file or line) is reported and skipped instead of read
    #[arg(long, default_value_t = chatcompat::check::MAX_RESPONSE_BYTES, value_name = "BYTES", help_heading = "Input")]
    pub max_response_bytes: usize,
    /// Check with this many threads (default: one per core)
    #[arg(long, short = 'j', value_name = "N", help_heading = "Input")]
    pub jobs: Option<usize>,
    /// The provider whose schema the responses must conform to (openai, openrouter, ...); the schemas are
    /// built into chatcompat (--workspace or CHATCOMPAT_ROOT: a checkout's instead)
    #[arg(long, short = 'p', value_name = "P", required_unless_present = "schema", help_heading = "Schemas")]
    pub provider: Option<String>,
    /// Check against this JSON Schema file too (draft 2020-12, `$ref`s inside the file only), e.g. one
    /// `chatcompat derive --tables` wrote for your own SDK's docs; repeatable. Results name it by file name
    #[arg(long, value_name = "FILE", help_heading = "Schemas")]
    pub schema: Vec<PathBuf>,
    /// Also check against provider Q's schema: would a client built for Q read these responses?
    /// Repeat it or separate with commas; `all` means every other provider
    #[arg(long, value_name = "Q", value_delimiter = ',', help_heading = "Schemas")]
    pub against: Vec<String>,
    /// Fail on conforms-with-extensions too: undocumented fields become findings
    #[arg(long, help_heading = "Schemas")]
    pub strict: bool,
    /// Output format: human (colored on a terminal), json (JSON Lines, one object per response
    /// per schema), junit (JUnit XML), github (GitHub Actions workflow annotations)
    #[arg(long, value_enum, default_value_t = FormatArg::Human, value_name = "FORMAT", help_heading = "Output")]
    pub format: FormatArg,
    /// Color the human format: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN", help_heading = "Output")]
    pub color: ColorArg,
    /// After the run, print the coverage index of the provider's schema: which documented paths, absences,
    /// nulls and enum values the responses exercise (to standard error unless the format is human)
    #[arg(long, help_heading = "Output")]
    pub coverage: bool,
    /// Waive the known deviations this file lists (see README, "Use chatcompat in your SDK's CI"): a waived
    /// violation passes as an expected failure, shown with its reason and link; an entry of a checked provider
    /// that waives nothing, or matches no file, fails the run (other providers' entries are left alone)
    #[arg(long, value_name = "FILE", help_heading = "Expectations")]
    pub expectations: Option<PathBuf>,
    /// Update the expectations file (--expectations, default ./chatcompat-expectations.toml) so that this run
    /// passes: entries that still waive something, and other providers' entries, are kept as written (globs,
    /// comments); entries of the checked providers that waive nothing are removed; each new error gets an entry
    #[arg(long, help_heading = "Expectations")]
    pub update_expectations: bool,
}

pub const COMPAT_EXIT_CODES: &str = "\
Exit codes:
  0  compatible by contract: B's schemas accept everything A's allow (responses, and chunks where both stream)
  1  incompatibilities found (each listed with a witness), or a candidate no witness could prove
  2  usage or I/O error: bad arguments, unknown provider, a schema that cannot be read";

#[derive(Debug, Args)]
pub struct CompatArgs {
    /// Provider A: whose responses (openrouter, openai, ...)
    #[arg(value_name = "A")]
    pub from: String,
    /// Provider B: whose client reads them
    #[arg(value_name = "B")]
    pub to: String,
    /// Output format: human (each incompatibility with its witness) or json (one object, the report's shape)
    #[arg(long, value_enum, default_value_t = ObserveFormat::Human, value_name = "FORMAT")]
    pub format: ObserveFormat,
}

#[derive(Debug, Args)]
pub struct ObserveArgs {
    /// JSON files, folders (walked for *.json, *.jsonl, *.ndjson, *.sse), JSON Lines files, *.sse transcripts,
    /// or - for standard input (JSON Lines)
    #[arg(value_name = "PATH", required = true, help_heading = "Input")]
    pub paths: Vec<PathBuf>,
    /// The provider whose tables the traffic is compared with
    #[arg(long, short = 'p', value_name = "P", help_heading = "Schemas")]
    pub provider: String,
    /// Output format: human (a summary of the differences, then every path) or json (one object)
    #[arg(long, value_enum, default_value_t = ObserveFormat::Human, value_name = "FORMAT", help_heading = "Output")]
    pub format: ObserveFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObserveFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputArg {
    Auto,
    Json,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Junit,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

//! The `chatcompat` binary: parses arguments, calls one library function per
//! subcommand, renders the result and maps it to an exit code (0, 1 or 2).
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where output happens")]

mod args;

use std::process::ExitCode;

use chatcompat::{catalog::Drift, derive, report, tables, Catalog};
use clap::Parser;

use crate::args::{CheckArgs, Cli, ColorArg, Command, DeriveArgs, FormatArg, InputArg, LintArgs, ReportArgs};

/// Every response conforms, every schema is up to date.
const SUCCESS: u8 = 0;
/// A violation, a stale schema or a lint problem was found.
const FINDINGS: u8 = 1;
/// Bad arguments, unreadable input or malformed tables.
const FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let workspace = cli.workspace.clone().unwrap_or_else(Catalog::locate_workspace);
    let code = match cli.command {
        Command::Derive(args) => run_derive(&workspace, &args),
        Command::Report(args) => run_report(&workspace, &args),
        Command::Lint(args) => run_lint(&workspace, &args),
        Command::Models(args) => run_models(&workspace, &args),
        Command::Sample(args) => run_sample(&workspace, &args),
        Command::Check(args) => run_check(&workspace, &args),
    };
    ExitCode::from(code)
}

fn run_derive(workspace: &std::path::Path, args: &DeriveArgs) -> u8 {
    if let (Some(dir), Some(root)) = (&args.tables, &args.root) {
        return match tables::load(dir, root) {
            Ok(set) => {
                let id = format!("urn:chatcompat:custom:{}", set.root.to_lowercase());
                let shown = dir.display().to_string();
                let info = derive::SchemaInfo { id: &id, title: &set.root, tables: &shown };
                print!("{}", chatcompat::catalog::schema_text(&derive::derive(&set, &info)));
                SUCCESS
            }
            Err(errors) => {
                for error in errors {
                    eprintln!("error: {error}");
                }
                FAILURE
            }
        };
    }
    let catalog = match Catalog::discover(workspace) {
        Ok(catalog) => catalog,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let mut code = SUCCESS;
    for derived in catalog.derive_all(args.check) {
        let (provider, path) = (derived.provider, &derived.path);
        let shown = path.strip_prefix(workspace).unwrap_or(path).display().to_string();
        match derived.outcome {
            Ok(Drift::UpToDate) => println!("up to date  {shown}"),
            Ok(Drift::Written) => println!("written     {shown}"),
            Ok(Drift::Stale) => {
                println!("stale       {shown}: differs from a fresh derivation; run `chatcompat derive` and commit it");
                code = code.max(FINDINGS);
            }
            Err(err) => {
                eprintln!("error: {}: {err}", provider.id);
                code = FAILURE;
            }
        }
    }
    code
}

fn run_report(workspace: &std::path::Path, args: &ReportArgs) -> u8 {
    use std::io::IsTerminal as _;

    let loaded =
        Catalog::discover(workspace).and_then(|catalog| catalog.load_schemas().map(|s| (catalog, s)));
    let (catalog, schemas) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let fixtures = args.fixtures.clone().unwrap_or_else(|| workspace.join("fixtures"));
    if !fixtures.is_dir() {
        eprintln!("error: {}: not a directory", fixtures.display());
        return FAILURE;
    }
    let corpus = chatcompat::corpus::discover(&fixtures);
    let bar = indicatif::ProgressBar::new(corpus.fixtures.len() as u64);
    if !std::io::stderr().is_terminal() || corpus.fixtures.len() < 500 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let report = report::build(&catalog, &schemas, &corpus, &|done, _| bar.set_position(done as u64));
    bar.finish_and_clear();

    let out_dir = args.out.clone().unwrap_or_else(|| workspace.join("reports"));
    let mut code = SUCCESS;
    for (name, text) in report::render_all(&report) {
        let path = out_dir.join(name);
        let shown = path.strip_prefix(workspace).unwrap_or(&path).display().to_string();
        if args.check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                println!(
                    "stale       {shown}: differs from a fresh report; run `chatcompat report` and commit it"
                );
                code = FINDINGS;
            }
        } else if let Err(err) = std::fs::create_dir_all(&out_dir).and_then(|()| std::fs::write(&path, text))
        {
            eprintln!("error: {shown}: {err}");
            return FAILURE;
        }
    }
    print_summary(&report);
    print_stream_summary(&report);
    let failing = |rows: &[report::CorpusRow]| rows.iter().any(|row| !row.failing.is_empty());
    if failing(&report.corpus) || failing(&report.streaming.corpus) || !corpus.misplaced.is_empty() {
        code = code.max(FINDINGS);
    }
    code
}

/// The short terminal table: per fixture provider, how many of its valid
/// fixtures its own schema and the openai-compatible core accept.
/// Transcripts per provider: how many its own stream schemas accept, and how many fail their own trial.
fn print_stream_summary(report: &report::Report) {
    let streaming = &report.streaming;
    if streaming.corpus.is_empty() {
        return;
    }
    println!(
        "\n{:<14} {:>11} {:>10} {:>18} {:>8}",
        "streams", "transcripts", "own schema", "openai-compatible", "failing"
    );
    for row in &streaming.corpus {
        let accepted = |schema: &str| {
            report::streams::row(streaming, &row.provider)
                .into_iter()
                .find(|cell| cell.schema == schema && cell.supported)
                .map_or("-".to_string(), |c| {
                    format!("{}/{}", c.conforms + c.conforms_with_extensions, c.total)
                })
        };
        println!(
            "{:<14} {:>11} {:>10} {:>18} {:>8}",
            row.provider,
            row.valid.values().sum::<usize>() + row.invalid.values().sum::<usize>(),
            accepted(&row.provider),
            accepted("openai-compatible"),
            row.failing.len()
        );
        for failing in &row.failing {
            println!("  failing trial: {failing} (run `cargo test -- {failing}` for the detail)");
        }
    }
    let unsupported: Vec<&str> =
        streaming.providers.iter().filter(|p| !p.supported).map(|p| p.id.as_str()).collect();
    if !unsupported.is_empty() {
        println!("streaming not documented: {}", unsupported.join(", "));
    }
}

fn print_summary(report: &report::Report) {
    println!(
        "{:<14} {:>6} {:>10} {:>18} {:>8}",
        "provider", "valid", "own schema", "openai-compatible", "failing"
    );
    for row in &report.corpus {
        let accepted = |schema: &str| {
            report::row(report, &row.provider)
                .into_iter()
                .find(|cell| cell.schema == schema)
                .map_or("-".to_string(), |c| {
                    format!("{}/{}", c.conforms + c.conforms_with_extensions, c.total)
                })
        };
        let valid: usize = row.valid.values().sum();
        println!(
            "{:<14} {:>6} {:>10} {:>18} {:>8}",
            row.provider,
            valid,
            accepted(&row.provider),
            accepted("openai-compatible"),
            row.failing.len()
        );
        for failing in &row.failing {
            println!("  failing trial: {failing} (run `cargo test -- {failing}` for the detail)");
        }
    }
}

fn run_models(workspace: &std::path::Path, args: &crate::args::ModelsArgs) -> u8 {
    let outcomes = Catalog::discover(workspace)
        .and_then(|catalog| chatcompat::models::codegen::write_all(&catalog, args.check));
    let outcomes = match outcomes {
        Ok(outcomes) => outcomes,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let mut code = SUCCESS;
    for (path, drift) in outcomes {
        let shown = chatcompat::models::codegen::shown(workspace, &path);
        match drift {
            Drift::UpToDate => println!("up to date  {shown}"),
            Drift::Written => println!("written     {shown}"),
            Drift::Stale => {
                println!("stale       {shown}: differs from a fresh generation; run `chatcompat models` and commit it");
                code = FINDINGS;
            }
        }
    }
    code
}

fn run_sample(workspace: &std::path::Path, args: &crate::args::SampleArgs) -> u8 {
    use std::io::Write as _;

    let schema = Catalog::discover(workspace)
        .and_then(|catalog| catalog.provider(&args.provider).and_then(|p| catalog.load_schema(p)));
    let schema = match schema {
        Ok(schema) => schema,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let lines = if args.invalid {
        chatcompat::generate::sample_invalid(&schema, args.count, args.seed)
    } else {
        chatcompat::generate::sample(&schema, args.count, args.seed)
    };
    let lines = match lines {
        Ok(lines) => lines,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        if let Err(err) = writeln!(stdout, "{line}") {
            if err.kind() == std::io::ErrorKind::BrokenPipe {
                return SUCCESS;
            }
            eprintln!("error: stdout: {err}");
            return FAILURE;
        }
    }
    SUCCESS
}

fn run_lint(workspace: &std::path::Path, args: &LintArgs) -> u8 {
    let catalog = match Catalog::discover(workspace) {
        Ok(catalog) => catalog,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let fixtures = args.fixtures.clone().unwrap_or_else(|| workspace.join("fixtures"));
    if !fixtures.is_dir() {
        eprintln!("error: {}: not a directory", fixtures.display());
        return FAILURE;
    }
    let corpus = chatcompat::corpus::discover(&fixtures);
    let problems = chatcompat::lint::lint(&corpus, &catalog.ids());
    for problem in &problems {
        println!("{problem}");
    }
    println!(
        "{} fixture(s), {} transcript(s), {} problem(s)",
        corpus.fixtures.len(),
        corpus.transcripts.len(),
        problems.len()
    );
    if problems.is_empty() {
        SUCCESS
    } else {
        FINDINGS
    }
}

/// `check --stream`: transcripts against each provider's stream schemas and conventions.
fn run_check_stream(catalog: &Catalog, ids: &[String], args: &CheckArgs) -> u8 {
    use chatcompat::{
        check::{Input, Status},
        format::Format,
        stream::{output, StreamCatalog, Support},
    };
    use std::io::Write;

    let streams = StreamCatalog::load(catalog);
    let mut schemas = Vec::new();
    for id in ids {
        match streams.support(id) {
            Support::Schemas(loaded) => schemas.push(loaded),
            Support::NotDocumented(note) => {
                eprintln!("error: provider `{id}` documents no streaming ({note}): its transcripts cannot be checked");
                return FAILURE;
            }
            Support::Broken(error) => {
                eprintln!("error: {error}");
                return FAILURE;
            }
            Support::Unknown => {
                eprintln!("error: unknown provider `{id}` (known: {})", catalog.ids().join(", "));
                return FAILURE;
            }
        }
    }
    let format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Junit => Format::Junit,
        FormatArg::Github => Format::Github,
    };
    let inputs: Vec<Input> = args.paths.iter().map(|path| Input::from_arg(path)).collect();
    let results = output::check_inputs(&inputs, &schemas, &mut std::io::stdin().lock());
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = output::write(format, &mut out, &results, ids, args.strict).and_then(|()| out.flush());
    match written {
        Ok(()) => match output::status(&results, args.strict) {
            Status::Passed => SUCCESS,
            Status::Failed => FINDINGS,
            Status::Incomplete => FAILURE,
        },
        // Like ripgrep: a reader that went away (`| head`) is not an error.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write the report: {err}");
            FAILURE
        }
    }
}

fn run_check(workspace: &std::path::Path, args: &CheckArgs) -> u8 {
    use chatcompat::check::{CheckOptions, Checker, Input, InputMode, Status};
    use chatcompat::format::{self, Format};
    use std::io::{IsTerminal, Write};

    let catalog = match Catalog::discover(workspace) {
        Ok(catalog) => catalog,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let mut ids = vec![args.provider.clone()];
    for against in &args.against {
        if against == "all" {
            ids.extend(catalog.ids());
        } else {
            ids.push(against.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    if args.stream {
        return run_check_stream(&catalog, &ids, args);
    }
    let mut schemas = Vec::new();
    for id in &ids {
        match catalog.provider(id).and_then(|provider| catalog.load_schema(provider)) {
            Ok(schema) => schemas.push(schema),
            Err(err) => {
                eprintln!("error: {err}");
                return FAILURE;
            }
        }
    }
    if args.max_response_bytes == 0 {
        eprintln!("error: --max-response-bytes must be at least 1");
        return FAILURE;
    }
    let format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Junit => Format::Junit,
        FormatArg::Github => Format::Github,
    };
    let options = CheckOptions {
        strict: args.strict,
        input: match args.input {
            InputArg::Auto => InputMode::Auto,
            InputArg::Json => InputMode::Json,
            InputArg::Jsonl => InputMode::Jsonl,
        },
        max_response_bytes: args.max_response_bytes,
        excerpts: format.shows_excerpts(),
        ..CheckOptions::default()
    };
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let inputs: Vec<Input> = args.paths.iter().map(|path| Input::from_arg(path)).collect();
    let checker = Checker::new(schemas.iter().collect(), options);
    let run = || {
        let mut reporter = format::reporter(format, std::io::BufWriter::new(std::io::stdout().lock()), color);
        checker.run(&inputs, reporter.as_mut())
    };
    let outcome = match args.jobs {
        Some(jobs) => match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
            Ok(pool) => pool.install(run),
            Err(err) => {
                eprintln!("error: cannot start {jobs} threads: {err}");
                return FAILURE;
            }
        },
        None => run(),
    };
    match outcome {
        Ok(summary) => match summary.status() {
            Status::Passed => SUCCESS,
            Status::Failed => FINDINGS,
            Status::Incomplete => FAILURE,
        },
        // Like ripgrep: a reader that went away (`| head`) is not an error.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => SUCCESS,
        Err(err) => {
            let _ = std::io::stderr().flush();
            eprintln!("error: cannot write the report: {err}");
            FAILURE
        }
    }
}

//! The `chatcompat` binary: parses arguments, calls one library function per
//! subcommand, renders the result and maps it to an exit code (0, 1 or 2).
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where output happens")]

mod args;

use std::process::ExitCode;

use chatcompat::{catalog::Drift, derive, report, tables, Catalog};
use clap::Parser;

use crate::args::{Cli, Command, DeriveArgs, LintArgs, ReportArgs};

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
    for (provider, outcome) in catalog.derive_all(args.check) {
        let path = provider.schema_path();
        let shown = path.strip_prefix(workspace).unwrap_or(&path).display().to_string();
        match outcome {
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
    if report.corpus.iter().any(|row| !row.failing.is_empty()) || !corpus.misplaced.is_empty() {
        code = code.max(FINDINGS);
    }
    code
}

/// The short terminal table: per fixture provider, how many of its valid
/// fixtures its own schema and the openai-compatible core accept.
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
    println!("{} fixture(s), {} problem(s)", corpus.fixtures.len(), problems.len());
    if problems.is_empty() {
        SUCCESS
    } else {
        FINDINGS
    }
}

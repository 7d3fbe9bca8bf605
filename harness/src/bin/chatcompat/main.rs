//! The `chatcompat` binary: parses arguments, calls one library function per
//! subcommand, renders the result and maps it to an exit code (0, 1 or 2).
#![expect(clippy::print_stdout, clippy::print_stderr, reason = "the binary is where output happens")]

mod args;

use std::process::ExitCode;

use chatcompat::{catalog::Drift, derive, tables, Catalog};
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
    let schemas = match Catalog::discover(workspace).and_then(|catalog| catalog.load_schemas()) {
        Ok(schemas) => schemas,
        Err(err) => {
            eprintln!("error: {err}");
            return FAILURE;
        }
    };
    let fixtures = args.fixtures.clone().unwrap_or_else(|| workspace.join("fixtures"));
    let corpus = chatcompat::corpus::discover(&fixtures);
    let summaries = chatcompat::corpus::summarize(&chatcompat::corpus::run_all(&corpus, &schemas));
    println!(
        "{:<18} {:>5} {:>8} {:>8} {:>10} {:>8} {:>7}",
        "provider", "valid", "conforms", "with-ext", "invalid", "rejected", "failed"
    );
    let mut code = SUCCESS;
    for s in &summaries {
        println!(
            "{:<18} {:>5} {:>8} {:>8} {:>10} {:>8} {:>7}",
            s.provider,
            s.valid,
            s.conforms,
            s.conforms_with_extensions,
            s.invalid,
            s.rejected_as_expected,
            s.failures.len()
        );
        if !s.failures.is_empty() {
            code = FINDINGS;
        }
    }
    for misplaced in &corpus.misplaced {
        println!("misplaced: {}: {}", misplaced.path.display(), misplaced.reason);
        code = FINDINGS;
    }
    for failure in summaries.iter().flat_map(|s| &s.failures) {
        println!("\nfailed: {failure}");
    }
    code
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

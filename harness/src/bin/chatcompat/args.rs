//! Command-line arguments: one subcommand per task, parsed by clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Fixture directory (default: the workspace's fixtures/)
    #[arg(long, env = "CHATCOMPAT_FIXTURES", value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
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

//! The `chatcompat` binary: parses arguments, calls one library function per
//! subcommand, renders the result and maps it to an exit code (0, 1 or 2).
//! Standard output is written only through `out!`/`outln!` (clippy's `print_stdout` stays denied
//! here), so a closed pipe is an error `main` handles in one place instead of a panic.
#![expect(clippy::print_stderr, reason = "the binary is where diagnostics are printed")]

mod args;

use std::process::ExitCode;

use chatcompat::{catalog::Drift, derive, report, Catalog};
use clap::Parser;

use crate::args::{
    CheckArgs, Cli, ColorArg, Command, DeriveArgs, FormatArg, ImportArgs, InputArg, LintArgs, ReportArgs,
};

/// Every response conforms, every schema is up to date.
const SUCCESS: u8 = 0;
/// A violation, a stale schema or a lint problem was found.
const FINDINGS: u8 = 1;
/// Bad arguments, unreadable input or malformed tables.
const FAILURE: u8 = 2;

/// A usage or I/O error that stops a subcommand: printed once, by `main`, and exit code 2.
type Failure = Box<dyn std::error::Error>;

/// Standard output could not be written. When its reader went away (`| head -1`: a closed
/// pipe, `EPIPE`), `main` ends the process quietly with exit code 0, as ripgrep does; any
/// other write error is a [`FAILURE`].
#[derive(Debug, thiserror::Error)]
#[error("cannot write the output: {0}")]
struct Output(#[source] std::io::Error);

/// Writes to standard output; a failed write returns from the subcommand as an [`Output`] error.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*).map_err(Output)?
    }};
}

/// [`out!`] with a newline.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(Output)?
    }};
}

/// Whether `err` is a write to a reader that closed its end of the pipe.
fn is_closed_pipe(err: &(dyn std::error::Error + 'static)) -> bool {
    let io = err.downcast_ref::<Output>().map(|output| &output.0).or_else(|| err.downcast_ref());
    io.is_some_and(|io: &std::io::Error| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Where a subcommand's schemas and files come from. Checking (`check`, `observe`, `sample`,
/// `compat`, `lint`'s provider list) uses the schemas embedded in the binary unless `--workspace` (or
/// `$CHATCOMPAT_ROOT`) names a checkout; `derive`, `models`, `report` and `import` work on a checkout's
/// files: that one, else the checkout the binary was built from while it still exists. The current
/// folder is never guessed from.
struct Place {
    workspace: Option<std::path::PathBuf>,
}

impl Place {
    /// The providers and schemas to check against.
    fn catalog(&self) -> Result<Catalog, chatcompat::CatalogError> {
        Catalog::open(self.workspace.as_deref())
    }

    /// The checkout whose files `what` reads or writes.
    fn checkout(&self, what: &str) -> Result<std::path::PathBuf, chatcompat::CatalogError> {
        self.workspace
            .clone()
            .or_else(Catalog::build_checkout)
            .ok_or_else(|| chatcompat::CatalogError::NeedsCheckout { what: what.to_string() })
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let place = Place { workspace: cli.workspace.clone() };
    let code = match cli.command {
        Command::Derive(args) => run_derive(&place, &args),
        Command::Report(args) => run_report(&place, &args),
        Command::Lint(args) => run_lint(&place, &args),
        Command::Models(args) => run_models(&place, &args),
        Command::Sample(args) => run_sample(&place, &args),
        Command::Observe(args) => run_observe(&place, &args),
        Command::Check(args) => run_check(&place, &args),
        Command::Compat(args) => run_compat(&place, &args),
        Command::Import(args) => run_import(&place, &args),
    };
    ExitCode::from(match code {
        Ok(code) => code,
        // The one place a closed pipe is handled: quietly, and as a success (see `Output`).
        Err(err) if is_closed_pipe(err.as_ref()) => SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            FAILURE
        }
    })
}

/// The corpus a subcommand runs over: `--fixtures` (or `$CHATCOMPAT_FIXTURES`), else the workspace's.
fn fixtures_dir(
    workspace: &std::path::Path,
    arg: Option<&std::path::Path>,
) -> Result<std::path::PathBuf, Failure> {
    let fixtures = arg.map_or_else(|| workspace.join("fixtures"), std::path::Path::to_path_buf);
    if !fixtures.is_dir() {
        return Err(format!("{}: not a directory", fixtures.display()).into());
    }
    Ok(fixtures)
}

fn run_derive(place: &Place, args: &DeriveArgs) -> Result<u8, Failure> {
    if let (Some(dir), Some(root)) = (&args.tables, &args.root) {
        let options = derive::docs::Options {
            sdk_source: args.sdk_source.as_deref(),
            overrides: args.overrides.as_deref(),
        };
        let derived = derive::docs::from_docs(dir, root, &options).map_err(|err| err.to_string())?;
        for note in &derived.notes {
            eprintln!("note: {note}");
        }
        out!("{}", chatcompat::catalog::schema_text(&derived.schema));
        return Ok(SUCCESS);
    }
    let workspace = &place.checkout("`derive` (it writes schemas/)")?;
    let catalog = Catalog::discover(workspace)?;
    let mut code = SUCCESS;
    for derived in catalog.derive_all(args.check) {
        let (provider, path) = (derived.provider, &derived.path);
        let shown = path.strip_prefix(workspace).unwrap_or(path).display().to_string();
        match derived.outcome {
            Ok(Drift::UpToDate) => outln!("up to date  {shown}"),
            Ok(Drift::Written) => outln!("written     {shown}"),
            Ok(Drift::Stale) => {
                outln!("stale       {shown}: differs from a fresh derivation; run `chatcompat derive` and commit it");
                code = code.max(FINDINGS);
            }
            Err(err) => {
                eprintln!("error: {}: {err}", provider.id);
                code = FAILURE;
            }
        }
    }
    Ok(code)
}

fn run_report(place: &Place, args: &ReportArgs) -> Result<u8, Failure> {
    use std::io::IsTerminal as _;

    let workspace = &place.checkout("`report` (it reads fixtures/ and oracles/)")?;
    let loaded =
        Catalog::discover(workspace).and_then(|catalog| catalog.load_schemas().map(|s| (catalog, s)));
    let (catalog, schemas) = loaded?;
    let fixtures = fixtures_dir(workspace, args.fixtures.as_deref())?;
    let corpus = chatcompat::corpus::discover(&fixtures);
    let bar = indicatif::ProgressBar::new(corpus.fixtures.len() as u64);
    if !std::io::stderr().is_terminal() || corpus.fixtures.len() < 500 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let report = report::build(&catalog, &schemas, &corpus, &|done, _| bar.set_position(done as u64));
    bar.finish_and_clear();

    let out_dir = args.out.clone().unwrap_or_else(|| workspace.join("reports"));
    let mut code = SUCCESS;
    let mut written = Vec::new();
    for (name, text) in report::render_all(&report) {
        let path = out_dir.join(name);
        let shown = path.strip_prefix(workspace).unwrap_or(&path).display().to_string();
        if args.check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                outln!(
                    "stale       {shown}: differs from a fresh report; run `chatcompat report` and commit it"
                );
                code = FINDINGS;
            }
        } else if let Err(err) = std::fs::create_dir_all(&out_dir).and_then(|()| std::fs::write(&path, text))
        {
            return Err(format!("{shown}: {err}").into());
        } else {
            written.push(name);
        }
    }
    if !written.is_empty() {
        let dir = std::fs::canonicalize(&out_dir).unwrap_or(out_dir);
        outln!("wrote {} in {}", written.join(", "), dir.display());
    }
    print_summary(&report)?;
    print_stream_summary(&report)?;
    let failing = |rows: &[report::CorpusRow]| rows.iter().any(|row| !row.failing.is_empty());
    if failing(&report.corpus) || failing(&report.streaming.corpus) || !corpus.misplaced.is_empty() {
        code = code.max(FINDINGS);
    }
    Ok(code)
}

/// The short terminal table: per fixture provider, how many of its valid
/// fixtures its own schema and the openai-compatible core accept.
/// Transcripts per provider: how many its own stream schemas accept, and how many fail their own trial.
fn print_stream_summary(report: &report::Report) -> Result<(), Failure> {
    let streaming = &report.streaming;
    if streaming.corpus.is_empty() {
        return Ok(());
    }
    // The label column fits the longest row (`openai-compatible · perplexity`), so the counts line up.
    let width = streaming.corpus.iter().map(|row| row.row.chars().count()).max().unwrap_or(0).max(14);
    outln!(
        "\n{:<width$} {:>11} {:>10} {:>18} {:>8}",
        "streams",
        "transcripts",
        "own schema",
        "openai-compatible",
        "failing"
    );
    for row in &streaming.corpus {
        let accepted = |schema: &str| {
            report::streams::row(streaming, &row.row)
                .into_iter()
                .find(|cell| cell.schema == schema && cell.supported)
                .map_or("-".to_string(), |c| {
                    format!("{}/{}", c.conforms + c.conforms_with_extensions, c.total)
                })
        };
        outln!(
            "{:<width$} {:>11} {:>10} {:>18} {:>8}",
            row.row,
            row.valid.values().sum::<usize>() + row.invalid.values().sum::<usize>(),
            accepted(&row.provider),
            accepted("openai-compatible"),
            row.failing.len()
        );
        for failing in &row.failing {
            outln!("  failing trial: {failing} (run `cargo test -- {failing}` for the detail)");
        }
    }
    let unsupported: Vec<&str> =
        streaming.providers.iter().filter(|p| !p.supported).map(|p| p.id.as_str()).collect();
    if !unsupported.is_empty() {
        outln!("streaming not documented: {}", unsupported.join(", "));
    }
    Ok(())
}

fn print_summary(report: &report::Report) -> Result<(), Failure> {
    let width = report.corpus.iter().map(|row| row.row.chars().count()).max().unwrap_or(0).max(14);
    outln!(
        "{:<width$} {:>6} {:>10} {:>18} {:>8}",
        "provider",
        "valid",
        "own schema",
        "openai-compatible",
        "failing"
    );
    for row in &report.corpus {
        let accepted = |schema: &str| {
            report::row(report, &row.row)
                .into_iter()
                .find(|cell| cell.schema == schema)
                .map_or("-".to_string(), |c| {
                    format!("{}/{}", c.conforms + c.conforms_with_extensions, c.total)
                })
        };
        let valid: usize = row.valid.values().sum();
        outln!(
            "{:<width$} {:>6} {:>10} {:>18} {:>8}",
            row.row,
            valid,
            accepted(&row.provider),
            accepted("openai-compatible"),
            row.failing.len()
        );
        for failing in &row.failing {
            outln!("  failing trial: {failing} (run `cargo test -- {failing}` for the detail)");
        }
    }
    Ok(())
}

fn run_models(place: &Place, args: &crate::args::ModelsArgs) -> Result<u8, Failure> {
    let workspace = &place.checkout("`models` (it writes harness/src/models/)")?;
    let outcomes = Catalog::discover(workspace)
        .and_then(|catalog| chatcompat::models::codegen::write_all(&catalog, args.check));
    let outcomes = outcomes?;
    let mut code = SUCCESS;
    for (path, drift) in outcomes {
        let shown = chatcompat::models::codegen::shown(workspace, &path);
        match drift {
            Drift::UpToDate => outln!("up to date  {shown}"),
            Drift::Written => outln!("written     {shown}"),
            Drift::Stale => {
                outln!("stale       {shown}: differs from a fresh generation; run `chatcompat models` and commit it");
                code = FINDINGS;
            }
        }
    }
    Ok(code)
}

fn run_sample(place: &Place, args: &crate::args::SampleArgs) -> Result<u8, Failure> {
    use std::io::Write as _;

    let schema = place
        .catalog()
        .and_then(|catalog| catalog.provider(&args.provider).and_then(|p| catalog.load_schema(p)));
    let schema = schema?;
    let lines = if args.invalid {
        chatcompat::generate::sample_invalid(&schema, args.count, args.seed)
    } else {
        chatcompat::generate::sample(&schema, args.count, args.seed)
    };
    let lines = lines?;
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    for line in lines {
        writeln!(stdout, "{line}").map_err(Output)?;
    }
    stdout.flush().map_err(Output)?;
    Ok(SUCCESS)
}

fn run_lint(place: &Place, args: &LintArgs) -> Result<u8, Failure> {
    let catalog = place.catalog()?;
    let fixtures = match &args.fixtures {
        Some(dir) => fixtures_dir(dir, Some(dir))?,
        None => {
            let workspace =
                place.checkout("`lint` without --fixtures (it reads the checkout's fixtures/)")?;
            fixtures_dir(&workspace, None)?
        }
    };
    let corpus = chatcompat::corpus::discover(&fixtures);
    let problems = chatcompat::lint::lint(&corpus, &catalog.ids());
    for problem in &problems {
        outln!("{problem}");
    }
    outln!(
        "{} fixture(s), {} transcript(s), {} problem(s)",
        corpus.fixtures.len(),
        corpus.transcripts.len(),
        problems.len()
    );
    Ok(if problems.is_empty() { SUCCESS } else { FINDINGS })
}

fn run_import(place: &Place, args: &ImportArgs) -> Result<u8, Failure> {
    use chatcompat::import::{self, Outcome};

    let catalog = place.catalog()?;
    let fixtures = match &args.fixtures {
        Some(dir) => fixtures_dir(dir, Some(dir))?,
        None => fixtures_dir(&place.checkout("`import` without --fixtures (it writes fixtures/)")?, None)?,
    };
    let workspace = fixtures.parent().unwrap_or(&fixtures);
    let importer = import::Importer::new(&catalog, &fixtures)?;
    let options = import::Options {
        provider: args.provider.clone(),
        server: args.server.clone(),
        origin: parse_origin(args.origin.as_deref()),
        date: args.date.clone(),
        name: args.name.clone(),
        description: args.description.clone(),
        recorder: args.recorder.clone(),
    };
    let (mut written, mut skipped) = (0, 0);
    let inputs = chatcompat::input::Input::from_args(&args.paths);
    for item in chatcompat::input::items(&inputs, &import::RECORDINGS) {
        use chatcompat::input::{Entry, Item};
        let (path, bytes) = match item {
            Item::Entry(Entry::File(file)) => {
                let bytes =
                    std::fs::read(&file.path).map_err(|err| format!("{}: {err}", file.path.display()))?;
                (file.path, bytes)
            }
            Item::Entry(Entry::Stdin) => {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                    .map_err(|err| format!("{}: {err}", chatcompat::input::STDIN_NAME))?;
                (std::path::PathBuf::from(chatcompat::input::STDIN_NAME), bytes)
            }
            Item::Skipped(skipped) => {
                outln!("skipped  {skipped}");
                continue;
            }
            Item::Error(error) => return Err(error.into()),
        };
        let path = &path;
        let mut options = options.clone();
        if options.origin.repository.is_none()
            && options.origin.url.is_none()
            && options.origin.path.is_none()
        {
            options.origin.path = Some(path.display().to_string());
        }
        for outcome in importer.plan(path, &bytes, &options)? {
            match outcome {
                Outcome::Skipped { entry, reason } => {
                    skipped += 1;
                    outln!("skipped  {} {entry}: {reason}", path.display());
                }
                Outcome::Fixture(planned) => {
                    written += 1;
                    let shown = fixtures.join(&planned.path);
                    let shown = shown.strip_prefix(workspace).unwrap_or(&shown).display().to_string();
                    let errors = match planned.sidecar.expect.len() {
                        0 => String::new(),
                        n => format!(", {n} error(s) pinned"),
                    };
                    let redactions = match planned.sidecar.redaction.len() {
                        0 => String::new(),
                        n => format!(", {n} redaction(s)"),
                    };
                    let verb = if args.dry_run { "would write" } else { "wrote" };
                    outln!(
                        "{verb} {shown} (+ .toml) from {} {}: {}{errors}{redactions}",
                        path.display(),
                        planned.entry,
                        planned.validity.as_str()
                    );
                    if args.dry_run {
                        outln!("{}", planned.sidecar_text.trim_end().replace('\n', "\n    "));
                    } else {
                        import::write(&planned, &fixtures)?;
                    }
                }
            }
        }
    }
    outln!(
        "{written} fixture(s) {}, {skipped} response(s) skipped",
        if args.dry_run { "planned" } else { "written" }
    );
    Ok(if written > 0 { SUCCESS } else { FINDINGS })
}

/// `owner/repo@commit:path` (each part but the repository optional) or a URL.
fn parse_origin(origin: Option<&str>) -> chatcompat::corpus::Provenance {
    let mut provenance = chatcompat::corpus::Provenance::default();
    let Some(origin) = origin.map(str::trim).filter(|o| !o.is_empty()) else { return provenance };
    if origin.contains("://") {
        provenance.url = Some(origin.to_string());
        return provenance;
    }
    let origin = origin.strip_prefix("github:").unwrap_or(origin);
    let (head, path) = match origin.split_once(':') {
        Some((head, path)) => (head, Some(path.to_string())),
        None => (origin, None),
    };
    let (repository, commit) = match head.split_once('@') {
        Some((repository, commit)) => (repository, Some(commit.to_string())),
        None => (head, None),
    };
    provenance.repository = Some(repository.to_string());
    provenance.commit = commit;
    provenance.path = path;
    provenance
}

/// `check --stream`: transcripts against each provider's stream schemas and conventions.
fn run_check_stream(catalog: &Catalog, ids: &[String], args: &CheckArgs) -> Result<u8, Failure> {
    use chatcompat::{
        check::{Input, Status},
        expectations::{Expectations, Outcome, Scope},
        format::Format,
        stream::{output, StreamCatalog, Support},
    };
    use std::io::Write;

    let streams = StreamCatalog::load(catalog);
    let all = args.against.iter().any(|a| a == "all");
    let mut schemas = Vec::new();
    let mut kept = Vec::new();
    for id in ids {
        match streams.support(id) {
            Support::Schemas(loaded) => {
                schemas.push(loaded);
                kept.push(id.clone());
            }
            // `--against all` means every provider that streams; the others are named, not fatal.
            Support::NotDocumented(note) if all && Some(id) != args.provider.as_ref() => {
                eprintln!("note: --against all skips `{id}`: it documents no streaming ({note})");
            }
            Support::NotDocumented(note) => {
                return Err(format!(
                    "provider `{id}` documents no streaming ({note}): its transcripts cannot be checked"
                )
                .into());
            }
            Support::Broken(error) => {
                return Err(error.to_string().into());
            }
            Support::Unknown => {
                return Err(format!("unknown provider `{id}` (known: {})", catalog.ids().join(", ")).into());
            }
        }
    }
    let ids = &kept;
    let format = match args.format {
        FormatArg::Human => Format::Human,
        FormatArg::Json => Format::Json,
        FormatArg::Junit => Format::Junit,
        FormatArg::Github => Format::Github,
    };
    let expectations_path = args.expectations.clone().or_else(|| {
        args.update_expectations.then(|| std::path::PathBuf::from(chatcompat::expectations::FILE_NAME))
    });
    let expectations = match &expectations_path {
        Some(path) if args.update_expectations && !path.exists() => None,
        Some(path) => Some(Expectations::load(path).map_err(|err| format!("{err}"))?),
        None => None,
    };
    let inputs: Vec<Input> = args.paths.iter().map(|path| Input::from_arg(path)).collect();
    let mut transcripts = output::check_inputs(&inputs, &schemas, &mut std::io::stdin().lock());

    let scope = Scope::transcripts(ids);
    if let (true, Some(path)) = (args.update_expectations, &expectations_path) {
        // Every failing finding of every provider, as (event, pointer, keyword or rule).
        let outcomes: Vec<Outcome> = transcripts
            .results
            .iter()
            .filter(|r| r.outcome.is_ok())
            .flat_map(|r| {
                ids.iter().enumerate().map(|(at, id)| Outcome {
                    file: std::path::PathBuf::from(&r.file),
                    provider: id.clone(),
                    stream: true,
                    errors: r.failing(at, args.strict),
                })
            })
            .collect();
        let updated = chatcompat::expectations::update(path, expectations.as_ref(), &scope, &outcomes)?;
        report_update(path, "transcripts", &updated)?;
        return Ok(SUCCESS);
    }
    let stale = match &expectations {
        Some(expectations) => output::waive(&mut transcripts, expectations, ids, args.strict),
        None => Vec::new(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = output::write(format, &mut out, &transcripts, ids, args.strict).and_then(|()| out.flush());
    drop(out);
    if args.coverage {
        // The chunk schema's contract, over every chunk of every transcript that was read.
        let mut inventory = chatcompat::observe::Inventory::default();
        for input in chatcompat::input::walk(&inputs, &chatcompat::input::Filter::TRANSCRIPTS).entries {
            if let chatcompat::input::Entry::File(file) = input {
                if let Ok(bytes) = std::fs::read(&file.path) {
                    inventory.add_transcript(&String::from_utf8_lossy(&bytes));
                }
            }
        }
        if let Some(schemas) = schemas.first() {
            let coverage = chatcompat::observe::observe(&schemas.chunk, &inventory).coverage;
            let text = render_coverage(&coverage).replacen("coverage: ", "coverage (stream chunks): ", 1);
            if matches!(format, Format::Human) {
                out!("{text}");
            } else {
                eprint!("{text}");
            }
        }
    }
    for (_, _, message) in &stale {
        eprintln!("error: {message}");
    }
    match written {
        Ok(()) => Ok(match output::status(&transcripts.results, args.strict) {
            Status::Incomplete => FAILURE,
            _ if !stale.is_empty() => FINDINGS,
            Status::Passed => SUCCESS,
            Status::Failed => FINDINGS,
        }),
        Err(err) => Err(Output(err).into()),
    }
}

/// Says what `--update-expectations` changed in the file.
fn report_update(
    path: &std::path::Path,
    what: &str,
    updated: &chatcompat::expectations::Updated,
) -> Result<(), Failure> {
    for (at, glob) in &updated.removed {
        outln!("removed the entry at {at} (fixtures = \"{glob}\"): it waives nothing in this run");
    }
    if updated.rewritten {
        eprintln!(
            "note: {} was written anew (its entries are not each under its own [[expect]] line): comments are lost",
            path.display()
        );
    }
    outln!(
        "updated {} for the {what}: kept {} entr{}, removed {}, added {}: this run now passes with it",
        path.display(),
        updated.kept,
        if updated.kept == 1 { "y" } else { "ies" },
        updated.removed.len(),
        updated.added
    );
    Ok(())
}

/// Records each response's violations per schema, for `--update-expectations`.
struct Collect<'c> {
    outcomes: &'c std::sync::Mutex<Vec<chatcompat::expectations::Outcome>>,
    providers: Vec<String>,
}

impl chatcompat::format::Reporter for Collect<'_> {
    fn begin(&mut self, info: &chatcompat::format::RunInfo) -> std::io::Result<()> {
        self.providers = info.schemas.clone();
        Ok(())
    }

    fn response(&mut self, response: &chatcompat::check::Response) -> std::io::Result<()> {
        if let Ok(judgements) = &response.outcome {
            let file = std::path::PathBuf::from(&*response.source.file);
            let outcomes = judgements.iter().zip(&self.providers).map(|(judgement, provider)| {
                let errors: Vec<(String, String)> = judgement
                    .checked
                    .violations
                    .iter()
                    .map(|v| (v.pointer.clone(), v.keyword.clone()))
                    .collect();
                chatcompat::expectations::Outcome::body(file.clone(), provider, &errors)
            });
            if let Ok(mut collected) = self.outcomes.lock() {
                collected.extend(outcomes);
            }
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &chatcompat::check::Summary) -> std::io::Result<()> {
        Ok(())
    }
}

/// The coverage index as a few lines of text.
fn render_coverage(coverage: &chatcompat::observe::Coverage) -> String {
    let mut text = format!(
        "coverage: {}: {}% of the documented contract exercised ({} of {} items over {} responses)\n",
        coverage.provider, coverage.percent, coverage.covered, coverage.items, coverage.responses
    );
    for gap in &coverage.gaps {
        text.push_str(&format!("  not exercised: {gap}\n"));
    }
    text
}

fn run_check(place: &Place, args: &CheckArgs) -> Result<u8, Failure> {
    use chatcompat::check::{CheckOptions, Checker, Input, InputMode, Status};
    use chatcompat::expectations::Expectations;
    use chatcompat::format::{self, Format};
    use std::io::IsTerminal;

    let catalog = place.catalog()?;
    let mut ids: Vec<String> = args.provider.iter().cloned().collect();
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
        if !args.schema.is_empty() || args.provider.is_none() {
            return Err("--stream checks against a provider's stream schemas and rules: give --provider, not --schema".into());
        }
        return run_check_stream(&catalog, &ids, args);
    }
    let mut schemas = Vec::new();
    for id in &ids {
        match catalog.provider(id).and_then(|provider| catalog.load_schema(provider)) {
            Ok(schema) => schemas.push(schema),
            Err(err) => {
                return Err(format!("{err}").into());
            }
        }
    }
    for path in &args.schema {
        schemas.push(chatcompat::catalog::schema_file(path)?);
    }
    if args.max_response_bytes == 0 {
        return Err("--max-response-bytes must be at least 1".into());
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
    let expectations_path = args.expectations.clone().or_else(|| {
        args.update_expectations.then(|| std::path::PathBuf::from(chatcompat::expectations::FILE_NAME))
    });
    let expectations = match &expectations_path {
        Some(path) if args.update_expectations && !path.exists() => None,
        Some(path) => match Expectations::load(path) {
            Ok(loaded) => Some(loaded),
            Err(err) => {
                return Err(format!("{err}").into());
            }
        },
        None => None,
    };
    let mut checker = Checker::new(schemas.iter().collect(), options);
    if let Some(expectations) = &expectations {
        checker = checker.with_expectations(expectations);
    }
    if args.coverage {
        checker = checker.with_inventory();
    }
    let collected = std::sync::Mutex::new(Vec::new());
    let run = || {
        if args.update_expectations {
            let mut reporter = Collect { outcomes: &collected, providers: Vec::new() };
            return checker.run(&inputs, &mut reporter);
        }
        let mut reporter = format::reporter(format, std::io::BufWriter::new(std::io::stdout().lock()), color);
        checker.run(&inputs, reporter.as_mut())
    };
    let outcome = match args.jobs {
        Some(jobs) => match rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build() {
            Ok(pool) => pool.install(run),
            Err(err) => {
                return Err(format!("cannot start {jobs} threads: {err}").into());
            }
        },
        None => run(),
    };
    if let (Ok(_), true, Some(path)) = (&outcome, args.update_expectations, &expectations_path) {
        let outcomes = collected.into_inner().unwrap_or_default();
        let scope = chatcompat::expectations::Scope::bodies(&ids);
        let updated = chatcompat::expectations::update(path, expectations.as_ref(), &scope, &outcomes)?;
        report_update(path, "bodies", &updated)?;
        // The transcripts in the given folders get their (`stream = true`) entries in the same file.
        return check_transcripts_too(&catalog, &ids, args, &inputs, format, SUCCESS, Some(path.clone()));
    }
    if let (Ok(_), Some(inventory)) = (&outcome, checker.inventory()) {
        let coverage = chatcompat::observe::observe(&schemas[0], &inventory).coverage;
        let text = render_coverage(&coverage);
        if matches!(format, Format::Human) {
            out!("{text}");
        } else {
            eprint!("{text}");
        }
    }
    let stale = checker.expectation_problems();
    for (_, _, message) in &stale {
        eprintln!("error: {message}");
    }
    let code = match outcome {
        Ok(summary) => match summary.status() {
            Status::Incomplete => FAILURE,
            _ if !stale.is_empty() => FINDINGS,
            Status::Passed => SUCCESS,
            Status::Failed => FINDINGS,
        },
        Err(err) => return Err(Output(err).into()),
    };
    check_transcripts_too(&catalog, &ids, args, &inputs, format, code, expectations_path)
}

/// After `check` of bodies: the transcripts (`*.sse`) in the given folders, checked as streams too
/// (the body run skips them), with the same expectations file (its stream entries) and exit code.
fn check_transcripts_too(
    catalog: &Catalog,
    ids: &[String],
    args: &CheckArgs,
    inputs: &[chatcompat::check::Input],
    format: chatcompat::format::Format,
    code: u8,
    expectations: Option<std::path::PathBuf>,
) -> Result<u8, Failure> {
    use chatcompat::{check::Input, format::Format};

    let folders: Vec<Input> =
        inputs.iter().filter(|i| matches!(i, Input::Path(p) if p.is_dir())).cloned().collect();
    let found: Vec<std::path::PathBuf> =
        chatcompat::input::walk(&folders, &chatcompat::input::Filter::TRANSCRIPTS)
            .entries
            .into_iter()
            .filter_map(|e| match e {
                chatcompat::input::Entry::File(file) => Some(file.path),
                chatcompat::input::Entry::Stdin => None,
            })
            .collect();
    if found.is_empty() {
        return Ok(code);
    }
    let streams = chatcompat::stream::StreamCatalog::load(catalog);
    let streaming: Vec<String> = ids.iter().filter(|id| streams.schemas(id).is_some()).cloned().collect();
    let why_not = if matches!(format, Format::Junit) && !args.update_expectations {
        Some("one JUnit document holds the bodies only".to_string())
    } else if streaming.is_empty() {
        Some(format!("{} documents no streaming", ids.join(", ")))
    } else {
        None
    };
    if let Some(why) = why_not {
        eprintln!(
            "note: {} stream transcript(s) (*.sse) in the given folders were not checked ({why}); run \
             `chatcompat check --stream` on them",
            found.len()
        );
        return Ok(code);
    }
    if matches!(format, Format::Human) && !args.update_expectations {
        outln!("{} stream transcript(s) (*.sse) in the given folders, checked as streams:", found.len());
    }
    let mut stream_args = args.clone();
    stream_args.stream = true;
    stream_args.paths = found;
    stream_args.against = Vec::new();
    stream_args.coverage = false;
    // One file for both: the body run used its body entries, this one uses its stream entries.
    stream_args.expectations = expectations;
    let streamed = run_check_stream(catalog, &streaming, &stream_args)?;
    Ok(code.max(streamed))
}

fn run_compat(place: &Place, args: &args::CompatArgs) -> Result<u8, Failure> {
    let catalog = place.catalog()?;
    let pair = chatcompat::compat::pair(&catalog, &args.from, &args.to)?;
    match args.format {
        args::ObserveFormat::Human => out!("{}", chatcompat::compat::render(&pair)),
        args::ObserveFormat::Json => outln!("{}", serde_json::to_string_pretty(&pair)?),
    }
    let unconfirmed =
        pair.response.unconfirmed.len() + pair.chunk.as_ref().map_or(0, |c| c.unconfirmed.len());
    Ok(if pair.compatible() && unconfirmed == 0 { SUCCESS } else { FINDINGS })
}

fn run_observe(place: &Place, args: &args::ObserveArgs) -> Result<u8, Failure> {
    use chatcompat::{
        check::{CheckOptions, Checker},
        input::{self, Entry, Filter, Input},
        observe::{self, Inventory, Observation},
    };

    let loaded = place.catalog().and_then(|catalog| {
        let provider = catalog.provider(&args.provider)?.clone();
        let response = catalog.load_schema(&provider)?;
        let chunk = catalog.load_chunk_schema(&provider).ok();
        Ok((response, chunk))
    });
    let (response_schema, chunk_schema) = loaded?;
    // One walk (the input layer's): transcripts are read here, JSON and JSON Lines go through
    // the checker's reader. Every error and every skipped file is named on standard error.
    let walk = input::walk(&Input::from_args(&args.paths), &Filter::RESPONSES_AND_TRANSCRIPTS);
    let mut unread = walk.errors.len();
    for error in &walk.errors {
        eprintln!("error: {error}");
    }
    if !walk.skipped.is_empty() {
        let skipped: Vec<std::path::PathBuf> = walk.skipped.iter().map(|s| s.path.clone()).collect();
        eprintln!("note: {}", chatcompat::format::skipped_line(&skipped, Filter::RESPONSES_AND_TRANSCRIPTS));
    }
    let mut chunks = Inventory::default();
    let mut json_inputs = Vec::new();
    for entry in walk.entries {
        match entry {
            Entry::File(file) if input::Kind::of(&file.path) == input::Kind::Transcript => {
                match std::fs::read(&file.path) {
                    Ok(bytes) => {
                        chunks.add_transcript(&String::from_utf8_lossy(&bytes));
                    }
                    Err(err) => {
                        eprintln!("error: {}: cannot read: {err}", file.path.display());
                        unread += 1;
                    }
                }
            }
            Entry::File(file) => json_inputs.push(Input::Path(file.path)),
            Entry::Stdin => json_inputs.push(Input::Stdin),
        }
    }
    let checker = Checker::new(vec![&response_schema], CheckOptions::default()).with_inventory();
    let mut silent = chatcompat::format::reporter(chatcompat::format::Format::Json, std::io::sink(), false);
    let summary = checker.run(&json_inputs, silent.as_mut())?;
    if summary.unread + unread > 0 {
        return Err(format!(
            "{} input(s) could not be read; run `chatcompat check` on them for the detail",
            summary.unread + unread
        )
        .into());
    }
    let responses = checker.inventory().unwrap_or_default();
    let response_observation =
        (responses.responses > 0).then(|| observe::observe(&response_schema, &responses));
    let chunk_observation = match (&chunk_schema, chunks.responses) {
        (Some(schema), n) if n > 0 => Some(observe::observe(schema, &chunks)),
        _ => None,
    };
    if response_observation.is_none() && chunk_observation.is_none() {
        return Err("no response or chunk found in the given paths".into());
    }
    match args.format {
        args::ObserveFormat::Json => {
            let document = serde_json::json!({
                "provider": args.provider,
                "responses": response_observation,
                "chunks": chunk_observation,
            });
            outln!("{}", serde_json::to_string_pretty(&document).unwrap_or_default());
        }
        args::ObserveFormat::Human => {
            let show = |title: &str, observation: &Observation| -> Result<(), Failure> {
                outln!("{title}: {} ({} observed)", observation.provider, observation.responses);
                let coverage = &observation.coverage;
                outln!(
                    "  coverage: {}% ({} of {} items)",
                    coverage.percent,
                    coverage.covered,
                    coverage.items
                );
                for (label, items) in [
                    ("undocumented fields", &observation.undocumented),
                    ("documented fields never seen", &observation.never_seen),
                    ("values outside the documented set", &observation.outside_enum),
                    ("integer fields sent as floats", &observation.integer_as_float),
                    ("required fields seen absent", &observation.required_absent),
                ] {
                    outln!("  {label} ({}){}", items.len(), if items.is_empty() { "" } else { ":" });
                    for item in items {
                        outln!("    {item}");
                    }
                }
                outln!("  every path (present / absent / null, types, values):");
                for (path, stats) in &observation.inventory {
                    let types: Vec<String> = stats.types.iter().map(|(t, n)| format!("{t} {n}")).collect();
                    let values: Vec<String> =
                        stats.values.iter().map(|(v, n)| format!("{v:?} {n}")).collect();
                    let values = if values.is_empty() {
                        String::new()
                    } else {
                        format!("; values {}", values.join(", "))
                    };
                    outln!(
                        "    {path}: {} / {} / {}; {}{values}",
                        stats.present,
                        stats.absent,
                        stats.null,
                        types.join(", ")
                    );
                }
                Ok(())
            };
            if let Some(observation) = &response_observation {
                show("responses", observation)?;
            }
            if let Some(observation) = &chunk_observation {
                show("stream chunks", observation)?;
            }
        }
    }
    Ok(SUCCESS)
}

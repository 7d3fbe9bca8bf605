//! The `cargo test` entry over the corpus: one libtest-mimic trial per fixture
//! (`openrouter/valid/tool-calls-parallel`), one per stream transcript
//! (`openai/streams/valid/tool-calls-parallel`), one per misplaced file, and one
//! for the schemas' drift. All logic lives in the `chatcompat` library; this file
//! only turns what it finds into trials.
//!
//! `CHATCOMPAT_FIXTURES=DIR cargo test` runs the same trials over another folder
//! of the same layout. With `CHATCOMPAT_PROVIDER=P` too, `DIR` is a flat folder of
//! captures instead (bodies, JSON Lines, `.sse` transcripts; no sidecars, no
//! layout): one trial per body, record or transcript against P's schemas, named by
//! its path in `DIR` (`run-42.jsonl:3`), and nothing else (see [`flat`]).

use std::{path::PathBuf, sync::Arc};

use chatcompat::{
    catalog::{Catalog, Drift},
    corpus,
    stream::{self, StreamCatalog},
    Schema,
};
use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let fixtures =
        std::env::var_os("CHATCOMPAT_FIXTURES").map_or_else(|| workspace.join("fixtures"), PathBuf::from);
    let mut trials = Vec::new();

    let catalog = match Catalog::discover(&workspace) {
        Ok(catalog) => catalog,
        Err(err) => {
            let message = err.to_string();
            trials.push(Trial::test("schemas/catalog", move || Err(message.into())));
            libtest_mimic::run(&args, trials).exit();
        }
    };
    if let Some(provider) = std::env::var_os(corpus::PROVIDER_ENV) {
        flat(&fixtures, &provider.to_string_lossy(), &catalog, &mut trials);
        libtest_mimic::run(&args, trials).exit();
    }
    let mut schemas: Vec<Arc<Schema>> = Vec::new();
    for provider in &catalog.providers {
        match catalog.load_schema(provider) {
            Ok(schema) => schemas.push(Arc::new(schema)),
            Err(err) => {
                let message = err.to_string();
                trials.push(Trial::test(format!("schemas/{}/compile", provider.id), move || {
                    Err(message.into())
                }));
            }
        }
    }
    trials.push(drift_trial(catalog.clone()));
    let streams = Arc::new(StreamCatalog::load(&catalog));
    for (provider, error) in &streams.problems {
        let message = error.clone();
        trials.push(Trial::test(format!("schemas/{provider}/streams"), move || Err(message.into())));
    }

    let found = corpus::discover(&fixtures);
    let expected_failures = expectation_trials(&found, &schemas, &streams, &mut trials);
    trials.push(lint_trial(found.clone(), catalog.ids()));
    if std::env::var_os(corpus::FIXTURES_ENV).is_none() {
        trials.push(report_drift_trial(catalog.clone(), found.clone()));
        oracle_trials(&workspace, &found, &schemas, &streams, &mut trials);
    }
    for transcript in found.transcripts.clone() {
        if expected_failures.contains(&transcript.body) {
            trials.push(Trial::test(transcript.id(), || Ok(())).with_kind("expected failure"));
            continue;
        }
        let streams = Arc::clone(&streams);
        trials.push(Trial::test(transcript.id(), move || {
            stream::evaluate(&transcript, &streams).map(|_| ()).map_err(|err| Failed::from(err.to_string()))
        }));
    }
    for fixture in found.fixtures {
        if expected_failures.contains(&fixture.body) {
            trials.push(Trial::test(fixture.id(), || Ok(())).with_kind("expected failure"));
            continue;
        }
        let schema = schemas.iter().find(|s| s.provider() == fixture.provider).cloned();
        trials.push(Trial::test(fixture.id(), move || {
            corpus::evaluate(&fixture, schema.as_deref())
                .map(|_| ())
                .map_err(|err| Failed::from(err.to_string()))
        }));
    }
    for misplaced in found.misplaced {
        let relative =
            misplaced.path.strip_prefix(&fixtures).unwrap_or(&misplaced.path).display().to_string();
        let message = format!("{}: {}", misplaced.path.display(), misplaced.reason);
        trials.push(Trial::test(format!("misplaced/{relative}"), move || Err(message.into())));
    }

    libtest_mimic::run(&args, trials).exit();
}

/// The committed schemas must equal a fresh derivation from the tables.
fn drift_trial(catalog: Catalog) -> Trial {
    Trial::test("schemas/drift", move || {
        let mut problems = Vec::new();
        for derived in catalog.derive_all(true) {
            match derived.outcome {
                Ok(Drift::UpToDate | Drift::Written) => {}
                Ok(Drift::Stale) => problems.push(format!(
                    "{}: differs from a fresh derivation of schemas/{}/*.md; run `cargo run -p chatcompat -- derive` and commit it",
                    derived.path.display(),
                    derived.provider.id
                )),
                Err(err) => problems.push(format!("{}: {err}", derived.provider.id)),
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n").into())
        }
    })
}

/// The corpus passes the same review `chatcompat lint` gives a pull request.
fn lint_trial(found: corpus::Corpus, providers: Vec<String>) -> Trial {
    Trial::test("corpus/lint", move || {
        let problems = chatcompat::lint::lint(&found, &providers);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n").into())
        }
    })
}

/// The committed `reports/` must equal what `chatcompat report` generates now.
fn report_drift_trial(catalog: Catalog, found: corpus::Corpus) -> Trial {
    Trial::test("reports/drift", move || {
        let schemas = catalog.load_schemas().map_err(|err| err.to_string())?;
        let report = chatcompat::report::build(&catalog, &schemas, &found, &|_, _| {});
        let mut stale = Vec::new();
        for (name, fresh) in chatcompat::report::render_all(&report) {
            let path = catalog.root.join("reports").join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(fresh.as_str()) {
                stale.push(format!("reports/{name}"));
            }
        }
        if stale.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} differ(s) from a fresh report of the corpus and tables; regenerate with \
                 `cargo run --release -p chatcompat -- report` and commit reports/",
                stale.join(", ")
            )
            .into())
        }
    })
}

/// The SDK oracles' committed results against `check`: one trial per corpus file of a provider with an own SDK
/// (`oracles/<fixture id>`; a waived disagreement is an expected failure), one per stale waiver, one for results
/// of files that no longer exist.
fn oracle_trials(
    workspace: &std::path::Path,
    found: &corpus::Corpus,
    schemas: &[Arc<Schema>],
    streams: &StreamCatalog,
    trials: &mut Vec<Trial>,
) {
    use chatcompat::oracle::{self, Oracles, Status};

    let oracles = match Oracles::load(workspace) {
        Ok(oracles) => oracles,
        Err(err) => {
            let message = err.to_string();
            trials.push(Trial::test("oracles/load", move || Err(message.into())));
            return;
        }
    };
    let (judged, used) = oracle::judge(&oracles, workspace, found, schemas, streams);
    for item in judged {
        let name = format!("oracles/{}", item.fixture.id());
        let waived = matches!(item.status, Status::Waived { .. });
        let failure = item.failure();
        let trial = Trial::test(name, move || failure.map_or(Ok(()), |message| Err(message.into())));
        trials.push(if waived { trial.with_kind("expected failure") } else { trial });
    }
    for message in oracle::stale_waivers(&oracles, &used) {
        let line = message.split(':').nth(1).unwrap_or("0").to_string();
        trials.push(Trial::test(format!("oracles/stale-waiver/{line}"), move || Err(message.into())));
    }
    let orphans = oracle::orphan_rows(&oracles, workspace, found);
    trials.push(Trial::test("oracles/results", move || {
        if orphans.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} has results for files that are not in the corpus any more: {}; run oracles/run and commit it",
                oracle::RESULTS,
                orphans.join(", ")
            )
            .into())
        }
    }));
}

/// Applies the expectations file beside the corpus (or named by
/// `CHATCOMPAT_EXPECTATIONS`): returns the fixtures that fail only as expected,
/// and adds one failing trial per stale or unmatched entry, or for a malformed file.
fn expectation_trials(
    found: &corpus::Corpus,
    schemas: &[Arc<Schema>],
    streams: &StreamCatalog,
    trials: &mut Vec<Trial>,
) -> Vec<PathBuf> {
    use chatcompat::expectations::{self, Expectations};

    if Expectations::find(&found.root).is_none() {
        return Vec::new();
    }
    let results: Vec<_> = found
        .fixtures
        .iter()
        .map(|fixture| {
            let schema = schemas.iter().find(|s| s.provider() == fixture.provider);
            (fixture.clone(), corpus::evaluate(fixture, schema.map(|s| s.as_ref())))
        })
        .collect();
    let mut errors = expectations::fixture_errors(&results);
    errors.extend(expectations::fixture_errors(&stream::run_all(found, streams)));
    let (loaded, applied) = match expectations::apply_beside(&found.root, &errors) {
        Ok(Some(applied)) => applied,
        Ok(None) => return Vec::new(),
        Err(err) => {
            let message = err.to_string();
            trials.push(Trial::test("expectations/file", move || Err(message.into())));
            return Vec::new();
        }
    };
    for (problem, glob, message) in loaded.entry_problems(&applied) {
        trials.push(Trial::test(format!("expectations/{}/{glob}", problem.as_str()), move || {
            Err(message.into())
        }));
    }
    applied.expected_failures
}

/// `CHATCOMPAT_FIXTURES=DIR CHATCOMPAT_PROVIDER=P`: every capture under `DIR` against P's schemas, one
/// trial each (a waived one is an expected failure), plus one failing trial per stale or unmatched
/// expectations entry of P. The corpus's own trials (lint, drift, oracles) are not run: they are about
/// this repository's fixtures, not the user's captures.
fn flat(root: &std::path::Path, provider: &str, catalog: &Catalog, trials: &mut Vec<Trial>) {
    use chatcompat::expectations::Expectations;

    if std::env::var_os(corpus::FIXTURES_ENV).is_none() {
        let message = format!(
            "{} names the provider of a folder of captures: set {} to that folder too",
            corpus::PROVIDER_ENV,
            corpus::FIXTURES_ENV
        );
        trials.push(Trial::test("captures/folder", move || Err(message.into())));
        return;
    }
    let expectations = match Expectations::find(root).map(|path| Expectations::load(&path)).transpose() {
        Ok(expectations) => expectations,
        Err(err) => {
            let message = err.to_string();
            trials.push(Trial::test("expectations/file", move || Err(message.into())));
            return;
        }
    };
    let run = match corpus::check_captures(root, provider, catalog, expectations.as_ref()) {
        Ok(run) => run,
        Err(message) => {
            trials.push(Trial::test(format!("captures/{provider}"), move || Err(message.into())));
            return;
        }
    };
    if run.captures.is_empty() {
        let message = format!(
            "{}: no capture found (*.json bodies, *.jsonl or *.ndjson records, *.sse transcripts)",
            root.display()
        );
        trials.push(Trial::test("captures/none", move || Err(message.into())));
    }
    for capture in run.captures {
        trials.push(match capture.outcome {
            corpus::CaptureOutcome::Passed => Trial::test(capture.name, || Ok(())),
            corpus::CaptureOutcome::Waived(_) => {
                Trial::test(capture.name, || Ok(())).with_kind("expected failure")
            }
            corpus::CaptureOutcome::Failed(message) => Trial::test(capture.name, move || Err(message.into())),
        });
    }
    for (problem, glob, message) in run.problems {
        trials.push(Trial::test(format!("expectations/{}/{glob}", problem.as_str()), move || {
            Err(message.into())
        }));
    }
}

//! Feeds arbitrary bytes to the expectations file reader (`Expectations::load`), then
//! `apply`/`judge` a run to it and round-trips `update`.
//!
//! The input is the file's text, then after a NUL byte a run: one line per error,
//! `path<TAB>pointer<TAB>keyword[<TAB>event]` (an empty pointer is a stream rule; a path ending in
//! `.sse` is a transcript), paths relative to the file's folder, every response `openai`'s. Checks:
//! a load error's position lies inside the text; an entry's line lies inside the text and entries are
//! in file order; `apply` puts every failing file in exactly one of "expected failure" and "still
//! failing", agrees with `judge` file by file, and never calls an entry both stale and unmatched; and
//! the file `update` writes from the run (over the input's file when it loads, else anew) loads again,
//! makes that same run pass (no failing file, no stale or unmatched entry), and is written again byte
//! for byte by a second `update`.
#![no_main]

use std::{collections::BTreeMap, fs};

use chatcompat::expectations::{self, Expectations, Judged, Outcome, Scope, Subject};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let (file, run) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let dir = fs::canonicalize(common::scratch()).unwrap();
    let path = dir.join(expectations::FILE_NAME);
    fs::write(&path, file).unwrap();
    let results = run_of(&dir, run);

    let loaded = match Expectations::load(&path) {
        Ok(loaded) => Some(loaded),
        Err(err) => {
            let shown = err.to_string();
            if let Ok(text) = std::str::from_utf8(file) {
                common::assert_inside(&common::line_lengths(text), err.position, &shown);
            }
            None
        }
    };
    if let Some(loaded) = &loaded {
        let text = std::str::from_utf8(file).expect("a loaded file is UTF-8");
        let lines = common::line_lengths(text).len();
        let mut last = 0;
        for entry in &loaded.entries {
            assert!(entry.line >= 1 && entry.line <= lines, "entry at line {} of {lines}", entry.line);
            assert!(entry.line >= last, "entries out of order: line {} after {last}", entry.line);
            last = entry.line;
            assert!(!entry.spec.reason.trim().is_empty());
        }
        check_apply(loaded, &results);
    }

    // What `--update-expectations` writes must load and make the same run pass.
    let scope = Scope::all();
    let updated = if loaded.is_some() { path.clone() } else { dir.join("updated.toml") };
    let _ = std::fs::remove_file(dir.join("updated.toml"));
    expectations::update(&updated, loaded.as_ref(), &scope, &results).expect("update writes");
    let written = fs::read_to_string(&updated).unwrap();
    let reloaded = Expectations::load(&updated)
        .unwrap_or_else(|err| panic!("the file update wrote does not load: {err}\n{written}"));
    let applied = reloaded.apply(&scope, &results);
    assert!(
        applied.passed(),
        "the file update wrote does not pass its own run: still failing {:?}, stale {:?}, unmatched {:?}\n{written}",
        applied.still_failing,
        applied.stale.iter().map(|e| &e.spec).collect::<Vec<_>>(),
        applied.unmatched.iter().map(|e| &e.spec).collect::<Vec<_>>(),
    );
    expectations::update(&updated, Some(&reloaded), &scope, &results).expect("update writes");
    assert_eq!(fs::read_to_string(&updated).unwrap(), written, "a second update wrote another file");
});

/// The run named after the NUL byte: files (in `dir`) with their errors, in first-named order.
fn run_of(dir: &std::path::Path, run: &[u8]) -> Vec<Outcome> {
    let text = String::from_utf8_lossy(run);
    let mut files: BTreeMap<String, (usize, Vec<(Option<usize>, String, String)>)> = BTreeMap::new();
    for line in text.lines() {
        let mut cells = line.split('\t');
        let name: Vec<&str> = cells
            .next()
            .unwrap_or_default()
            .split('/')
            .filter(|c| !c.is_empty() && *c != "." && *c != ".." && !c.contains(['\\', '\0']))
            .collect();
        if name.is_empty() {
            continue;
        }
        let next = files.len();
        let errors = &mut files.entry(name.join("/")).or_insert((next, Vec::new())).1;
        if let (Some(pointer), Some(keyword)) = (cells.next(), cells.next()) {
            let event = cells.next().and_then(|e| e.parse().ok());
            errors.push((event, pointer.to_string(), keyword.to_string()));
        }
    }
    let mut ordered: Vec<_> = files.into_iter().collect();
    ordered.sort_by_key(|(_, (order, _))| *order);
    ordered
        .into_iter()
        .map(|(name, (_, errors))| Outcome {
            stream: name.ends_with(".sse"),
            file: dir.join(name),
            provider: "openai".into(),
            errors,
        })
        .collect()
}

fn check_apply(loaded: &Expectations, results: &[Outcome]) {
    let scope = Scope::all();
    let applied = loaded.apply(&scope, results);
    for outcome in results {
        let file = &outcome.file;
        let waived = applied.expected_failures.iter().filter(|f| *f == file).count();
        let failing = applied.still_failing.iter().filter(|(f, _)| f == file).count();
        if outcome.errors.is_empty() {
            assert_eq!(waived + failing, 0, "{}: no errors, yet judged", file.display());
        } else {
            assert_eq!(waived + failing, 1, "{}: judged {} times", file.display(), waived + failing);
        }
    }
    for stale in &applied.stale {
        assert!(!applied.unmatched.iter().any(|u| u.line == stale.line && u.spec == stale.spec));
    }
    assert!(applied.stale.len() + applied.unmatched.len() <= loaded.entries.len());
    // `judge` one file at a time agrees with `apply`.
    let mut tracker = loaded.tracker(&scope);
    for outcome in results {
        let relative = loaded.relative(&outcome.file);
        let subject = Subject { relative: &relative, provider: &outcome.provider, stream: outcome.stream };
        let judged = loaded.judge(&mut tracker, &subject, &outcome.errors);
        let failing = applied.still_failing.iter().any(|(f, _)| *f == outcome.file);
        assert_eq!(matches!(judged, Judged::Unwaived(_)), failing, "{}: {judged:?}", outcome.file.display());
    }
    let (stale, unmatched) = loaded.leftovers(&tracker);
    assert_eq!((stale.len(), unmatched.len()), (applied.stale.len(), applied.unmatched.len()));
}

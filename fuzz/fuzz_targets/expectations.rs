//! Feeds arbitrary bytes to the expectations file reader (`Expectations::load`), then
//! `apply`/`judge` a run to it and round-trips `update`.
//!
//! The input is the file's text, then after a NUL byte a run: one line per error,
//! `path<TAB>pointer<TAB>keyword` (an empty pointer is a stream rule), paths relative to the
//! file's folder. Checks: a load error's position lies inside the text; an entry's line lies
//! inside the text and entries are in file order; `apply` puts every failing file in exactly
//! one of "expected failure" and "still failing", a stale entry is never also unmatched; and
//! the file `update` writes from the run loads again, makes that same run pass (no failing file,
//! no stale or unmatched entry), and is written again byte for byte by a second `update`.
#![no_main]

use std::{collections::BTreeMap, fs, path::PathBuf};

use chatcompat::expectations::{self, Expectations, Judged};
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
    let updated = dir.join("updated.toml");
    expectations::update(&updated, loaded.as_ref(), &results).expect("update writes");
    let written = fs::read_to_string(&updated).unwrap();
    let reloaded = Expectations::load(&updated)
        .unwrap_or_else(|err| panic!("the file update wrote does not load: {err}\n{written}"));
    let applied = reloaded.apply(&results);
    assert!(
        applied.passed(),
        "the file update wrote does not pass its own run: still failing {:?}, stale {:?}, unmatched {:?}\n{written}",
        applied.still_failing,
        applied.stale.iter().map(|e| &e.spec).collect::<Vec<_>>(),
        applied.unmatched.iter().map(|e| &e.spec).collect::<Vec<_>>(),
    );
    expectations::update(&updated, Some(&reloaded), &results).expect("update writes");
    assert_eq!(fs::read_to_string(&updated).unwrap(), written, "a second update wrote another file");
});

/// The run named after the NUL byte: files (in `dir`) with their errors, in first-named order.
fn run_of(dir: &std::path::Path, run: &[u8]) -> Vec<(PathBuf, Vec<(String, String)>)> {
    let text = String::from_utf8_lossy(run);
    let mut files: BTreeMap<String, (usize, Vec<(String, String)>)> = BTreeMap::new();
    for line in text.lines() {
        let mut cells = line.splitn(3, '\t');
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
            errors.push((pointer.to_string(), keyword.to_string()));
        }
    }
    let mut ordered: Vec<_> = files.into_iter().collect();
    ordered.sort_by_key(|(_, (order, _))| *order);
    ordered.into_iter().map(|(name, (_, errors))| (dir.join(name), errors)).collect()
}

fn check_apply(loaded: &Expectations, results: &[(PathBuf, Vec<(String, String)>)]) {
    let applied = loaded.apply(results);
    for (file, errors) in results {
        let waived = applied.expected_failures.iter().filter(|f| *f == file).count();
        let failing = applied.still_failing.iter().filter(|(f, _)| f == file).count();
        let runs = results.iter().filter(|(f, _)| f == file).count();
        if errors.is_empty() {
            assert_eq!(waived + failing, 0, "{}: no errors, yet judged", file.display());
        } else {
            assert_eq!(waived + failing, runs, "{}: judged {} times", file.display(), waived + failing);
        }
    }
    for stale in &applied.stale {
        assert!(!applied.unmatched.iter().any(|u| u.line == stale.line && u.spec == stale.spec));
    }
    assert!(applied.stale.len() + applied.unmatched.len() <= loaded.entries.len());
    // `judge` one file at a time agrees with `apply`.
    let mut tracker = loaded.tracker();
    for (file, errors) in results {
        let judged = loaded.judge(&mut tracker, &loaded.relative(file), errors);
        let failing = applied.still_failing.iter().any(|(f, _)| f == file);
        assert_eq!(matches!(judged, Judged::Unwaived(_)), failing, "{}: {judged:?}", file.display());
    }
    let (stale, unmatched) = loaded.leftovers(&tracker);
    assert_eq!((stale.len(), unmatched.len()), (applied.stale.len(), applied.unmatched.len()));
}

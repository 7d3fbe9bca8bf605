//! The tape (the fast path for conforming bodies) judges as the full path does: on every
//! shipped body and on generated valid and invalid instances, against every provider's schema.

use std::path::{Path, PathBuf};

use chatcompat::{generate, json, tape, Catalog};

fn bodies(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            bodies(&path, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && !path.to_string_lossy().ends_with(".expected.json")
        {
            out.push(path);
        }
    }
}

#[test]
fn the_tape_and_the_full_reader_agree_on_every_body_and_schema() {
    let catalog = Catalog::embedded().unwrap();
    let schemas: Vec<_> =
        catalog.ids().iter().map(|id| catalog.load_schema(catalog.provider(id).unwrap()).unwrap()).collect();
    let mut paths = Vec::new();
    bodies(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"), &mut paths);
    assert!(paths.len() > 300, "{} bodies", paths.len());
    let mut texts: Vec<String> = paths.iter().filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    for (seed, schema) in schemas.iter().enumerate() {
        texts.extend(generate::sample(schema, 60, seed as u64).unwrap());
        texts.extend(generate::sample_invalid(schema, 60, seed as u64).unwrap());
    }
    let (mut conforming, mut violating, mut unread) = (0, 0, 0);
    for text in &texts {
        let parsed = match json::read(text.as_bytes()) {
            Ok(parsed) if parsed.wide_floats.is_empty() => parsed,
            _ => {
                assert!(
                    tape::with_tape(text, |_| ()).is_none(),
                    "the tape read what the full reader refuses:\n{text}"
                );
                unread += 1;
                continue;
            }
        };
        for schema in &schemas {
            let full = schema.check_parsed(&parsed);
            let fast = tape::with_tape(text, |root| schema.check_tape(root));
            let fast =
                fast.unwrap_or_else(|| panic!("the tape refused a body the full reader read:\n{text}"));
            match fast {
                Some(checked) => {
                    assert!(
                        full.violations.is_empty(),
                        "{}: tape says conforms, full path {:?}\n{text}",
                        schema.provider(),
                        full.violations
                    );
                    assert_eq!(
                        checked.extensions,
                        full.extensions,
                        "{}: extensions\n{text}",
                        schema.provider()
                    );
                    conforming += 1;
                }
                None => {
                    assert!(
                        !full.violations.is_empty(),
                        "{}: tape says violates, full path conforms\n{text}",
                        schema.provider()
                    );
                    violating += 1;
                }
            }
        }
    }
    // Both ways exercised, on many bodies.
    assert!(conforming > 500 && violating > 500 && unread > 10, "{conforming} {violating} {unread}");
}

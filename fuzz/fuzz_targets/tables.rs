//! Feeds arbitrary bytes, as one or two Markdown field-table pages, to the table
//! reader (`tables::load`) and, when the pages load, to `derive::derive`.
//!
//! The pages go into a scratch folder holding one provider's shipped pages (or an
//! empty one): input byte 0 picks the folder and whether the response or the chunk root
//! is loaded, bytes 1 and 2 pick the pages the input replaces (or, in the empty
//! folder, `root.md` is the root), and the rest is page one, then after a NUL byte page two.
//! The shipped pages are put back after each input. Inputs naming `/proc`, `/sys` or `/dev`
//! are skipped (a link may lead anywhere on the machine, and reading those can block).
//!
//! Checks: every table error names a line inside its page and ends with its fix; a set
//! that loads has its root, unique names and only links to types in the set; and the schema
//! derived from it compiles (`derive` must never write a schema that does not).
#![no_main]

use std::{fs, path::PathBuf, sync::OnceLock};

use chatcompat::{
    derive::{self, SchemaInfo},
    tables::{self, TypeKind, TypeRef},
    Schema,
};
use libfuzzer_sys::fuzz_target;

mod common;

struct Folder {
    dir: PathBuf,
    roots: [Option<String>; 2],
    /// File name and shipped text of every page.
    pages: Vec<(String, Vec<u8>)>,
}

fn folders() -> &'static [Folder] {
    static FOLDERS: OnceLock<Vec<Folder>> = OnceLock::new();
    FOLDERS.get_or_init(|| {
        let schemas = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../schemas");
        let mut folders = Vec::new();
        for provider in &common::catalog().providers {
            let dir = common::scratch().join(&provider.id);
            fs::create_dir_all(&dir).unwrap();
            let mut pages = Vec::new();
            let mut names: Vec<_> = fs::read_dir(schemas.join(&provider.id))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".md"))
                .collect();
            names.sort();
            for name in names {
                let text = fs::read(schemas.join(&provider.id).join(&name)).unwrap();
                fs::write(dir.join(&name), &text).unwrap();
                pages.push((name, text));
            }
            folders.push(Folder {
                dir,
                roots: [Some(provider.root.clone()), provider.chunk_root.clone()],
                pages,
            });
        }
        let dir = common::scratch().join("empty");
        fs::create_dir_all(&dir).unwrap();
        folders.push(Folder {
            dir,
            roots: [Some("root.md".into()), Some("root.md".into())],
            pages: vec![("root.md".into(), Vec::new()), ("page.md".into(), Vec::new())],
        });
        folders
    })
}

fuzz_target!(|data: &[u8]| {
    let [control, first, second, input @ ..] = data else { return };
    if [&b"/proc"[..], b"/sys", b"/dev"].iter().any(|bad| input.windows(bad.len()).any(|w| w == *bad)) {
        return;
    }
    let folders = folders();
    let folder = &folders[*control as usize % folders.len()];
    let Some(root) = &folder.roots[usize::from(control & 0x80 != 0)] else { return };
    let (one, two) = match input.iter().position(|&b| b == 0) {
        Some(at) => (&input[..at], Some(&input[at + 1..])),
        None => (input, None),
    };
    let mut replaced = vec![(*first as usize % folder.pages.len(), one)];
    if let Some(two) = two {
        replaced.push((*second as usize % folder.pages.len(), two));
    }
    for &(page, text) in &replaced {
        fs::write(folder.dir.join(&folder.pages[page].0), text).unwrap();
    }

    check(folder, root);

    for &(page, _) in &replaced {
        fs::write(folder.dir.join(&folder.pages[page].0), &folder.pages[page].1).unwrap();
    }
});

fn check(folder: &Folder, root: &str) {
    match tables::load(&folder.dir, root) {
        Err(errors) => {
            assert!(!errors.is_empty(), "load failed without an error");
            for error in &errors {
                let shown = error.to_string();
                assert!(shown.ends_with(error.kind.fix()), "{shown}");
                assert!(error.line >= 1, "{shown}");
                if error.file.parent() == Some(folder.dir.as_path()) {
                    if let Ok(text) = fs::read_to_string(&error.file) {
                        let lines = common::line_lengths(&text).len();
                        assert!(error.line <= lines, "{shown}: line {} of {lines}", error.line);
                    }
                }
            }
        }
        Ok(set) => {
            assert!(set.get(&set.root).is_some(), "root {} not in the set", set.root);
            for (i, ty) in set.types.iter().enumerate() {
                assert!(set.types[..i].iter().all(|t| t.name != ty.name), "two types named {}", ty.name);
                let refs: Vec<&TypeRef> = match &ty.kind {
                    TypeKind::Object { fields } => fields.iter().map(|f| &f.ty).collect(),
                    TypeKind::Union { members } => members.iter().collect(),
                    TypeKind::Enum { values, .. } => {
                        assert!(!values.is_empty(), "enum {} without values", ty.name);
                        Vec::new()
                    }
                };
                for r in refs {
                    assert_named(&set, &ty.name, r);
                }
            }
            let schema = derive::derive(
                &set,
                &SchemaInfo { id: "urn:chatcompat:fuzz", title: "fuzz", tables: "fuzz/" },
            );
            if let Err(err) = Schema::compile("fuzz", schema.clone()) {
                panic!("derived a schema that does not compile: {err}\n{schema:#}");
            }
        }
    }
}

fn assert_named(set: &tables::TypeSet, owner: &str, r: &TypeRef) {
    match r {
        TypeRef::Named(name) => assert!(set.get(name).is_some(), "{owner} links to {name}, not in the set"),
        TypeRef::Array(inner) | TypeRef::Map(inner) => assert_named(set, owner, inner),
        _ => {}
    }
}

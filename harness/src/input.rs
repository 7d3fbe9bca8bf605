//! Turns the paths a user names (and standard input) into inputs: the one walker
//! that `check`, `check --stream`, `observe`, `lint` and the corpus use, so a
//! symlinked body, a loop or an unreadable folder is handled the same way everywhere.
//!
//! A named path is taken whatever its extension (a file, a FIFO, `/dev/stdin`); a
//! named folder is walked in file-name order, following symbolic links (a link tree
//! such as Bazel runfiles or a pnpm store is an ordinary corpus). A link that leads
//! back to one of its own ancestors is an [`InputErrorKind::Loop`], reported and not
//! followed; a dangling link or a folder that cannot be listed is an
//! [`InputErrorKind::Unreadable`] with its path. A file found in a folder whose
//! extension the [`Filter`] does not take is [`Skipped`] and named, so a summary can
//! say what it did not read.
//!
//! ```
//! use chatcompat::input::{self, Filter, Input};
//!
//! let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/openai/valid");
//! let walk = input::walk(&[Input::Path(fixtures)], &Filter::RESPONSES);
//! assert!(walk.errors.is_empty());
//! assert!(!walk.entries.is_empty());
//! // The sidecars beside the bodies are skipped, and named.
//! assert!(walk.skipped.iter().all(|s| s.path.extension().is_some_and(|e| e == "toml")));
//! ```

use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

use walkdir::WalkDir;

/// A path the user named, or standard input (`-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    /// `-` is standard input, anything else a path.
    pub fn from_arg(arg: &Path) -> Input {
        if arg.as_os_str() == "-" {
            Input::Stdin
        } else {
            Input::Path(arg.to_path_buf())
        }
    }

    /// [`Input::from_arg`] for each argument.
    pub fn from_args<P: AsRef<Path>>(args: &[P]) -> Vec<Input> {
        args.iter().map(|arg| Input::from_arg(arg.as_ref())).collect()
    }
}

/// Name shown for standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// Which files found in a folder are read: those whose extension is listed (all files when none is).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filter {
    extensions: &'static [&'static str],
}

impl Filter {
    /// Response bodies: one per `*.json`, one per line of `*.jsonl` and `*.ndjson`.
    pub const RESPONSES: Filter = Filter { extensions: &["json", "jsonl", "ndjson"] };
    /// Streamed responses: `*.sse` event-stream transcripts.
    pub const TRANSCRIPTS: Filter = Filter { extensions: &["sse"] };
    /// Responses and transcripts (what `observe` reads).
    pub const RESPONSES_AND_TRANSCRIPTS: Filter = Filter { extensions: &["json", "jsonl", "ndjson", "sse"] };
    /// Every regular file (the corpus decides itself what each one is).
    pub const ANY: Filter = Filter { extensions: &[] };

    /// Files ending in one of `extensions` (without the dot; compared ASCII case-insensitively).
    pub const fn new(extensions: &'static [&'static str]) -> Filter {
        Filter { extensions }
    }

    /// The extensions taken; empty for [`Filter::ANY`].
    pub fn extensions(&self) -> &'static [&'static str] {
        self.extensions
    }

    /// Whether a file found in a folder at `path` is read.
    pub fn accepts(&self, path: &Path) -> bool {
        self.extensions.is_empty()
            || path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| self.extensions.iter().any(|x| x.eq_ignore_ascii_case(e)))
    }
}

/// What a file holds, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `*.json`: one response.
    Json,
    /// `*.jsonl`, `*.ndjson`: one response per line.
    JsonLines,
    /// `*.sse`: an event-stream transcript.
    Transcript,
    /// Anything else (standard input, a named file of another name): sniffed by its reader.
    Other,
}

impl Kind {
    pub fn of(path: &Path) -> Kind {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Kind::Json,
            Some("jsonl" | "ndjson") => Kind::JsonLines,
            Some("sse") => Kind::Transcript,
            _ => Kind::Other,
        }
    }
}

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Stdin,
    File(FileEntry),
}

/// A file to read: named by the user, or found in a folder they named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// As named, or as found below the named folder (a link's own path, not its target).
    pub path: PathBuf,
    /// In bytes, of the link's target for a link.
    pub size: u64,
    /// Named on the command line (taken whatever its extension), not found in a folder.
    pub named: bool,
}

/// A file found in a folder and not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// Its extension is not one the [`Filter`] takes.
    Extension,
    /// Not a regular file (a socket, a FIFO or a device found in a folder).
    NotAFile,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            SkipReason::Extension => write!(f, "{}: skipped for its extension", self.path.display()),
            SkipReason::NotAFile => write!(f, "{}: skipped: not a regular file", self.path.display()),
        }
    }
}

/// A path that could not be read or walked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct InputError {
    pub path: PathBuf,
    pub kind: InputErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// Missing, a dangling link, no permission, an I/O error.
    #[error("cannot read: {0}")]
    Unreadable(String),
    /// A symbolic link to one of its own ancestor folders: not followed.
    #[error("cannot read: symbolic link loop: it leads back to {}", ancestor.display())]
    Loop { ancestor: PathBuf },
}

impl InputErrorKind {
    /// A stable kebab-case name.
    pub fn name(&self) -> &'static str {
        match self {
            InputErrorKind::Unreadable(_) => "unreadable",
            InputErrorKind::Loop { .. } => "symlink-loop",
        }
    }
}

/// One thing met while walking, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Entry(Entry),
    Skipped(Skipped),
    Error(InputError),
}

/// Everything a walk met, each kind in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walk {
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<InputError>,
}

impl Walk {
    /// The file entries' paths (standard input left out).
    pub fn files(&self) -> impl Iterator<Item = &FileEntry> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::File(file) => Some(file),
            Entry::Stdin => None,
        })
    }
}

/// Walks every input, collecting what [`items`] yields.
pub fn walk(inputs: &[Input], filter: &Filter) -> Walk {
    let mut walk = Walk::default();
    for item in items(inputs, filter) {
        match item {
            Item::Entry(entry) => walk.entries.push(entry),
            Item::Skipped(skipped) => walk.skipped.push(skipped),
            Item::Error(error) => walk.errors.push(error),
        }
    }
    walk
}

/// Every entry, skipped file and error of `inputs`, in order: inputs as given, each folder
/// in file-name order. Lazy, so a caller can read each file as it is found.
pub fn items<'a>(inputs: &'a [Input], filter: &'a Filter) -> impl Iterator<Item = Item> + 'a {
    inputs.iter().flat_map(move |input| -> Box<dyn Iterator<Item = Item> + 'a> {
        match input {
            Input::Stdin => Box::new(std::iter::once(Item::Entry(Entry::Stdin))),
            Input::Path(path) => match fs::metadata(path) {
                Ok(meta) if meta.is_dir() => Box::new(folder(path, *filter)),
                Ok(meta) => Box::new(std::iter::once(Item::Entry(Entry::File(FileEntry {
                    path: path.clone(),
                    size: meta.len(),
                    named: true,
                })))),
                Err(err) => Box::new(std::iter::once(Item::Error(InputError {
                    path: path.clone(),
                    kind: InputErrorKind::Unreadable(err.to_string()),
                }))),
            },
        }
    })
}

/// The files below `root`, links followed, loops reported.
fn folder(root: &Path, filter: Filter) -> impl Iterator<Item = Item> {
    let root_path = root.to_path_buf();
    WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_map(move |entry| {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(&root_path).to_path_buf();
                let kind = match err.loop_ancestor() {
                    Some(ancestor) => InputErrorKind::Loop { ancestor: ancestor.to_path_buf() },
                    None => InputErrorKind::Unreadable(
                        err.io_error().map_or_else(|| err.to_string(), ToString::to_string),
                    ),
                };
                return Some(Item::Error(InputError { path, kind }));
            }
        };
        let file_type = entry.file_type();
        if file_type.is_dir() {
            return None;
        }
        let path = entry.path().to_path_buf();
        if !file_type.is_file() {
            return Some(Item::Skipped(Skipped { path, reason: SkipReason::NotAFile }));
        }
        if !filter.accepts(&path) {
            return Some(Item::Skipped(Skipped { path, reason: SkipReason::Extension }));
        }
        Some(match entry.metadata() {
            Ok(meta) => Item::Entry(Entry::File(FileEntry { path, size: meta.len(), named: false })),
            Err(err) => Item::Error(InputError {
                path,
                kind: InputErrorKind::Unreadable(
                    err.io_error().map_or_else(|| err.to_string(), ToString::to_string),
                ),
            }),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn names(walk: &Walk, root: &Path) -> Vec<String> {
        walk.files()
            .map(|f| f.path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
            .collect()
    }

    #[test]
    fn filters_by_extension_and_names_what_it_skips() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a.json"), "{}");
        write(&dir.path().join("a.toml"), "");
        write(&dir.path().join("sub/b.JSONL"), "{}");
        write(&dir.path().join("sub/c.sse"), "data: {}\n\n");
        let walk = walk(&[Input::Path(dir.path().into())], &Filter::RESPONSES);
        assert_eq!(names(&walk, dir.path()), ["a.json", "sub/b.JSONL"]);
        let skipped: Vec<_> = walk.skipped.iter().map(|s| s.path.file_name().unwrap().to_owned()).collect();
        assert_eq!(skipped, ["a.toml", "c.sse"].map(std::ffi::OsString::from));
        assert!(walk.skipped.iter().all(|s| s.reason == SkipReason::Extension));
        assert!(walk.errors.is_empty());
    }

    #[test]
    fn a_named_file_is_taken_whatever_its_name_and_a_missing_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.txt");
        write(&notes, "{}");
        let missing = dir.path().join("missing.json");
        let walk = walk(
            &[Input::Path(notes.clone()), Input::Stdin, Input::Path(missing.clone())],
            &Filter::RESPONSES,
        );
        assert_eq!(
            walk.entries,
            [Entry::File(FileEntry { path: notes, size: 2, named: true }), Entry::Stdin]
        );
        assert_eq!(walk.errors.len(), 1);
        assert_eq!(walk.errors[0].path, missing);
        assert!(matches!(walk.errors[0].kind, InputErrorKind::Unreadable(_)));
    }

    #[cfg(unix)]
    #[test]
    fn follows_links_to_files_and_folders() {
        use std::os::unix::fs::symlink;
        let store = tempfile::tempdir().unwrap();
        write(&store.path().join("body.json"), "{\"id\": 1}");
        write(&store.path().join("tree/inner.json"), "{}");
        let links = tempfile::tempdir().unwrap();
        symlink(store.path().join("body.json"), links.path().join("linked.json")).unwrap();
        symlink(store.path().join("tree"), links.path().join("tree")).unwrap();
        let walk = walk(&[Input::Path(links.path().into())], &Filter::RESPONSES);
        assert_eq!(names(&walk, links.path()), ["linked.json", "tree/inner.json"]);
        assert_eq!(walk.files().next().unwrap().size, 9, "the size is the target's");
        assert!(walk.errors.is_empty(), "{:?}", walk.errors);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_loop_is_an_error_and_the_rest_is_still_walked() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a/body.json"), "{}");
        symlink(dir.path().join("a"), dir.path().join("a/again")).unwrap();
        symlink(dir.path().join("nowhere.json"), dir.path().join("dangling.json")).unwrap();
        write(&dir.path().join("z.json"), "{}");
        let walk = walk(&[Input::Path(dir.path().into())], &Filter::RESPONSES);
        assert_eq!(names(&walk, dir.path()), ["a/body.json", "z.json"]);
        assert_eq!(walk.errors.len(), 2, "{:?}", walk.errors);
        let looped = walk.errors.iter().find(|e| e.path.ends_with("a/again")).expect("the loop is reported");
        assert_eq!(looped.kind.name(), "symlink-loop");
        assert!(looped.to_string().contains("symbolic link loop"), "{looped}");
        let dangling = walk.errors.iter().find(|e| e.path.ends_with("dangling.json")).expect("dangling link");
        assert_eq!(dangling.kind.name(), "unreadable");
    }
}

//! Embeds the committed schemas (every `schemas/<provider>/provider.toml` and the derived schema files
//! beside it) into the library, so that the binary, the core library and the packages built on it check
//! responses from any folder, with nothing of the checkout beside them. `Catalog::embedded` reads them.

use std::{
    env, fs,
    path::{Path, PathBuf},
};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    // In the workspace the schemas are beside the crate; a packaged crate carries them inside.
    let schemas =
        [manifest.join("schemas"), manifest.join("../schemas")].into_iter().find(|dir| dir.is_dir());
    let mut code = String::from(
        "/// The embedded providers, sorted by id: (id, provider.toml, response schema, chunk schema).\n\
         pub(crate) static PROVIDERS: &[(&str, &str, &str, Option<&str>)] = &[\n",
    );
    match &schemas {
        Some(dir) => {
            println!("cargo:rerun-if-changed={}", dir.display());
            for (id, folder) in providers(dir) {
                let file = |name: &str| folder.join(name);
                let (toml, response, chunk) = (
                    file("provider.toml"),
                    file("chat-completion.schema.json"),
                    file("chat-completion-chunk.schema.json"),
                );
                for path in [&toml, &response, &chunk] {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
                if !response.is_file() {
                    println!(
                        "cargo:warning=schemas/{id}: no chat-completion.schema.json; run `chatcompat derive`"
                    );
                    continue;
                }
                let chunk = if chunk.is_file() {
                    format!("Some(include_str!({:?}))", chunk.display().to_string())
                } else {
                    "None".to_string()
                };
                code.push_str(&format!(
                    "    ({id:?}, include_str!({:?}), include_str!({:?}), {chunk}),\n",
                    toml.display().to_string(),
                    response.display().to_string()
                ));
            }
        }
        None => println!("cargo:warning=no schemas/ folder beside the crate: the embedded catalog is empty"),
    }
    code.push_str("];\n");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(&out, code).expect("OUT_DIR is writable");
}

/// The provider folders (those with a `provider.toml`), sorted by name.
fn providers(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry.path()))
        .filter(|(_, path)| path.join("provider.toml").is_file())
        .collect();
    found.sort();
    found
}

//! What both targets share: the shipped schemas, compiled once per process.

use std::{path::Path, sync::OnceLock};

use chatcompat::{Catalog, Schema};

pub fn schemas() -> &'static [Schema] {
    static SCHEMAS: OnceLock<Vec<Schema>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Catalog::discover(&workspace).and_then(|c| c.load_schemas()).expect("the shipped schemas load")
    })
}

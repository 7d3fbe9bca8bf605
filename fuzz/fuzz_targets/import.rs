//! Feeds arbitrary bytes, as a recording, to `import::Importer::plan` (over the embedded
//! catalog, into an empty scratch corpus). Input byte 0 picks the options: a provider or none
//! (inferred from the request's host), a `--date` or none, and the recording's file name.
//!
//! Checks, for every fixture planned: no secret is left in its body (`redact::find` finds
//! nothing), its path is `<provider>/[streams/]<valid|invalid>/<name>.<json|sse>` with a
//! kebab-case name, it is invalid exactly when its sidecar pins errors, and, written into an
//! empty corpus, its sidecar reads back as planned and it passes its own trial (`corpus::evaluate`
//! or `stream::evaluate`): what `import` writes lands green. Every skip gives a reason.
#![no_main]

use std::{fs, path::Path, sync::OnceLock};

use chatcompat::{
    corpus::{self, FixtureKind, Validity},
    import::{self, Importer, Options, Outcome},
    redact,
};
use libfuzzer_sys::fuzz_target;

mod common;

fn importer() -> &'static Importer {
    static IMPORTER: OnceLock<Importer> = OnceLock::new();
    IMPORTER.get_or_init(|| {
        let fixtures = common::scratch().join("corpus");
        fs::create_dir_all(&fixtures).unwrap();
        Importer::new(common::catalog(), &fixtures).expect("the importer loads")
    })
}

const NAMES: [&str; 4] = ["cassette.yaml", "session.har", "dump.http", "stream.sse"];

fuzz_target!(|data: &[u8]| {
    let Some((&control, bytes)) = data.split_first() else { return };
    let ids = common::catalog().ids();
    let options = Options {
        provider: ids.get(control as usize % 16).cloned(),
        date: (control & 0x10 != 0).then(|| "2026-01-02".to_string()),
        ..Options::default()
    };
    let path = Path::new(NAMES[(control >> 5) as usize % NAMES.len()]);
    let Ok(outcomes) = importer().plan(path, bytes, &options) else { return };
    let written = common::scratch().join("written");
    for outcome in &outcomes {
        let planned = match outcome {
            Outcome::Skipped { entry, reason } => {
                assert!(!reason.trim().is_empty(), "{entry}: skipped without a reason");
                continue;
            }
            Outcome::Fixture(planned) => planned,
        };
        let id = planned.id();
        assert!(
            redact::find(&planned.body).is_empty(),
            "{id}: a secret is left: {:?}",
            redact::find(&planned.body)
        );
        let (folder, extension) = match planned.kind {
            FixtureKind::Response => (format!("{}/{}", planned.provider, planned.validity.as_str()), "json"),
            FixtureKind::Transcript => {
                (format!("{}/streams/{}", planned.provider, planned.validity.as_str()), "sse")
            }
        };
        assert_eq!(planned.path, Path::new(&folder).join(format!("{}.{extension}", planned.name)), "{id}");
        assert!(
            !planned.name.is_empty() && planned.name == import::kebab_case(&planned.name),
            "{id}: name {:?} is not kebab-case",
            planned.name
        );
        assert_eq!(planned.validity == Validity::Invalid, !planned.sidecar.expect.is_empty(), "{id}");

        // Written into an empty corpus, it passes its own trial.
        let _ = fs::remove_dir_all(&written);
        fs::create_dir_all(&written).unwrap();
        import::write(planned, &written).unwrap_or_else(|err| panic!("{id}: cannot write: {err}"));
        let found = corpus::discover(&written);
        assert!(found.misplaced.is_empty(), "{id}: misplaced: {:?}", found.misplaced);
        let fixture = match planned.kind {
            FixtureKind::Response => found.fixtures.first(),
            FixtureKind::Transcript => found.transcripts.first(),
        };
        let fixture = fixture.unwrap_or_else(|| panic!("{id}: written, but the corpus does not find it"));
        assert_eq!(fixture.id(), id);
        let sidecar = corpus::read_sidecar(fixture)
            .unwrap_or_else(|err| panic!("{id}: {err}\n{}", planned.sidecar_text));
        assert_eq!(sidecar, planned.sidecar, "{id}: the sidecar does not read back as planned");
        let passed = match planned.kind {
            FixtureKind::Response => {
                let schema = common::schemas().iter().find(|s| s.provider() == planned.provider);
                corpus::evaluate(fixture, schema).map(|_| ()).map_err(|e| e.to_string())
            }
            FixtureKind::Transcript => chatcompat::stream::evaluate(fixture, common::streams())
                .map(|_| ())
                .map_err(|e| e.to_string()),
        };
        if let Err(err) = passed {
            panic!("{id}: imported, but its trial fails: {err}\n{}", planned.sidecar_text);
        }
    }
});

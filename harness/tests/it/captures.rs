//! The `cargo test` route over a flat folder of captures (`CHATCOMPAT_FIXTURES` +
//! `CHATCOMPAT_PROVIDER`): `corpus::check_captures` on a temporary folder with no
//! sidecars and no layout, honouring the expectations file beside it.

use std::path::Path;

use chatcompat::{
    corpus::{self, CaptureOutcome},
    expectations::Expectations,
    Catalog,
};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures").join(path)).unwrap()
}

fn outcomes(run: &corpus::Captures) -> Vec<(&str, &str)> {
    run.captures
        .iter()
        .map(|c| {
            let what = match &c.outcome {
                CaptureOutcome::Passed => "passed",
                CaptureOutcome::Waived(_) => "waived",
                CaptureOutcome::Failed(_) => "failed",
            };
            (c.name.as_str(), what)
        })
        .collect()
}

#[test]
fn a_flat_folder_gives_one_trial_per_body_record_and_transcript() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let ok = fixture("openai/valid/docs-example.json");
    let tier = ok.replace("\"service_tier\": \"default\"", "\"service_tier\": \"on_demand\"");
    assert_ne!(tier, ok);
    std::fs::write(root.join("ok.json"), &ok).unwrap();
    std::fs::create_dir(root.join("gateway")).unwrap();
    std::fs::write(root.join("gateway/tier.json"), &tier).unwrap();
    // Two records: one conforms, one has a string id.
    let compact: serde_json::Value = serde_json::from_str(&ok).unwrap();
    let mut broken = compact.clone();
    broken["id"] = serde_json::json!(42);
    std::fs::write(root.join("run.jsonl"), format!("{compact}\n{broken}\n")).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/openai/streams/valid/keep-alive-comments.sse"),
        root.join("stream.sse"),
    )
    .unwrap();
    std::fs::write(root.join("notes.txt"), "not a capture").unwrap();
    std::fs::write(
        root.join("chatcompat-expectations.toml"),
        "[[expect]]\nfixtures = \"gateway/tier-*.json\"\nprovider = \"openai\"\npointer = \"/service_tier\"\n\
         keyword = \"enum\"\nreason = \"the gateway names its tier\"\nlink = \"https://example.invalid/9\"\n\n\
         [[expect]]\nfixtures = \"gateway/*.json\"\nprovider = \"openrouter\"\nreason = \"another provider's: left alone\"\n",
    )
    .unwrap();
    let catalog = Catalog::embedded().unwrap();
    let path = Expectations::find(root).unwrap();
    let expectations = Expectations::load(&path).unwrap();

    // The glob says tier-*.json: the entry is unmatched and tier.json fails.
    let run = corpus::check_captures(root, "openai", &catalog, Some(&expectations)).unwrap();
    assert_eq!(
        outcomes(&run),
        [
            ("gateway/tier.json", "failed"),
            ("ok.json", "passed"),
            ("run.jsonl:1", "passed"),
            ("run.jsonl:2", "failed"),
            ("stream.sse", "passed"),
        ]
    );
    let CaptureOutcome::Failed(message) = &run.captures[3].outcome else { unreachable!() };
    assert!(
        message.contains("run.jsonl:2:") && message.contains("/id: type: expected string, found 42"),
        "{message}"
    );
    assert_eq!(run.problems.len(), 1, "{:?}", run.problems);
    assert_eq!(run.problems[0].1, "gateway/tier-*.json");

    // With the glob right, the violating body is an expected failure with its reason and link.
    std::fs::rename(root.join("gateway/tier.json"), root.join("gateway/tier-1.json")).unwrap();
    let run = corpus::check_captures(root, "openai", &catalog, Some(&expectations)).unwrap();
    assert_eq!(outcomes(&run)[0], ("gateway/tier-1.json", "waived"));
    assert_eq!(
        run.captures[0].outcome,
        CaptureOutcome::Waived("the gateway names its tier (https://example.invalid/9)".into())
    );
    assert!(run.problems.is_empty(), "{:?}", run.problems);

    // Without the file, it fails; an unknown provider is one error, not a trial per file.
    let run = corpus::check_captures(root, "openai", &catalog, None).unwrap();
    assert_eq!(outcomes(&run)[0], ("gateway/tier-1.json", "failed"));
    let unknown = corpus::check_captures(root, "nosuch", &catalog, None).unwrap_err();
    assert!(unknown.contains("nosuch"), "{unknown}");
}

#[test]
fn a_transcript_for_a_provider_without_streaming_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.sse"), "data: {}\n\n").unwrap();
    let catalog = Catalog::embedded().unwrap();
    let run = corpus::check_captures(dir.path(), "nusantaraai", &catalog, None).unwrap();
    assert_eq!(outcomes(&run), [("s.sse", "failed")]);
    let CaptureOutcome::Failed(message) = &run.captures[0].outcome else { unreachable!() };
    assert!(message.contains("documents no streaming"), "{message}");
}

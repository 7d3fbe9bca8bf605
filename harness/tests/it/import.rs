//! `chatcompat import` (issue 15): one recording of each style in `harness/tests/data/import/`
//! becomes fixtures and sidecars in a temporary corpus, with a planted key of every known shape
//! redacted; the imported fixtures pass their own trials and the lint; the lint refuses a fixture
//! that still holds a secret.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use chatcompat::{
    corpus::{self, FixtureKind, Normalisation, Origin, Validity},
    redact, stream, Catalog,
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import").join(name)
}

struct Run {
    code: i32,
    stdout: String,
}

fn chatcompat(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_chatcompat"))
        .arg("--workspace")
        .arg(workspace())
        .args(args)
        .env_remove("CHATCOMPAT_FIXTURES")
        .output()
        .expect("the chatcompat binary runs");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap(),
    }
}

/// Imports `recording` into `fixtures` with `extra` arguments; asserts success.
fn import(fixtures: &Path, recording: &str, extra: &[&str]) -> String {
    let path = data(recording);
    let mut args = vec!["import", "--fixtures", fixtures.to_str().unwrap(), path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = chatcompat(&args);
    assert_eq!(run.code, 0, "{}", run.stdout);
    run.stdout
}

/// Every placeholder put back: the imported body is the recorded one except where a rule matched.
fn unredact(body: &[u8], sidecar: &corpus::Sidecar, secrets: &[&str]) -> Vec<u8> {
    let mut out = body.to_vec();
    for redaction in sidecar.redaction.iter().rev() {
        let placeholder = redact::placeholder(&redaction.rule);
        assert_eq!(&out[redaction.offset..redaction.offset + placeholder.len()], placeholder.as_bytes());
        // A key without a prefix is found by its context (`api_key=`), so only by its length here.
        let secret = secrets
            .iter()
            .find(|s| {
                s.len() == redaction.length
                    && (redact::find(s.as_bytes()).first().map(|f| f.rule) == Some(redaction.rule.as_str())
                        || (redaction.rule == "api-key-field" && **s == MISTRAL_KEY_FIELD))
            })
            .unwrap_or_else(|| panic!("no planted secret for {redaction:?}"));
        out.splice(redaction.offset..redaction.offset + placeholder.len(), secret.bytes());
    }
    out
}

fn read(fixtures: &Path, relative: &str) -> (Vec<u8>, corpus::Sidecar) {
    let body = fixtures.join(relative);
    let kind = if relative.ends_with(".sse") { FixtureKind::Transcript } else { FixtureKind::Response };
    let fixture = corpus::Fixture {
        provider: relative.split('/').next().unwrap().to_string(),
        kind,
        validity: if relative.contains("/invalid/") { Validity::Invalid } else { Validity::Valid },
        name: String::new(),
        sidecar: body.with_extension("toml"),
        body: body.clone(),
    };
    let sidecar = corpus::read_sidecar(&fixture).unwrap_or_else(|err| panic!("{err}"));
    (fs::read(&body).unwrap(), sidecar)
}

const OPENAI_PROJECT_KEY: &str = "sk-proj-FAKEplanted0123456789abcdefGHIJKLmnopqrstUVWXYZ_0123456789-planted";
const OPENAI_LEGACY_KEY: &str = "sk-FAKEplanted0123456789T3BlbkFJabcdefghijklmnopqrst";
const OPENROUTER_KEY: &str = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const ANTHROPIC_KEY: &str = "sk-ant-api03-FAKEplanted0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-abcdefghijklmnopqrstuAA";
const GROQ_KEY: &str = "gsk_FAKEplanted0123456789abcdefghijklmnopqrstuvwxyzABCD";
const XAI_KEY: &str = "xai-FAKEplanted0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123";
const GOOGLE_KEY: &str = "AIzaSyFAKEplanted0123456789abcdefghijkl";
const HF_TOKEN: &str = "hf_FAKEplantedabcdefghijklmnopqrstuvwx";
const FIREWORKS_KEY: &str = "fw_FAKEplanted0123456789abcdef";
const TOGETHER_KEY: &str = "tgp_v1_FAKEplanted0123456789abcdefghij_KLMNOP";
const MISTRAL_KEY_FIELD: &str = "FAKEplanted0123456789abcdefABCDEF";
const PROJECT_ID: &str = "proj_FAKEplanted0123456789abcd";
const PERPLEXITY_KEY: &str = "pplx-FAKEplanted0123456789abcdefghijklmnopqrstuvwxyz";
const EMAIL_1: &str = "ops@corp-mail.io";
const EMAIL_2: &str = "jane.doe@corp-mail.io";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJGQUtFIn0.FAKEplanted0123456789";

#[test]
fn every_recording_style_becomes_fixtures_with_every_planted_secret_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = dir.path().join("fixtures");
    fs::create_dir(&fixtures).unwrap();
    let origin = ["--origin", "octo/recordings@0123456789abcdef:tests/cassettes/chat.yaml"];

    // vcrpy: body as a string; the embeddings call and the 400 are skipped with their reasons.
    let out = import(&fixtures, "vcrpy-openai.yaml", &origin);
    assert!(out.contains("interactions[1]: a `list` object, not chat.completion"), "{out}");
    assert!(out.contains("interactions[2]: HTTP status 400"), "{out}");
    // Ruby VCR: body as {encoding, string}, date from recorded_at.
    import(&fixtures, "ruby-vcr-openrouter.yml", &origin);
    // A recorder that kept a parsed structure (sorted keys): re-serialised; api.groq.com → openai-compatible · groq.
    import(&fixtures, "parsed-body-groq.yaml", &origin);
    // HAR: the models call is skipped.
    let out = import(&fixtures, "openrouter.har", &["--origin", "https://example.org/issues/7"]);
    assert!(out.contains("log.entries[0]: not a chat completion"), "{out}");
    // A raw event-stream body, a chunked HTTP dump that breaks the schema, and `curl -i` output.
    import(&fixtures, "openai-stream.sse", &["--provider", "openai", "--date", "2024-12-01"]);
    import(&fixtures, "openai-invalid-chunked.http", &["--provider", "openai"]);
    import(&fixtures, "vllm-curl-i.txt", &["--provider", "openai-compatible", "--server", "vllm"]);

    let secrets = [
        OPENAI_PROJECT_KEY,
        OPENAI_LEGACY_KEY,
        OPENROUTER_KEY,
        ANTHROPIC_KEY,
        GROQ_KEY,
        XAI_KEY,
        GOOGLE_KEY,
        HF_TOKEN,
        FIREWORKS_KEY,
        TOGETHER_KEY,
        MISTRAL_KEY_FIELD,
        PROJECT_ID,
        PERPLEXITY_KEY,
        EMAIL_1,
        EMAIL_2,
        JWT,
    ];
    let cases: [(&str, &str, &str); 7] = [
        ("openai/valid/vcrpy-openai.json", "vcrpy-openai.yaml", "vcrpy"),
        ("openrouter/valid/ruby-vcr-openrouter.json", "ruby-vcr-openrouter.yml", "ruby-vcr"),
        ("openai-compatible/valid/parsed-body-groq.json", "parsed-body-groq.yaml", "vcrpy"),
        ("openrouter/valid/openrouter.json", "openrouter.har", "har"),
        ("openai/streams/valid/openai-stream.sse", "openai-stream.sse", "event-stream"),
        ("openai/invalid/openai-invalid-chunked.json", "openai-invalid-chunked.http", "http"),
        ("openai-compatible/valid/vllm-curl-i.json", "vllm-curl-i.txt", "http"),
    ];
    let mut rules = BTreeSet::new();
    for (relative, recording, format) in cases {
        let (body, sidecar) = read(&fixtures, relative);
        assert_eq!(sidecar.source, Origin::Captured, "{relative}");
        let origin = sidecar.origin.clone().unwrap();
        assert_eq!(origin.format.as_deref(), Some(format), "{relative}");
        assert!(origin.entry.is_some(), "{relative}");
        assert!(sidecar.model.is_some(), "{relative}");
        assert!(redact::find(&body).is_empty(), "{relative} still holds a secret");
        rules.extend(sidecar.redaction.iter().map(|r| r.rule.clone()));
        if !sidecar.normalisation.contains(&Normalisation::ReSerialisedJson) {
            // Byte for byte, except where a rule matched.
            let mut recorded = fs::read(data(recording)).unwrap();
            if format == "har" {
                // HAR keeps the body as a JSON string: compare with its text.
                let har: serde_json::Value = serde_json::from_slice(&recorded).unwrap();
                recorded = har["log"]["entries"][1]["response"]["content"]["text"]
                    .as_str()
                    .unwrap()
                    .as_bytes()
                    .to_vec();
            }
            let restored = unredact(&body, &sidecar, &secrets);
            let found = recorded.windows(restored.len()).any(|w| w == restored.as_slice());
            let dechunked = sidecar.normalisation.contains(&Normalisation::Dechunked);
            assert!(found || dechunked, "{relative}: the body is not the recorded bytes");
        }
    }

    let (_, vcrpy) = read(&fixtures, "openai/valid/vcrpy-openai.json");
    let origin = vcrpy.origin.unwrap();
    assert_eq!(origin.repository.as_deref(), Some("octo/recordings"));
    assert_eq!(origin.commit.as_deref(), Some("0123456789abcdef"));
    assert_eq!(origin.path.as_deref(), Some("tests/cassettes/chat.yaml"));
    assert_eq!(vcrpy.date, "2024-12-01", "from `created`");
    assert_eq!(vcrpy.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
    assert_eq!(vcrpy.redaction[0].pointer.as_deref(), Some("/choices/0/message/content"));

    let (_, ruby) = read(&fixtures, "openrouter/valid/ruby-vcr-openrouter.json");
    assert_eq!(ruby.date, "2024-03-05", "from recorded_at");
    let (groq_body, groq) = read(&fixtures, "openai-compatible/valid/parsed-body-groq.json");
    assert_eq!(groq.server.as_deref(), Some("groq"));
    assert_eq!(groq.normalisation, [Normalisation::ReSerialisedJson, Normalisation::SortedKeys]);
    assert!(groq_body.starts_with(br#"{"choices":[{"finish_reason":"stop""#));
    assert!(
        String::from_utf8_lossy(&groq_body).contains(r#""queue_time":0.0123"#),
        "numbers keep their spelling"
    );
    let (_, har) = read(&fixtures, "openrouter/valid/openrouter.json");
    assert_eq!(har.origin.unwrap().url.as_deref(), Some("https://example.org/issues/7"));
    assert_eq!(har.date, "2024-07-03", "from startedDateTime");
    let (_, invalid) = read(&fixtures, "openai/invalid/openai-invalid-chunked.json");
    assert_eq!(invalid.expect, [corpus::ExpectedError::schema("/choices/0/finish_reason", "enum")]);
    assert_eq!(invalid.normalisation, [Normalisation::Dechunked]);
    let (_, vllm) = read(&fixtures, "openai-compatible/valid/vllm-curl-i.json");
    assert_eq!(vllm.server.as_deref(), Some("vllm"));
    assert_eq!(vllm.date, "2024-12-02", "from the Date header");

    let every_key_rule: BTreeSet<String> = [
        "openai-key",
        "openrouter-key",
        "anthropic-key",
        "groq-key",
        "xai-key",
        "google-api-key",
        "huggingface-token",
        "fireworks-key",
        "together-key",
        "perplexity-key",
        "api-key-field",
        "openai-project-id",
        "email",
        "jwt",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(rules, every_key_rule);

    // The imported fixtures pass their own trials and the lint.
    let catalog = Catalog::discover(&workspace()).unwrap();
    let schemas = catalog.load_schemas().unwrap();
    let found = corpus::discover(&fixtures);
    assert_eq!((found.fixtures.len(), found.transcripts.len()), (6, 1));
    for (fixture, outcome) in corpus::run_all(&found, &schemas) {
        assert!(outcome.is_ok(), "{}: {}", fixture.id(), outcome.unwrap_err());
    }
    for (fixture, outcome) in stream::run_all(&found, &stream::StreamCatalog::load(&catalog)) {
        assert!(outcome.is_ok(), "{}: {}", fixture.id(), outcome.unwrap_err());
    }
    let lint = chatcompat(&["lint", "--fixtures", fixtures.to_str().unwrap()]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);

    // A second import of the same recording writes nothing.
    let again = chatcompat(&[
        "import",
        "--fixtures",
        fixtures.to_str().unwrap(),
        data("openrouter.har").to_str().unwrap(),
    ]);
    assert_eq!(again.code, 1, "{}", again.stdout);
    assert!(again.stdout.contains("already in the corpus"), "{}", again.stdout);
}

#[test]
fn dry_run_writes_nothing_and_unknown_hosts_need_a_provider() {
    let dir = tempfile::tempdir().unwrap();
    let run = chatcompat(&[
        "import",
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--dry-run",
        data("vllm-curl-i.txt").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("pass --provider"), "{}", run.stdout);
    let run = chatcompat(&[
        "import",
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--dry-run",
        "--provider",
        "openai",
        data("openai-stream.sse").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("would write"), "{}", run.stdout);
    assert!(run.stdout.contains("source = \"captured\""), "{}", run.stdout);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

    // A folder is walked through the input layer; responses without a known host are skipped, with why.
    let folder = data("");
    let run = chatcompat(&[
        "import",
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--dry-run",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("4 fixture(s) planned, 6 response(s) skipped"), "{}", run.stdout);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

    let bad = chatcompat(&[
        "import",
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--provider",
        "nope",
        data("openai-stream.sse").to_str().unwrap(),
    ]);
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    let server = chatcompat(&[
        "import",
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--provider",
        "openai",
        "--server",
        "vllm",
        data("openai-stream.sse").to_str().unwrap(),
    ]);
    assert_eq!(server.code, 2, "{}", server.stdout);
}

#[test]
fn lint_refuses_a_fixture_that_holds_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let valid = dir.path().join("openai/valid");
    fs::create_dir_all(&valid).unwrap();
    let body = format!(
        r#"{{"id":"chatcmpl-1","object":"chat.completion","created":1741569952,"model":"gpt-4.1","choices":[{{"index":0,"message":{{"role":"assistant","content":"use {GROQ_KEY}"}},"finish_reason":"stop"}}]}}"#
    );
    fs::write(valid.join("leaked-key.json"), body).unwrap();
    fs::write(
        valid.join("leaked-key.toml"),
        "description = \"A key left in\"\nsource = \"captured\"\ndate = \"2024-12-01\"\n",
    )
    .unwrap();
    let run = chatcompat(&["lint", "--fixtures", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("leaked-key.json: holds a secret-shaped string (rule groq-key"),
        "{}",
        run.stdout
    );

    // `server` belongs to openai-compatible fixtures only.
    fs::write(
        valid.join("leaked-key.json"),
        r#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[]}"#,
    )
    .unwrap();
    fs::write(
        valid.join("leaked-key.toml"),
        "description = \"x\"\nsource = \"captured\"\ndate = \"2024-12-01\"\nserver = \"vllm\"\n",
    )
    .unwrap();
    let run = chatcompat(&["lint", "--fixtures", dir.path().to_str().unwrap()]);
    assert!(run.stdout.contains("`server` on a `openai` fixture"), "{}", run.stdout);
    assert!(!run.stdout.contains("secret-shaped"), "{}", run.stdout);
}

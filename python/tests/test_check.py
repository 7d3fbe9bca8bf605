"""chatcompat.check and chatcompat.check_stream: every input type, bad input that must not
raise, unknown providers that must, and the shape of what comes back."""

import json

import pytest

import chatcompat

from conftest import PORTABLE

VIOLATES = (PORTABLE / "violates.json").read_bytes()
EXTENSIONS = (PORTABLE / "extensions.json").read_bytes()
STREAM = (PORTABLE / "stream.sse").read_bytes()


def test_bytes_str_bytearray_memoryview_are_the_same_body():
    results = [
        chatcompat.check("openai", body)
        for body in (VIOLATES, VIOLATES.decode("utf-8"), bytearray(VIOLATES), memoryview(VIOLATES))
    ]
    for result in results:
        assert result.verdict == "violates"
        assert [(v.pointer, v.keyword, v.line, v.column) for v in result.violations] == [
            ("/choices/0/finish_reason", "enum", 16, 24)
        ]
        assert result.violations[0].found == '"eos"'
        assert '"stop"' in result.violations[0].expected


def test_a_dict_is_checked_as_its_json_dumps_text():
    body = json.loads(VIOLATES)
    result = chatcompat.check("openai", body)
    assert result.verdict == "violates"
    [violation] = result.violations
    text = json.dumps(body)
    # Positions refer to the json.dumps text: one line, the column of the bad value.
    assert violation.line == 1
    assert text[violation.column - 1 :].startswith('"eos"')

    extensions = chatcompat.check("openai", json.loads(EXTENSIONS))
    assert extensions.verdict == "conforms-with-extensions"
    assert "/x_groq" in extensions.extensions


def test_a_list_is_a_body_too():
    result = chatcompat.check("openai", [1, 2])
    assert result.verdict == "violates"
    assert result.violations[0].pointer == ""
    assert result.violations[0].keyword == "type"


@pytest.mark.parametrize(
    "body, kind, line, column",
    [
        (b'{"id": "x",\n  "model": ', "syntax", 2, 11),
        (b"", "empty", 1, 1),
        (b"   \n", "empty", 1, 1),
        (b'{"id": "a",\n "id": "b"}', "duplicate-key", 2, 2),
        (b'\xef\xbb\xbf{"id": "a"}', "byte-order-mark", 1, 1),
        (b'{"id": "a\xff"}', "invalid-utf8", 1, 10),
        (b'{"id": \x00}', "binary", 1, 8),
        (b'{"id": "a"} {}', "trailing-characters", 1, 13),
        ('{"id": "\ud800"}', "invalid-utf8", 1, 9),
    ],
)
def test_unreadable_input_never_raises(body, kind, line, column):
    result = chatcompat.check("openai", body)
    assert result.verdict == "unreadable"
    assert (result.error_kind, result.error_line, result.error_column) == (kind, line, column), result.error
    assert result.error.startswith(f"{line}:{column}: ")
    assert result.violations == [] and result.extensions == []
    assert not result.passed()


def test_a_dict_json_cannot_serialise_is_unreadable_not_an_exception():
    result = chatcompat.check("openai", {"created": object()})
    assert result.verdict == "unreadable"
    assert result.error_kind == "not-serialisable"
    assert "JSON serializable" in result.error
    # json.dumps writes NaN, which is not JSON: the reader says where.
    nan = chatcompat.check("openai", {"created": float("nan")})
    assert nan.verdict == "unreadable" and nan.error_kind == "syntax"


def test_unknown_provider_is_a_value_error_naming_the_known_ones():
    with pytest.raises(ValueError) as err:
        chatcompat.check("openia", VIOLATES)
    assert "openia" in str(err.value)
    for known in ("openai", "openrouter", "mistral-gcp"):
        assert known in str(err.value)
    # Even when the body itself could not be serialised: the provider is checked first.
    with pytest.raises(ValueError):
        chatcompat.check("openia", {"x": object()})
    with pytest.raises(ValueError):
        chatcompat.check_stream("openia", STREAM)


def test_a_provider_without_streaming_is_a_value_error_for_check_stream():
    silent = sorted(set(chatcompat.providers()) - set(chatcompat.providers(streaming=True)))
    assert silent, "some shipped provider documents no streaming"
    with pytest.raises(ValueError) as err:
        chatcompat.check_stream(silent[0], STREAM)
    assert "openai" in str(err.value)  # names the providers that do stream
    assert chatcompat.check(silent[0], b'{"choices": 1}').verdict == "violates"  # bodies still check


def test_other_types_are_a_type_error():
    with pytest.raises(TypeError):
        chatcompat.check("openai", 42)
    with pytest.raises(TypeError):
        chatcompat.check_stream("openai", {"data": 1})


def test_providers_lists_the_shipped_ones():
    providers = chatcompat.providers()
    assert providers == sorted(providers)
    assert {"openai", "openai-compatible", "openrouter", "atoma", "mistral-gcp"} <= set(providers)
    assert set(chatcompat.providers(streaming=True)) < set(providers)


def test_strict_fails_extensions_and_to_dict_is_plain_json():
    result = chatcompat.check("openai", EXTENSIONS)
    assert result.passed() and not result.passed(strict=True)
    as_dict = result.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["verdict"] == "conforms-with-extensions"
    violates = chatcompat.check("openai", VIOLATES).to_dict()
    assert violates["violations"][0] == {
        "pointer": "/choices/0/finish_reason",
        "keyword": "enum",
        "expected": violates["violations"][0]["expected"],
        "found": '"eos"',
        "line": 16,
        "column": 24,
    }
    assert str(chatcompat.check("openai", VIOLATES).violations[0]).startswith("16:24: /choices/0/finish_reason: enum:")


def test_a_stream_reports_counts_findings_and_the_reassembled_response():
    result = chatcompat.check_stream("openai", STREAM)
    assert result.verdict == "conforms" and result.passed(strict=True)
    assert (result.events, result.chunks, result.done) == (12, 11, True)
    assert result.reassembled["object"] == "chat.completion"
    assert result.findings == []
    assert chatcompat.check_stream("openai", STREAM.decode("utf-8")).verdict == "conforms"
    assert json.loads(json.dumps(result.to_dict()))["chunks"] == 11


def test_a_broken_stream_is_a_verdict_with_placed_findings_not_an_exception():
    lines = STREAM.decode("utf-8").split("\n")
    first_data = next(i for i, line in enumerate(lines) if line.startswith("data: {"))
    lines[first_data] = "data: {not json"
    result = chatcompat.check_stream("openai", "\n".join(lines).encode("utf-8"))
    assert result.verdict == "violates"
    [error] = result.by_severity("error")
    assert error.rule == "data-json"
    assert error.line == first_data + 1 and error.column is not None
    assert error.event == 1

    # Stopped after [DONE]'s blank line is lost: the SDK reads it, losing nothing but the sentinel's event.
    cut = STREAM[: STREAM.rindex(b"data: [DONE]")]
    truncated = chatcompat.check_stream("openai", cut)
    assert "done-missing" in [f.rule for f in truncated.findings]
    assert truncated.verdict == "conforms"

    for garbage in (b"", b"\xff\xfe\x00", b"data: [DONE]\n\n"):
        assert chatcompat.check_stream("openai", garbage).verdict in {"violates", "conforms"}
    assert chatcompat.check_stream("openai", b"\xff\n\n").by_severity("error")


def test_check_releases_nothing_it_should_not_across_threads():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        verdicts = list(pool.map(lambda body: chatcompat.check("openai", body).verdict, [VIOLATES, EXTENSIONS] * 50))
    assert verdicts == ["violates", "conforms-with-extensions"] * 50

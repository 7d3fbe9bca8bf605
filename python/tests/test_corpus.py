"""The wheel judges every shipped fixture as its sidecar says: valid bodies do not violate,
invalid ones produce exactly their [[expect]] entries; transcripts likewise (errors and
losses). The same rule `cargo test` applies, so the wheel and the library cannot drift.
A deviation fixtures/chatcompat-expectations.toml waives is waived here too, and must still
happen (a waiver that waives nothing fails, as in `chatcompat check --expectations`)."""

import fnmatch
import tomllib

import pytest

import chatcompat

from conftest import FIXTURES

BODIES = sorted(FIXTURES.glob("*/*/*.json"))
STREAMS = sorted(FIXTURES.glob("*/streams/*/*.sse"))


WAIVERS = tomllib.loads((FIXTURES / "chatcompat-expectations.toml").read_text(encoding="utf-8"))["expect"]


def _waive(path, errors):
    """`errors` less the ones a waiver for this fixture names; fails on a waiver that matches nothing."""
    relative = path.relative_to(FIXTURES).as_posix()
    for entry in WAIVERS:
        if not fnmatch.fnmatchcase(relative, entry["fixtures"]):
            continue
        waived = [e for e in errors if (e[1], e[2]) == (entry.get("pointer", e[1]), entry.get("keyword", e[2]))]
        assert waived, f"the waiver for {entry['fixtures']} no longer waives anything"
        errors = [e for e in errors if e not in waived]
    return errors


def _expected(path):
    sidecar = tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))
    return sidecar.get("expect", [])


@pytest.mark.parametrize("path", BODIES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_body_fixture(path):
    provider, validity = path.parts[-3], path.parts[-2]
    result = chatcompat.check(provider, path.read_bytes())
    got = sorted((v.pointer, v.keyword) for v in result.violations)
    if validity == "valid":
        assert result.verdict != "unreadable", result.error
        assert _waive(path, [(0, *error) for error in got]) == [], [str(v) for v in result.violations]
    else:
        assert got == sorted((e["pointer"], e["keyword"]) for e in _expected(path)), result.error


@pytest.mark.parametrize("path", STREAMS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_stream_fixture(path):
    provider, validity = path.parts[-4], path.parts[-2]
    result = chatcompat.check_stream(provider, path.read_bytes())
    got = sorted(
        (f.event or 0, f.pointer or "", f.keyword or "", "" if f.pointer is not None else f.rule)
        for f in result.findings
        if f.severity != "note"
    )
    want = sorted(
        (e.get("event", 0), e.get("pointer", ""), e.get("keyword", ""), e.get("rule", ""))
        for e in _expected(path)
    )
    if validity == "valid":
        assert _waive(path, got) == [], [str(f) for f in result.findings]
    else:
        assert got == want, [str(f) for f in result.findings]


def test_the_corpus_is_there():
    assert len(BODIES) > 100 and len(STREAMS) > 20

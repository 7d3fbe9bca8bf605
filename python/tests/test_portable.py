"""The wheel, run from a folder holding nothing of the checkout, judges the three portable
bodies and the one stream exactly as harness/tests/data/portable/expected.json says (the
binary and a Rust crate on the core library are held to the same file)."""

import json
import os
import shutil

import chatcompat

from conftest import PORTABLE


def test_portable_bodies_and_stream_from_an_empty_folder(tmp_path, monkeypatch):
    for item in PORTABLE.iterdir():
        shutil.copy(item, tmp_path / item.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHATCOMPAT_ROOT", raising=False)
    assert sorted(os.listdir(".")) == sorted(p.name for p in PORTABLE.iterdir())

    expected = json.loads(open("expected.json", encoding="utf-8").read())
    provider = expected["provider"]
    assert expected["bodies"] and expected["streams"]

    for body in expected["bodies"]:
        with open(body["file"], "rb") as f:
            result = chatcompat.check(provider, f.read())
        assert result.verdict == body["verdict"], (body["file"], result)
        assert result.extensions == body["extensions"], body["file"]
        got = [
            {key: getattr(v, key) for key in wanted}
            for v, wanted in zip(result.violations, body["violations"])
        ]
        assert len(result.violations) == len(body["violations"]), (body["file"], result.violations)
        assert got == body["violations"], body["file"]
        assert result.error is None

    for stream in expected["streams"]:
        with open(stream["file"], "rb") as f:
            result = chatcompat.check_stream(provider, f.read())
        assert result.verdict == stream["verdict"], (stream["file"], result.findings)
        assert (result.events, result.chunks) == (stream["events"], stream["chunks"])
        assert result.done

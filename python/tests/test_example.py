"""python/examples/test_my_sdk.py works as an SDK team would use it: copied into a suite
beside a folder of recordings, it yields one test per recording and fails the bad one with
its position."""

import shutil

from conftest import PORTABLE, REPO

pytest_plugins = ["pytester"]


def test_the_example_runs_one_test_per_recording(pytester):
    shutil.copy(REPO / "python" / "examples" / "test_my_sdk.py", pytester.path / "test_my_sdk.py")
    recorded = pytester.path / "recorded" / "openai"
    recorded.mkdir(parents=True)
    for name in ("conforms.json", "extensions.json", "violates.json", "stream.sse"):
        shutil.copy(PORTABLE / name, recorded / name)
    (pytester.path / "recorded" / "not-a-provider").mkdir()
    (pytester.path / "recorded" / "not-a-provider" / "x.json").write_text("{}")

    result = pytester.runpytest_subprocess("-q", "test_my_sdk.py")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*recorded/openai/violates.json:16:24: /choices/0/finish_reason: enum:*"])


def test_strict_mode_fails_undocumented_fields(pytester, monkeypatch):
    shutil.copy(REPO / "python" / "examples" / "test_my_sdk.py", pytester.path / "test_my_sdk.py")
    recorded = pytester.path / "recorded" / "openai"
    recorded.mkdir(parents=True)
    shutil.copy(PORTABLE / "extensions.json", recorded / "extensions.json")
    monkeypatch.setenv("CHATCOMPAT_STRICT", "1")
    result = pytester.runpytest_subprocess("-q", "test_my_sdk.py")
    result.assert_outcomes(failed=1, skipped=1)  # no .sse: the stream test has nothing to run
    result.stdout.fnmatch_lines(["*undocumented field /x_groq*"])

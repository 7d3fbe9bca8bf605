"""Copy this file into your SDK's test suite to check every recorded response with pytest.

Lay out the recordings as:

    tests/recorded/<provider>/<name>.json     one response body per file, exactly as received
    tests/recorded/<provider>/<name>.sse      one streamed response: the raw text/event-stream body

(or set CHATCOMPAT_RECORDED to another folder). One test per file, named by its path; a
failure lists every violation with line:column, JSON pointer, keyword, expected and found.
Set CHATCOMPAT_STRICT=1 to fail undocumented fields (and, for streams, losses) too.

Requires the chatcompat wheel (see chatcompat's README, "Python").
"""

import os
from pathlib import Path

import pytest

import chatcompat

RECORDED = Path(os.environ.get("CHATCOMPAT_RECORDED", Path(__file__).parent / "recorded"))
STRICT = os.environ.get("CHATCOMPAT_STRICT") == "1"
KNOWN = set(chatcompat.providers())


def _recordings(suffix):
    """Every recording with this suffix in a folder named after a known provider."""
    return sorted(path for path in RECORDED.glob(f"*/*{suffix}") if path.parent.name in KNOWN)


def _name(path):
    return path.relative_to(RECORDED).as_posix()


@pytest.mark.parametrize("path", _recordings(".json"), ids=_name)
def test_recorded_response_conforms(path):
    result = chatcompat.check(path.parent.name, path.read_bytes())
    problems = [f"{path}:{v}" for v in result.violations]
    if result.error:
        problems.append(f"{path}:{result.error}")
    if STRICT:
        problems += [f"{path}: undocumented field {pointer}" for pointer in result.extensions]
    assert result.passed(strict=STRICT), "\n".join(problems)


@pytest.mark.parametrize("path", _recordings(".sse"), ids=_name)
def test_recorded_stream_is_read_by_the_sdk(path):
    result = chatcompat.check_stream(path.parent.name, path.read_bytes())
    failing = {"error", "loss"} if STRICT else {"error"}
    assert result.passed(strict=STRICT), "\n".join(
        f"{path}:{finding}" for finding in result.findings if finding.severity in failing
    )

"""Shared paths for the chatcompat wheel's tests: the checkout these tests live in."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PORTABLE = REPO / "harness" / "tests" / "data" / "portable"
FIXTURES = REPO / "fixtures"


@pytest.fixture
def portable() -> Path:
    return PORTABLE

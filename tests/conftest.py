"""Shared test fixtures: where the shared corpora live, and the databases tests run on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RIVALWATCH_SHARED", REPO.parent / "shared"))
CORPORA = SHARED / "corpora"


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The real-world corpora beside the repo; tests that need them skip with the reason when absent."""
    if not CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {CORPORA} (set RIVALWATCH_SHARED)")
    return CORPORA

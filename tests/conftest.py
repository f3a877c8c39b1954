"""Fixtures shared by every test layer: where ../shared is, when a CI checkout has it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "data" / "sample"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not (SAMPLE / "answer.json").exists():
        pytest.skip(f"the sample town is not here ({SAMPLE}): it lives in ../shared beside the clone, as in CI")
    return SAMPLE


@pytest.fixture(scope="session")
def answer(sample_dir: Path) -> dict[str, Any]:
    return json.loads((sample_dir / "answer.json").read_text("utf-8"))

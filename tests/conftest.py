"""Fixtures shared by every test layer: where ../shared is, when a CI checkout has it; and the
`system` mark on every test of tests/system, so `-m "not system"` leaves out what starts processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SYSTEM = REPO / "tests" / "system"
SHARED = REPO.parent / "shared"
SAMPLE = SHARED / "data" / "sample"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A `pytestmark` in a conftest marks nothing (pytest reads it only from test modules), so the
    system layer is marked here, by folder."""
    for item in items:
        if item.path.is_relative_to(SYSTEM):
            item.add_marker(pytest.mark.system)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not (SAMPLE / "answer.json").exists():
        pytest.skip(f"the sample town is not here ({SAMPLE}): it lives in ../shared beside the clone, as in CI")
    return SAMPLE


@pytest.fixture(scope="session")
def answer(sample_dir: Path) -> dict[str, Any]:
    return json.loads((sample_dir / "answer.json").read_text("utf-8"))

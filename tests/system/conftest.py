"""System tests: a real nats-server and the four services as processes, on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lookback_pg import fresh_database
from lookback_town import Town


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Town]:
    t = Town(tmp_path / "town")
    yield t
    t.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_town(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Town]:
    """The same system on each production store: SQLite (embedded default) and PostgreSQL."""
    if request.param == "sqlite":
        t = Town(tmp_path / "town")
        yield t
        t.stop()
        return
    with fresh_database() as url:
        t = Town(tmp_path / "town", env={"LOOKBACK_DB_URL": url})
        yield t
        t.stop()

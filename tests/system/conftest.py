"""System tests: a real nats-server and the four services as processes, on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lookback_town import Town

pytestmark = pytest.mark.system


@pytest.fixture
def town(tmp_path: Path) -> Iterator[Town]:
    t = Town(tmp_path / "town")
    yield t
    t.stop()

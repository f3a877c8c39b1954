"""The benchmark's log: what `bench/logmaker.py` grows in one process is what the system stores.

The replay benchmark reads a million events that no test could push through the four processes; it is
a fair measure only if those events are the ones the services would have written. Here the same imports
go through the grower and through the real system, and the two logs must hold the same events."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lookback_log import all_events, grow_log

from apps.runner import NatsServer, free_port


def test_the_grown_log_holds_what_the_system_stores_for_the_same_imports(town: Any, tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "grown", free_port())
    server.start()
    try:
        imports = asyncio.run(grow_log(server.url_as("admin"), tmp_path / "chunks", households=60, chunk=30))
        grown = asyncio.run(all_events(server.url_as("admin")))
    finally:
        server.stop()
    assert [as_of.isoformat() for _, as_of in imports] == ["2019-12-01", "2020-01-01"] * 2
    for files, as_of in imports:
        town.cli("import", "roster", *map(str, files), "--as-of", as_of.isoformat(), "--partial")
        town.wait_idle()
    # rectify's daily digests are the running system's, of the day it ran, not the imports'
    stored = [
        (seq, env) for seq, env in asyncio.run(all_events(town.nats.url_as("admin"))) if env.aggregate_type != "digest"
    ]

    def facts(log: list[tuple[int, Any]]) -> dict[str, dict[str, Any]]:
        """Every event but when it was recorded, on the wall clock and on the business clock (the hash chain
        leaves both out too; the business instant is written only where the clock is moved)."""
        return {
            str(env.id): env.model_dump(mode="json", exclude={"recorded_time", "recorded_business_time"})
            for _, env in log
        }

    assert {env.type for _, env in grown} >= {"household.recorded", "problem.flagged", "problem.cleared_by_data"}
    assert {env.type for _, env in grown} >= {"case.opened", "case.rectified"}
    assert facts(grown) == facts(stored)

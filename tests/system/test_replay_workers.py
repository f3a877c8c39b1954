"""A replay split over processes rebuilds the same read models as one process does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lookback_log import grow_log
from sqlalchemy import create_engine

from apps.audit.checksum import image
from apps.audit.projections import all_projections
from apps.audit.verify import NORMALISERS
from apps.audit.workers import replay_on_cores
from apps.runner import NatsServer, free_port


def test_two_processes_rebuild_what_one_does(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats", free_port())
    server.start()
    try:
        asyncio.run(grow_log(server.url_as("admin"), tmp_path / "grow", households=80, chunk=40))
        names = [p.name for p in all_projections()]
        seen = []
        for workers in (1, 2):
            url = f"sqlite:///{tmp_path / f'{workers}.db'}"
            result = asyncio.run(
                replay_on_cores(
                    server.url_as("admin"),
                    [(n, url) for n in names],
                    workers=workers,
                    progress=lambda last, _: seen.append(last),
                )
            )
            assert [p.name for p in result.projections] == names
            assert all(p.events and not p.set_aside for p in result.projections)
    finally:
        server.stop()
    assert seen[-1] == result.last_seq
    one, two = create_engine(f"sqlite:///{tmp_path / '1.db'}"), create_engine(f"sqlite:///{tmp_path / '2.db'}")
    with one.connect() as a, two.connect() as b:
        for table in {t for p in all_projections() for t in p.sql_tables()}:
            normalise = NORMALISERS.get(table.name)
            assert image(a, table, normalise=normalise) == image(b, table, normalise=normalise), table.name

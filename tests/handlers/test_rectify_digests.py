"""Rectify's digests on a real SQLite store, without a broker: every owner's digest for a day derives the
same ids however often it is composed, and comes back through rectify's handler for the start page."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from lookback.catalogue import load
from lookback.clock import start_of_day
from lookback.consumer import Delivered
from lookback.contracts.envelope import derived_id, new_envelope
from lookback.contracts.rectify import CaseOpened
from lookback.store import create_tables, make_engine
from services.rectify.adapters.tables import TABLES, DigestRow
from services.rectify.digests import day_envelopes
from services.rectify.domain.digest import town_owners
from services.rectify.handlers import make_handler

OPENED_ON = date(2020, 1, 11)
DAY = date(2020, 1, 12)


def test_every_owner_once_a_day_with_stable_ids_and_kept_for_the_start_page(tmp_path: Path) -> None:
    catalogue = load()
    village = catalogue.villages[0]
    engine = make_engine(f"sqlite:///{tmp_path / 'rectify.db'}")
    create_tables(engine, *TABLES)
    handle = make_handler(catalogue)
    opened = [
        new_envelope(
            CaseOpened(
                case_id=f"c{n}",
                problem_id=f"c{n}",
                rule="R03",
                item=3,
                village=village,
                lead_unit="集镇办",
                co_responsible=village,
                policy="immediate",
                assigned_on=OPENED_ON,
                deadline=date(2020, 1, 14),
                person="李四",
            ),
            actor="test",
            business_time=start_of_day(OPENED_ON),
            event_id=derived_id("test", n),
        )
        for n in range(3)
    ]
    with Session(engine) as session:
        handle(session, [Delivered(n + 1, e) for n, e in enumerate(opened)])
        session.commit()

    with Session(engine) as session:
        first, again = day_envelopes(session, DAY, 3), day_envelopes(session, DAY, 3)
    owners = town_owners(catalogue)
    assert [e.id for e in first] == [e.id for e in again]
    assert len({e.subject for e in first}) == len(first) == len(owners)
    assert all(e.subject.isascii() and e.subject.endswith(".composed") and e.prev_hash is None for e in first)
    assert "李四" not in "".join(e.model_dump_json() for e in first)

    with Session(engine) as session:
        handle(session, [Delivered(10 + n, e) for n, e in enumerate(first)])
        session.commit()
    with Session(engine) as session:
        rows = {(r.owner_kind, r.owner): json.loads(r.body) for r in session.exec(select(DigestRow))}
    assert len(rows) == len(owners)
    mine = rows[("village", village)]
    assert (mine["newly_assigned"], mine["due_soon"], mine["overdue"]) == (3, 3, 0)
    assert rows[("unit", "集镇办")]["due_soon"] == 3

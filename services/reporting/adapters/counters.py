"""Reading and adding to the per-period counters (`report_counters`), in the projection's transaction."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import delete as sa_delete
from sqlalchemy import select as sa_select
from sqlalchemy import text, tuple_
from sqlmodel import Session

from lookback.store import upsert
from services.reporting.adapters.tables import CounterRow
from services.reporting.domain.counters import Key, add
from services.reporting.domain.semimonthly import Cell

TABLE = CounterRow.__table__.c  # type: ignore[attr-defined]
KEY_NAMES = ("period", "village", "unit", "item", "rule")
KEY = tuple(TABLE[name] for name in KEY_NAMES)
CHUNK = 900
"""Cells per statement: five parameters each, under SQLite's limit."""


def lock(session: Session) -> None:
    """Replicas of reporting on PostgreSQL count one batch at a time. A batch's counters are the
    difference between its problems folded without and with it, so a replica must see every fact the
    other has committed for those problems and add to what it added: without the lock two replicas
    (a problem's fact on one, its case's on the other) would each fold without the other's fact and the
    sums would be wrong. Taken before the facts are read, held to the commit; SQLite has one writer at
    a time already."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"LOCK TABLE {CounterRow.__tablename__} IN SHARE ROW EXCLUSIVE MODE"))


def apply(session: Session, changes: Mapping[Key, Sequence[int]]) -> None:
    """Add `changes` to the stored counters; a cell left without problems is deleted. The rows of the
    changed periods and villages are read as columns (their number grows with the catalogue, not with
    households) and written back in one statement each."""
    periods, villages = sorted({key[0] for key in changes}), sorted({key[1] for key in changes})
    found = session.execute(
        sa_select(*KEY, TABLE.counts).where(TABLE.period.in_(periods), TABLE.village.in_(villages))
    )  # the primary key's prefix: SQLite walks the index, where a row-value IN list scans the table
    stored = {key: json.loads(counts) for *cells, counts in found if (key := tuple(cells)) in changes}
    rows, gone = [], []
    for key, delta in changes.items():
        total = add(stored.get(key), delta)
        if total is not None:
            rows.append({**dict(zip(KEY_NAMES, key, strict=True)), "counts": json.dumps(total)})
        else:
            gone.append(key)
    upsert(session, CounterRow, rows, list(KEY_NAMES))
    for start in range(0, len(gone), CHUNK):
        session.execute(sa_delete(TABLE).where(tuple_(*KEY).in_(gone[start : start + CHUNK])))


def read(session: Session, periods: Iterable[str]) -> dict[str, dict[Cell, tuple[int, ...]]]:
    """The cells of each of these periods (one query for all: a trend reads every period at once)."""
    out: dict[str, dict[Cell, tuple[int, ...]]] = defaultdict(dict)
    rows = session.execute(sa_select(*KEY, TABLE.counts).where(TABLE.period.in_(list(periods))))
    for period, village, unit, item, rule, counts in rows:
        out[period][(village, unit, item, rule)] = tuple(json.loads(counts))
    return out

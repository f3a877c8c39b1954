"""Reading and adding to the per-period counters (`report_counters`), in the projection's transaction."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import Session, col, delete, select

from lookback.store import upsert
from services.reporting.adapters.tables import CounterRow
from services.reporting.domain.counters import Key, add
from services.reporting.domain.semimonthly import Cell


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
    """Add `changes` to the stored counters; a cell left without problems is deleted."""
    if not changes:
        return
    periods = {key[0] for key in changes}
    villages = {key[1] for key in changes}
    stored = {
        (r.period, r.village, r.unit, r.item, r.rule): json.loads(r.counts)
        for r in session.exec(
            select(CounterRow).where(col(CounterRow.period).in_(periods), col(CounterRow.village).in_(villages))
        )
    }
    rows, gone = [], []
    for key, delta in changes.items():
        total = add(stored.get(key), delta)
        if total is None:
            gone.append(key)
        else:
            period, village, unit, item, rule = key
            rows.append(
                {
                    "period": period,
                    "village": village,
                    "unit": unit,
                    "item": item,
                    "rule": rule,
                    "counts": json.dumps(total),
                }
            )
    upsert(session, CounterRow, rows, ["period", "village", "unit", "item", "rule"])
    for period, village, unit, item, rule in gone:
        session.exec(  # type: ignore[call-overload]
            delete(CounterRow).where(
                col(CounterRow.period) == period,
                col(CounterRow.village) == village,
                col(CounterRow.unit) == unit,
                col(CounterRow.item) == item,
                col(CounterRow.rule) == rule,
            )
        )


def read(session: Session, periods: Iterable[str]) -> dict[str, dict[Cell, tuple[int, ...]]]:
    """The cells of each of these periods (one query for all: a trend reads every period at once)."""
    out: dict[str, dict[Cell, tuple[int, ...]]] = defaultdict(dict)
    table = CounterRow.__table__.c  # type: ignore[attr-defined]
    rows = session.execute(
        sa_select(table.period, table.village, table.unit, table.item, table.rule, table.counts).where(
            table.period.in_(list(periods))
        )
    )
    for period, village, unit, item, rule, counts in rows:
        out[period][(village, unit, item, rule)] = tuple(json.loads(counts))
    return out

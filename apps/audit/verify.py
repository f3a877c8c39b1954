"""Do the live read models say what the log says? Rebuild each up to the position it has reached, and
compare table by table.

Each live database is read inside one snapshot (a read transaction: SQLite's WAL, PostgreSQL's
REPEATABLE READ), opened before the rebuild starts: its position and its rows are of the same moment,
while the services go on writing. The rebuild goes into a scratch SQLite database, each projection
stopped at exactly the live position.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect
from sqlmodel import select

from apps.audit.changes import ABSENT, Change, changes
from apps.audit.checksum import Key, Normaliser, Row, TableDiff, identity, image, rows_by_key
from apps.audit.projections import Projection
from apps.audit.workers import replay_on_cores
from lookback.store import Position, make_engine

RECTIFY_CASE_EVENTS = "rectify_case_events"


def without_derive_time(row: Row) -> Row:
    """Rectify keeps the envelope it derived itself (a case opened, rectified by data) as it built it, and
    only notes the sequence when the published copy comes back; the envelope's `recorded_time` is the
    wall clock of that moment, which no rebuild can reproduce, and so is the business clock beside it.
    Both are left out of the comparison for the events rectify derived; everything else in them, and
    every event it consumed, is compared in full."""
    body = json.loads(row["body"])
    if body.get("actor") != "service:rectify":
        return row
    body.pop("recorded_time", None)
    body.pop("recorded_business_time", None)
    return {**row, "body": json.dumps(body, sort_keys=True, ensure_ascii=False)}


NORMALISERS: dict[str, Normaliser] = {RECTIFY_CASE_EVENTS: without_derive_time}


@contextlib.contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees one moment of the database for as long as it is open."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.rollback()
        return
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
        yield conn


def position(conn: Connection, durable: str) -> int:
    if not inspect(conn).has_table(Position.__tablename__):
        return 0
    seq = conn.execute(select(Position.seq).where(Position.consumer == durable)).scalar()
    return int(seq or 0)


@dataclass(frozen=True)
class ProjectionCheck:
    name: str
    position: int
    diffs: list[TableDiff]
    missing: list[str]
    """Tables the live database does not have at all."""

    @property
    def equal(self) -> bool:
        return not self.missing and all(d.equal for d in self.diffs)


@dataclass(frozen=True)
class Detail:
    """The first differing rows of a table, masked unless asked otherwise."""

    table: str
    key: tuple[str, ...]
    changed: list[tuple[Key, list[Change]]]
    only_live: list[tuple[Key, Row]]
    only_rebuilt: list[tuple[Key, Row]]


async def verify(
    nats_url: str,
    live: dict[str, str],
    projections: Sequence[Projection],
    scratch: Path,
    batch_size: int = 1000,
    workers: int = 1,
) -> tuple[list[ProjectionCheck], dict[str, Detail]]:
    """`live`: the database URL of each projection (several may share one). Returns the per-table result
    and, for the tables that differ, their first differing rows by `service/table`."""
    urls = sorted(set(live.values()))
    engines = {url: make_engine(url) for url in urls}
    rebuilt_url = {url: f"sqlite:///{scratch_db(scratch, n)}" for n, url in enumerate(urls)}
    rebuilt = {url: make_engine(r) for url, r in rebuilt_url.items()}
    try:
        with contextlib.ExitStack() as stack:
            snaps = {url: stack.enter_context(snapshot(e)) for url, e in engines.items()}
            limits = {p.name: position(snaps[live[p.name]], p.durable) for p in projections}
            targets = [(p.name, rebuilt_url[live[p.name]]) for p in projections]
            await replay_on_cores(nats_url, targets, workers=workers, limits=limits, batch_size=batch_size)
            checks: list[ProjectionCheck] = []
            details: dict[str, Detail] = {}
            for p in projections:
                with rebuilt[live[p.name]].connect() as conn:
                    check = _check(p, snaps[live[p.name]], conn, limits[p.name])
                    checks.append(check)
                    details |= {
                        f"{p.name}/{d.table}": _detail(d, snaps[live[p.name]], conn, p)
                        for d in check.diffs
                        if not d.equal
                    }
        return checks, details
    finally:
        for e in [*engines.values(), *rebuilt.values()]:
            e.dispose()


def scratch_db(scratch: Path, n: int) -> Path:
    """The rebuild of the n-th live database: read models that share a database live are rebuilt in one
    (tables such as `chain_heads` hold the rows of every service that writes them)."""
    return scratch / f"rebuilt-{n}.db"


def _where(projection: Projection, table: Any) -> Any:
    return table.c.consumer == projection.durable if table.name == Position.__tablename__ else None


def _check(projection: Projection, live: Connection, rebuilt: Connection, at: int) -> ProjectionCheck:
    diffs, missing = [], []
    for table in projection.sql_tables():
        if not inspect(live).has_table(table.name):
            missing.append(table.name)
            continue
        where, norm = _where(projection, table), NORMALISERS.get(table.name)
        diffs.append(TableDiff(table.name, image(live, table, where, norm), image(rebuilt, table, where, norm)))
    return ProjectionCheck(projection.name, at, diffs, missing)


def _detail(diff: TableDiff, live: Connection, rebuilt: Connection, projection: Projection, limit: int = 20) -> Detail:
    table = next(t for t in projection.sql_tables() if t.name == diff.table)
    where, norm = _where(projection, table), NORMALISERS.get(table.name)
    changed, only_live, only_rebuilt = diff.changed[:limit], diff.only_live[:limit], diff.only_rebuilt[:limit]
    live_rows = rows_by_key(live, table, set(changed) | set(only_live), where, norm)
    rebuilt_rows = rows_by_key(rebuilt, table, set(changed) | set(only_rebuilt), where, norm)
    return Detail(
        diff.table,
        identity(table).key,
        [(k, column_changes(rebuilt_rows[k], live_rows[k])) for k in changed],
        [(k, live_rows[k]) for k in only_live],
        [(k, rebuilt_rows[k]) for k in only_rebuilt],
    )


def column_changes(expected: Row, found: Row) -> list[Change]:
    """From what the log says (the rebuild) to what the live row holds; JSON columns diffed by path."""
    out: list[Change] = []
    for column in expected.keys() | found.keys():
        a, b = expected.get(column, ABSENT), found.get(column, ABSENT)
        if a == b:
            continue
        ja, jb = _json(a), _json(b)
        if isinstance(ja, dict) and isinstance(jb, dict):
            out += [Change(f"{column}.{c.path}", c.field, c.before, c.after) for c in changes(ja, jb)]
        else:
            out.append(Change(column, column, a, b))
    return sorted(out, key=lambda c: c.path)


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None

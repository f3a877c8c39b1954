"""Table images: every row canonicalised and hashed, so two databases can be compared table by table.

Rows are read through SQLAlchemy's table types, so SQLite and PostgreSQL give the same Python values
(dates, booleans, decimals) and hence the same canonical JSON. A table's checksum hashes the sorted row
digests: it does not depend on the order rows come back in. Rows are identified by their primary key,
except where that key is a counter the database hands out (rectify's `n`): there the table's unique
key identifies a row and the counter is replaced by its rank, so the order rows were written in is
compared and the numbers a database skipped (a rolled-back batch on PostgreSQL) are not.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, Integer, Table, UniqueConstraint, select
from sqlalchemy.sql import ColumnElement

Row = dict[str, Any]
Key = tuple[Any, ...]
Normaliser = Callable[[Row], Row]
"""Applied to a canonical row before it is hashed (see verify: values no rebuild can reproduce)."""


def canonical(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, bytes):
        return value.hex()
    return value


def digest(row: Row) -> str:
    text = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Identity:
    key: tuple[str, ...]
    counter: str | None
    """A database-assigned integer key, compared by rank instead of value."""


def identity(table: Table) -> Identity:
    pk: list[Column[Any]] = list(table.primary_key.columns)
    unique = [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint) and constraint.columns
    ] + [(c.name,) for c in table.columns if c.unique]
    counter = len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto")
    if counter and unique:
        return Identity(unique[0], pk[0].name)
    return Identity(tuple(c.name for c in pk) or tuple(c.name for c in table.columns), None)


def sort_key(key: Key) -> tuple[tuple[int, Any], ...]:
    """Keys sort as the database would sort them: numbers as numbers, text as text, NULL first."""
    return tuple((0, 0) if v is None else (1, v) if isinstance(v, int | float) else (2, str(v)) for v in key)


def canonical_rows(
    conn: Connection, table: Table, where: ColumnElement[bool] | None = None, normalise: Normaliser | None = None
) -> Iterator[tuple[Key, Row]]:
    ident = identity(table)
    query = select(table) if where is None else select(table).where(where)
    if ident.counter:
        query = query.order_by(table.c[ident.counter])
    for rank, row in enumerate(conn.execute(query).mappings(), 1):
        values = {name: canonical(v) for name, v in row.items()}
        if ident.counter:
            values[ident.counter] = rank
        if normalise is not None:
            values = normalise(values)
        yield tuple(values[k] for k in ident.key), values


@dataclass(frozen=True)
class TableImage:
    table: str
    digests: dict[Key, str]

    @property
    def count(self) -> int:
        return len(self.digests)

    @property
    def checksum(self) -> str:
        return hashlib.sha256("".join(sorted(self.digests.values())).encode()).hexdigest()


def image(
    conn: Connection, table: Table, where: ColumnElement[bool] | None = None, normalise: Normaliser | None = None
) -> TableImage:
    return TableImage(table.name, {key: digest(row) for key, row in canonical_rows(conn, table, where, normalise)})


def rows_by_key(
    conn: Connection,
    table: Table,
    keys: set[Key],
    where: ColumnElement[bool] | None = None,
    normalise: Normaliser | None = None,
) -> dict[Key, Row]:
    """The canonical rows behind some keys, read again for a diff (only when the checksums differ)."""
    return {key: row for key, row in canonical_rows(conn, table, where, normalise) if key in keys}


@dataclass(frozen=True)
class TableDiff:
    table: str
    live: TableImage
    rebuilt: TableImage

    @property
    def equal(self) -> bool:
        return self.live.digests == self.rebuilt.digests

    @property
    def changed(self) -> list[Key]:
        both = self.live.digests.keys() & self.rebuilt.digests.keys()
        return sorted((k for k in both if self.live.digests[k] != self.rebuilt.digests[k]), key=sort_key)

    @property
    def only_live(self) -> list[Key]:
        return sorted(self.live.digests.keys() - self.rebuilt.digests.keys(), key=sort_key)

    @property
    def only_rebuilt(self) -> list[Key]:
        return sorted(self.rebuilt.digests.keys() - self.live.digests.keys(), key=sort_key)

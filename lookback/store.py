"""SQL stores: one engine per service, and the stream position kept with the rows it produced.

A projection skips every event at or below its stored position and writes the new position in the
same transaction as its rows, so redelivery, duplicates and restarts never double-count.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

from sqlalchemy import Engine, Executable, Table, event, inspect, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, ProgrammingError
from sqlmodel import Field, Session, SQLModel, col, create_engine, delete, select


class Position(SQLModel, table=True):
    __tablename__ = "positions"

    consumer: str = Field(primary_key=True)
    seq: int = 0


class ChainHead(SQLModel, table=True):
    """The hash of the last event of each aggregate a service writes (contracts/chain.py)."""

    __tablename__ = "chain_heads"

    aggregate: str = Field(primary_key=True)
    last_hash: str


class LogDigestRow(SQLModel, table=True):
    """The running digest of the whole log up to `seq` (logdigest.py), kept by a consumer that reads it all."""

    __tablename__ = "log_digests"

    consumer: str = Field(primary_key=True)
    seq: int
    state: str


def get_digest(session: Session, consumer: str) -> tuple[int, bytes] | None:
    row = session.get(LogDigestRow, consumer)
    return (row.seq, bytes.fromhex(row.state)) if row else None


def set_digest(session: Session, consumer: str, seq: int, state: bytes) -> None:
    upsert(session, LogDigestRow, [{"consumer": consumer, "seq": seq, "state": state.hex()}], ["consumer"])


def load_heads(session: Session, keys: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(keys))
    heads: dict[str, str] = {}
    for start in range(0, len(wanted), 900):
        rows = session.exec(select(ChainHead).where(col(ChainHead.aggregate).in_(wanted[start : start + 900])))
        heads.update({r.aggregate: r.last_hash for r in rows})
    return heads


def save_heads(session: Session, heads: dict[str, str]) -> None:
    upsert(session, ChainHead, [{"aggregate": k, "last_hash": v} for k, v in heads.items()], ["aggregate"])


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def create_tables(engine: Engine, *tables: type[SQLModel]) -> None:
    """Create what is missing. Services sharing one PostgreSQL database start together and may race to
    create `positions`; the loser finds it there on the second look."""
    wanted = [Position.__table__, *(t.__table__ for t in tables)]  # type: ignore[attr-defined]
    for attempt in range(3):
        try:
            SQLModel.metadata.create_all(engine, tables=wanted)
            return
        except (IntegrityError, ProgrammingError):
            if attempt == 2:
                raise


def create_versioned(
    engine: Engine, consumer: str, tables: Sequence[type[SQLModel]], schema: type[SQLModel], version: int
) -> None:
    """Create a read model's tables; those left by another `version` are dropped and the consumer
    rewound, so the new version rebuilds them from the stream instead of deciding on a state it cannot
    read. `schema` is the one-row table (among `tables`) that holds the version."""
    names = set(inspect(engine).get_table_names())
    stored = schema.__table__.c.version  # type: ignore[attr-defined]
    current = False
    if schema.__tablename__ in names:
        with engine.connect() as conn:
            current = conn.execute(sa_select(stored)).scalar() == version
    if not current:
        with engine.begin() as conn:
            for table in tables:
                if table.__tablename__ in names:
                    conn.execute(text(f"DROP TABLE {table.__tablename__}"))
    create_tables(engine, *tables)
    if not current:
        with Session(engine) as session:
            # every replica's position (`<consumer>`, `<consumer>-<k>of<n>`) goes back to the start
            session.execute(delete(Position).where(col(Position.consumer).startswith(consumer)))
            upsert(session, schema, [{"version": version}], ["version"])
            session.commit()


def get_position(session: Session, consumer: str) -> int:
    row = session.exec(select(Position.seq).where(Position.consumer == consumer)).first()  # type: ignore[attr-defined]
    return int(row or 0)


def set_position(session: Session, consumer: str, seq: int) -> None:
    upsert(session, Position, [{"consumer": consumer, "seq": seq}], ["consumer"])


def upsert(session: Session, table: type[SQLModel], rows: list[dict], keys: list[str]) -> None:
    """Insert or replace rows by key in one statement: the batch write path of every projection."""
    if not rows:
        return
    tbl = table.__table__  # type: ignore[attr-defined]
    session.execute(_upsert_statement(tbl, session.get_bind().dialect.name, tuple(rows[0]), tuple(keys)), rows)


@functools.cache
def _upsert_statement(tbl: Table, dialect: str, columns: tuple[str, ...], keys: tuple[str, ...]) -> Executable:
    """Built once per shape: constructing `on conflict` clauses cost more than executing them."""
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(tbl)
    update = {c: stmt.excluded[c] for c in columns if c not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=update) if update else stmt.on_conflict_do_nothing()

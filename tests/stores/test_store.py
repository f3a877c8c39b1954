"""The store contract every projection relies on, run on each production store (as the
`eventsourcing` library runs one recorder test class on every backend): SQLite, the embedded
default, and PostgreSQL (skipped with a reason where none is reachable).

What a projection needs of it: positions that start at 0 and move only when committed, upserts
that insert or replace by key in one statement, and the tracking row written in the same
transaction as the rows, so a batch that fails leaves neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lookback_pg import fresh_database
from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, select

from lookback.store import (
    ChainHead,
    create_tables,
    get_position,
    load_heads,
    make_engine,
    save_heads,
    set_position,
    upsert,
)


class Tally(SQLModel, table=True):
    """A projection's row, as small as the contract needs."""

    __tablename__ = "store_contract_tally"

    key: str = Field(primary_key=True)
    village: str
    count: int = 0


def tally(key: str, village: str, count: int) -> dict[str, object]:
    return {"key": key, "village": village, "count": count}


class Crash(Exception):
    """What a handler raising halfway through a batch looks like to the store."""


class StoreContract:
    @pytest.fixture
    def engine(self) -> Iterator[Engine]:
        raise NotImplementedError

    def rows(self, engine: Engine) -> dict[str, tuple[str, int]]:
        with Session(engine) as session:
            return {t.key: (t.village, t.count) for t in session.exec(select(Tally))}

    def test_a_consumer_starts_at_zero_and_each_keeps_its_own_position(self, engine: Engine) -> None:
        with Session(engine) as session:
            assert get_position(session, "rules") == 0
            set_position(session, "rules", 7)
            set_position(session, "rectify", 3)
            set_position(session, "rules", 12)
            session.commit()
        with Session(engine) as session:
            assert (get_position(session, "rules"), get_position(session, "rectify")) == (12, 3)

    def test_upsert_inserts_new_keys_and_replaces_known_ones_leaving_the_rest(self, engine: Engine) -> None:
        with Session(engine) as session:
            upsert(
                session,
                Tally,
                [tally("a", "桃园村", 1), tally("b", "新河村", 2)],
                ["key"],
            )
            session.commit()
        with Session(engine) as session:
            upsert(
                session,
                Tally,
                [tally("a", "桃园村", 5), tally("c", "桃园村", 1)],
                ["key"],
            )
            session.commit()
        assert self.rows(engine) == {"a": ("桃园村", 5), "b": ("新河村", 2), "c": ("桃园村", 1)}

    def test_an_upsert_of_key_columns_only_inserts_once(self, engine: Engine) -> None:
        with Session(engine) as session:
            save_heads(session, {"case:c1": "h1"})
            session.commit()
        with Session(engine) as session:
            save_heads(session, {"case:c1": "h2", "case:c2": "h3"})
            session.commit()
        with Session(engine) as session:
            assert load_heads(session, ["case:c1", "case:c2", "case:c3"]) == {"case:c1": "h2", "case:c2": "h3"}

    def test_heads_load_past_the_bound_parameter_limit(self, engine: Engine) -> None:
        heads = {f"household:{n}": f"h{n}" for n in range(2_000)}
        with Session(engine) as session:
            save_heads(session, heads)
            session.commit()
        with Session(engine) as session:
            assert load_heads(session, heads) == heads

    def test_the_position_commits_with_the_rows_or_not_at_all(self, engine: Engine) -> None:
        with Session(engine) as session:
            upsert(session, Tally, [tally("a", "桃园村", 1)], ["key"])
            set_position(session, "reporting", 10)
            session.commit()
        with pytest.raises(Crash), Session(engine) as session:
            upsert(
                session,
                Tally,
                [tally("a", "桃园村", 2), tally("b", "新河村", 1)],
                ["key"],
            )
            set_position(session, "reporting", 20)
            raise Crash
        assert self.rows(engine) == {"a": ("桃园村", 1)}
        with Session(engine) as session:
            assert get_position(session, "reporting") == 10

    def test_creating_the_tables_again_keeps_what_they_hold(self, engine: Engine) -> None:
        with Session(engine) as session:
            set_position(session, "intake", 4)
            session.commit()
        create_tables(engine, Tally)
        with Session(engine) as session:
            assert get_position(session, "intake") == 4


def _ready(url: str) -> Engine:
    engine = make_engine(url)
    create_tables(engine, Tally, ChainHead)
    return engine


class TestSQLite(StoreContract):
    @pytest.fixture
    def engine(self, tmp_path: Path) -> Iterator[Engine]:
        engine = _ready(f"sqlite:///{tmp_path / 'store.db'}")
        yield engine
        engine.dispose()


@pytest.mark.postgres
class TestPostgreSQL(StoreContract):
    @pytest.fixture
    def engine(self) -> Iterator[Engine]:
        with fresh_database() as url:
            engine = _ready(url)
            yield engine
            engine.dispose()

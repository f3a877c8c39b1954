"""`POST /households` stored in batches (issue 17): households sent together get the answers and the
events they get sent one at a time, and one household's failure stays its own."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from sqlmodel import Session

from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope
from lookback.messaging import PublishError
from lookback.service import Runtime
from lookback.store import create_tables, make_engine
from services.intake import household_batcher
from services.intake.adapters.tables import TABLES
from services.intake.domain.errors import NotImportable
from services.intake.household_batcher import HouseholdBatcher, HouseholdSent
from services.intake.importer import import_id_of
from services.intake.projection import fold

from .builders import person, table

AS_OF = date(2019, 12, 1)


class Log:
    """The stream and intake's consumer in one: a stored event is folded at once, so the batcher's
    catch-up has nothing to wait for."""

    def __init__(self, engine: Any, refused: str | None = None) -> None:
        self.engine = engine
        self.refused = refused
        self.stored: dict[uuid.UUID, Envelope] = {}
        self.batches: list[list[Envelope]] = []
        self.consumers: list[Any] = []

    def publisher(self) -> Log:
        return self

    async def publish_batch(self, envelopes: Sequence[Envelope], datas: Sequence[bytes]) -> set[uuid.UUID]:
        assert [Envelope.model_validate_json(d) for d in datas] == list(envelopes)  # the bytes are the events
        if any(e.aggregate_id == self.refused for e in envelopes):
            raise PublishError(10999, "refused")
        self.batches.append(list(envelopes))
        already = {e.id for e in envelopes if e.id in self.stored}
        new = [e for e in envelopes if e.id not in self.stored]
        with Session(self.engine) as session:
            fold(session, [Delivered(len(self.stored) + n, e) for n, e in enumerate(new, 1)])
            session.commit()
        self.stored |= {e.id: e for e in new}
        return already


def log_on(folder: Path, refused: str | None = None) -> Log:
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'intake.db'}")
    create_tables(engine, *TABLES)
    return Log(engine, refused)


def sent(*persons: dict[str, str]) -> HouseholdSent:
    header, *rows = table(persons)
    import_id = import_id_of([("household.json", repr(persons).encode())], AS_OF, True)
    return HouseholdSent(AS_OF, header, list(enumerate(rows, start=2)), import_id, "test")


HOUSEHOLDS = [
    sent(person(户编号="3415230010010001")),
    sent(person(户编号="3415230010010002"), person(户编号="3415230010010002", 性别="?")),
    sent(person(户编号="3415230010010001", 住房安全等级="C")),  # the first household again, changed
    sent(person(户编号="3415230010010003"), person(户编号="3415230010010004")),  # two households
    sent(person(户编号="3415230010010005")),
    sent(person(户编号="3415230010010005")),  # the same body again
]


async def together(log: Log, households: Sequence[HouseholdSent]) -> list[Any]:
    batcher = HouseholdBatcher()
    answers = [asyncio.ensure_future(batcher.record(h)) for h in households]
    await asyncio.sleep(0)  # all of them wait before the batcher takes any
    runner = asyncio.create_task(batcher.run(cast(Runtime, log)))
    try:
        return list(await asyncio.gather(*answers, return_exceptions=True))
    finally:
        runner.cancel()


async def one_at_a_time(log: Log, households: Sequence[HouseholdSent]) -> list[Any]:
    return [(await together(log, [h]))[0] for h in households]


def chains(log: Log) -> set[tuple[uuid.UUID, str | None]]:
    return {(e.id, e.prev_hash) for e in log.stored.values()}


async def test_households_sent_together_get_the_answers_and_events_they_get_one_at_a_time(tmp_path: Path) -> None:
    batched, alone = log_on(tmp_path / "batched"), log_on(tmp_path / "alone")

    answers = await together(batched, HOUSEHOLDS)
    expected = await one_at_a_time(alone, HOUSEHOLDS)

    assert [a if isinstance(a, dict) else str(a) for a in answers] == [
        e if isinstance(e, dict) else str(e) for e in expected
    ]
    assert isinstance(answers[3], NotImportable)
    assert [a["households_added"] for a in answers if isinstance(a, dict)] == [1, 1, 0, 1, 0]
    assert answers[2]["households_changed"] == 1 and answers[5]["events_published"] == 0
    assert chains(batched) == chains(alone)
    # one publish for the first four households, the repeats of the first and last in the next
    assert [len(b) for b in batched.batches] == [7, 2]


async def test_a_household_the_stream_refuses_fails_alone(tmp_path: Path) -> None:
    log = log_on(tmp_path / "log", refused="3415230010010002")

    first, refused, third = await together(log, [HOUSEHOLDS[0], HOUSEHOLDS[1], HOUSEHOLDS[4]])

    assert isinstance(refused, PublishError)
    assert first["households_added"] == third["households_added"] == 1
    assert {e.aggregate_id for e in log.stored.values() if e.aggregate_type == "household"} == {
        "3415230010010001",
        "3415230010010005",
    }


async def test_a_batch_is_one_atomic_publish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(household_batcher, "ATOMIC_LIMIT", 5)
    log = log_on(tmp_path / "log")
    households = [sent(person(户编号=f"34152300100200{n:02}")) for n in range(7)]

    answers = await together(log, households)

    assert [a["households_added"] for a in answers] == [1] * 7
    assert [len(b) for b in log.batches] == [4, 4, 4, 2]  # two events a household: its record and its import's

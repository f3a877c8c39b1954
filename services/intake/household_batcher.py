"""`POST /households` as a group commit: the households sent while the last batch was being stored go
out together, with one catch-up, one read of the roster on record, one chain linking and one atomic
publish (issue 17: taken one at a time, each cost intake 20–40 ms of CPU and a publish of its own, so
500 households a second could not be reached).

Each request still gets its own answer, the one it got when households came one at a time: a body
that is not one household, or events the stream refuses, fail that request alone. Two requests on
the same household (or the same body sent twice) never share a batch: the later one waits for the
next, so it is diffed against what the earlier one recorded. Nothing waits for more requests to come:
a batch is whatever is there when the last one is done, as `lookback/tail.py` takes what has arrived.

A household sent as JSON files nothing under `imports/`: its answer is its summary, returned once its
events are stored, and what it sent is in the log (accepted rows in `household.recorded`, rejected
ones with their cells in `import.row_rejected`), where three files per household (1,500 a second at
the target rate) would have copied it for no reader.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import Engine
from sqlmodel import col, select

from lookback.contracts.chain import Draft, Sealed
from lookback.contracts.envelope import Envelope
from lookback.contracts.intake import HouseholdRecorded
from lookback.messaging import ATOMIC_LIMIT, Publisher
from lookback.service import Runtime
from services.intake.adapters.tables import KnownHousehold, KnownImport, KnownRejection
from services.intake.domain.columns import PERSONS
from services.intake.domain.errors import NotImportable
from services.intake.domain.roster import ParsedRoster, SheetRows, parse_sheets
from services.intake.domain.roster_events import ImportEvents, OnRecord, import_events
from services.intake.importer import caught_up, import_summary, sealed, stored_counts
from services.intake.issues import current_places

BATCH_SIZE = Histogram(
    "lookback_intake_household_batch_size",
    "Households one group commit of POST /households stored together",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500),
)


@dataclass(frozen=True)
class HouseholdSent:
    """One `POST /households`: its person rows under the roster's column names, and who sent it."""

    as_of: date
    header: Sequence[str]
    rows: Sequence[tuple[int, Sequence[str]]]
    import_id: str
    actor: str


@dataclass(frozen=True)
class _Request:
    sent: HouseholdSent
    answer: asyncio.Future[dict[str, Any]]


@dataclass
class _Planned:
    """A request of the batch with what it will publish."""

    request: _Request
    parsed: ParsedRoster
    plan: ImportEvents
    drafts: list[Draft]
    sealed: list[Sealed] = field(default_factory=list)

    @property
    def envelopes(self) -> list[Envelope]:
        return [s.envelope for s in self.sealed]

    @property
    def datas(self) -> list[bytes]:
        return [s.data for s in self.sealed]


@dataclass(frozen=True)
class _Record:
    """The roster on record for one batch's households and imports, read once."""

    households: dict[str, tuple[str, str, str]]
    imports_seen: set[str]
    rejected: dict[str, set[tuple[str, int]]]


def parse_household(sent: HouseholdSent, villages: frozenset[str]) -> ParsedRoster:
    """The rows checked as a roster's are; more than one household is refused whole."""
    parsed = parse_sheets(SheetRows(PERSONS, "http", sent.header, sent.rows), None, villages)
    if len({h.household_id for h in parsed.households}) > 1:
        raise NotImportable("一次只能登记一户", "one household per request")
    return parsed


class HouseholdBatcher:
    def __init__(self) -> None:
        self.waiting: list[_Request] = []
        self.taken: list[_Request] = []
        self.arrived = asyncio.Event()

    async def record(self, sent: HouseholdSent) -> dict[str, Any]:
        """The household's import summary once its events are stored; `NotImportable` if it is not one household."""
        request = _Request(sent, asyncio.get_running_loop().create_future())
        self.waiting.append(request)
        self.arrived.set()
        return await request.answer

    async def run(self, runtime: Runtime) -> None:
        """Take what has arrived, store it, answer it; for as long as the service runs."""
        try:
            while True:
                await self.arrived.wait()
                self.taken, self.waiting = [r for r in self.waiting if not r.answer.done()], []
                self.arrived.clear()
                if not self.taken:  # every one of them gave up waiting (their clients went away)
                    continue
                try:
                    later = await self._store(runtime, self.taken)
                except Exception as err:  # e.g. intake not caught up in time: every request of the batch hears it
                    later = []
                    for r in self.taken:
                        _fail(r, err)
                if later:
                    self.waiting[:0] = later
                    self.arrived.set()
        finally:
            for r in self.taken + self.waiting:
                r.answer.cancel()

    async def _store(self, runtime: Runtime, requests: list[_Request]) -> list[_Request]:
        """Store one batch; returns the requests left for the next one, in the order they came."""
        await caught_up(runtime)
        villages = current_places(runtime).villages
        parsed: list[tuple[_Request, ParsedRoster]] = []
        households: set[str] = set()
        imports: set[str] = set()
        for r in requests:
            try:
                roster = parse_household(r.sent, villages)
            except NotImportable as err:
                _fail(r, err)
                continue
            ids = {h.household_id for h in roster.households}
            if not (ids & households or r.sent.import_id in imports):
                parsed.append((r, roster))
            households |= ids
            imports.add(r.sent.import_id)
        record = _read_record(runtime.engine, households, imports)
        batch: list[_Planned] = []
        events = 0
        for r, roster in parsed:
            plan = _plan(r.sent, roster, record)
            if events and events + plan.total > ATOMIC_LIMIT:
                continue  # one atomic publish per batch: all of it stored, or none
            batch.append(_Planned(r, roster, plan, list(plan)))
            events += plan.total
        linked = sealed(runtime.engine, [d for p in batch for d in p.drafts])
        for p in batch:
            p.sealed, linked = linked[: len(p.drafts)], linked[len(p.drafts) :]
        await _publish(runtime.publisher(), batch, record)
        BATCH_SIZE.observe(len(batch))
        return [r for r in requests if not r.answer.done()]


def _read_record(engine: Engine, household_ids: set[str], import_ids: set[str]) -> _Record:
    """Core rows, not ORM objects or scalars: this read is on the latency path of every batch."""
    with engine.connect() as conn:
        households = conn.execute(
            select(KnownHousehold.household_id, KnownHousehold.fingerprint, KnownHousehold.village).where(
                col(KnownHousehold.removed).is_(False), col(KnownHousehold.household_id).in_(household_ids)
            )
        ).all()
        seen = conn.execute(select(KnownImport.import_id).where(col(KnownImport.import_id).in_(import_ids))).all()
        rejections = conn.execute(
            select(KnownRejection.import_id, KnownRejection.sheet, KnownRejection.row).where(
                col(KnownRejection.import_id).in_(import_ids)
            )
        ).all()
    rejected: dict[str, set[tuple[str, int]]] = {}
    for import_id, sheet, row in rejections:
        rejected.setdefault(import_id, set()).add((sheet, row))
    return _Record({h: (h, f, v) for h, f, v in households}, {i for (i,) in seen}, rejected)


def _plan(sent: HouseholdSent, parsed: ParsedRoster, record: _Record) -> ImportEvents:
    """The request's events against its own part of the record; a household sent alone declares no village."""
    on_record = [record.households[h.household_id] for h in parsed.households if h.household_id in record.households]
    own = OnRecord(on_record, {}, sent.import_id in record.imports_seen, record.rejected.get(sent.import_id, set()))
    return import_events(parsed, own, sent.import_id, sent.as_of, True, sent.actor)


async def _publish(publisher: Publisher, batch: list[_Planned], record: _Record) -> None:
    """All of the batch's events in one atomic publish; if the stream refuses it, each request's events
    alone, so whatever was refused is refused to the request whose events they are."""
    outcomes: list[set[uuid.UUID] | BaseException]
    try:
        already = await publisher.publish_batch(
            [e for p in batch for e in p.envelopes], [d for p in batch for d in p.datas]
        )
        outcomes = [already] * len(batch)
    except Exception as err:
        if len(batch) == 1:
            outcomes = [err]
        else:
            outcomes = await asyncio.gather(
                *(publisher.publish_batch(p.envelopes, p.datas) for p in batch), return_exceptions=True
            )
    for p, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            _fail(p.request, outcome)
        else:
            _answer(p, outcome, record)


def _answer(p: _Planned, already: set[uuid.UUID], record: _Record) -> None:
    stored_before = [e for e in p.envelopes if e.id in already]
    recorded = {e.aggregate_id for e in p.envelopes if e.type == HouseholdRecorded.event_type}
    counts = stored_counts(p.plan.counts, stored_before, recorded & record.households.keys())
    sent = p.request.sent
    summary = import_summary(
        p.parsed, counts, [], sent.import_id, sent.as_of, p.plan.total - len(stored_before), len(stored_before)
    )
    if not p.request.answer.done():
        p.request.answer.set_result(summary)


def _fail(r: _Request, err: BaseException) -> None:
    if not r.answer.done():
        r.answer.set_exception(err)

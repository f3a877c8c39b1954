"""What no rebuild of one read model can see: an event id stored twice, and two read models that
disagree with each other.

A rebuild folds the log as it is, so a fact stored twice under one id (JetStream's duplicate window
had passed) rebuilds into the same wrong tables, and each read model can equal its own rebuild while
the case list (rectify) and the reports (reporting) say different things. Both are checked here.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass

from nats.aio.client import Client
from nats.aio.msg import Msg
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, inspect, text

from apps.audit.history import last_seq
from apps.audit.reader import read_log
from apps.audit.verify import position, snapshot
from lookback.contracts.subjects import PREFIX, aggregate_filter
from lookback.store import make_engine


@dataclass(frozen=True)
class RepeatedId:
    event_id: str
    seq: int
    """Where it occurs again."""

    def describe(self) -> str:
        return f"✗ seq {self.seq}: 事件编号重复 / event id {self.event_id} occurs twice in the log"


class IdCheck:
    """Fed the log in order; keeps each id's 16 bytes only (a million events: ~100 MB)."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.repeated: list[RepeatedId] = []

    def feed(self, seq: int, event_id: uuid.UUID) -> None:
        key = event_id.bytes
        if key in self.seen:
            self.repeated.append(RepeatedId(str(event_id), seq))
        self.seen.add(key)


class _IdOnly(BaseModel):
    """The envelope's id, read from the body (the `Nats-Msg-Id` header is only what the publisher claimed)."""

    id: uuid.UUID


async def repeated_ids(nc: Client) -> list[RepeatedId]:
    """Every event id the log holds more than once."""
    check = IdCheck()

    async def sink(batch: list[Msg]) -> bool:
        for msg in batch:
            try:
                event_id = _IdOnly.model_validate_json(msg.data).id
            except ValidationError:
                continue  # not an event: the consumers dead-letter it, `verify-chain` reports it
            check.feed(msg.metadata.sequence.stream, event_id)
        return True

    await read_log(nc, [f"{PREFIX}.>"], sink)
    return check.repeated


CASE_COLUMNS = ("item", "village", "lead_unit", "status")
"""What the case list (rectify_cases) and the reports (report_cases) both say about a case."""


@dataclass(frozen=True)
class Disagreement:
    case_id: str
    column: str
    case_list: object
    reports: object

    def describe(self) -> str:
        return (
            f"✗ case {self.case_id}: 案件列表与报表不一致 / the case list and the reports disagree on {self.column}: "
            f"{self.case_list!r} (case list) ≠ {self.reports!r} (reports)"
        )


def disagreements(case_list: dict[str, dict], reports: dict[str, dict]) -> list[Disagreement]:
    """Case by case, column by column; a case only one of them knows is a disagreement on `case_id`."""
    out: list[Disagreement] = []
    for case_id in sorted(case_list.keys() | reports.keys()):
        mine, theirs = case_list.get(case_id), reports.get(case_id)
        if mine is None or theirs is None:
            out.append(Disagreement(case_id, "case_id", mine is not None, theirs is not None))
            continue
        out += [Disagreement(case_id, c, mine[c], theirs[c]) for c in CASE_COLUMNS if mine[c] != theirs[c]]
    return out


def _rows(conn: Connection, table: str) -> dict[str, dict]:
    if not inspect(conn).has_table(table):
        return {}
    query = text(f"SELECT case_id, {', '.join(CASE_COLUMNS)} FROM {table}")  # fixed table and column names
    return {row.case_id: dict(row._mapping) for row in conn.execute(query)}


@dataclass(frozen=True)
class CaseAgreement:
    compared: int | None
    """Cases compared; None when the two had not folded the same case events (then nothing is claimed)."""
    found: list[Disagreement]
    positions: tuple[int, int]


async def case_agreement(nc: Client, rectify_url: str, reporting_url: str, durables: tuple[str, str]) -> CaseAgreement:
    """The case list against the reports, when both have folded every case event the log holds: a read
    model still catching up is behind, not wrong."""
    engines = [make_engine(rectify_url), make_engine(reporting_url)]
    try:
        with contextlib.ExitStack() as stack:
            rect, rep = (stack.enter_context(snapshot(e)) for e in engines)
            at = (position(rect, durables[0]), position(rep, durables[1]))
            last_case = await last_seq(nc, [aggregate_filter("case"), aggregate_filter("problem")])
            if min(at) < last_case:
                return CaseAgreement(None, [], at)
            case_list, reports = _rows(rect, "rectify_cases"), _rows(rep, "report_cases")
    finally:
        for e in engines:
            e.dispose()
    return CaseAgreement(len(case_list.keys() | reports.keys()), disagreements(case_list, reports), at)

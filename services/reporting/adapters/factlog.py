"""Reading and writing the fact table, and the names (household heads, persons) the exports print.

Facts are only ever appended, in stream order, so a reader keeps those it has decoded and asks the
table only for rows past the last one it holds: a report decodes each fact once per process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from lookback import logdigest
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope, Event, decode
from lookback.contracts.intake import HouseholdRecorded
from lookback.contracts.rectify import CaseOpened
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged
from lookback.contracts.subjects import STREAM
from services.reporting.adapters.tables import CaseRow, FactRow, HouseholdRow, PersonRow
from services.reporting.domain.facts import Fact
from services.reporting.domain.sheets import People

HEAD = "户主"
CHECK_CODE_HEADER = "Lb-Check-Code"


def to_row(fact: Fact, delivered: Delivered) -> dict[str, Any]:
    envelope = delivered.envelope
    return {
        "seq": fact.seq,
        "type": envelope.type,
        "aggregate_id": envelope.aggregate_id,
        "day": fact.day,
        "recorded_at": fact.recorded,
        "body": envelope.model_dump_json(),
        "log_state": delivered.log_state.hex() if delivered.log_state else None,
    }


def stored_fact(seq: int, day: date, body: str) -> Fact:
    """A fact as the table holds it. The envelope was validated when it was delivered and is stored as
    it was, so only its payload is decoded (by `decode`, upcasters included); the business day is the
    row's, which `fact_of` gave it."""
    raw = json.loads(body)
    envelope = Envelope.model_construct(**raw)
    recorded = datetime.fromisoformat(raw.get("recorded_business_time") or raw["recorded_time"])
    return Fact(seq, day, recorded, decode(envelope))


def facts_of(session: Session, aggregate_ids: Iterable[str], decoded: Mapping[int, Fact]) -> list[Fact]:
    """The stored facts of these problems and cases; those `decoded` already (by sequence: a batch's
    own) are not decoded again."""
    ids = sorted(set(aggregate_ids))
    out: list[Fact] = []
    for start in range(0, len(ids), 900):
        rows = session.exec(
            select(FactRow.seq, col(FactRow.day), FactRow.body).where(
                col(FactRow.aggregate_id).in_(ids[start : start + 900])
            )
        )
        out += [decoded.get(seq) or stored_fact(seq, day, body) for seq, day, body in rows]
    return out


def lines_of(session: Session, events: Iterable[Event]) -> set[str]:
    """The problems these events belong to, with every case of each: the ids whose facts fold the lines
    a batch changes (a case's problem is in its `case.opened`, kept in `report_cases`)."""
    problems, cases = set(), set()
    for event in events:
        if isinstance(event, ProblemFlagged | ProblemClearedByData):
            problems.add(event.problem_id)
        elif isinstance(event, CaseOpened):
            problems.add(event.problem_id)
            cases.add(event.case_id)
        else:
            cases.add(event.aggregate_id())
    asked_cases, asked_problems = sorted(cases), sorted(problems)
    for start in range(0, max(len(asked_cases), len(asked_problems)), 450):
        known = session.exec(
            select(CaseRow.case_id, CaseRow.problem_id).where(
                col(CaseRow.case_id).in_(asked_cases[start : start + 450])
                | col(CaseRow.problem_id).in_(asked_problems[start : start + 450])
            )
        ).all()
        problems.update(p for _, p in known)
        cases.update(c for c, _ in known)
    more = sorted(problems - set(asked_problems))
    for start in range(0, len(more), 900):
        part = more[start : start + 900]
        cases.update(session.exec(select(CaseRow.case_id).where(col(CaseRow.problem_id).in_(part))))
    return problems | cases


class FactLog:
    """The decoded facts of one process; thread-safe, as FastAPI runs sync endpoints on a pool.

    With replicas (`LOOKBACK_PARTITION`) two processes append to one fact table and a fact with a lower
    sequence may be committed after a higher one, so the log asks for the sequences it has not seen
    rather than for those past the last it holds."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._facts: list[Fact] = []
        self._seen: set[int] = set()
        self._lock = threading.Lock()

    def facts(self) -> list[Fact]:
        with self._lock, Session(self.engine) as session:
            if session.exec(select(func.count()).select_from(FactRow)).one() != len(self._seen):
                missing = sorted(set(session.exec(select(FactRow.seq)).all()) - self._seen)
                for start in range(0, len(missing), 900):
                    part = missing[start : start + 900]
                    rows = session.exec(
                        select(FactRow.seq, col(FactRow.day), FactRow.body).where(col(FactRow.seq).in_(part))
                    )
                    new = [stored_fact(*row) for row in rows]
                    self._facts += new
                    self._seen.update(f.seq for f in new)
                self._facts.sort(key=lambda f: f.seq)
            return list(self._facts)


def check_code(engine: Engine, used: Sequence[Fact]) -> str | None:
    """The 校验码 of a report made from `used`: the digest of the log up to the last of those facts, so
    events the report did not read (a later period's, or recorded after its `known_at`) leave it as it was.
    None when no fact was used, or the read model predates the digest."""
    return code_at(engine, max(f.seq for f in used)) if used else None


def code_at(engine: Engine, last: int | None) -> str | None:
    """The 校验码 of a report whose last fact is at stream position `last`."""
    if last is None:
        return None
    with Session(engine) as session:
        state = session.exec(select(FactRow.log_state).where(FactRow.seq == last)).first()
    return logdigest.check_code(STREAM, last, bytes.fromhex(state)) if state else None


def last_until(engine: Engine, day: date) -> int | None:
    """The position of the last fact of a business day up to `day`: what a report of all that is recorded,
    up to that day, was made from (as `check_code` of those facts finds it)."""
    with Session(engine) as session:
        return session.exec(select(func.max(FactRow.seq)).where(col(FactRow.day) <= day)).one()


def days(engine: Engine) -> list[date]:
    """The first and last business day of the facts (none without facts): all a report's span needs. Two
    subqueries, so each is one step down the index on `day` (both in one select scan every row, which every
    report request pays, ~0.2 s at a million facts)."""
    first_day = select(func.min(FactRow.day)).scalar_subquery()
    last_day = select(func.max(FactRow.day)).scalar_subquery()
    with Session(engine) as session:
        first, last = session.exec(select(first_day, last_day)).one()
    return [first, last] if first is not None else []


def household_row(event: HouseholdRecorded) -> dict[str, Any]:
    heads = [p.cells.get("姓名", "") for p in event.persons if p.cells.get("与户主关系") == HEAD]
    return {"household_id": event.household_id, "head_name": heads[0] if heads else ""}


def heads(session: Session) -> dict[str, str]:
    """户编号 to 户主: the name on the household's 户主 row (personal data, for exports only)."""
    return dict(session.exec(select(HouseholdRow.household_id, HouseholdRow.head_name)).all())


def person_rows(event: HouseholdRecorded) -> list[dict[str, Any]]:
    """One row per ID number of the household (a number listed twice keeps its last row's name)."""
    rows = {
        number: {"household_id": event.household_id, "id_number": number, "name": p.cells.get("姓名", "")}
        for p in event.persons
        if (number := p.cells.get("证件号码"))
    }
    return list(rows.values())


def people(session: Session) -> People:
    names = session.exec(select(PersonRow.household_id, PersonRow.id_number, PersonRow.name)).all()
    return People(heads(session), {(household, number): name for household, number, name in names})

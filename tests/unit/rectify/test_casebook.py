"""Rectify decides on each case's stored row, not on its history read back: the row must be what folding
the history gives, whatever batches the log came in, so a rebuild stores and derives what the live
service did (the same rows, the same events, ids included)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from lookback.cases.state import Case, evolve
from lookback.catalogue import load
from lookback.clock import start_of_day
from lookback.consumer import Delivered
from lookback.contracts.chain import check, event_hash
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged, problem_id
from lookback.store import Position, make_engine, set_position
from services.rectify.adapters.casebook import Casebook
from services.rectify.adapters.tables import SCHEMA_VERSION, CaseEventRow, CaseSummary, SchemaRow, prepare
from services.rectify.domain.commands import ExtendDeadline
from services.rectify.domain.workflow import decide
from services.rectify.handlers import make_handler
from services.rectify.overdue import due_envelopes

from .factories import ASSIGN, ESCALATE, REPORT, START

FIRST, SECOND, THIRD = date(2019, 12, 1), date(2020, 1, 1), date(2020, 2, 1)
ACTS = [(ASSIGN, START), (START, REPORT), (ESCALATE,), (ExtendDeadline(date(2020, 9, 30), "春节期间无法施工"),), ()]


def flagged(n: int, as_of: date) -> ProblemFlagged:
    return ProblemFlagged(
        problem_id=problem_id("R03", f"h{n}"),
        rule="R03",
        item=3,
        village=load().villages[n % 3],
        subject_key=f"h{n}",
        as_of=as_of,
        description="住房不安全",
    )


def wrapped(event: Any, n: int) -> Envelope:
    return new_envelope(
        event, actor="service:rules", business_time=start_of_day(event.as_of), event_id=derived_id("t", event, n)
    )


def live_log(engine: Engine, households: int = 10) -> list[Envelope]:
    """A log as the running system writes it: problems in, rectify's answers and people's actions
    appended after what caused them, each folded by the handler as it arrives in batches."""
    handle = make_handler(load())
    log: list[Envelope] = []
    folded = 0

    def flow() -> None:
        nonlocal folded
        while folded < len(log):
            batch = [Delivered(seq, env) for seq, env in enumerate(log[folded : folded + 4], folded + 1)]
            folded += len(batch)
            with Session(engine) as session:
                log.extend(handle(session, batch))
                session.commit()

    def act(case_id: str, *commands: Any) -> None:
        for command in commands:
            with Session(engine) as session:
                book = Casebook(session)
                case = book.get(case_id)
                assert case is not None
                day = max(case.last_on or case.opened_on, case.opened_on) + timedelta(days=1)
                events = decide(case, command, day)
                log.extend(
                    book.chain([new_envelope(e, actor="user:station", business_time=start_of_day(day)) for e in events])
                )
            flow()

    log += [wrapped(flagged(n, FIRST), 0) for n in range(households)]
    flow()
    for n in range(households):
        act(flagged(n, FIRST).problem_id, *ACTS[n % len(ACTS)])
    with Session(engine) as session:
        log += due_envelopes(session, date(2020, 7, 5), 3)  # the deadline watch's marks
    log += [wrapped(ProblemClearedByData(**_cleared(n)), 1) for n in range(0, households, 2)]
    flow()
    log += [wrapped(flagged(n, THIRD), 2) for n in range(0, households, 4)]  # back again: reopened
    flow()
    return log


def _cleared(n: int) -> dict[str, Any]:
    problem = flagged(n, SECOND)
    return {"problem_id": problem.problem_id, "rule": "R03", "village": problem.village, "as_of": SECOND}


def rebuilt(engine: Engine, log: list[Envelope], size: int) -> list[Envelope]:
    handle = make_handler(load())
    derived: list[Envelope] = []
    for start in range(0, len(log), size):
        with Session(engine) as session:
            derived += handle(
                session, [Delivered(seq, env) for seq, env in enumerate(log[start : start + size], start + 1)]
            )
            session.commit()
    return derived


def stored(engine: Engine) -> tuple[list[tuple], list[dict]]:
    with Session(engine) as session:
        history = [
            (r.case_id, r.event_id, r.seq, _fact(json.loads(r.body)))
            for r in session.exec(select(CaseEventRow).order_by(CaseEventRow.n))  # type: ignore[arg-type]
        ]
        cases = [r.model_dump() for r in session.exec(select(CaseSummary).order_by(CaseSummary.case_id))]
    return history, cases


def _fact(body: dict[str, Any]) -> dict[str, Any]:
    """An envelope but the clock it was derived at, which no rebuild repeats (the chain leaves it out too)."""
    return {k: v for k, v in body.items() if k not in ("recorded_time", "recorded_business_time")}


def fresh(tmp_path: Path, name: str) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / name}.db")
    prepare(engine, "rectify")
    return engine


def test_each_case_row_holds_the_fold_of_its_history_and_the_hash_of_its_last_event(tmp_path: Path) -> None:
    engine = fresh(tmp_path, "live")
    log = live_log(engine)
    assert not check((seq, env) for seq, env in enumerate(log, 1) if env.aggregate_type == "case")
    with Session(engine) as session:
        rows = session.exec(select(CaseSummary)).all()
        assert {r.status for r in rows} >= {"in_progress", "rectified", "escalated", "pending"}
        for row in rows:
            bodies = session.exec(
                select(CaseEventRow.body).where(CaseEventRow.case_id == row.case_id).order_by(CaseEventRow.n)  # type: ignore[arg-type]
            ).all()
            history = [Envelope.model_validate_json(b) for b in bodies]
            case: Case | None = None
            for env in history:
                case = evolve(case, env.event())  # type: ignore[arg-type]
            assert Casebook(session).get(row.case_id) == case
            assert row.head == event_hash(history[-1])
    assert {e.type for e in log} >= {"case.reopened", "case.rectified", "case.overdue", "case.deadline_extended"}


def test_a_rebuild_in_any_batches_stores_and_derives_what_the_live_service_did(tmp_path: Path) -> None:
    live = fresh(tmp_path, "live")
    log = live_log(live)
    emitted = {str(e.id): _fact(e.model_dump(mode="json")) for e in log if e.actor == "service:rectify"}
    for size in (1, 7, len(log)):
        engine = fresh(tmp_path, f"rebuilt-{size}")
        derived = rebuilt(engine, log, size)
        assert {str(e.id): _fact(e.model_dump(mode="json")) for e in derived} == {
            i: body for i, body in emitted.items() if emitted[i]["type"] != "case.overdue"
        }
        assert stored(engine) == stored(live), size


def test_a_store_of_another_version_is_dropped_and_its_position_rewound(tmp_path: Path) -> None:
    engine = fresh(tmp_path, "old")
    rebuilt(engine, [wrapped(flagged(1, FIRST), 0)], 1)
    with Session(engine) as session:
        set_position(session, "rectify-1of2", 5)
        set_position(session, "reporting", 7)
        session.execute(text("UPDATE rectify_schema SET version = 1"))
        session.commit()
    prepare(engine, "rectify")
    with Session(engine) as session:
        assert session.exec(select(SchemaRow.version)).all() == [SCHEMA_VERSION]
        assert session.exec(select(CaseSummary)).all() == []
        assert session.exec(select(CaseEventRow)).all() == []
        assert [(p.consumer, p.seq) for p in session.exec(select(Position))] == [("reporting", 7)]

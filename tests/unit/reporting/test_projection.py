"""The reporting handler on a real SQLite file: facts kept as they came, current rows folded from them,
gauges and counters read from the rows, and a read model of another schema rebuilt instead of trusted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from lookback.clock import start_of_day
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.intake import HouseholdRecorded, PersonRow
from lookback.contracts.rectify import CaseDueSoon, CaseOverdue
from lookback.store import create_tables, get_position, make_engine, set_position
from services.reporting.adapters.factlog import FactLog, heads
from services.reporting.adapters.tables import CaseRow, FactRow, ProblemRow, prepare
from services.reporting.gauges import CaseGauges
from services.reporting.handlers import project

from .factories import Log

DEADLINE = date(2019, 12, 16)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'reporting.db'}")
    prepare(engine, "reporting")
    return engine


def household() -> Envelope:
    persons = [
        PersonRow(row=2, cells={"姓名": "李四", "与户主关系": "配偶"}),
        PersonRow(row=3, cells={"姓名": "张三", "与户主关系": "户主"}),
    ]
    event = HouseholdRecorded(
        household_id="341523001001", village="桃园村", as_of=date(2019, 12, 1), import_id="i1", persons=persons
    )
    return new_envelope(event, actor="test", business_time=start_of_day(date(2019, 12, 1)))


def campaign() -> Log:
    log = Log()
    log.problem("open", date(2019, 12, 1), deadline=DEADLINE)
    log.add(CaseOverdue(case_id="open", deadline=DEADLINE, village="桃园村", item=3), date(2019, 12, 17))
    log.problem("soon", date(2019, 12, 1), item=1, deadline=date(2019, 12, 20))
    log.add(CaseDueSoon(case_id="soon", deadline=date(2019, 12, 20), village="桃园村", item=1), date(2019, 12, 17))
    log.problem("extended", date(2019, 12, 1), deadline=DEADLINE)
    log.add(CaseOverdue(case_id="extended", deadline=DEADLINE, village="桃园村", item=3), date(2019, 12, 17))
    log.extend("extended", date(2019, 12, 18), DEADLINE, date(2020, 3, 1))
    log.problem("closed", date(2019, 12, 1), item=7, deadline=DEADLINE)
    log.rectify("closed", date(2019, 12, 5))
    log.verify("closed", date(2019, 12, 6), DEADLINE)
    return log


def run(engine: Engine, log: Log, size: int = 1000) -> None:
    batch = [Delivered(0, household())] + [Delivered(seq, env) for seq, env in log.envelopes]
    for start in range(0, len(batch), size):
        with Session(engine) as session:
            project(session, batch[start : start + size])
            session.commit()


def tables(engine: Engine) -> tuple[list, list, list]:
    with Session(engine) as session:
        return (
            [r.model_dump() for r in session.exec(select(FactRow).order_by(col(FactRow.seq)))],
            [r.model_dump() for r in session.exec(select(ProblemRow).order_by(ProblemRow.problem_id))],
            [r.model_dump() for r in session.exec(select(CaseRow).order_by(CaseRow.case_id))],
        )


def test_current_rows_follow_the_fold(engine: Engine) -> None:
    run(engine, campaign())
    facts, problems, cases = tables(engine)

    assert len(facts) == len(campaign().envelopes)  # the household is not a fact, only its 户主 is kept
    assert [p["problem_id"] for p in problems] == ["closed", "extended", "open", "soon"]
    by_id = {c["case_id"]: c for c in cases}
    assert (by_id["open"]["overdue"], by_id["open"]["due_soon"]) == (True, False)
    assert (by_id["soon"]["overdue"], by_id["soon"]["due_soon"]) == (False, True)
    assert by_id["extended"]["overdue"] is False  # the mark was for the old deadline
    assert (by_id["closed"]["status"], by_id["closed"]["overdue"]) == ("verified", False)
    with Session(engine) as session:
        assert heads(session) == {"341523001001": "张三"}


def test_a_retried_batch_or_another_batching_gives_the_same_rows(engine: Engine, tmp_path: Path) -> None:
    log = campaign()
    run(engine, log)
    once = tables(engine)
    run(engine, log)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    prepare(other, "reporting")
    run(other, log, size=3)

    assert tables(engine) == once == tables(other)
    assert [f.seq for f in FactLog(engine).facts()] == [f["seq"] for f in once[0]]


def test_gauges_and_counters_come_from_the_rows(engine: Engine) -> None:
    run(engine, campaign())
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in CaseGauges(engine).collect()
        for s in family.samples
    }

    assert samples[("lookback_cases_open", (("item", "3"), ("village", "桃园村")))] == 2
    assert samples[("lookback_cases_overdue", (("item", "3"), ("village", "桃园村")))] == 1
    assert samples[("lookback_cases_open_by_category", (("category", "一"), ("village", "桃园村")))] == 3
    assert samples[("lookback_cases_overdue_by_unit", (("unit", "集镇办"),))] == 1
    assert samples[("lookback_cases_due_soon", (("unit", "干汊河中心校"), ("village", "桃园村")))] == 1
    assert samples[("lookback_problems_found_total", (("item", "3"), ("village", "桃园村")))] == 2
    closed = (("item", "7"), ("status", "verified"), ("village", "桃园村"))
    assert samples[("lookback_cases_closed_total", closed)] == 1
    assert not any("341523" in str(key) for key in samples)  # no household number in any label


def test_a_read_model_of_another_version_is_dropped_and_rebuilt_from_the_start(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE report_problems (problem_id TEXT PRIMARY KEY, open BOOLEAN)"))
    create_tables(engine)
    with Session(engine) as session:
        set_position(session, "reporting", 500)
        session.commit()

    prepare(engine, "reporting")
    run(engine, campaign())

    with Session(engine) as session:
        assert get_position(session, "reporting") == 0  # the consumer starts over; the handler sets no position
    assert len(tables(engine)[1]) == 4
    prepare(engine, "reporting")  # the same version again: kept
    assert len(tables(engine)[1]) == 4

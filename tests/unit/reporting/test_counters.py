"""The counters a report is read from agree with the fold of the facts, for every counted period.

The fold (`semimonthly`, `trend` over the facts) is what a report was before the counters, and stays
the answer as known at an instant: a past period's report, 校验码 included, must read the same from
the counters as it folds, however the log was batched and whatever was delivered twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session

from bench.reports import grow, load
from lookback.catalogue import load as load_catalogue
from lookback.clock import CST, NOW_ENV
from lookback.consumer import Delivered
from lookback.store import make_engine
from services.reporting.adapters import counters
from services.reporting.adapters.factlog import FactLog, check_code, code_at, last_until
from services.reporting.adapters.tables import prepare
from services.reporting.domain.facts import fact_of, is_reported, known
from services.reporting.domain.semimonthly import (
    counted_periods,
    report,
    semimonthly,
    trend,
    trend_periods,
    trend_point,
)
from services.reporting.handlers import project

from .factories import Log

CATALOGUE = load_catalogue()
PERIODS = counted_periods(CATALOGUE)


def project_in(engine: Engine, delivered: Sequence[Delivered], sizes: Sequence[int] = (500,)) -> None:
    """In batches of the given sizes, in turn; each batch again after it (a redelivery)."""
    start, n = 0, 0
    while start < len(delivered):
        size = sizes[n % len(sizes)]
        for _ in range(2):
            with Session(engine) as session:
                project(session, delivered[start : start + size])
                session.commit()
        start, n = start + size, n + 1


def assert_counters_agree(engine: Engine) -> None:
    facts = FactLog(engine).facts()
    with Session(engine) as session:
        cells = counters.read(session, [p.code for p in PERIODS])
    for period in PERIODS[1:]:
        read = report(period, cells[period.code], cells[period.previous().code], CATALOGUE)
        assert read == semimonthly(facts, period, CATALOGUE), period.code
        assert code_at(engine, last_until(engine, period.last_day)) == check_code(engine, known(facts, period.last_day))
    until = PERIODS[-1]
    first = min((f.day for f in facts), default=None)
    periods = trend_periods(first, until)
    if all(p in PERIODS for p in periods):
        assert [trend_point(p, cells[p.code]) for p in periods] == trend(facts, until, CATALOGUE)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'reporting.db'}")
    prepare(engine, "reporting")
    return engine


DAYS = st.dates(date(2019, 11, 20), date(2020, 7, 10))
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["start", "rectify", "data", "fail", "verify", "dismiss", "escalate", "extend", "clear"]),
        st.integers(0, 60),
    ),
    max_size=5,
)
PROBLEMS = st.lists(
    st.tuples(DAYS, st.sampled_from([1, 3, 7]), st.sampled_from(["桃园村", "杨湾村"]), STEPS), min_size=1, max_size=8
)


def campaign(problems: list[tuple[date, int, str, list[tuple[str, int]]]], interleave: bool) -> Log:
    """Each problem with its case, then its steps; interleaved, the steps of all follow every problem,
    so a step may reach the log before an earlier-numbered problem's (and out of order by day)."""
    log = Log()
    steps = []
    for n, (found, item, village, moves) in enumerate(problems):
        pid = f"p{n}"
        log.problem(pid, found, village=village, item=item, deadline=found + timedelta(days=15))
        deadline = found + timedelta(days=15)
        for kind, offset in moves:
            on = found + timedelta(days=offset)
            steps.append((pid, kind, on, deadline))
            if kind == "extend":
                deadline = deadline + timedelta(days=30)
        if not interleave:
            take(log, steps)
            steps = []
    take(log, steps)
    return log


def take(log: Log, steps: list[tuple[str, str, date, date]]) -> None:
    for pid, kind, on, deadline in steps:
        match kind:
            case "data":
                log.rectify(pid, on, by="data")
            case "verify":
                log.verify(pid, on, deadline)
            case "extend":
                log.extend(pid, on, deadline, deadline + timedelta(days=30))
            case _:
                getattr(log, kind)(pid, on)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problems=PROBLEMS, interleave=st.booleans(), sizes=st.lists(st.integers(1, 7), min_size=1, max_size=3))
def test_counters_agree_with_the_fold_for_any_campaign_and_batching(
    tmp_path_factory: pytest.TempPathFactory,
    problems: list[tuple[date, int, str, list[tuple[str, int]]]],
    interleave: bool,
    sizes: list[int],
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('counters') / 'reporting.db'}")
    prepare(engine, "reporting")
    log = campaign(problems, interleave)
    project_in(engine, [Delivered(seq, env) for seq, env in log.envelopes], sizes)
    assert_counters_agree(engine)


def test_counters_agree_with_the_fold_over_a_demo_towns_log(engine: Engine, tmp_path: Path) -> None:
    """Two imports a month apart: problems found, cleared by data, their cases rectified by data."""
    grow(300, tmp_path / "grow", tmp_path / "log.jsonl")
    project_in(engine, load(tmp_path / "log.jsonl"), (97, 500))
    with Session(engine) as session:
        later = counters.read(session, ["2020-01-H1"])["2020-01-H1"]
    assert sum(c[1] for c in later.values()) > 100  # found_cumulative: the town's problems are counted
    assert_counters_agree(engine)


def test_facts_read_back_are_the_facts_their_envelopes_give(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table's facts are decoded from their payloads only (the envelope is not validated again):
    day, instant learnt (a moved business clock's too) and event are those of the delivered envelope."""
    grow(60, tmp_path / "grow", tmp_path / "log.jsonl")
    delivered = load(tmp_path / "log.jsonl")
    log = Log()
    log.problem("late", date(2019, 12, 3))
    log.rectify("late", date(2019, 12, 20), recorded=datetime(2020, 1, 20, 9, tzinfo=CST))
    monkeypatch.setenv(NOW_ENV, "2020-02-01T10:00:00+08:00")
    log.start("late", date(2020, 1, 30))
    delivered += [Delivered(len(delivered) + seq, env) for seq, env in log.envelopes]
    project_in(engine, delivered)
    expected = [fact_of(d.seq, d.envelope) for d in delivered if is_reported(d.envelope)]
    assert expected[-1].recorded == datetime(2020, 2, 1, 10, tzinfo=CST)
    assert FactLog(engine).facts() == expected

"""The deadline watch's SQL pre-filter picks exactly the cases the overdue rule (`overdue_days`) and
the reminder window call due: a case it left out would never be marked, one it let in costs a fold."""

from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from lookback.cases.deadlines import due_soon, overdue_days
from lookback.clock import start_of_day
from lookback.contracts.envelope import new_envelope
from lookback.contracts.rectify import CaseDueSoon, CaseOverdue
from lookback.store import create_tables, make_engine
from services.rectify.adapters.casebook import Casebook
from services.rectify.adapters.tables import TABLES
from services.rectify.overdue import due_envelopes

from .factories import opened

TODAY = date(2020, 1, 26)
SOON = 3
DEADLINES = [TODAY + timedelta(days=n) for n in range(-4, 6)]


def test_the_watch_marks_the_cases_overdue_by_the_rule_and_reminds_those_in_the_window(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'rectify.db'}")
    create_tables(engine, *TABLES)
    with Session(engine) as session:
        book = Casebook(session)
        for seq, deadline in enumerate(DEADLINES, 1):
            event = opened(case_id=f"c{deadline}", problem_id=f"p{deadline}", deadline=deadline)
            book.apply(new_envelope(event, actor="service:rectify", business_time=start_of_day(deadline)), seq)
        book.save()
        due = [e.event() for e in due_envelopes(session, TODAY, SOON)]
    overdue = {e.deadline for e in due if isinstance(e, CaseOverdue)}
    soon = {e.deadline for e in due if isinstance(e, CaseDueSoon)}
    assert overdue == {d for d in DEADLINES if overdue_days(d, TODAY) > 0}
    assert soon == {d for d in DEADLINES if due_soon(d, TODAY, SOON)}
    assert min(overdue) == DEADLINES[0] and max(overdue) == TODAY - timedelta(days=1)

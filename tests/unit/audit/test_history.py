"""An aggregate's history shows, for each event, what it changed against the previous one of that aggregate."""

from __future__ import annotations

from datetime import date

import pytest

from apps.audit.changes import ABSENT
from apps.audit.history import entries, subjects_of
from apps.audit.report import change_line, history_json
from lookback.clock import start_of_day
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.rectify import CaseAssigned, CaseOpened, CaseRectified, RectificationStarted
from lookback.contracts.rules import ProblemFlagged

DAY = date(2019, 12, 1)


def _env(event: object, actor: str = "service:rules") -> Envelope:
    return new_envelope(event, actor=actor, business_time=start_of_day(DAY))  # type: ignore[arg-type]


FLAGGED = ProblemFlagged(
    problem_id="p1",
    rule="R07A",
    item=9,
    village="桃园村",
    household_id="3415230010010002",
    person_id_number="34242319810617313X",
    person_row=3,
    subject_key="person:3415230010010002:34242319810617313X",
    as_of=DAY,
    description="证件号码位数不对",
)
OPENED = CaseOpened(
    case_id="p1",
    problem_id="p1",
    rule="R07A",
    item=9,
    village="桃园村",
    lead_unit="镇公安派出所",
    co_responsible="桃园村",
    policy="immediate",
    assigned_on=DAY,
    deadline=date(2019, 12, 16),
)


def test_a_problem_reads_with_its_case() -> None:
    assert subjects_of("problem", "p1") == ["lb.problem.p1.*", "lb.case.p1.*"]
    assert subjects_of("household", "3415") == ["lb.household.3415.*"]
    with pytest.raises(ValueError):
        subjects_of("case", "p1.>")


def test_changes_are_against_the_previous_event_of_the_same_aggregate() -> None:
    assigned = CaseAssigned(case_id="p1", on=date(2019, 12, 3), lead_unit="镇民政办", person="邱明")
    again = FLAGGED.model_copy(update={"description": "证件号码校验位错误"})
    found = entries(
        [
            (1, _env(FLAGGED)),
            (2, _env(OPENED, "service:rectify")),
            (3, _env(assigned, "user:station")),
            (4, _env(again)),
        ]
    )
    first, opened, assigned_entry, reflagged = found
    assert {c.path for c in first.changes} >= {"rule", "description", "person_id_number"}
    assert all(c.before is ABSENT for c in opened.changes)  # a case is its own aggregate: its first event
    paths = {c.path: (c.before, c.after) for c in assigned_entry.changes}
    assert paths["lead_unit"] == ("镇公安派出所", "镇民政办") and "deadline" not in paths  # another kind of fact
    assert [(c.path, c.after) for c in reflagged.changes] == [("description", "证件号码校验位错误")]
    assert opened.label == "立案" and assigned_entry.label == "分派"


def test_personal_data_in_history_is_masked_unless_revealed() -> None:
    found = entries([(1, _env(FLAGGED))])
    masked = {c["path"]: c["after"] for c in history_json(found)[0]["changes"]}
    assert masked["person_id_number"] == "342*************3X"
    assert masked["subject_key"] == "person:3415230010010002:342*************3X"
    revealed = {c["path"]: c["after"] for c in history_json(found, reveal=True)[0]["changes"]}
    assert revealed["person_id_number"] == "34242319810617313X"


def test_measures_accumulate_so_each_event_shows_the_measure_it_adds() -> None:
    started = RectificationStarted(case_id="p1", on=date(2019, 12, 3), measures="入户核实")
    done = CaseRectified(case_id="p1", on=date(2019, 12, 9), measures="补办证件", by="person")
    *_, entry = entries([(1, _env(OPENED)), (2, _env(started)), (3, _env(done))])

    measures = next(c for c in entry.changes if c.path == "measures")
    assert (measures.before, measures.after) == (ABSENT, "补办证件")
    assert change_line(measures, reveal=False) == "measures: + 补办证件"

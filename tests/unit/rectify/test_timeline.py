"""What the case page is told: the commands a case takes now (so the page offers only those), and
each event as a line a person reads, with names only for the roles that read history."""

from __future__ import annotations

import pytest

from lookback.contracts.rectify import STATUS_LABELS, CaseRectified, Evidence, Location
from services.rectify.domain.commands import (
    AnswerEscalation,
    Assign,
    Command,
    Dismiss,
    Escalate,
    ExtendDeadline,
    ReportRectified,
    StartRectification,
    TransitionRefused,
    Verify,
)
from services.rectify.domain.timeline import entry
from services.rectify.domain.transitions import open_commands
from services.rectify.domain.workflow import decide

from .factories import ACCEPT, ESCALATE, EXTEND, REPORT, START, new_case, run

ALL = (Assign, StartRectification, ReportRectified, Verify, Escalate, AnswerEscalation, ExtendDeadline, Dismiss)
SAMPLE: dict[type, Command] = {
    Assign: Assign(person="王五"),
    StartRectification: START,
    ReportRectified: REPORT,
    Verify: Verify(passed=True),
    Escalate: ESCALATE,
    AnswerEscalation: ACCEPT,
    ExtendDeadline: EXTEND,
    Dismiss: Dismiss(reason="不属实"),
}


@pytest.mark.parametrize(
    "case",
    [
        new_case(),
        run(new_case(), START),
        run(new_case(), REPORT),
        run(new_case(), ESCALATE),
        run(new_case(), ESCALATE, ACCEPT),
    ],
    ids=["pending", "in_progress", "rectified", "escalated", "accepted"],
)
def test_open_commands_are_exactly_those_decide_lets_through(case) -> None:  # type: ignore[no-untyped-def]
    offered = open_commands(case)
    for command_type in ALL:
        try:
            decide(case, SAMPLE[command_type], case.status_since)
            takes = True
        except TransitionRefused:
            takes = False
        assert (command_type in offered) == takes, (STATUS_LABELS[case.status], command_type.__name__)


def test_a_line_of_the_timeline_names_people_only_for_history_readers() -> None:
    env = {
        "type": "case.deadline_extended",
        "recorded_time": "2019-12-10T02:30:00+00:00",
        "actor": "user:zhan",
        "payload": {
            "case_id": "c1",
            "on": "2019-12-10",
            "old_deadline": "2019-12-16",
            "new_deadline": "2020-01-16",
            "reason": "雨季",
        },
    }
    line = entry(env, 7, "user:li", names=False)
    assert line == {
        "seq": 7,
        "type": "case.deadline_extended",
        "label": "延期",
        "at": "2019-12-10 10:30",
        "who": "工作人员",
        "changes": {"理由": "雨季", "原时限": "2019-12-16", "新时限": "2020-01-16", "办理日期": "2019-12-10"},
        "evidence": [],
        "location": None,
    }
    assert entry(env, 7, "user:li", names=True)["who"] == "zhan"
    assert entry(env, 7, "user:zhan", names=False)["who"] == "我"
    assert entry(env | {"actor": "service:rectify"}, 7, "user:li", names=True)["who"] == "系统"


def test_a_report_of_rectification_carries_its_evidence_and_location_to_the_timeline() -> None:
    photo = Evidence(sha256="ab" * 32, media_type="image/jpeg", size=1234)
    here = Location(lat=26.57, lon=106.71, accuracy_m=15)
    case = run(new_case(), START)
    (event,) = decide(case, ReportRectified("已完成", (photo,), here), case.opened_on)
    assert isinstance(event, CaseRectified) and event.evidence == (photo,) and event.location == here
    env = {"type": event.event_type, "recorded_time": "2019-12-10T02:30:00+00:00", "actor": "user:li"}
    line = entry(env | {"payload": event.model_dump(mode="json")}, 9, "user:li", names=False)
    assert line["evidence"] == [{"sha256": "ab" * 32, "media_type": "image/jpeg", "size": 1234}]
    assert line["location"] == {"lat": 26.57, "lon": 106.71, "accuracy_m": 15.0}
    old = {"case_id": "c1", "on": "2019-12-10", "measures": "已完成", "by": "person"}  # before evidence existed
    assert (
        CaseRectified.model_validate(old).evidence == ()
        and entry(env | {"payload": old}, 9, "x", False)["location"] is None
    )

"""Every case event survives the envelope: the ledger replays from the stream, not from a table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest

from lookback.contracts.envelope import decode, event_types, new_envelope
from lookback.contracts.rectify import STATUS_LABELS, CaseEvent, CaseStatus
from services.rectify.domain.commands import AnswerEscalation, TransitionRefused
from services.rectify.domain.opening import reopened
from services.rectify.domain.reminders import due_soon_events, overdue_events
from services.rectify.domain.workflow import decide

from .factories import CLEARED, COMMANDS, DEADLINE, OPENED_ON, case_in, new_case, opened, run

COUNTY_SETS_DEADLINE = AnswerEscalation(accepted=True, new_deadline=DEADLINE.replace(month=3))


def _every_kind() -> list[CaseEvent]:
    events: list[CaseEvent] = [opened()]
    for status in STATUS_LABELS:
        for command in (*COMMANDS.values(), CLEARED, COUNTY_SETS_DEADLINE):
            try:
                events += decide(case_in(status), command, OPENED_ON)
            except TransitionRefused:
                continue
    events += overdue_events(new_case(), DEADLINE.replace(day=27))
    events += due_soon_events(new_case(), DEADLINE, 3)
    events += reopened(run(new_case(), CLEARED), OPENED_ON)
    return events


def test_every_case_event_type_is_produced_somewhere() -> None:
    produced = {e.event_type for e in _every_kind()}
    assert produced == {t for t in event_types() if t.startswith("case.")}


@pytest.mark.parametrize("event", _every_kind(), ids=lambda e: e.event_type)
def test_round_trip_through_the_envelope(event: CaseEvent) -> None:
    envelope = new_envelope(event, actor="user:test", business_time=datetime(2020, 1, 11, tzinfo=UTC))
    assert envelope.aggregate_type == "case"
    assert envelope.subject.startswith("lb.case.c1.")
    assert decode(envelope) == event


def test_every_status_has_a_chinese_label() -> None:
    assert set(get_args(CaseStatus)) == set(STATUS_LABELS)
    assert STATUS_LABELS["rectified"] == "已整改待验收"

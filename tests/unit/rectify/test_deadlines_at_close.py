"""Extensions, and on-time or late fixed once at 销号 (plan 三(二): 限时整改到位)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lookback.cases.deadlines import Extension
from lookback.cases.state import evolve, is_open, is_overdue
from lookback.contracts.rectify import CaseEvent, CaseOverdue, DeadlineExtended
from services.rectify.domain.commands import ExtendDeadline, TransitionRefused
from services.rectify.domain.reminders import overdue_events
from services.rectify.domain.workflow import decide

from .factories import DEADLINE, OPENED_ON, PASS, REPORT, START, VILLAGE, case_in, new_case, run

DAY_AFTER = DEADLINE + timedelta(days=1)


class TestExtension:
    def test_keeps_the_old_deadline_in_the_history(self) -> None:
        case = run(new_case(), ExtendDeadline(date(2020, 2, 26), "  春节期间无法施工 "))
        assert case.deadline == date(2020, 2, 26)
        assert case.extensions == (Extension(previous=DEADLINE, deadline=date(2020, 2, 26), reason="春节期间无法施工"),)

    def test_a_second_extension_adds_to_the_history(self) -> None:
        case = run(new_case(), ExtendDeadline(date(2020, 2, 26), "春节"), ExtendDeadline(date(2020, 3, 10), "疫情"))
        assert [e.previous for e in case.extensions] == [DEADLINE, date(2020, 2, 26)]

    def test_needs_a_reason(self) -> None:
        with pytest.raises(TransitionRefused) as refused:
            decide(new_case(), ExtendDeadline(date(2020, 2, 26), " "), OPENED_ON)
        assert refused.value.message_zh == "延期须说明理由"
        assert refused.value.message_en == "an extension needs a reason"
        assert refused.value.status == "pending"

    @pytest.mark.parametrize("new_deadline", [DEADLINE, DEADLINE - timedelta(days=1)])
    def test_must_give_more_time(self, new_deadline: date) -> None:
        with pytest.raises(TransitionRefused, match="新期限须晚于原期限"):
            decide(new_case(), ExtendDeadline(new_deadline, "理由"), OPENED_ON)

    def test_event_carries_both_deadlines(self) -> None:
        [event] = decide(new_case(), ExtendDeadline(date(2020, 2, 26), "春节"), OPENED_ON)
        assert event == DeadlineExtended(
            case_id="c1", on=OPENED_ON, old_deadline=DEADLINE, new_deadline=date(2020, 2, 26), reason="春节"
        )

    def test_clears_the_overdue_mark_of_the_old_deadline(self) -> None:
        overdue = evolve(new_case(), CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3))
        assert overdue.overdue_for == DEADLINE
        extended = run(overdue, ExtendDeadline(date(2020, 2, 26), "春节"), today=DAY_AFTER)
        assert extended.overdue_for is None
        assert not is_overdue(extended, DAY_AFTER)
        assert overdue_events(extended, DAY_AFTER) == []


class TestOnTime:
    def test_closed_on_the_deadline_day_is_on_time(self) -> None:
        case = run(case_in("rectified"), PASS, today=DEADLINE)
        assert (case.status, case.closed_on, case.on_time) == ("verified", DEADLINE, True)

    def test_closed_the_day_after_is_late(self) -> None:
        case = run(case_in("rectified"), PASS, today=DAY_AFTER)
        assert (case.closed_on, case.on_time) == (DAY_AFTER, False)

    def test_meeting_an_extended_deadline_is_on_time_even_after_being_overdue(self) -> None:
        case = evolve(case_in("in_progress"), CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3))
        case = run(case, ExtendDeadline(date(2020, 2, 26), "春节"), REPORT, PASS, today=date(2020, 2, 20))
        assert case.on_time is True
        assert not is_overdue(case, date(2020, 2, 20))

    def test_the_verdict_records_the_deadline_it_was_judged_against(self) -> None:
        [event] = decide(case_in("rectified"), PASS, DAY_AFTER)
        assert (event.deadline, event.on_time) == (DEADLINE, False)  # type: ignore[union-attr]

    def test_is_fixed_at_close_and_never_recomputed(self) -> None:
        late = run(case_in("rectified"), PASS, today=DAY_AFTER)
        later: list[CaseEvent] = [
            CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3),
            DeadlineExtended(
                case_id="c1",
                on=date(2020, 3, 1),
                old_deadline=DEADLINE,
                new_deadline=date(2020, 6, 30),
                reason="事后补批",
            ),
        ]
        for event in later:
            late = evolve(late, event)
        assert (late.status, late.closed_on, late.on_time, late.overdue_for) == ("verified", DAY_AFTER, False, None)

    def test_a_closed_case_is_never_overdue(self) -> None:
        overdue = evolve(case_in("rectified"), CaseOverdue(case_id="c1", deadline=DEADLINE, village=VILLAGE, item=3))
        assert is_overdue(overdue, DAY_AFTER)
        closed = run(overdue, PASS, today=DAY_AFTER)
        assert not is_open(closed)
        assert not is_overdue(closed, DAY_AFTER)
        assert closed.overdue_for is None

    def test_an_overdue_case_is_open(self) -> None:
        case = run(new_case(), START)
        assert is_overdue(case, DAY_AFTER)
        assert is_open(case)

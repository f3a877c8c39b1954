"""Dates that cannot lie: a step's business day lies between the case's last step and today (issue 14, item 4)."""

from datetime import date

import pytest

from services.rectify.domain.action_days import check_day
from services.rectify.domain.commands import TransitionRefused

from .factories import DISMISS, OPENED_ON, REPORT, START, new_case, run

TODAY = date(2020, 2, 1)


def test_a_step_between_the_last_one_and_today_is_taken() -> None:
    case = run(new_case(), START, today=date(2020, 1, 15))
    for day in (date(2020, 1, 15), date(2020, 1, 20), TODAY):
        check_day(case, day, TODAY, REPORT)


def test_a_step_before_the_case_opened_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="早于本案立案日期 2020-01-11") as refused:
        check_day(new_case(), date(2019, 11, 1), TODAY, START)
    assert "before" in refused.value.message_en


def test_a_step_before_the_last_step_is_refused() -> None:
    """A backdated 不属实 before the work began would have the case list and the reports fold the case
    in two orders; refusing it keeps one order."""
    case = run(new_case(), START, today=date(2020, 1, 20))
    with pytest.raises(TransitionRefused, match="早于本案上一次办理日期 2020-01-20"):
        check_day(case, date(2020, 1, 19), TODAY, DISMISS)


def test_a_step_after_the_business_today_is_refused() -> None:
    with pytest.raises(TransitionRefused, match="晚于今天") as refused:
        check_day(new_case(), date(2020, 2, 2), TODAY, START)
    assert refused.value.status == "pending"


def test_the_last_step_is_the_latest_day_not_the_latest_event() -> None:
    case = run(new_case(), START, today=date(2020, 1, 20))
    assert case.last_on == date(2020, 1, 20)
    assert run(new_case()).last_on is None and new_case().opened_on == OPENED_ON

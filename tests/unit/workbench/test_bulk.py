"""The bulk bar's form: one request per ticked case, each with its own expected sequence; a form that
cannot be sent as a whole is refused before anything goes to rectify."""

from __future__ import annotations

from datetime import date

import pytest

from lookback.auth.users import Role, User
from services.workbench.domain import bulk

A, B = "a" * 32, "b" * 32
STATION = User(name="zhan", role=Role.STATION)


def test_only_who_may_act_town_wide_gets_the_bar() -> None:
    assert bulk.offered(STATION) == ["assign", "extend", "escalate"]
    assert bulk.offered(User(name="li", role=Role.VILLAGE, village="桃园村")) == []
    assert bulk.offered(User(name="xian", role=Role.COUNTY)) == []


def test_each_ticked_case_once_with_what_its_row_showed() -> None:
    values = [bulk.value(A, 7, "2020-01-10"), bulk.value(B, 9, "2020-02-01"), bulk.value(A, 7, "2020-01-10")]
    assert bulk.picked(values) == [bulk.Picked(A, 7, date(2020, 1, 10)), bulk.Picked(B, 9, date(2020, 2, 1))]


@pytest.mark.parametrize("values", [[], ["nonsense"], [f"{A} 7 2020-13-40"], [f"{A[:8]} 7 2020-01-10"]])
def test_nothing_or_a_tampered_row_is_refused(values: list[str]) -> None:
    with pytest.raises(bulk.BulkError):
        bulk.picked(values)


def test_assign_sends_the_case_pages_body_with_each_cases_sequence() -> None:
    cases = bulk.picked([bulk.value(A, 7, "2020-01-10"), bulk.value(B, 9, "2020-02-01")])
    form = {"assign.lead_unit": " 县教育局 ", "assign.person": "", "extend.reason": "ignored"}
    sent = bulk.requests("assign", form, cases)
    assert [(c.case_id, body) for c, body in sent] == [
        (A, {"lead_unit": "县教育局", "person": None, "expected_seq": 7}),
        (B, {"lead_unit": "县教育局", "person": None, "expected_seq": 9}),
    ]


def test_extend_by_days_moves_each_cases_own_deadline() -> None:
    cases = bulk.picked([bulk.value(A, 7, "2020-01-10"), bulk.value(B, 9, "2020-02-01")])
    sent = bulk.requests("extend", {"extend.days": "10", "extend.reason": "雨季"}, cases)
    assert [body["new_deadline"] for _, body in sent] == ["2020-01-20", "2020-02-11"]
    same = bulk.requests("extend", {"extend.new_deadline": "2020-03-01", "extend.reason": "雨季"}, cases)
    assert {body["new_deadline"] for _, body in same} == {"2020-03-01"}


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("extend", {"extend.reason": "雨季"}),
        ("extend", {"extend.days": "5", "extend.new_deadline": "2020-03-01", "extend.reason": "雨季"}),
        ("extend", {"extend.days": "-5", "extend.reason": "雨季"}),
        ("dismiss", {"dismiss.reason": "x"}),
    ],
)
def test_a_form_that_is_not_one_action_sends_nothing(action: str, form: dict[str, str]) -> None:
    with pytest.raises(bulk.BulkError) as err:
        bulk.requests(action, form, bulk.picked([bulk.value(A, 7, "2020-01-10")]))
    assert " / " in str(err.value)  # Chinese and English


def test_an_outcome_is_done_or_says_why_not() -> None:
    case = bulk.Picked(A, 7, date(2020, 1, 10))
    done = bulk.outcome(case, 200, {"status_label": "待整改", "lead_unit": "县教育局", "deadline": "2020-01-20"}, "")
    assert done.done and "县教育局" in done.message
    refused = bulk.outcome(case, 409, None, "已销号的案件不能延期 / a case that is verified cannot ...")
    assert not refused.done and refused.message.startswith("已销号")

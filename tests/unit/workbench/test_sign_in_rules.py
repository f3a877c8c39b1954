"""The pure parts of signing in: lock-out, CSRF, and the bodies the pages send to rectify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.workbench.domain.forms import action_body, csrf_ok, endpoint
from services.workbench.domain.lockout import Failures, Policy, after_failure, is_locked

T0 = datetime(2020, 1, 12, 8, 0, tzinfo=UTC)
POLICY = Policy(attempts=3, minutes=15)


def test_the_third_failure_locks_the_name_for_the_policy_minutes() -> None:
    f = Failures()
    for minute in range(2):
        f = after_failure(f, T0 + timedelta(minutes=minute), POLICY)
        assert not is_locked(f, T0 + timedelta(minutes=minute))
    f = after_failure(f, T0 + timedelta(minutes=2), POLICY)
    assert is_locked(f, T0 + timedelta(minutes=16))
    assert not is_locked(f, T0 + timedelta(minutes=17))


def test_after_a_lock_ends_the_count_starts_again() -> None:
    f = Failures(0, T0)
    f = after_failure(f, T0 + timedelta(seconds=1), POLICY)
    assert f == Failures(1, None)


def test_csrf_needs_both_tokens_and_equal() -> None:
    assert csrf_ok("abc", "abc")
    assert not csrf_ok("abc", "abd")
    assert not csrf_ok("", "")
    assert not csrf_ok(None, "abc")
    assert not csrf_ok("abc", None)


def test_a_form_becomes_the_cli_body_with_the_sequence_seen() -> None:
    body = action_body("verify", {"passed": "false", "reason": " 缺少证明 ", "expected_seq": "42"})
    assert body == {"passed": False, "reason": "缺少证明", "expected_seq": 42}
    assert action_body("extend", {"new_deadline": "2020-01-31", "reason": "雨季", "expected_seq": ""}) == {
        "new_deadline": "2020-01-31",
        "reason": "雨季",
        "expected_seq": None,
    }
    assert action_body("delete-everything", {}) is None


def test_the_station_enters_a_paper_answer_through_the_countys_endpoint_naming_who_gave_it() -> None:
    body = action_body("enter_answer", {"accepted": "true", "entered_for": " 县住建局张局长 ", "expected_seq": "9"})
    assert body is not None and body["entered_for"] == "县住建局张局长" and body["accepted"] is True
    assert (endpoint("enter_answer"), endpoint("verify")) == ("answer", "verify")

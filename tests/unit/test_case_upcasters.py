"""Cases stored before issue 14 read under today's model: owners resolved, the county's answers its own;
and the business clock of recording sits beside the true time without touching the hash chain."""

from datetime import UTC, date, datetime

import pytest

from lookback.clock import NOW_ENV
from lookback.contracts.chain import event_hash
from lookback.contracts.envelope import Envelope, decode, new_envelope
from lookback.contracts.rectify import CaseOpened, EscalationAccepted

V1_OPENED = {
    "case_id": "c1",
    "problem_id": "c1",
    "rule": "R12",
    "item": 12,
    "village": "桃园村",
    "lead_unit": "各村",
    "co_responsible": "桃园村",
    "policy": "immediate",
    "assigned_on": "2019-12-01",
    "deadline": "2019-12-16",
}


def stored(event_type: str, payload: dict[str, object], version: int = 1) -> Envelope:
    return Envelope.model_validate(
        {
            "id": "6f1c2a5e-3b7d-4c1e-9a0b-1d2e3f405162",
            "type": event_type,
            "schema_version": version,
            "aggregate_type": "case",
            "aggregate_id": "c1",
            "business_time": "2019-12-01T00:00:00+08:00",
            "recorded_time": "2026-01-01T00:00:00+00:00",
            "actor": "service:rectify",
            "payload": payload,
        }
    )


def test_a_v1_case_of_each_village_is_its_own_villages() -> None:
    opened = decode(stored("case.opened", V1_OPENED))
    assert isinstance(opened, CaseOpened)
    assert (opened.lead_unit, opened.co_units, opened.deadline) == ("桃园村", (), date(2019, 12, 16))
    other = decode(stored("case.opened", {**V1_OPENED, "item": 3, "lead_unit": "集镇办"}))
    assert isinstance(other, CaseOpened) and other.lead_unit == "集镇办"


def test_a_v1_answer_was_the_actors_own() -> None:
    answer = decode(stored("case.escalation_accepted", {"case_id": "c1", "on": "2020-01-20", "note": ""}))
    assert isinstance(answer, EscalationAccepted) and answer.entered_for is None


def test_an_old_envelope_hashes_as_it_did() -> None:
    """The chain of a log written before `recorded_business_time` existed must still verify."""
    env = stored("case.opened", V1_OPENED)
    assert env.recorded_business_time is None and env.known_since == env.recorded_time
    moved = env.model_copy(update={"recorded_business_time": datetime(2020, 1, 12, tzinfo=UTC)})
    assert event_hash(moved) == event_hash(env)


def test_on_a_moved_clock_the_business_instant_of_recording_is_kept_beside_the_true_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = CaseOpened.model_validate({**V1_OPENED, "lead_unit": "桃园村"})
    monkeypatch.setenv(NOW_ENV, "2020-01-12T10:00:00+08:00")
    env = new_envelope(event, actor="service:rectify", business_time=datetime(2019, 12, 1, tzinfo=UTC))
    assert env.recorded_business_time == datetime(2020, 1, 12, 2, tzinfo=UTC)
    assert env.known_since == env.recorded_business_time
    assert env.recorded_time > datetime(2024, 1, 1, tzinfo=UTC)  # the true instant, never the business one
    monkeypatch.delenv(NOW_ENV)
    plain = new_envelope(event, actor="service:rectify", business_time=datetime(2019, 12, 1, tzinfo=UTC))
    assert plain.recorded_business_time is None and plain.known_since == plain.recorded_time

"""The hash chain per aggregate: what `check` finds when events are altered, missing or reordered."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from lookback.clock import NOW_ENV, start_of_day
from lookback.contracts.chain import Draft, bytes_hash, check, event_hash, link, seal
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.rectify import CaseDismissed, CaseOverdue

DAY = date(2020, 1, 20)


def case_events(case_id: str, n: int) -> list[Envelope]:
    events = [CaseOverdue(case_id=case_id, deadline=date(2020, 1, d + 1), village="桃园村", item=1) for d in range(n)]
    return [new_envelope(e, actor="service:rectify", business_time=start_of_day(DAY)) for e in events]


def numbered(envelopes: list[Envelope]) -> list[tuple[int, Envelope]]:
    return list(enumerate(envelopes, 1))


def test_a_linked_log_has_no_breaks_even_across_interleaved_aggregates() -> None:
    a, _ = link(case_events("a", 3), {})
    b, _ = link(case_events("b", 2), {})
    assert check(numbered([a[0], b[0], a[1], b[1], a[2]])) == []


def test_linking_continues_from_the_known_head() -> None:
    first, heads = link(case_events("a", 2), {})
    more, _ = link(case_events("a", 1), heads)
    assert more[0].prev_hash == event_hash(first[1])
    assert check(numbered(first + more)) == []


def test_an_altered_event_breaks_the_link_after_it() -> None:
    events, _ = link(case_events("a", 3), {})
    forged = events[1].model_copy(update={"payload": {**events[1].payload, "village": "新河村"}})
    breaks = check(numbered([events[0], forged, events[2]]))
    assert [b.seq for b in breaks] == [3]


def test_a_missing_event_and_a_reordered_pair_are_found() -> None:
    events, _ = link(case_events("a", 4), {})
    assert [b.seq for b in check(numbered([events[0], events[2], events[3]]))] == [2]
    assert [b.seq for b in check(numbered([events[0], events[2], events[1], events[3]]))] == [2, 3, 4]


def test_a_forged_event_appended_to_a_case_is_found() -> None:
    events, _ = link(case_events("a", 2), {})
    forged = new_envelope(
        CaseDismissed(case_id="a", on=DAY, reason="伪造"), actor="user:x", business_time=start_of_day(DAY)
    )
    [found] = check(numbered([*events, forged]))
    assert (found.seq, found.event_type, found.found) == (3, "case.dismissed", None)
    assert "上一事件哈希不符" in found.describe()


def test_the_hash_ignores_only_the_recorded_time() -> None:
    [event] = case_events("a", 1)
    later = event.model_copy(update={"recorded_time": start_of_day(date(2021, 1, 1))})
    other_actor = event.model_copy(update={"actor": "user:someone"})
    assert event_hash(later) == event_hash(event)
    assert event_hash(other_actor) != event_hash(event)


def case_drafts(case_id: str, n: int) -> list[Draft]:
    return [
        Draft(
            CaseOverdue(case_id=case_id, deadline=date(2020, 1, d + 1), village="桃园村", item=1),
            uuid.uuid4(),
            "u",
            DAY_START,
        )
        for d in range(n)
    ]


DAY_START = start_of_day(DAY)


@pytest.mark.parametrize("clock", [None, "2020-01-21T09:30:00+08:00"])
def test_sealing_drafts_links_them_as_link_does_and_hashes_the_bytes_it_publishes(
    clock: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if clock:
        monkeypatch.setenv(NOW_ENV, clock)  # a moved business clock adds recorded_business_time
    drafts = case_drafts('a",\\"actor":"x', 2) + case_drafts("b", 1)  # an id that quotes the keys the hash cuts at
    known = {drafts[0].aggregate_key: "f" * 64}
    sealed, heads = seal(drafts, known)
    envelopes = [
        new_envelope(d.event, actor=d.actor, business_time=d.business_time, event_id=d.content_id) for d in drafts
    ]
    linked, linked_heads = link(envelopes, known)
    assert [(s.envelope.id, s.envelope.prev_hash) for s in sealed] == [(e.id, e.prev_hash) for e in linked]
    assert heads == linked_heads
    for s in sealed:
        assert s.data == s.envelope.model_dump_json().encode()
        assert s.hash == event_hash(s.envelope) == event_hash(Envelope.model_validate_json(s.data))
    assert (sealed[0].envelope.recorded_business_time is not None) == bool(clock)


def test_the_hash_of_an_envelope_s_json_is_the_hash_of_the_envelope() -> None:
    """Also with values that look like the fields it cuts out, and with a moved business clock."""
    tricky = ',"recorded_time":"x","actor":"y"'
    events = [
        *link(case_events("a", 2), {})[0],
        new_envelope(
            CaseDismissed(case_id=f"b{tricky}", on=DAY, reason=tricky),
            actor=f"user:{tricky}",
            business_time=start_of_day(DAY),
        ),
    ]
    events.append(events[0].model_copy(update={"recorded_business_time": start_of_day(DAY)}))
    for env in events:
        assert bytes_hash(env.model_dump_json().encode()) == event_hash(env)

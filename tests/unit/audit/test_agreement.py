"""The checks a rebuild cannot make: an id stored twice, and the case list against the reports."""

from __future__ import annotations

import uuid

from apps.audit.agreement import Disagreement, IdCheck, disagreements

CASE = {"item": 3, "village": "桃园村", "lead_unit": "集镇办", "status": "pending"}


def test_an_id_seen_again_is_named_with_where_it_occurs_again() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    check = IdCheck()
    for seq, event_id in enumerate([a, b, a], 1):
        check.feed(seq, event_id)
    assert [(r.event_id, r.seq) for r in check.repeated] == [(str(a), 3)]
    assert str(a) in check.repeated[0].describe()


def test_distinct_ids_are_no_finding() -> None:
    check = IdCheck()
    for seq in range(1, 100):
        check.feed(seq, uuid.uuid4())
    assert check.repeated == []


def test_the_same_cases_agree() -> None:
    assert disagreements({"c1": CASE}, {"c1": dict(CASE)}) == []


def test_a_status_the_reports_do_not_share_is_named() -> None:
    found = disagreements({"c1": CASE}, {"c1": CASE | {"status": "rectified"}})
    assert found == [Disagreement("c1", "status", "pending", "rectified")]
    assert "c1" in found[0].describe() and "status" in found[0].describe()


def test_a_case_only_one_side_knows_is_a_disagreement() -> None:
    assert disagreements({"c1": CASE, "c2": CASE}, {"c1": CASE}) == [Disagreement("c2", "case_id", True, False)]

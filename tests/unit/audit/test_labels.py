"""Every event type the contracts declare has a label an auditor can read."""

from __future__ import annotations

from apps.audit.labels import EVENT_LABELS, label
from lookback.contracts import event_types


def test_every_event_type_has_a_chinese_label() -> None:
    assert set(event_types()) <= set(EVENT_LABELS)
    assert label("case.verified") == "销号" and label("problem.cleared_by_data") == "数据核销"


def test_an_unknown_type_is_shown_by_its_name() -> None:
    assert label("case.renamed") == "case.renamed"

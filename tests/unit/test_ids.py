"""Ids typed as a list printed them: the full id or a unique prefix (issue 14, item 5)."""

from __future__ import annotations

import pytest

from lookback.ids import AmbiguousId, UnknownId, resolve

IDS = ["3f2a9c01" + "0" * 24, "3f2a9c02" + "1" * 24, "7b00" + "2" * 28]


def test_a_unique_prefix_or_the_full_id_names_one_id() -> None:
    assert resolve(IDS[0][:12], IDS) == IDS[0]
    assert resolve("7b00", IDS) == IDS[2]
    assert resolve(IDS[1].upper(), IDS) == IDS[1]


def test_a_prefix_of_several_ids_is_refused_in_both_languages_with_the_candidates() -> None:
    with pytest.raises(AmbiguousId) as refused:
        resolve("3f2a9c", IDS)
    assert "不唯一" in str(refused.value) and "fits 2 ids" in str(refused.value) and IDS[0] in str(refused.value)


def test_a_prefix_of_no_id_is_refused_in_both_languages() -> None:
    with pytest.raises(UnknownId, match="无此编号 abcd / no id starts with abcd"):
        resolve("abcd", IDS)

"""The subject matcher decides which read model sees which event: it must agree with the server's rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from apps.audit.subjects import covers, matches, matches_any, minimal


def test_literal_tokens_match_only_themselves() -> None:
    assert matches("lb.case.c1.opened", "lb.case.c1.opened")
    assert not matches("lb.case.c1.opened", "lb.case.c2.opened")
    assert not matches("lb.case.c1", "lb.case.c1.opened")
    assert not matches("lb.case.c1.opened.x", "lb.case.c1.opened")


def test_star_matches_exactly_one_token() -> None:
    assert matches("lb.case.*.opened", "lb.case.c1.opened")
    assert matches("lb.case.c1.*", "lb.case.c1.verified")
    assert not matches("lb.case.*", "lb.case.c1.opened")
    assert not matches("lb.*.c1.opened", "lb.case.c1")


def test_greater_than_matches_one_or_more_trailing_tokens() -> None:
    assert matches("lb.>", "lb.household.3415.recorded")
    assert matches("lb.case.>", "lb.case.c1.opened")
    assert not matches("lb.case.>", "lb.case")
    assert not matches("lb.case.>", "lb.problem.p1.flagged")


def test_a_service_sees_its_own_aggregates_only() -> None:
    rules = ["lb.household.>", "lb.village.>", "lb.issue.>"]
    assert matches_any(rules, "lb.household.3415.recorded")
    assert not matches_any(rules, "lb.problem.p1.flagged")


def test_covers_and_minimal_drop_overlapping_filters() -> None:
    assert covers("lb.>", "lb.case.>")
    assert covers("lb.case.*.*", "lb.case.c1.*")
    assert not covers("lb.case.*", "lb.case.>")
    assert not covers("lb.case.c1.*", "lb.case.*.*")
    assert minimal(["lb.household.>", "lb.>", "lb.case.>", "lb.household.>"]) == ["lb.>"]
    assert minimal(["lb.household.>", "lb.village.>"]) == ["lb.household.>", "lb.village.>"]


TOKENS = st.sampled_from(["a", "b", "*"])
PATTERNS = st.builds(
    lambda head, tail: ".".join([*head, *tail]),
    st.lists(TOKENS, min_size=1, max_size=4),
    st.sampled_from([[], [">"]]),
)
SUBJECTS = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=6).map(".".join)


@given(PATTERNS, PATTERNS, SUBJECTS)
def test_what_a_covered_filter_matches_the_covering_one_matches(general: str, specific: str, subject: str) -> None:
    if covers(general, specific) and matches(specific, subject):
        assert matches(general, subject)


@given(PATTERNS)
def test_every_filter_covers_itself(pattern: str) -> None:
    assert covers(pattern, pattern)


@given(st.lists(PATTERNS, max_size=3), SUBJECTS)
def test_the_compiled_filters_agree_with_matching_one_by_one(patterns: list[str], subject: str) -> None:
    assert matches_any(patterns, subject) == any(matches(p, subject) for p in patterns)

"""NATS subject filters, matched here because the replay reads the log once and hands each event to
every projection whose filters take it; nats-py has no matcher of its own.

Tokens are split on `.`; `*` matches exactly one token and `>` (last token only) one or more.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable


def matches(pattern: str, subject: str) -> bool:
    """Whether a concrete subject falls under a filter, as the server would decide it."""
    want, got = pattern.split("."), subject.split(".")
    for n, token in enumerate(want):
        if token == ">":
            return len(got) > n
        if n >= len(got) or (token != "*" and token != got[n]):
            return False
    return len(want) == len(got)


def matches_any(patterns: Iterable[str], subject: str) -> bool:
    return _matcher(tuple(patterns))(subject) is not None


@functools.cache
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """The filters as one regular expression, compiled once: a replay asks for every event of the log
    and every read model, and splitting subjects into tokens each time was a tenth of its time."""
    tokens = {"*": r"[^.]+", ">": r"[^.]+(?:\.[^.]+)*"}
    alternatives = (r"\.".join(tokens.get(t, re.escape(t)) for t in p.split(".")) for p in patterns)
    return re.compile("|".join(f"(?:{a})" for a in alternatives) or "(?!)").fullmatch


def covers(general: str, specific: str) -> bool:
    """Whether every subject `specific` matches is also matched by `general` (wildcards included)."""
    want, got = general.split("."), specific.split(".")
    for n, token in enumerate(want):
        if token == ">":
            return len(got) > n
        if n >= len(got) or got[n] == ">":
            return False
        if token != "*" and (got[n] == "*" or token != got[n]):
            return False
    return len(want) == len(got)


def minimal(patterns: Iterable[str]) -> list[str]:
    """The filters left once those another filter covers are dropped: the server refuses a consumer whose
    filter subjects overlap, and a reader for several projections asks for the union of theirs."""
    unique = list(dict.fromkeys(patterns))
    return [p for p in unique if not any(q != p and covers(q, p) for q in unique)]

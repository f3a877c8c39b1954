"""Tamper evidence: every event names the hash of the previous event of its aggregate.

A chain per aggregate (one household, one case, one problem) rather than one for the whole log lets
each service extend the chains it writes without a global lock. The hash covers the whole envelope
but its `recorded_time` and `recorded_business_time`: an event re-derived after a crash (same id, stored
once) has a new recorded time, and its successor must still link to the stored one. `verify-chain` checks recorded times
against the server's own timestamps instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from lookback.contracts.envelope import Envelope, fact_id


def event_hash(env: Envelope) -> str:
    return hashlib.sha256(env.model_dump_json(exclude=_RECORDING_TIMES).encode()).hexdigest()


_RECORDING_TIMES = {"recorded_time", "recorded_business_time"}


def json_hash(dumped: str) -> str:
    """`event_hash` of the envelope whose `model_dump_json()` is `dumped`, without dumping it a second time:
    the two recording times are the fields between `business_time` and `actor`, and no string value before
    them can hold an unescaped quote. Only for JSON this code dumped: bytes another writer sent may differ."""
    start = dumped.index(',"recorded_time":')
    end = dumped.index(',"actor":', start)
    return hashlib.sha256((dumped[:start] + dumped[end:]).encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    aggregate: str
    event_type: str
    expected: str | None
    found: str | None

    def describe(self) -> str:
        return (
            f"seq {self.seq} ({self.event_type}, {self.aggregate}): 上一事件哈希不符 / previous-event hash "
            f"does not match (expected {self.expected or 'none: first event'}, found {self.found or 'none'})"
        )


class ChainCheck:
    """Checks a log fed in stream order, keeping only each aggregate's last hash (the log may be long).

    An altered event breaks the link of the next event of its aggregate, a missing one the link of the
    event after the gap, a reordered pair both links. With the server's storage time, a recorded time
    far from it (backdated to hide a late entry, or from the future) is reported too."""

    def __init__(self, skew: timedelta = timedelta(minutes=10)) -> None:
        self.heads: dict[str, str] = {}
        self.breaks: list[ChainBreak] = []
        self.misdated: list[tuple[int, str]] = []
        self.skew = skew
        self.count = 0

    def feed(self, seq: int, env: Envelope, stored_at: datetime | None = None) -> None:
        self.count += 1
        key = aggregate_key(env)
        expected = self.heads.get(key)
        if env.prev_hash != expected:
            self.breaks.append(ChainBreak(seq, key, env.type, expected, env.prev_hash))
        self.heads[key] = event_hash(env)
        if stored_at is not None and not (stored_at - self.skew <= env.recorded_time <= stored_at + self.skew):
            self.misdated.append((seq, key))


def check(events: Iterable[tuple[int, Envelope]]) -> list[ChainBreak]:
    checker = ChainCheck()
    for seq, env in events:
        checker.feed(seq, env)
    return checker.breaks


def aggregate_key(env: Envelope) -> str:
    return f"{env.aggregate_type}/{env.aggregate_id}"


def link(envelopes: Iterable[Envelope], heads: Mapping[str, str | None]) -> tuple[list[Envelope], dict[str, str]]:
    """Chain new events onto their aggregates: each names the hash of the one before it (the known head,
    or the previous new event of the same aggregate). Returns the events and the new heads.

    The id becomes `fact_id` of the id the caller derived and that hash: a retry derives from the same
    head and is deduplicated, while the same content later in the chain (a household re-added, a
    problem flagged again) is a new fact with a new id."""
    current: dict[str, str | None] = dict(heads)
    linked: list[Envelope] = []
    for env in envelopes:
        key = aggregate_key(env)
        prev = current.get(key)
        chained = env.model_copy(update={"prev_hash": prev, "id": fact_id(env.id, prev)})
        current[key] = event_hash(chained)
        linked.append(chained)
    return linked, {k: v for k, v in current.items() if v is not None}

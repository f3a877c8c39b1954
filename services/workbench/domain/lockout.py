"""Lock-out after repeated failed sign-ins: a guesser gets `attempts` tries per `minutes`, a person who
mistyped waits a quarter of an hour at worst. Counted per name, so a lock cannot be dodged by
switching machines; a success clears the count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    attempts: int
    minutes: int


@dataclass(frozen=True)
class Failures:
    count: int = 0
    locked_until: datetime | None = None


def is_locked(failures: Failures, at: datetime) -> bool:
    return failures.locked_until is not None and at < failures.locked_until


def after_failure(failures: Failures, at: datetime, policy: Policy) -> Failures:
    """One more failure; the one that reaches the limit locks the name and starts the count again."""
    if failures.locked_until is not None and at >= failures.locked_until:
        failures = Failures()
    count = failures.count + 1
    if count >= policy.attempts:
        return Failures(0, at + timedelta(minutes=policy.minutes))
    return Failures(count, failures.locked_until)

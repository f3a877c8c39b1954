"""The events reports are computed from, each placed on the village's calendar and the system's.

A report counts an event in the period of its business day (the day an action was taken, the
roster's as-of date), and "as known at" an instant leaves out what was recorded after it. Both come
from the event itself, so a replay next year places every event where it was placed this year.
"Recorded" is on the business clock: in a campaign run on a moved clock (`LOOKBACK_NOW`) an event
keeps the business instant of its recording beside the true one, and "as known at" 2020-01-12
means what the campaign knew then, not what the wall clock had seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from lookback.clock import local_date
from lookback.contracts.envelope import Envelope, Event
from lookback.contracts.rectify import CaseOpened, CaseTransition
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged

REPORTED_AGGREGATES = frozenset({"problem", "case"})


@dataclass(frozen=True)
class Fact:
    seq: int
    day: date
    recorded: datetime
    event: Event


def is_reported(envelope: Envelope) -> bool:
    return envelope.aggregate_type in REPORTED_AGGREGATES


def business_day(envelope: Envelope, event: Event) -> date:
    """The date the payload itself names wins over the envelope's: an action entered late keeps the
    day it was taken (`on`), and a roster keeps its as-of date whenever it was imported."""
    match event:
        case CaseTransition():
            return event.on
        case ProblemFlagged() | ProblemClearedByData():
            return event.as_of
        case CaseOpened():
            return event.assigned_on
    return local_date(envelope.business_time)


def fact_of(seq: int, envelope: Envelope) -> Fact:
    event = envelope.event()
    return Fact(seq, business_day(envelope, event), envelope.known_since, event)


def known(facts: Iterable[Fact], until: date, known_at: datetime | None = None) -> list[Fact]:
    """The facts of business days up to `until` that the system had recorded by `known_at`, in the
    order things happened in the village (by day, then as the log holds them)."""
    kept = [f for f in facts if f.day <= until and (known_at is None or f.recorded <= known_at)]
    return sorted(kept, key=lambda f: (f.day, f.seq))

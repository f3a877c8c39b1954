"""Events of the digests rectify sends each owner once a day: composed, then sent.

A digest is one aggregate per owner and business day (`digest_key`), so both of its events share a
subject prefix `lb.digest.<key>.*`: composing publishes with expected last subject sequence 0 (stored
once however many rectify processes compose it, for ever, not only within the 10-minute duplicate
window), and the sender records `digest.sent` expecting the composed event's sequence (sent once).
Counts and links only: an owner is a village, a unit, the station or the county, never a person.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from lookback.contracts.envelope import Event, derived_id

OwnerKind = Literal["village", "unit", "station", "county"]
DigestKind = Literal["daily", "period_end"]
WebhookFormat = Literal["wecom", "dingtalk", "json"]
COUNT_LABELS = (
    ("newly_assigned", "新分派"),
    ("due_soon", "三日内到期"),
    ("overdue", "逾期"),
    ("escalated", "上报县级"),
    ("submissions_due", "待报送"),
    ("lower_submissions_due", "村和单位未报送"),
)
"""A digest's counts in the order people read them, with their words (the robots' text, the start page)."""
STATION_COUNTS = frozenset({"lower_submissions_due"})
"""Counts only the station's digest has: a village or unit owes no one else's forms."""


def count_labels(owner_kind: str) -> tuple[tuple[str, str], ...]:
    """The counts an owner's digest shows, in COUNT_LABELS' order."""
    return tuple((key, label) for key, label in COUNT_LABELS if owner_kind == "station" or key not in STATION_COUNTS)


def digest_key(owner_kind: str, owner: str, day: date) -> str:
    """The aggregate id: a hash, so no Chinese name reaches a subject."""
    return derived_id("digest", owner_kind, owner, day).hex


class DigestComposed(Event):
    """What an owner has to do on `day`, as counts with a link to each list (`links`: workbench paths)."""

    event_type: ClassVar[str] = "digest.composed"
    aggregate_type: ClassVar[str] = "digest"

    owner_kind: OwnerKind
    owner: str = Field(
        description="the village or unit name; 全镇 for the station (the whole town), 县级 for the county"
    )
    day: date
    kind: DigestKind = Field(description="period_end on the first day after a half-month ends, else daily")
    period: str | None = Field(None, description="the half-month that just ended, for a period_end digest")
    newly_assigned: int = Field(description="open cases assigned since the previous day's digest")
    due_soon: int = Field(description="open cases due within the town's due_soon_days (three)")
    overdue: int
    escalated: int
    submissions_due: int = Field(
        0, description="报送 (submissions) of this owner due within due_soon_days or late, not handed in"
    )
    lower_submissions_due: int = Field(
        0, description="for the station: the villages' and units' submissions due or late and not handed in"
    )
    links: dict[str, str] = Field(description="count name → workbench path listing what it counts")

    def aggregate_id(self) -> str:
        return digest_key(self.owner_kind, self.owner, self.day)


class DigestSent(Event):
    """The webhook answered 2xx for this digest: a sender restarted later does not send it again."""

    event_type: ClassVar[str] = "digest.sent"
    aggregate_type: ClassVar[str] = "digest"

    digest: str = Field(description="the digest's aggregate id")
    format: WebhookFormat
    attempts: int = Field(description="deliveries of the composed event it took, this one included")

    def aggregate_id(self) -> str:
        return self.digest

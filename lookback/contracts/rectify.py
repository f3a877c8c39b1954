"""Events the rectify service publishes: cases, their owners, deadlines and states."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from lookback.contracts.envelope import Event

DeadlinePolicy = Literal["immediate", "timed"]


class CaseOpened(Event):
    """A problem became a case with a lead unit, the plan's co-responsible units, its village as
    co-responsible (属地), and a deadline.

    v2: the lead unit is a real one (never the plan's placeholder 各村), and `co_units` is new.
    """

    event_type: ClassVar[str] = "case.opened"
    aggregate_type: ClassVar[str] = "case"
    schema_version: ClassVar[int] = 2

    case_id: str
    problem_id: str
    rule: str
    item: int
    village: str
    lead_unit: str
    co_responsible: str = Field(description="the village (属地), co-responsible for every case in it")
    co_units: tuple[str, ...] = Field((), description="配合单位 the plan names beside the lead unit")
    policy: DeadlinePolicy = Field(description="immediate = 立行立改, timed = 限时整改")
    assigned_on: date
    deadline: date
    person: str | None = Field(None, description="责任人, when the problem list named one")
    measures: str | None = Field(None, description="整改措施 the problem list proposed")

    def aggregate_id(self) -> str:
        return self.case_id


class DeadlineMark(Event):
    """A mark the deadline watch puts on an open case, once per case and deadline (not an event itself)."""

    aggregate_type: ClassVar[str] = "case"

    case_id: str
    deadline: date
    village: str
    item: int

    def aggregate_id(self) -> str:
        return self.case_id


class CaseOverdue(DeadlineMark):
    """The case was still open when its deadline passed."""

    event_type: ClassVar[str] = "case.overdue"


CaseStatus = Literal["pending", "in_progress", "rectified", "escalated", "county_accepted", "verified", "dismissed"]

STATUS_LABELS: dict[CaseStatus, str] = {
    "pending": "待整改",
    "in_progress": "整改中",
    "rectified": "已整改待验收",
    "escalated": "已上报县级",
    "county_accepted": "县级已受理",
    "verified": "已销号",
    "dismissed": "不属实",
}
"""The words the ledger (整改台帐) and the half-monthly exports print for each status."""

CLOSED_STATUSES: frozenset[CaseStatus] = frozenset({"verified", "dismissed"})
"""Closed cases leave the open count and can never be overdue; every other status is open."""


class CaseTransition(Event):
    """A step a case took: who took it is the envelope's actor, the day it happened is `on`."""

    aggregate_type: ClassVar[str] = "case"

    case_id: str
    on: date = Field(description="办理日期: the day it happened in the village; it starts the time in the new status")

    def aggregate_id(self) -> str:
        return self.case_id


class CaseAssigned(CaseTransition):
    """Who answers for the case now; the village stays co-responsible (属地) whatever the lead unit."""

    event_type: ClassVar[str] = "case.assigned"

    lead_unit: str = Field(description="牵头单位 after the change")
    person: str | None = Field(default=None, description="责任人 after the change; none yet is allowed")
    note: str = Field(default="", description="备注")


class RectificationStarted(CaseTransition):
    event_type: ClassVar[str] = "case.rectification_started"

    measures: str = Field(description="整改措施 planned or begun")


EvidenceType = Literal["image/jpeg", "application/pdf"]
"""What rectify stores: every photo re-encoded as JPEG, a document as the PDF it was."""


class Evidence(BaseModel):
    """A photo or document (整改佐证) in the evidence bucket (`EVIDENCE_BUCKET`), named by its hash: the
    event carries the hash, so the log vouches for the bytes and a backup of the log carries them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the stored bytes, lower-case hex")
    media_type: EvidenceType
    size: int = Field(ge=1, description="bytes stored")


class Location(BaseModel):
    """Where the person stood when reporting, as their browser gave it (as SORMAS records GPS at closing)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(None, ge=0, description="radius of the browser's estimate, in metres")


class CaseRectified(CaseTransition):
    """The problem is reported solved and now awaits verification (已整改待验收).

    `evidence` and `location` are new and optional: an older event (and one the data caused) has none.
    """

    event_type: ClassVar[str] = "case.rectified"

    measures: str = Field(default="", description="整改措施 taken; empty when the data cleared it")
    by: Literal["person", "data"] = Field(description="person = 责任人 reported it; data = a later roster cleared it")
    evidence: tuple[Evidence, ...] = Field((), description="整改佐证: photos and documents of what was done")
    location: Location | None = Field(None, description="位置, when the person let the browser give it")


class CaseReopened(CaseTransition):
    """The problem a roster had cleared is flagged again (the household re-added, the data back as it was):
    the case leaves 已整改待验收 for the status the data took it from; both episodes stay in its history."""

    event_type: ClassVar[str] = "case.reopened"

    status: CaseStatus = Field(description="The status the case returns to")
    escalated_from: CaseStatus | None = Field(
        None, description="Where its escalation came from, when it returns to the county"
    )


class VerificationFailed(CaseTransition):
    """验收不通过: the case goes back to 整改中."""

    event_type: ClassVar[str] = "case.verification_failed"

    reason: str = Field(description="验收不通过的原因")


class CaseVerified(CaseTransition):
    """销号: the case is closed for good; `on` is the closing day and `on_time` is fixed here, never recomputed."""

    event_type: ClassVar[str] = "case.verified"

    deadline: date = Field(description="整改时限 in force when it was closed, the one on_time was judged against")
    on_time: bool = Field(description="按期销号: closed on or before the deadline")
    note: str = Field(default="", description="验收意见")


class CaseEscalated(CaseTransition):
    """上报县级: the town and village cannot solve it (plan 四(二) 健全工作机制); the deadline keeps running."""

    event_type: ClassVar[str] = "case.escalated"

    county_unit: str = Field(description="县有关脱贫攻坚指挥部 or county unit it went to")
    reason: str = Field(description="镇村无力解决的原因")


class CountyAnswer(CaseTransition):
    """The county's answer to an escalation. A county user answers for itself (the envelope's actor);
    a station user who enters an answer the county gave on paper is the actor and names the county's
    answerer in `entered_for`, so the log never shows the station's words as the county's.

    v2: `entered_for` is new; a v1 answer was the actor's own.
    """

    schema_version: ClassVar[int] = 2

    note: str = Field(default="", description="县级意见")
    entered_for: str | None = Field(
        default=None, description="县级答复人 whose answer on paper a station user entered; none: the actor's own"
    )


class EscalationAccepted(CountyAnswer):
    """县级已受理: the county took the case on and works on it, with its own time in status; a new
    deadline it sets follows as `DeadlineExtended`."""

    event_type: ClassVar[str] = "case.escalation_accepted"


class EscalationReturned(CountyAnswer):
    """The county sent the case back to the town; it resumes the status it was escalated from."""

    event_type: ClassVar[str] = "case.escalation_returned"


class DeadlineExtended(CaseTransition):
    """延期: the old deadline stays in the history: a case on time only thanks to an extension still shows it."""

    event_type: ClassVar[str] = "case.deadline_extended"

    old_deadline: date = Field(description="原整改时限, kept so an audit sees every time a deadline moved")
    new_deadline: date = Field(description="新整改时限")
    reason: str = Field(description="延期理由")


class CaseDismissed(CaseTransition):
    """不属实: the problem was not real; the case closes without counting as on time or late."""

    event_type: ClassVar[str] = "case.dismissed"

    reason: str = Field(description="不属实的理由")


class CaseDueSoon(DeadlineMark):
    """The deadline is near and the case is still open."""

    event_type: ClassVar[str] = "case.due_soon"


CaseEvent = (
    CaseOpened
    | CaseOverdue
    | CaseDueSoon
    | CaseAssigned
    | RectificationStarted
    | CaseRectified
    | CaseReopened
    | VerificationFailed
    | CaseVerified
    | CaseEscalated
    | EscalationAccepted
    | EscalationReturned
    | DeadlineExtended
    | CaseDismissed
)

"""What people ask of a case, and the answer when the case cannot do it.

Commands are orders and may be refused; events are the facts that follow. `ProblemClearedByData`
is the one fact from another service that is also taken as an order: the rules service saw the
problem gone from a later roster, and the case must then await verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from lookback.contracts.rectify import CaseStatus, Evidence, Location
from lookback.contracts.rules import ProblemClearedByData


@dataclass(frozen=True)
class Assign:
    """Change the lead unit, the 责任人, or both; `None` keeps the current one."""

    lead_unit: str | None = None
    person: str | None = None
    note: str = ""


@dataclass(frozen=True)
class StartRectification:
    measures: str


@dataclass(frozen=True)
class ReportRectified:
    """`evidence` is already in the evidence bucket (the API checks before deciding)."""

    measures: str
    evidence: tuple[Evidence, ...] = ()
    location: Location | None = None


@dataclass(frozen=True)
class Verify:
    """`reason` is why verification failed, or the verifier's remark when it passed."""

    passed: bool
    reason: str = ""


@dataclass(frozen=True)
class Escalate:
    county_unit: str
    reason: str


@dataclass(frozen=True)
class AnswerEscalation:
    """The county's answer; only a county that accepts the case may set it a new deadline.

    `by` is the role of whoever gives the command: a county user answers for itself; the station may
    only enter an answer the county gave on paper, naming its answerer in `entered_for`.
    """

    accepted: bool
    new_deadline: date | None = None
    note: str = ""
    by: Literal["county", "station"] = "county"
    entered_for: str | None = None


@dataclass(frozen=True)
class ExtendDeadline:
    new_deadline: date
    reason: str


@dataclass(frozen=True)
class Dismiss:
    reason: str


Command = (
    Assign
    | StartRectification
    | ReportRectified
    | Verify
    | Escalate
    | AnswerEscalation
    | ExtendDeadline
    | Dismiss
    | ProblemClearedByData
)


class TransitionRefused(ValueError):
    """The case cannot do what was asked; the HTTP layer answers 409 with both messages.

    `status` is the case's status when it refused (`None`: there is no such case).
    """

    def __init__(self, message_zh: str, message_en: str, *, status: CaseStatus | None, command: Command) -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en
        self.status = status
        self.command = command

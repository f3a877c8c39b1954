"""Events the rectify service publishes: cases, their owners, deadlines and states."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from lookback.contracts.envelope import Event

DeadlinePolicy = Literal["immediate", "timed"]


class CaseOpened(Event):
    """A problem became a case with a lead unit, its village as co-responsible, and a deadline."""

    event_type: ClassVar[str] = "case.opened"
    aggregate_type: ClassVar[str] = "case"

    case_id: str
    problem_id: str
    rule: str
    item: int
    village: str
    lead_unit: str
    co_responsible: str
    policy: DeadlinePolicy = Field(description="immediate = 立行立改, timed = 限时整改")
    assigned_on: date
    deadline: date

    def aggregate_id(self) -> str:
        return self.case_id


class CaseOverdue(Event):
    """The case was still open when its deadline passed; published once per case and deadline."""

    event_type: ClassVar[str] = "case.overdue"
    aggregate_type: ClassVar[str] = "case"

    case_id: str
    deadline: date
    village: str
    item: int

    def aggregate_id(self) -> str:
        return self.case_id

"""Events the rules service publishes: problems found in, and cleared by, the roster data."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from lookback.contracts.envelope import Event, derived_id


def problem_id(rule: str, subject_key: str) -> str:
    """The same rule on the same subject is always the same problem, however often it is seen."""
    return derived_id("problem", rule, subject_key).hex


def manual_rule(item: int) -> str:
    """The rule id of a problem reported by hand: `M` and the item (M09); never an R-rule's id, so
    reports that count by rule keep hand-reported problems apart from those found in the roster."""
    return f"M{item:02d}"


def issue_subject(issue_id: str) -> str:
    return f"issue:{issue_id}"


def issue_problem_id(item: int, issue_id: str) -> str:
    """The problem (and so the case) an issue becomes: intake tells the reporter, rules flags it."""
    return problem_id(manual_rule(item), issue_subject(issue_id))


class ProblemFlagged(Event):
    event_type: ClassVar[str] = "problem.flagged"
    aggregate_type: ClassVar[str] = "problem"

    problem_id: str
    rule: str = Field(description="Rule id of docs/rules.md, e.g. R01; M<item> when reported by hand")
    item: int = Field(ge=1, le=34)
    village: str
    household_id: str | None = None
    person_id_number: str | None = Field(None, description="证件号码 of a person problem (personal data)")
    person_row: int | None = None
    subject_key: str = Field(description="What the problem is about: rule-independent key of the subject")
    as_of: date
    description: str
    # Set only for a problem reported by hand (rule M<item>, subject issue:<issue id>), from its IssueReported;
    # a problem found in the roster leaves them empty and takes the item's defaults.
    unit: str | None = Field(None, description="Reporting unit when 行政村或单位 named a unit; village is then (镇直)")
    lead_unit: str | None = Field(None, description="责任单位 the reporter proposed; none: the item's lead unit")
    person: str | None = Field(None, description="责任人 the reporter named (personal data)")
    deadline: date | None = Field(None, description="整改时限 the reporter set; none: the item's default deadline")
    measures: str | None = Field(None, description="整改措施 the reporter planned")
    reported_by: str | None = Field(None, description="Actor who reported it by hand (user:…); none: found by a rule")

    def aggregate_id(self) -> str:
        return self.problem_id


class ProblemClearedByData(Event):
    """A later roster no longer shows the condition; the problem stays, its case awaits verification."""

    event_type: ClassVar[str] = "problem.cleared_by_data"
    aggregate_type: ClassVar[str] = "problem"

    problem_id: str
    rule: str
    village: str
    as_of: date

    def aggregate_id(self) -> str:
        return self.problem_id

"""Events intake publishes: what the town's roster and problem lists say."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from lookback.contracts.envelope import Event
from lookback.contracts.subjects import village_key


class PersonRow(BaseModel):
    """One accepted row of the `人口明细` sheet.

    Cells are kept by their roster column names, trimmed, with dates as ISO text and numbers as
    decimal text; empty cells are left out. Unknown columns travel untouched.
    """

    model_config = ConfigDict(frozen=True)

    row: int = Field(description="Sheet row number (header = 1)")
    cells: dict[str, str]


class HouseholdRecorded(Event):
    """A household as the latest roster shows it (all its accepted person rows)."""

    event_type: ClassVar[str] = "household.recorded"
    aggregate_type: ClassVar[str] = "household"

    household_id: str = Field(description="户编号")
    village: str = Field(description="行政村 of the household (from its 户主 row, else its first row)")
    as_of: date = Field(description="The roster's reference date")
    import_id: str
    persons: list[PersonRow]
    fingerprint: str | None = Field(
        None,
        description="Of the as-of date and the persons' cells, as intake's re-import diff compares households "
        "(services/intake/domain/diff.py), so intake's own projection need not compute it again; none in older events",
    )

    def aggregate_id(self) -> str:
        return self.household_id


class HouseholdRemoved(Event):
    """A household that an import of the whole roster no longer contains."""

    event_type: ClassVar[str] = "household.removed"
    aggregate_type: ClassVar[str] = "household"

    household_id: str
    village: str
    as_of: date
    import_id: str

    def aggregate_id(self) -> str:
        return self.household_id


class VillageRecorded(Event):
    """A row of the `村级信息` sheet."""

    event_type: ClassVar[str] = "village.recorded"
    aggregate_type: ClassVar[str] = "village"

    village: str
    as_of: date
    import_id: str
    row: int
    cells: dict[str, str]

    def aggregate_id(self) -> str:
        return village_key(self.village)


class Rejection(BaseModel):
    """A row that could not be placed, and why; kept whole so nothing a town sent is lost. The sheet
    readers of rosters and problem lists give it, and `RowRejected` carries it with its import."""

    model_config = ConfigDict(frozen=True)

    sheet: str
    row: int
    column: str
    reason_zh: str
    reason_en: str
    cells: dict[str, str]


class RowRejected(Rejection, Event):
    """A rejected row of one import."""

    event_type: ClassVar[str] = "import.row_rejected"
    aggregate_type: ClassVar[str] = "import"

    import_id: str

    def aggregate_id(self) -> str:
        return self.import_id


class RosterImported(Event):
    """The summary of one import, published after its households."""

    event_type: ClassVar[str] = "import.completed"
    aggregate_type: ClassVar[str] = "import"

    import_id: str
    files: list[str]
    as_of: date
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    households_added: int
    households_changed: int
    households_removed: int
    households_unchanged: int

    def aggregate_id(self) -> str:
        return self.import_id


class Issue(BaseModel):
    """What a report says, declared once: intake reads it from a 问题清单 row or an HTTP body, publishes
    it in `IssueReported`, and the rules service hands the fields `ProblemFlagged` shares on to it."""

    model_config = ConfigDict(frozen=True)

    village: str = Field(description="行政村: the village, or (镇直) when a town-level unit reported it")
    unit: str | None = Field(None, description="行政村或单位 when it names a unit of the town, not a village")
    item: int = Field(ge=1, le=34, description='问题条目, 1–34 (docs/rules.md, "Owners")')
    description: str = Field(description="问题描述")
    found_on: date = Field(description="发现日期; also the envelope's business time")
    household_id: str | None = Field(None, description="户编号 the issue is about, if any")
    lead_unit: str | None = Field(None, description="责任单位 the reporter proposes; else the item's lead unit")
    person: str | None = Field(None, description="责任人 (personal data)")
    deadline: date | None = Field(None, description="整改时限 the reporter set; else the item's default")
    measures: str | None = Field(None, description="整改措施 planned")


class IssueReported(Issue, Event):
    """A problem reported by hand (问题清单, HTTP or `lookback report-issue`) for any of the 34 items.

    The reporter is the envelope's actor, and the id is derived from the reporter and the issue's
    content, so a retried report or a re-imported list is the same issue. The rules service turns it
    into a `ProblemFlagged` of rule `M<item>` (e.g. M09) that keeps the reporter as its actor.
    """

    event_type: ClassVar[str] = "issue.reported"
    aggregate_type: ClassVar[str] = "issue"

    issue_id: str
    import_id: str | None = Field(None, description="The 问题清单 import it came from; none when reported alone")
    row: int | None = Field(None, description="Its row in that 问题清单 (header = 1)")
    other_cells: dict[str, str] = Field(default_factory=dict, description="The list's other columns, untouched")

    def aggregate_id(self) -> str:
        return self.issue_id

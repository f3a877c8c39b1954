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


class RowRejected(Event):
    """A row that could not be placed; kept whole so nothing a town sent is lost."""

    event_type: ClassVar[str] = "import.row_rejected"
    aggregate_type: ClassVar[str] = "import"

    import_id: str
    sheet: str
    row: int
    column: str
    reason_zh: str
    reason_en: str
    cells: dict[str, str]

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

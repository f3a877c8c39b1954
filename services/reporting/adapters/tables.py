"""The reporting read model: rows rebuilt from the stream, never edited by hand."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class ProblemRow(SQLModel, table=True):
    __tablename__ = "report_problems"

    problem_id: str = Field(primary_key=True)
    rule: str = Field(index=True)
    item: int
    category: str
    village: str = Field(index=True)
    household_id: str | None = None
    flagged_on: date
    cleared_on: date | None = None
    open: bool = True


class CaseRow(SQLModel, table=True):
    __tablename__ = "report_cases"

    case_id: str = Field(primary_key=True)
    problem_id: str = Field(index=True)
    item: int
    village: str
    lead_unit: str
    policy: str
    assigned_on: date
    deadline: date
    overdue_since: date | None = None
    closed_on: date | None = None


class HouseholdRow(SQLModel, table=True):
    __tablename__ = "report_households"

    household_id: str = Field(primary_key=True)
    village: str
    as_of: date
    persons: int
    removed: bool = False


TABLES = (ProblemRow, CaseRow, HouseholdRow)

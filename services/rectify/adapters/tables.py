"""Rectify's own view of the cases, folded from case events (rebuildable from the stream)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel


class CaseState(SQLModel, table=True):
    __tablename__ = "rectify_cases"

    case_id: str = Field(primary_key=True)
    problem_id: str = Field(index=True)
    item: int
    village: str
    state: str
    deadline: date = Field(index=True)
    overdue_for: date | None = Field(None, description="The deadline a case-overdue event was published for")


TABLES = (CaseState,)

"""The reporting read model: rows rebuilt from the stream, never edited by hand.

`report_facts` is the memory: one row per problem or case event, appended in stream order, from
which every report can be computed. `report_counters` holds each counted period's report as sums per
cell, kept up to date with the facts, and `report_overdue_windows` the days over which each case was
overdue, so the overdue list of any day is one query. The other tables are current state folded from those facts,
there so that gauges and counts answer at scrape time without a replay.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, Index
from sqlmodel import Field, SQLModel

from lookback.store import LogDigestRow, create_versioned

SCHEMA_VERSION = 6
"""Raised whenever a table below changes; a read model of another version is dropped and rebuilt."""


class FactRow(SQLModel, table=True):
    __tablename__ = "report_facts"

    seq: int = Field(primary_key=True, description="Stream sequence: the order the log holds the events in")
    type: str
    aggregate_id: str = Field(index=True)
    day: date = Field(index=True, description="Business day in China: the action's date, the roster's as-of")
    recorded_at: datetime = Field(
        description="When the system learnt it, on the business clock (Envelope.known_since; stored as UTC)"
    )
    body: str = Field(description="The envelope as JSON")
    log_state: str | None = Field(
        None, description="The digest of the whole log up to this event (hex), from which its 校验码 is made"
    )


class ProblemRow(SQLModel, table=True):
    __tablename__ = "report_problems"

    problem_id: str = Field(primary_key=True)
    rule: str = Field(index=True)
    item: int
    village: str = Field(index=True)


class CaseRow(SQLModel, table=True):
    __tablename__ = "report_cases"

    case_id: str = Field(primary_key=True)
    problem_id: str = Field(index=True, description="The problem the case rectifies: a line of the counters")
    item: int
    category: str
    village: str
    lead_unit: str
    status: str = Field(index=True)
    overdue: bool = Field(description="Rectify marked it overdue for the deadline in force, and it is open")
    due_soon: bool = Field(description="Rectify reminded of the deadline in force, and it is open, not overdue")


class OverdueWindowRow(SQLModel, table=True):
    """A case overdue at the end of every day from `first` to before `until`, listed as it stood then
    (`domain/overdue.py`): the overdue list of a day is the rows holding it, in the order of the index."""

    __tablename__ = "report_overdue_windows"
    __table_args__ = (Index("ix_report_overdue_windows_order", "deadline", "village", "case_id", "first", "until"),)

    case_id: str = Field(primary_key=True)
    first: date = Field(primary_key=True, description="The first day it is overdue at the end of")
    until: date | None = Field(None, description="The first day it no longer is; none: it still is")
    problem_id: str
    village: str
    household_id: str | None
    rule: str
    item: int
    lead_unit: str
    co_units: str = Field(description="JSON list of 配合单位")
    status: str
    deadline: date


class CounterRow(SQLModel, table=True):
    """What the problems of one cell add up to in one counted period (`domain/counters.py`): a
    period's report reads its rows and the previous period's, never the facts."""

    __tablename__ = "report_counters"

    period: str = Field(primary_key=True, description="Period code, 2019-12-H1")
    village: str = Field(primary_key=True)
    unit: str = Field(primary_key=True, description="The lead unit in charge at the period's end")
    item: int = Field(primary_key=True)
    rule: str = Field(primary_key=True)
    counts: str = Field(description="JSON list: `measures.KEYS`, then `measures.stay` (cases, days per status)")


class HouseholdRow(SQLModel, table=True):
    """Kept after a household leaves the roster: its problems stay in the ledger, under its 户主."""

    __tablename__ = "report_households"

    household_id: str = Field(primary_key=True)
    head_name: str = Field(description="姓名 on the 户主 row (personal data: exports only, never logs)")


class PersonRow(SQLModel, table=True):
    """Who a person-level problem is about (the 问题清单's 问题对象); kept, like households, after a roster
    drops them."""

    __tablename__ = "report_persons"

    household_id: str = Field(primary_key=True)
    id_number: str = Field(primary_key=True, description="证件号码 as the roster holds it (personal data)")
    name: str = Field(description="姓名 (personal data: exports only, never logs)")


class SubmissionEventRow(SQLModel, table=True):
    """Every submission event as the log holds it: the submissions are folded from these on request."""

    __tablename__ = "report_submission_events"

    seq: int = Field(primary_key=True)
    submission_id: str = Field(index=True)
    day: date = Field(description="Business day it happened")
    body: str = Field(description="The envelope as JSON")


class SchemaRow(SQLModel, table=True):
    __tablename__ = "report_schema"

    version: int = Field(primary_key=True)


TABLES = (
    FactRow,
    ProblemRow,
    CaseRow,
    OverdueWindowRow,
    CounterRow,
    HouseholdRow,
    PersonRow,
    SubmissionEventRow,
    SchemaRow,
    LogDigestRow,
)


def prepare(engine: Engine, consumer: str) -> None:
    """This read model\'s tables, rebuilt from the stream when left by another version."""
    create_versioned(engine, consumer, TABLES, SchemaRow, SCHEMA_VERSION)

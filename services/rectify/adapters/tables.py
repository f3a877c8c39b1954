"""Rectify's memory of each case: the case's events in the order they were folded, and a summary row.

The events are the case (the summary is derived from them and rewritten with every fold), so both
can be rebuilt from the stream.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Field, SQLModel

from lookback.store import create_versioned

SCHEMA_VERSION = 2
"""Raised whenever a table below or `lookback.cases.state.Case` (stored as JSON) changes, or what folding
gives; tables of another version are dropped and rebuilt from the stream (1: before the folded case)."""


class CaseEventRow(SQLModel, table=True):
    __tablename__ = "rectify_case_events"

    n: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(index=True)
    event_id: str = Field(unique=True)
    seq: int | None = Field(None, description="Stream sequence; unknown until an event rectify emitted comes back")
    body: str = Field(description="The envelope as JSON")


class CaseSummary(SQLModel, table=True):
    __tablename__ = "rectify_cases"

    case_id: str = Field(primary_key=True)
    item: int = Field(index=True)  # 我的待办 filters by item
    village: str = Field(index=True)
    lead_unit: str = Field(index=True)
    status: str = Field(index=True)
    deadline: date = Field(index=True)
    overdue_for: date | None = None
    due_soon_for: date | None = None
    state: str = Field(description="The case as its events leave it (lookback.cases.state.Case) as JSON")
    head: str = Field(description="Hash of the case's last event, which its next event links to (contracts/chain.py)")


class DigestRow(SQLModel, table=True):
    """The digests composed, one per owner and day, as the start page shows the latest (rebuilt from the log)."""

    __tablename__ = "rectify_digests"

    digest: str = Field(primary_key=True)
    owner_kind: str = Field(index=True)
    owner: str = Field(index=True)
    day: date = Field(index=True)
    body: str = Field(description="The DigestComposed payload as JSON")


class SubmissionRow(SQLModel, table=True):
    """Each submission (报送) as its `submission.*` events leave it, for the digests' 待报送 (rebuilt from the log)."""

    __tablename__ = "rectify_submissions"

    submission_id: str = Field(primary_key=True)
    period: str = Field(index=True)
    org_kind: str
    org: str
    state: str
    submitted_on: date | None = None


class SchemaRow(SQLModel, table=True):
    __tablename__ = "rectify_schema"

    version: int = Field(primary_key=True)


TABLES = (CaseEventRow, CaseSummary, DigestRow, SubmissionRow, SchemaRow)


def prepare(engine: Engine, consumer: str) -> None:
    """This read model\'s tables, rebuilt from the stream when left by another version."""
    create_versioned(engine, consumer, TABLES, SchemaRow, SCHEMA_VERSION)

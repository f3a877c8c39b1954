"""Failed sign-ins per name, kept beside the sessions so every workbench process counts the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel

from lookback.clock import utcnow
from services.workbench.domain.lockout import Failures


class FailureRow(SQLModel, table=True):
    __tablename__ = "workbench_sign_in_failures"

    name: str = Field(primary_key=True)
    count: int = 0
    locked_until: datetime | None = None


def load(engine: Engine, name: str) -> Failures:
    with Session(engine) as session:
        row = session.get(FailureRow, name)
    if row is None:
        return Failures()
    until = row.locked_until
    return Failures(row.count, until.replace(tzinfo=utcnow().tzinfo) if until and not until.tzinfo else until)


def save(engine: Engine, name: str, failures: Failures) -> None:
    with Session(engine) as session:
        row = session.get(FailureRow, name) or FailureRow(name=name)
        row.count, row.locked_until = failures.count, failures.locked_until
        session.add(row)
        session.commit()

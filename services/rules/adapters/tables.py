"""Rules' memory: which problems hold now, and the ID-number index R07C needs.

Both are folded from household and village events, so they can be rebuilt from the stream.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from lookback.store import ChainHead


class ActiveProblem(SQLModel, table=True):
    __tablename__ = "rules_active"

    problem_id: str = Field(primary_key=True)
    owner: str = Field(index=True, description="household id, or village:<name>, whose event decides it")
    rule: str
    village: str
    duplicate_id: str | None = Field(None, index=True, description="R07C: the normalised ID number")


class IndexedPerson(SQLModel, table=True):
    __tablename__ = "rules_person_ids"

    subject_key: str = Field(primary_key=True)
    normalised_id: str = Field(index=True)
    household_id: str = Field(index=True)
    village: str
    row: int
    id_number: str


TABLES = (ActiveProblem, IndexedPerson, ChainHead)

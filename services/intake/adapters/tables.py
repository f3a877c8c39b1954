"""What intake knows of the roster on record, folded from its own events (rebuildable from the stream)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class KnownHousehold(SQLModel, table=True):
    __tablename__ = "intake_households"

    household_id: str = Field(primary_key=True)
    village: str
    fingerprint: str
    removed: bool = False


class KnownImport(SQLModel, table=True):
    __tablename__ = "intake_imports"

    import_id: str = Field(primary_key=True)


class KnownVillage(SQLModel, table=True):
    __tablename__ = "intake_villages"

    village: str = Field(primary_key=True)
    fingerprint: str


TABLES = (KnownHousehold, KnownImport, KnownVillage)

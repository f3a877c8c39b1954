"""What intake knows of the roster and the rows it rejected, folded from its own events (rebuildable)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from lookback.store import ChainHead


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


class KnownRejection(SQLModel, table=True):
    """A rejected row already kept, so a problem list imported again does not reject it twice."""

    __tablename__ = "intake_rejections"

    import_id: str = Field(primary_key=True)
    sheet: str = Field(primary_key=True)
    row: int = Field(primary_key=True)


TABLES = (KnownHousehold, KnownImport, KnownVillage, KnownRejection, ChainHead)

"""One household as the rules see it: its rows in sheet order, its 户主 row and each person's age.

docs/rules.md: household-level fields come from the single 户主 row; with none or several (R07D)
from the first row in sheet order. Age is full years at `as_of` from 出生日期 when it is readable,
else from a valid 证件号码, else unknown (and R01 cannot hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.rules.domain import cells, idcard
from services.rules.domain.cells import Cells
from services.rules.domain.inputs import HouseholdLike, RowLike
from services.rules.domain.settings import RuleSettings
from services.rules.domain.subject_keys import person_keys

HEAD = "户主"


@dataclass(frozen=True)
class Person:
    row: int
    cells: Cells
    id_number: str
    id_defect: str | None
    id_birth: date | None
    id_sex: str | None
    recorded_birth: date | None
    """出生日期 as `cells.day` reads it (R07B compares it, the age falls back from it)."""
    age: int | None
    subject_key: str

    @property
    def id_valid(self) -> bool:
        return self.id_defect is None


@dataclass(frozen=True)
class Household:
    household_id: str
    village: str
    as_of: date
    persons: tuple[Person, ...]
    head_rows: int
    line: Decimal
    cells: Cells
    """The household-level fields: the 户主 row's, or the first row's when R07D holds. Chosen once here:
    the household rules read it about 25 times a household."""


def read_household(event: HouseholdLike, settings: RuleSettings) -> Household:
    rows = sorted(event.persons, key=lambda p: p.row)
    keys = person_keys(event.household_id, rows)
    persons = tuple(_read_person(row, keys[row.row], event.as_of, settings) for row in rows)
    heads = [p for p in persons if p.cells.get("与户主关系") == HEAD]
    return Household(
        household_id=event.household_id,
        village=event.village,
        as_of=event.as_of,
        persons=persons,
        head_rows=len(heads),
        line=settings.line_for(event.as_of),
        cells=(heads[0] if len(heads) == 1 else persons[0]).cells,
    )


def age_on(birth: date, as_of: date) -> int:
    """Full years; a birthday on `as_of` counts (docs/rules.md)."""
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def _read_person(row: RowLike, subject_key: str, as_of: date, settings: RuleSettings) -> Person:
    number = row.cells.get("证件号码", "").strip()
    reading = idcard.read(number, strict_x=settings.strict_x)
    recorded_birth = cells.day(row.cells, "出生日期")
    birth = recorded_birth or reading.birth
    return Person(
        row=row.row,
        cells=row.cells,
        id_number=number,
        id_defect=reading.defect,
        id_birth=reading.birth,
        id_sex=reading.sex,
        recorded_birth=recorded_birth,
        age=None if birth is None else age_on(birth, as_of),
        subject_key=subject_key,
    )

"""The shape of what the rules read, as protocols that intake's events already satisfy.

`HouseholdRecorded`, `PersonRow` and `VillageRecorded` (lookback.contracts.intake) fit these
shapes as they are; the pure core names only the fields it reads, so it does not depend on the
wire format and tests may pass any plain object of the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol


class RowLike(Protocol):
    @property
    def row(self) -> int: ...
    @property
    def cells(self) -> Mapping[str, str]: ...


class HouseholdLike(Protocol):
    @property
    def household_id(self) -> str: ...
    @property
    def village(self) -> str: ...
    @property
    def as_of(self) -> date: ...
    @property
    def persons(self) -> Sequence[RowLike]: ...


class VillageLike(Protocol):
    @property
    def village(self) -> str: ...
    @property
    def cells(self) -> Mapping[str, str]: ...

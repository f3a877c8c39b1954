"""Accepted person rows gathered into households by 户编号.

A household's rows need not be contiguous in the sheet; they keep sheet order, because "the first
row" stands in for the household-level cells when there is no single 户主 row (R07D). Rows are held
packed (`pack`: one UTF-8 string of the row's cell text, against the sheet's shared column list) and
become `PersonRow`s only when a household is published: a row's tuple and its own strings took about
three times the memory (issue 17: 3.2 KB per household, 1.3 GB for a 400,000-household roster).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from lookback.contracts.intake import PersonRow
from services.intake.domain.cells import cells_of
from services.intake.domain.columns import HEAD, RELATION, VILLAGE
from services.intake.domain.sheet import Row

_SEPARATOR = "\x1f"  # ASCII unit separator: no cell a town types holds it, and one that does stays unpacked

Packed: TypeAlias = bytes | tuple[str, ...]
"""A row's cell text as `pack` keeps it: equal rows pack equal."""


def pack(values: tuple[str, ...]) -> Packed:
    text = _SEPARATOR.join(values)
    return text.encode() if text.count(_SEPARATOR) == len(values) - 1 else values


def unpack(packed: Packed) -> tuple[str, ...]:
    return packed if isinstance(packed, tuple) else tuple(packed.decode().split(_SEPARATOR))


@dataclass(frozen=True, eq=False)
class HouseholdDraft:
    """A household as this import shows it, ready to become a `HouseholdRecorded`.

    `columns` is the sheet's list of column names, shared by all its households; `packed` holds the
    household's accepted rows in sheet order (`rows` unpacks them). Compare drafts by `persons` (or their fingerprint,
    `domain/diff.py`): the same cells in another column order are the same household.
    """

    household_id: str
    village: str
    columns: Sequence[str]
    packed: tuple[tuple[int, Packed], ...]

    @property
    def rows(self) -> list[Row]:
        return [(row, unpack(values)) for row, values in self.packed]

    @property
    def cells(self) -> list[dict[str, str]]:
        """Each row's cells, as `PersonRow.cells` holds them; built on each call rather than held for every
        household."""
        return [cells_of(self.columns, values) for _, values in self.rows]

    @property
    def persons(self) -> list[PersonRow]:
        """The rows as the event carries them. Their cells are text already (`RowReader`): constructed,
        not validated again, since validating them cost as much as the event's own validation."""
        return [
            PersonRow.model_construct(row=row, cells=cells)
            for (row, _), cells in zip(self.rows, self.cells, strict=True)
        ]


def group_households(rows: Iterable[tuple[str, int, Packed]], columns: Sequence[str]) -> list[HouseholdDraft]:
    """Households in the order their 户编号 first appears, from (户编号, row, packed values) of accepted rows."""
    members: dict[str, list[tuple[int, Packed]]] = {}
    for household_id, row, packed in rows:
        members.setdefault(household_id, []).append((row, packed))
    return [
        HouseholdDraft(
            household_id, _village([(r, unpack(p)) for r, p in household], columns), columns, tuple(household)
        )
        for household_id, household in members.items()
    ]


def _village(household: list[Row], columns: Sequence[str]) -> str:
    """行政村 of the single 户主 row, else of the first row (docs/rules.md). Read by column index: an
    accepted row has a 行政村, and a sheet without 与户主关系 has no 户主 row."""
    village = columns.index(VILLAGE)
    relation = columns.index(RELATION) if RELATION in columns else None
    heads = [values for _, values in household if relation is not None and values[relation] == HEAD]
    return (heads[0] if len(heads) == 1 else household[0][1])[village]

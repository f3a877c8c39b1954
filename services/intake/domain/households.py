"""Accepted person rows gathered into households by 户编号.

A household's rows need not be contiguous in the sheet; they keep sheet order, because "the first
row" stands in for the household-level cells when there is no single 户主 row (R07D). Rows are held
as tuples of cell text against the sheet's shared column list and become `PersonRow`s only when a
household is published, which keeps a whole 400,000-row roster affordable in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lookback.contracts.intake import PersonRow
from services.intake.domain.cells import cells_of
from services.intake.domain.columns import HEAD, RELATION, VILLAGE
from services.intake.domain.sheet import Row


@dataclass(frozen=True, eq=False)
class HouseholdDraft:
    """A household as this import shows it, ready to become a `HouseholdRecorded`.

    `columns` is the sheet's list of column names, shared by all its households; `rows` holds the
    household's accepted rows in sheet order. Compare drafts by `persons` (or their fingerprint,
    `domain/diff.py`): the same cells in another column order are the same household.
    """

    household_id: str
    village: str
    columns: Sequence[str]
    rows: tuple[Row, ...]

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


def group_households(rows: Iterable[tuple[str, Row]], columns: Sequence[str]) -> list[HouseholdDraft]:
    """Households in the order their 户编号 first appears, from (户编号, row) pairs of accepted rows."""
    members: dict[str, list[Row]] = {}
    for household_id, row in rows:
        members.setdefault(household_id, []).append(row)
    return [
        HouseholdDraft(household_id, _village(household, columns), columns, tuple(household))
        for household_id, household in members.items()
    ]


def _village(household: list[Row], columns: Sequence[str]) -> str:
    """行政村 of the single 户主 row, else of the first row (docs/rules.md). Read by column index: an
    accepted row has a 行政村, and a sheet without 与户主关系 has no 户主 row."""
    village = columns.index(VILLAGE)
    relation = columns.index(RELATION) if RELATION in columns else None
    heads = [values for _, values in household if relation is not None and values[relation] == HEAD]
    return (heads[0] if len(heads) == 1 else household[0][1])[village]

"""A roster's sheets turned into households, villages and rejected rows (pure: the rows come in as text).

Every row read is either accepted or rejected, never dropped, so a town can account for what it sent;
only rows with no value at all are skipped, as they hold nothing to lose. The 村级信息 sheet is read
first because the villages it declares join the town's configured ones for the 人口明细 checks.
Person rows are consumed as a stream; only accepted rows are kept, grouped into households. A row that
copies an earlier one cell for cell is rejected (the person would count twice), and so is a row whose
行政村 is not its household's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from lookback.contracts.intake import Rejection
from services.intake.domain.cells import RowReader, cells_of
from services.intake.domain.checks import check_person, check_village
from services.intake.domain.columns import (
    HOUSEHOLD_ID,
    PERSON_MARKERS,
    PERSONS,
    VILLAGE,
    VILLAGE_MARKERS,
    VILLAGES,
)
from services.intake.domain.errors import NotARoster
from services.intake.domain.faults import fault
from services.intake.domain.households import HouseholdDraft, Packed, group_households, pack
from services.intake.domain.sheet import SheetRows, filled_rows, header_names, rejection


@dataclass(frozen=True)
class VillageDraft:
    """An accepted 村级信息 row, ready to become a `VillageRecorded`."""

    village: str
    row: int
    cells: dict[str, str]


@dataclass(frozen=True)
class ParsedRoster:
    """What one import found. Per sheet, accepted + rejected rows = `rows_read`, so nothing goes missing.

    `headers` holds each sheet's column names as its header gave them, for the file-level checks.
    """

    households: list[HouseholdDraft]
    villages: list[VillageDraft]
    rejected: list[Rejection]
    rows_read: dict[str, int]
    headers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def persons_accepted(self) -> int:
        return sum(len(h.packed) for h in self.households)

    def rows_accepted(self, sheet: str) -> int:
        return self.persons_accepted if sheet == PERSONS else len(self.villages)


def parse_sheets(persons: SheetRows, villages: SheetRows | None, configured: Iterable[str]) -> ParsedRoster:
    """Check and place every row; `configured` is the town's village list from its configuration."""
    headers = {sheet.sheet: tuple(column_names(sheet)) for sheet in (persons, villages) if sheet is not None}
    person_reader = RowReader(headers[PERSONS])
    rejected: list[Rejection] = []
    read = {PERSONS: 0, VILLAGES: 0}
    declared = _villages(villages, headers[VILLAGES], rejected, read) if villages else {}
    town = frozenset(v.strip() for v in configured) | declared.keys()

    seen: set[Packed] = set()

    def accepted_persons() -> Iterator[tuple[str, int, Packed]]:
        for row, values in filled_rows(persons, person_reader):
            read[PERSONS] += 1
            cells = cells_of(person_reader.columns, values)
            packed = pack(values)
            if problem := check_person(cells, town) or (fault("same_row", HOUSEHOLD_ID) if packed in seen else None):
                rejected.append(rejection(PERSONS, row, problem, cells))
            else:
                seen.add(packed)  # the households hold these rows anyway: the set costs only its table
                yield cells[HOUSEHOLD_ID], row, packed

    households = [_in_one_village(h, rejected) for h in group_households(accepted_persons(), person_reader.columns)]
    rejected.sort(key=lambda r: (r.sheet == PERSONS, r.row))  # as read: 村级信息 first, then 人口明细
    return ParsedRoster(households, list(declared.values()), rejected, read, headers)


def _in_one_village(household: HouseholdDraft, rejected: list[Rejection]) -> HouseholdDraft:
    """The household without its rows in another village than its own (its 户主's): one 户编号 in two
    villages would join two villages' people into one household, so those rows are rejected instead."""
    village = household.columns.index(VILLAGE)
    rows = household.rows
    if all(values[village] == household.village for _, values in rows):
        return household
    kept: list[tuple[int, Packed]] = []
    for (row, values), (_, packed) in zip(rows, household.packed, strict=True):
        if values[village] == household.village:
            kept.append((row, packed))
        else:
            cells = cells_of(household.columns, values)
            rejected.append(rejection(PERSONS, row, fault("other_village", VILLAGE), cells))
    return replace(household, packed=tuple(kept))


def _villages(
    sheet: SheetRows, names: Sequence[str], rejected: list[Rejection], read: dict[str, int]
) -> dict[str, VillageDraft]:
    """The accepted 村级信息 rows by village; rejected rows declare no village."""
    reader = RowReader(names)
    declared: dict[str, VillageDraft] = {}
    for row, values in filled_rows(sheet, reader):
        read[VILLAGES] += 1
        cells = cells_of(reader.columns, values)
        if problem := check_village(cells, declared):
            rejected.append(rejection(VILLAGES, row, problem, cells))
        else:
            declared[cells[VILLAGE]] = VillageDraft(cells[VILLAGE], row, cells)
    return declared


def column_names(sheet: SheetRows) -> list[str]:
    """The header's names (see `header_names`); a header without the sheet's own columns is not a roster."""
    names = header_names(sheet, NotARoster)
    markers = PERSON_MARKERS if sheet.sheet == PERSONS else VILLAGE_MARKERS
    if not markers & set(names):
        wanted = "、".join(sorted(markers))
        raise NotARoster(
            f"{sheet.source}：{sheet.sheet}表头中没有{wanted}列",
            f"{sheet.source}: the {sheet.sheet} header has no {' or '.join(sorted(markers))} column",
        )
    return names

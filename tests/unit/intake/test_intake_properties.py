"""Whatever a town's sheet holds, parsing never crashes and every row read is accounted for."""

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from services.intake.adapters.sheets import parse_roster
from services.intake.domain.checks import check_person
from services.intake.domain.columns import PERSON_LISTS, PERSON_MARKERS, PERSONS, VILLAGES
from services.intake.domain.errors import NotARoster
from services.intake.domain.faults import fault
from services.intake.domain.roster import SheetRows, parse_sheets

from .builders import HEAD_ROW, TOWN

SAMPLES = {
    **{column: [*allowed, "不详"] for column, allowed in PERSON_LISTS.items()},
    "户编号": ["1", "2", " 3 ", "0001"],
    "行政村": [*TOWN, "桃源村", f" {TOWN[0]} "],
    "家庭人口数": ["1", "3.0", " 4 ", "0", "-1", "2.5", "三"],
    "人均纯收入": ["4000.00", "1e3", " 2793 ", "abc"],
    "出生日期": ["1974/6/22", "19740622", "1974-06-22", "2019-02-29", "不详"],
    "姓名": ["储礼友", "张 三"],
    "证件号码": ["342423195208089411", "34152320121201065x", "123"],
}
COLUMNS = [*HEAD_ROW, "出生日期", "帮扶计划", "联系电话", "备注"]
SPACES = st.sampled_from(["", " ", "  ", "\u3000", "\t"])
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=6)


def cell(column: str, messy: bool) -> st.SearchStrategy[str]:
    """Mostly the column's own kind of value; in a messy row, anything at all."""
    known = st.sampled_from(SAMPLES[column]) if column in SAMPLES else ANY_TEXT
    tidy = st.one_of(known, known.map(lambda value: f" {value}\u3000"))
    return st.one_of(tidy, SPACES, ANY_TEXT) if messy else tidy


@st.composite
def person_sheets(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    """A header of known and made-up columns in any order, and rows with cells missing or extra."""
    known = draw(st.lists(st.sampled_from(COLUMNS), unique=True))
    if draw(st.booleans()):
        known = list(dict.fromkeys([*known, "户编号", "行政村", "姓名", "证件号码"]))
    header = draw(st.permutations([*known, *draw(st.lists(st.one_of(ANY_TEXT, SPACES), max_size=3))]))
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        messy = draw(st.booleans())
        row = [draw(cell(column.strip(), messy)) for column in header]
        rows.append(row[: draw(st.integers(0, len(row)))] if draw(st.booleans()) else row + draw(st.lists(ANY_TEXT)))
    return header, rows


def is_roster(header: list[str]) -> bool:
    names = [name.strip() or str(i) for i, name in enumerate(header)]
    return bool(PERSON_MARKERS & set(names)) and len(set(names)) == len(names)


def filled(rows: list[list[str]]) -> set[int]:
    return {number for number, row in enumerate(rows, start=2) if any(value.strip() for value in row)}


def assert_accounted_for(parsed, rows: list[list[str]]) -> None:
    accepted = [p.row for h in parsed.households for p in h.persons]
    rejected = [r.row for r in parsed.rejected if r.sheet == PERSONS]
    assert len(accepted) + len(rejected) == parsed.rows_read[PERSONS] == len(filled(rows))
    assert set(accepted) | set(rejected) == filled(rows)
    assert not set(accepted) & set(rejected)
    town = {*TOWN, *(v.village for v in parsed.villages)}
    for household in parsed.households:
        assert all(p.cells["户编号"] == household.household_id for p in household.persons)
        assert all(check_person(p.cells, town) is None for p in household.persons)
    in_context = {(f.column, f.reason_zh) for f in (fault("same_row", "户编号"), fault("other_village", "行政村"))}
    for rejection in parsed.rejected:
        found = check_person(rejection.cells, town)
        if found is None:  # a fault only the rows before it make: a copy, or another village
            assert (rejection.column, rejection.reason_zh) in in_context
            continue
        assert (found.column, found.reason_zh, found.reason_en) == (
            rejection.column,
            rejection.reason_zh,
            rejection.reason_en,
        )


@settings(max_examples=200, deadline=None)
@given(person_sheets())
def test_any_sheet_parses_or_is_refused_as_a_whole(sheet):
    header, rows = sheet
    numbered = list(enumerate(rows, start=2))
    try:
        parsed = parse_sheets(SheetRows(PERSONS, "t.csv", header, numbered), None, TOWN)
    except NotARoster:
        assert not is_roster(header)
        return
    assert is_roster(header)
    assert_accounted_for(parsed, rows)
    assert parsed.rows_read[VILLAGES] == 0
    event(f"households: {min(len(parsed.households), 2)}, rejected: {min(len(parsed.rejected), 2)}")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(person_sheets(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_any_csv_file_parses_or_is_refused_as_a_whole(sheet, encoding):
    header, rows = sheet
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        try:
            with path.open("w", encoding=encoding, newline="") as handle:
                csv.writer(handle).writerows([header, *rows])
        except UnicodeEncodeError:
            assume(False)
        try:
            parsed = parse_roster([path], TOWN)
        except NotARoster:
            assert encoding == "gb18030" or not is_roster(header)
            return
    assert parsed.persons_accepted + len(parsed.rejected) == parsed.rows_read[PERSONS]
    if encoding != "gb18030":  # GB18030 bytes may happen to be UTF-8 and read as other text
        assert is_roster(header)
        assert_accounted_for(parsed, rows)

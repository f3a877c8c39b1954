"""Rows placed into households and villages, or rejected, with every row accounted for."""

from datetime import date

import pytest

from lookback.contracts.intake import HouseholdRecorded, PersonRow
from services.intake.domain.columns import PERSONS, VILLAGES
from services.intake.domain.diff import fingerprint
from services.intake.domain.errors import NotARoster
from services.intake.domain.roster import SheetRows, parse_sheets
from services.intake.domain.roster_events import OnRecord, import_events

from .builders import parse, person, sheet, village

SPOUSE = {"与户主关系": "配偶", "姓名": "谭美凤", "证件号码": "341523195311017664", "性别": "女"}


def test_households_gather_their_rows_wherever_they_are_in_the_sheet():
    parsed = parse(
        [
            person(户编号="A"),
            person(户编号="B", 行政村="新河村"),
            person(户编号="A", **SPOUSE),
        ]
    )
    assert [h.household_id for h in parsed.households] == ["A", "B"]
    assert [[p.row for p in h.persons] for h in parsed.households] == [[2, 4], [3]]
    assert parsed.households[0].persons[1].cells["姓名"] == "谭美凤"


def test_a_household_lies_in_the_village_of_its_single_户主_row():
    parsed = parse([person(行政村="新河村", **SPOUSE), person(行政村="桃园村")])
    assert parsed.households[0].village == "桃园村"


def test_a_row_in_another_village_than_its_households_is_rejected_not_joined_to_it():
    parsed = parse([person(行政村="新河村", **SPOUSE), person(行政村="桃园村"), person(**SPOUSE)])
    [household] = parsed.households
    assert (household.village, [p.row for p in household.persons]) == ("桃园村", [3, 4])
    [rejection] = parsed.rejected
    assert (rejection.row, rejection.column, rejection.reason_en) == (
        2,
        "行政村",
        "行政村 is not the village of its household (the 户主 row's), though the 户编号 is the same",
    )


def test_an_exact_copy_of_an_earlier_row_is_rejected_so_the_person_counts_once():
    parsed = parse([person(), person(**SPOUSE), person(**SPOUSE)])
    assert [p.row for p in parsed.households[0].persons] == [2, 3]
    assert [(r.row, r.reason_zh) for r in parsed.rejected] == [(4, "本行各列与前面一行完全相同")]


@pytest.mark.parametrize("born", ["abc", "2019-02-30", "1990/13/1"])
def test_a_birth_date_that_is_no_date_is_rejected_with_its_column(born):
    parsed = parse([person(), person(**SPOUSE, 出生日期=born)])
    assert [(r.row, r.column) for r in parsed.rejected] == [(3, "出生日期")]
    assert born not in parsed.rejected[0].reason_zh + parsed.rejected[0].reason_en


@pytest.mark.parametrize("relations", [("配偶", "之子"), ("户主", "户主")])
def test_without_a_single_户主_the_first_row_gives_the_village(relations):
    parsed = parse([person(行政村="新河村", 与户主关系=relations[0]), person(与户主关系=relations[1])])
    assert parsed.households[0].village == "新河村"


def test_rows_are_numbered_as_the_sheet_numbers_them_and_empty_rows_are_skipped():
    rows = sheet([person(), person(户编号="B")])
    blank = [" "] * len(rows.header)
    data = list(rows.rows)
    spaced = SheetRows(PERSONS, "test", rows.header, [(2, data[0][1]), (3, blank), (4, []), (5, data[1][1])])
    parsed = parse_sheets(spaced, None, ["桃园村"])
    assert [p.row for h in parsed.households for p in h.persons] == [2, 5]
    assert parsed.rows_read == {PERSONS: 2, VILLAGES: 0}


def test_cells_are_trimmed_empty_ones_left_out_and_no_default_applied():
    parsed = parse([person(姓名=" 储礼友 ", 在校生状况="", 帮扶计划="  ", 家庭医生签约="", 出生日期="1952/8/8")])
    cells = parsed.households[0].persons[0].cells
    assert cells["姓名"] == "储礼友"
    assert cells["出生日期"] == "1952-08-08"
    assert not {"在校生状况", "帮扶计划", "家庭医生签约"} & cells.keys()


def test_unknown_columns_travel_untouched_but_trimmed():
    parsed = parse([person(核查人=" 贾成文 ", 备注='含逗号, 和"引号"')])
    cells = parsed.households[0].persons[0].cells
    assert (cells["核查人"], cells["备注"]) == ("贾成文", '含逗号, 和"引号"')


def test_the_town_is_its_configured_villages_and_those_the_village_sheet_declares():
    parsed = parse(
        [person(户编号="1", 行政村="桃园村"), person(户编号="2", 行政村="茶山村"), person(户编号="3", 行政村="松林村")],
        [village(行政村="茶山村")],
        configured=[" 桃园村 "],
    )
    assert [h.household_id for h in parsed.households] == ["1", "2"]
    assert [(r.row, r.column, r.reason_en) for r in parsed.rejected] == [
        (4, "行政村", "行政村 is not a village of the town")
    ]


def test_a_rejected_village_row_declares_no_village():
    parsed = parse([person(行政村="茶山村")], [village(行政村="茶山村", 村卫生室="不详")], configured=[])
    assert [(r.sheet, r.row, r.column) for r in parsed.rejected] == [(VILLAGES, 2, "村卫生室"), (PERSONS, 2, "行政村")]
    assert parsed.households == [] and parsed.villages == []


def test_village_rows_are_kept_with_their_row_and_cells():
    parsed = parse([person()], [village(行政村="桃园村", 集体经济收入=" 23.490 "), village(行政村="桃园村")])
    [kept] = parsed.villages
    assert (kept.village, kept.row, kept.cells["集体经济收入"]) == ("桃园村", 2, "23.49")
    assert [(r.sheet, r.row, r.column) for r in parsed.rejected] == [(VILLAGES, 3, "行政村")]


def test_a_rejected_row_is_kept_whole_and_the_rest_of_its_household_goes_on():
    parsed = parse([person(), person(**{**SPOUSE, "性别": "F"})])
    [rejection] = parsed.rejected
    assert (rejection.sheet, rejection.row, rejection.column) == (PERSONS, 3, "性别")
    assert rejection.cells["姓名"] == "谭美凤" and rejection.cells["性别"] == "F"
    assert [p.row for p in parsed.households[0].persons] == [2]


def test_every_row_read_is_accepted_or_rejected():
    rows = [person(户编号=str(n % 4), 性别="男女"[n % 2] if n % 3 else "?") for n in range(30)]
    parsed = parse(rows, [village(), village(行政村="")])
    for name, accepted in ((PERSONS, parsed.persons_accepted), (VILLAGES, len(parsed.villages))):
        assert accepted == parsed.rows_accepted(name)
        assert accepted + sum(r.sheet == name for r in parsed.rejected) == parsed.rows_read[name]
    assert parsed.rows_read == {PERSONS: 30, VILLAGES: 2}


def test_a_household_becomes_the_event_the_rules_read():
    household = parse([person(), person(**SPOUSE)]).households[0]
    event = HouseholdRecorded(
        household_id=household.household_id,
        village=household.village,
        as_of=date(2019, 12, 1),
        import_id="i1",
        persons=household.persons,
    )
    assert event.persons == [PersonRow(row=2, cells=person()), PersonRow(row=3, cells=person(**SPOUSE))]


def test_the_fingerprint_ignores_row_numbers_and_column_order_but_not_cells_or_row_order():
    def digest(rows, first_row=2):
        parsed = parse_sheets(SheetRows(PERSONS, "t", rows[0], list(enumerate(rows[1:], first_row))), None, ["桃园村"])
        return fingerprint(date(2019, 12, 1), parsed.households[0].cells)

    header = list(person())
    head, spouse = list(person().values()), list(person(**SPOUSE).values())
    reordered = [header[::-1], head[::-1], spouse[::-1]]
    same = digest([header, head, spouse])
    assert digest([header, head, spouse], first_row=40) == same
    assert digest(reordered) == same
    assert digest([header, spouse, head]) != same
    assert digest([header, head, list(person(**{**SPOUSE, "人均纯收入": "2794"}).values())]) != same


def test_a_header_without_the_sheets_own_columns_is_not_a_roster():
    with pytest.raises(NotARoster, match="人口明细"):
        parse_sheets(SheetRows(PERSONS, "a.csv", ["行政村", "备注"], []), None, [])
    with pytest.raises(NotARoster, match="村级信息"):
        parse_sheets(sheet([person()]), SheetRows(VILLAGES, "b.csv", ["行政村"], []), [])


def test_a_header_naming_a_column_twice_is_not_a_roster():
    with pytest.raises(NotARoster, match="行政村"):
        parse_sheets(SheetRows(PERSONS, "a.csv", ["户编号", "行政村", " 行政村 "], []), None, [])


def test_header_names_are_trimmed_and_a_nameless_column_keeps_its_cells():
    header = [f" {name} " for name in person()] + [""]
    rows = [(2, [*person().values(), "手写"])]
    parsed = parse_sheets(SheetRows(PERSONS, "t", header, rows), None, ["桃园村"])
    cells = parsed.households[0].persons[0].cells
    assert cells["户编号"] == "3415230010010001"
    assert cells[f"第{len(header)}列"] == "手写"


def test_the_fingerprint_keeps_the_value_stored_before_and_the_event_carries_it():
    """intake_households holds fingerprints taken when they were computed from `PersonRow`s (the value of
    main before issue 17's import work): a re-import of the same household must still find it unchanged."""
    parsed = parse([person(), person(**SPOUSE)])
    stored = "8697c7cebb33d532bb295169c34ba847fc8761ec9240402c7f49260a7cbcc786"
    assert fingerprint(date(2019, 12, 1), parsed.households[0].cells) == stored
    nothing = OnRecord(households=[], villages={}, seen=False, rejected=set())
    [recorded] = [d.event for d in import_events(parsed, nothing, "i1", date(2019, 12, 1), False, "t")][:1]
    assert isinstance(recorded, HouseholdRecorded) and recorded.fingerprint == stored

"""Reading the files towns send: CSV in any of its encodings, workbooks with date and number cells."""

from datetime import date, datetime, time

import openpyxl
import pytest

from services.intake.adapters.sheets import detect_encoding, excel_text, open_sheets, parse_roster
from services.intake.domain.columns import PERSONS, VILLAGES
from services.intake.domain.errors import NotARoster

from .builders import TOWN, person, table, village, write_csv

SPOUSE = {
    "与户主关系": "配偶",
    "姓名": "谭美凤",
    "证件号码": "341523195311017664",
    "性别": "女",
    "出生日期": " 1953/11/1 ",
}
ROWS = [person(), person(**SPOUSE)]


def households(parsed):
    return [(h.household_id, h.village, [(p.row, p.cells) for p in h.persons]) for h in parsed.households]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8-sig"),
        ("utf-8-sig", "utf-8-sig"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),
    ],
)
def test_csv_encodings_are_detected_and_read_alike(tmp_path, encoding, detected):
    roster = write_csv(tmp_path / "roster.csv", table(ROWS), encoding)
    villages = write_csv(tmp_path / "villages.csv", table([village()]), encoding)
    assert detect_encoding(roster) == detected
    parsed = parse_roster([villages, roster], ["新河村"])
    expected = parse_roster([write_csv(tmp_path / "plain.csv", table(ROWS)), villages], ["新河村"])
    assert households(parsed) == households(expected)
    assert households(parsed)[0][2][1][1]["出生日期"] == "1953-11-01"
    assert [v.village for v in parsed.villages] == ["桃园村"]


def test_a_bom_does_not_stick_to_the_first_column_name(tmp_path):
    roster = write_csv(tmp_path / "r.csv", table([{"户编号": "1", **person()}]), "utf-8-sig")
    assert parse_roster([roster], TOWN).households[0].household_id == "3415230010010001"


def test_csv_rows_are_counted_as_records_so_a_quoted_line_break_stays_in_its_row(tmp_path):
    roster = write_csv(tmp_path / "r.csv", table([person(备注="两行\n备注"), person(户编号="2")]))
    parsed = parse_roster([roster], TOWN)
    assert [(h.household_id, h.persons[0].row) for h in parsed.households] == [("3415230010010001", 2), ("2", 3)]
    assert parsed.households[0].persons[0].cells["备注"] == "两行\n备注"


def workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_workbook_date_and_number_cells_read_as_a_town_typed_them(tmp_path):
    header = [*person(), "备注"]
    head = [*person().values(), None]
    numbers = dict(zip(header, head, strict=True)) | {
        "户编号": 3415230010010001.0,
        "证件号码": 341523195208089411,
        "家庭人口数": 3.0,
        "人均纯收入": 4000.5,
        "出生日期": datetime(1952, 8, 8),
        "小额信贷到期日": date(2019, 12, 1),
        "脱贫年度": 2018,
        "备注": 1e16,
    }
    path = workbook(tmp_path / "r.xlsx", {PERSONS: [list(numbers), list(numbers.values())]})
    cells = parse_roster([path], TOWN).households[0].persons[0].cells
    assert cells["户编号"] == "3415230010010001"
    assert cells["证件号码"] == "341523195208089400"  # a number cell holds 15-17 digits; no exponent form
    assert cells["家庭人口数"] == "3"
    assert cells["人均纯收入"] == "4000.5"
    assert cells["出生日期"] == "1952-08-08"
    assert cells["小额信贷到期日"] == "2019-12-01"
    assert cells["脱贫年度"] == "2018"
    assert cells["备注"] == "10000000000000000"


def test_a_number_cell_formatted_as_a_date_is_a_date(tmp_path):
    path = workbook(tmp_path / "r.xlsx", {PERSONS: [[*person(), "出生日期"], [*person().values(), 43000]]})
    book = openpyxl.load_workbook(path)
    book[PERSONS].cell(2, len(person()) + 1).number_format = "yyyy-mm-dd"
    book.save(path)
    assert parse_roster([path], TOWN).households[0].persons[0].cells["出生日期"] == "2017-09-22"


def test_a_workbook_reads_its_village_sheet_first_whatever_the_sheet_order(tmp_path):
    path = workbook(
        tmp_path / "r.xlsx",
        {
            " 人口明细 ": table([person(行政村="茶山村")]),
            "说明": [["随便写点什么"]],
            VILLAGES: table([village(行政村="茶山村")]),
        },
    )
    parsed = parse_roster([path], [])
    assert [h.village for h in parsed.households] == ["茶山村"]
    assert [(v.village, v.row) for v in parsed.villages] == [("茶山村", 2)]


def test_an_empty_village_sheet_declares_nothing(tmp_path):
    path = workbook(tmp_path / "r.xlsx", {PERSONS: table([person()]), VILLAGES: []})
    assert parse_roster([path], TOWN).rows_read == {PERSONS: 1, VILLAGES: 0}


def test_open_sheets_leaves_rows_unread_until_asked(tmp_path):
    roster = write_csv(tmp_path / "r.csv", table(ROWS))
    with open_sheets([roster]) as sheets:
        assert list(sheets) == [PERSONS]
        assert len(list(sheets[PERSONS].rows)) == 2


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "TRUE"),
        (3, "3"),
        (3.0, "3"),
        (-0.5, "-0.5"),
        (22.3, "22.3"),
        (1e-7, "0.0000001"),
        (341523195208089411, "341523195208089411"),
        (datetime(2019, 12, 1), "2019-12-01"),
        (datetime(2019, 12, 1, 8, 30), "2019-12-01 08:30:00"),
        (date(2019, 1, 2), "2019-01-02"),
        (time(8, 30), "08:30:00"),
        (" 桃园村 ", " 桃园村 "),
        ("#N/A", "#N/A"),
    ],
)
def test_excel_values_become_text_without_spurious_decimals(value, text):
    assert excel_text(value) == text


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>\nstream\x00\x01\x02\xff\nendstream\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("roster.xlsx", PDF),
        ("roster.csv", PDF),
        ("roster.xlsx", b""),
        ("roster.csv", b""),
        ("roster.csv", b"\r\n\r\n"),
        ("roster.csv", "名称,数量,单价\n苹果,3,5\n".encode()),
        ("roster.csv", b"\xff\xfe\x00\x00garbage\x80\x80"),
        ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
        ("roster.pdf", PDF),
    ],
)
def test_a_file_that_is_not_a_roster_gives_the_one_clear_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NotARoster) as raised:
        parse_roster([path], TOWN)
    assert name in raised.value.zh and name in raised.value.en
    assert str(raised.value) == f"{raised.value.zh} / {raised.value.en}"


def test_a_workbook_without_the_persons_sheet_is_not_a_roster(tmp_path):
    path = workbook(tmp_path / "r.xlsx", {"Sheet1": table([person()]), VILLAGES: table([village()])})
    with pytest.raises(NotARoster, match="no sheet named 人口明细"):
        parse_roster([path], TOWN)


def test_a_workbook_with_an_empty_persons_sheet_is_not_a_roster(tmp_path):
    path = workbook(tmp_path / "r.xlsx", {PERSONS: []})
    with pytest.raises(NotARoster, match="empty"):
        parse_roster([path], TOWN)


def test_a_workbook_persons_sheet_with_a_random_header_is_not_a_roster(tmp_path):
    path = workbook(tmp_path / "r.xlsx", {PERSONS: [["名称", "数量"], ["苹果", 3]]})
    with pytest.raises(NotARoster, match="header"):
        parse_roster([path], TOWN)


def test_files_without_a_persons_sheet_or_with_one_sheet_twice_are_not_a_roster(tmp_path):
    villages = write_csv(tmp_path / "v.csv", table([village()]))
    with pytest.raises(NotARoster, match="none of the files"):
        parse_roster([villages], TOWN)
    first, second = (write_csv(tmp_path / name, table(ROWS)) for name in ("a.csv", "b.csv"))
    with pytest.raises(NotARoster, match=r"both a\.csv and b\.csv"):
        parse_roster([first, second], TOWN)


def test_a_missing_file_is_reported_the_same_way(tmp_path):
    with pytest.raises(NotARoster):
        parse_roster([tmp_path / "gone.csv"], TOWN)
    with pytest.raises(NotARoster):
        parse_roster([tmp_path / "gone.xlsx"], TOWN)

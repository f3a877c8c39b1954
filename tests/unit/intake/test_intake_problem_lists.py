"""Problem lists (问题清单) as towns send them: every row accounted for, any encoding, one error for a
file that is not a list."""

from datetime import date, datetime

import openpyxl
import pytest

from services.intake.adapters.problem_lists import read_problem_list
from services.intake.adapters.sheets import parse_roster
from services.intake.domain.errors import NotAProblemList, NotARoster
from services.intake.domain.issue_columns import ISSUES
from services.intake.domain.problem_list import parse_problem_list
from services.intake.domain.sheet import SheetRows

from .builders import TOWN, person, table, write_csv
from .issue_builders import PLACES, issue_row

LIST = [
    issue_row(),
    issue_row(行政村或单位="新河村", 问题条目="13", 问题描述="帮扶措施未落实到户", 户编号="3415230010010002"),
    issue_row(问题条目="35", 问题描述="条目写错"),
    {},  # a blank line in the middle of the list
    issue_row(行政村或单位="财政分局", 问题条目="28", 问题描述="扶贫资金拨付滞后", 整改时限="2020-03-31"),
]


def sheet(rows, header=None):
    head, *body = table(rows)
    return SheetRows(ISSUES, "list.csv", header or head, [(n, r) for n, r in enumerate(body, start=2)])


def test_every_row_read_is_accepted_or_rejected_with_where_and_why():
    parsed = parse_problem_list(sheet(LIST), PLACES)
    assert parsed.rows_read == 4
    assert len(parsed.issues) + len(parsed.rejected) == parsed.rows_read
    assert [(i.row, i.village, i.item) for i in parsed.issues] == [
        (2, "桃园村", 9),
        (3, "新河村", 13),
        (6, "(镇直)", 28),
    ]
    [bad] = parsed.rejected
    assert (bad.sheet, bad.row, bad.column) == ("问题清单", 4, "问题条目")
    assert (bad.reason_zh, bad.reason_en) == (
        "问题条目不是1至34之间的整数",
        "问题条目 is not a whole number from 1 to 34",
    )
    assert bad.cells["问题描述"] == "条目写错"  # kept whole, so nothing the town sent is lost


def test_a_row_repeating_an_earlier_issue_is_rejected_so_it_counts_once():
    parsed = parse_problem_list(sheet([issue_row(), issue_row(整改措施="另写措施")]), PLACES)
    assert len(parsed.issues) == 1
    assert [(r.row, r.column, r.reason_en) for r in parsed.rejected] == [
        (3, "问题描述", "问题描述 appears in an earlier row of this sheet")
    ]


def test_rows_outside_the_reporters_reach_are_rejected_not_dropped():
    parsed = parse_problem_list(sheet(LIST), PLACES, may_report=lambda village: village == "新河村")
    assert [i.row for i in parsed.issues] == [3]
    assert [(r.row, r.column) for r in parsed.rejected] == [
        (2, "行政村或单位"),
        (4, "行政村或单位"),
        (6, "行政村或单位"),
    ]


def test_a_header_without_the_required_columns_or_with_one_twice_is_not_a_list():
    rows = [{k: v for k, v in issue_row().items() if k != "问题描述"}]
    with pytest.raises(NotAProblemList, match="no 问题描述 column"):
        parse_problem_list(sheet(rows), PLACES)
    header = [*issue_row(), "问题条目"]
    with pytest.raises(NotAProblemList, match="names column 问题条目 twice"):
        parse_problem_list(sheet([issue_row()], header), PLACES)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_lists_read_alike_in_every_encoding(tmp_path, encoding):
    parsed = read_problem_list(write_csv(tmp_path / "list.csv", table(LIST), encoding), PLACES)
    plain = read_problem_list(write_csv(tmp_path / "plain.csv", table(LIST)), PLACES)
    assert parsed.issues == plain.issues
    assert parsed.rejected == plain.rejected
    assert parsed.issues[0].found_on == date(2019, 12, 5)


def workbook(path, sheets):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        book.create_sheet(title)
        for row in rows:
            book[title].append(row)
    book.save(path)
    return path


def test_a_workbook_list_reads_date_and_number_cells_as_typed(tmp_path):
    header = ["行政村或单位", "问题条目", "问题描述", "发现日期", "户编号", "整改时限"]
    row = [
        "桃园村",
        9.0,
        "村两委未按期召开脱贫攻坚专题会议",
        datetime(2019, 12, 5),
        3415230010010001,
        date(2020, 1, 10),
    ]
    path = workbook(tmp_path / "list.xlsx", {"说明": [["填表说明"]], f" {ISSUES} ": [header, row]})
    [issue] = read_problem_list(path, PLACES).issues
    assert (issue.item, issue.found_on, issue.household_id, issue.deadline) == (
        9,
        date(2019, 12, 5),
        "3415230010010001",
        date(2020, 1, 10),
    )


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>\nstream\x00\x01\x02\xff\nendstream\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("list.xlsx", PDF),
        ("list.csv", PDF),
        ("list.csv", b""),
        ("list.csv", "名称,数量,单价\n苹果,3,5\n".encode()),
        ("list.csv", "户编号,姓名,行政村\n1,张三,桃园村\n".encode()),
        ("list.pdf", PDF),
    ],
)
def test_a_file_that_is_not_a_problem_list_gives_the_one_clear_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NotAProblemList) as raised:
        read_problem_list(path, PLACES)
    assert name in raised.value.zh and name in raised.value.en
    assert str(raised.value) == f"{raised.value.zh} / {raised.value.en}"


def test_a_workbook_without_the_list_sheet_is_not_a_list(tmp_path):
    path = workbook(tmp_path / "list.xlsx", {"Sheet1": table(LIST)})
    with pytest.raises(NotAProblemList, match="no sheet named 问题清单"):
        read_problem_list(path, PLACES)
    path = workbook(tmp_path / "empty.xlsx", {ISSUES: []})
    with pytest.raises(NotAProblemList, match="empty"):
        read_problem_list(path, PLACES)


def test_a_roster_is_not_a_problem_list_though_both_have_a_household_column(tmp_path):
    roster = write_csv(tmp_path / "roster.csv", table([person()]))
    with pytest.raises(NotAProblemList, match="not a 问题清单 header"):
        read_problem_list(roster, PLACES)


def test_a_file_error_under_a_roster_import_stays_a_roster_error(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(PDF)
    with pytest.raises(NotARoster) as raised:
        parse_roster([path], TOWN)
    assert not isinstance(raised.value, NotAProblemList)


def test_a_list_filed_as_a_paper_form_reads_past_its_title_lines_totals_and_signatures(tmp_path):
    header = ["序号", "行政村或单位", "问题条目", "问题描述", "发现日期"]
    rows = [
        ["干汊河镇桃园村脱贫攻坚“回头看”问题清单"],
        ["填报单位：桃园村    期次：2019年12月上半月    填报日期：2019-12-15"],
        header,
        [1, "桃园村", "9", "村两委未按期召开脱贫攻坚专题会议", "2019-12-05"],
        [2, "", "13", "没有村名的一行", "2019-12-05"],
        ["合计", "共2项"],
        [],
        ["填表人：＿＿＿＿＿＿        审核人：＿＿＿＿＿＿"],
    ]
    parsed = read_problem_list(workbook(tmp_path / "filed.xlsx", {ISSUES: rows}), PLACES)
    assert [(i.row, i.item) for i in parsed.issues] == [(4, 9)]
    assert [(r.row, r.column) for r in parsed.rejected] == [(5, "行政村或单位")]  # rows keep their sheet numbers
    assert parsed.rows_read == 2

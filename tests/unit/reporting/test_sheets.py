"""The three forms: their columns, what each row says, masked ID numbers, and the files they are written to."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest

from lookback.catalogue import load
from lookback.downloads import disposition
from services.reporting.adapters.writers import to_csv, to_json, to_xlsx
from services.reporting.domain.facts import known
from services.reporting.domain.measures import Line, lines
from services.reporting.domain.sheets import LEDGER_COLUMNS, Sheet, ledger, mask_id, problem_list, summary
from services.reporting.domain.state import fold

from .factories import Log

CATALOGUE = load()
DAY = date(2020, 1, 15)
ID = "34152319900307123X"
HEADS = {"341523001001": "张三"}


def found(log: Log, day: date = DAY) -> list[Line]:
    return lines(fold(known(log.facts, day)))


def campaign() -> Log:
    log = Log()
    deadline = date(2020, 1, 10)
    log.problem("a", date(2019, 12, 1), item=1, deadline=deadline, id_number=ID)
    log.start("a", date(2019, 12, 3))
    log.rectify("a", date(2020, 1, 12))
    log.verify("a", date(2020, 1, 14), deadline)
    log.problem("b", date(2019, 12, 1), village="新河村", household="341523002001", deadline=date(2020, 6, 30))
    log.problem("c", date(2019, 12, 2), household=None, item=7, deadline=date(2020, 1, 5))
    return log


@pytest.mark.parametrize(
    ("number", "masked"),
    [(ID, "341523********123X"), ("3415231990", "**********"), ("34152319901", "341523*9901"), ("", "")],
)
def test_mask_keeps_the_first_six_and_last_four(number: str, masked: str) -> None:
    assert mask_id(number) == masked


def test_the_ledger_has_the_plan_columns_and_reads_the_case_history() -> None:
    sheet = ledger(found(campaign()), CATALOGUE, HEADS, DAY)

    assert sheet.columns == LEDGER_COLUMNS
    assert sheet.columns == (
        "序号",
        "行政村",
        "户编号",
        "户主",
        "问题类别",
        "问题条目",
        "问题描述",
        "发现日期",
        "责任单位",
        "配合单位",
        "责任人",
        "整改措施",
        "整改时限",
        "整改状态",
        "销号日期",
        "是否逾期",
    )
    rows = [dict(zip(sheet.columns, row, strict=True)) for row in sheet.rows]
    assert [r["序号"] for r in rows] == [1, 2, 3]
    assert [r["行政村"] for r in rows] == ["桃园村", "桃园村", "新河村"]  # the catalogue's village order
    verified = next(r for r in rows if r["户主"] == "张三")
    assert verified["问题类别"] == '一、强化"三保障"及饮水安全突出问题解决'
    assert verified["问题条目"] == "1.保障义务教育"
    assert (verified["整改状态"], verified["销号日期"], verified["是否逾期"]) == ("已销号", "2020-01-14", "是")
    assert verified["整改措施"] == "入户核查；已整改"
    assert verified["责任单位"] == "干汊河中心校"
    late_open = next(r for r in rows if r["问题条目"].startswith("7."))
    assert (late_open["户编号"], late_open["户主"], late_open["是否逾期"]) == ("", "", "是")
    in_time = next(r for r in rows if r["行政村"] == "新河村")
    assert (in_time["整改状态"], in_time["是否逾期"], in_time["整改时限"]) == ("待整改", "否", "2020-06-30")


def test_the_problem_list_masks_id_numbers_unless_the_reader_may_see_them() -> None:
    masked = problem_list(found(campaign()), CATALOGUE, HEADS, DAY, reveal=False)
    shown = problem_list(found(campaign()), CATALOGUE, HEADS, DAY, reveal=True)

    column = masked.columns.index("证件号码")
    assert [r[column] for r in masked.rows] == ["", "341523********123X", ""]  # village-wide problems first
    assert [r[column] for r in shown.rows] == ["", ID, ""]
    assert ID not in repr(masked)


def test_the_summary_counts_by_category_and_village_with_totals() -> None:
    sheet = summary(found(campaign()), CATALOGUE, DAY)

    assert sheet.columns == ("问题类别", *CATALOGUE.villages, "合计")
    assert len(sheet.rows) == 10  # nine categories and the total
    by_category = {row[0].split("、")[0]: row for row in sheet.rows}
    taoyuan, xinhe = 1 + CATALOGUE.villages.index("桃园村"), 1 + CATALOGUE.villages.index("新河村")
    assert (by_category["一"][taoyuan], by_category["一"][xinhe], by_category["一"][-1]) == (1, 1, 2)
    assert (by_category["二"][taoyuan], by_category["二"][-1]) == (1, 1)
    assert by_category["合计"][-1] == 3


def test_files_open_with_the_same_columns_and_rows() -> None:
    sheet = ledger(found(campaign()), CATALOGUE, HEADS, DAY)

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(sheet)))
    ws = book["整改台帐"]
    assert tuple(c.value for c in ws[1]) == LEDGER_COLUMNS
    assert ws.max_row == 1 + len(sheet.rows)
    raw = to_csv(sheet)
    assert raw.startswith("\ufeff".encode())
    assert next(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == list(LEDGER_COLUMNS)
    body = json.loads(to_json(sheet))
    assert body["columns"] == list(LEDGER_COLUMNS) and body["rows"][0]["序号"] == 1


FORMULAS = ["=1+2", "=cmd|' /C calc'!A0", '=HYPERLINK("http://x.invalid","点我")', "+1", "-1+2", "@SUM(A1)"]
TEXTS = [*FORMULAS, "\tA", "\rB", "整改中"]


def typed_by_users() -> Sheet:
    return Sheet("问题清单", "问题清单", ("序号", "问题描述"), [(n, text) for n, text in enumerate(TEXTS, 1)])


def test_user_text_leaves_the_xlsx_as_string_cells_never_as_formulas() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(typed_by_users())))["问题清单"]

    cells = [ws.cell(row, 2) for row in range(2, 2 + len(TEXTS))]
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in TEXTS]  # XML reads a lone CR as LF
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.cell(2, 1).data_type == "n"


def test_user_text_that_a_spreadsheet_would_run_is_quoted_in_csv() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(typed_by_users()).decode("utf-8-sig"))))

    assert [r[1] for r in rows[1:]] == [*("'" + t for t in TEXTS[:-1]), "整改中"]


def test_downloads_carry_the_chinese_name_and_an_ascii_fallback() -> None:
    assert disposition("整改台帐-2020-01-H1.xlsx", "ledger-2020-01-H1.xlsx") == (
        'attachment; filename="ledger-2020-01-H1.xlsx"; '
        "filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E5%B8%90-2020-01-H1.xlsx"
    )

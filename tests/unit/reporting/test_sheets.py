"""The three forms: their columns, what each row says, masked ID numbers, and the files they are written to."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from lookback.calendar import Period
from lookback.catalogue import load
from lookback.downloads import disposition
from lookback.filing import SIGNATURES
from services.reporting.adapters.writers import to_csv, to_json, to_xlsx
from services.reporting.domain.facts import known
from services.reporting.domain.measures import Line, lines
from services.reporting.domain.sheets import (
    LEDGER_COLUMNS,
    PROBLEM_COLUMNS,
    Filing,
    People,
    Sheet,
    ledger,
    mask_id,
    own,
    problem_list,
    summary,
)
from services.reporting.domain.state import fold

from .factories import Log

CATALOGUE = load()
DAY = date(2020, 1, 15)
ID = "34152319900307123X"
HEADS = {"341523001001": "张三"}
PEOPLE = People(HEADS, {("341523001001", ID): "张小明"})
TOWN = Filing(CATALOGUE.town, None, Period.parse("2020-01-H1"), DAY)


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
    sheet = ledger(found(campaign()), CATALOGUE, HEADS, TOWN)

    assert sheet.columns == LEDGER_COLUMNS
    assert sheet.columns == (
        "序号",
        "案件编号",
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
        "上报及延期记录",
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
    masked = problem_list(found(campaign()), CATALOGUE, PEOPLE, TOWN, reveal=False)
    shown = problem_list(found(campaign()), CATALOGUE, PEOPLE, TOWN, reveal=True)

    column = masked.columns.index("证件号码")
    assert [r[column] for r in masked.rows] == ["", "341523********123X", ""]  # village-wide problems first
    assert [r[column] for r in shown.rows] == ["", ID, ""]
    assert ID not in repr(masked)


def test_the_summary_breaks_each_category_down_by_village_with_totals_both_ways() -> None:
    sheet = summary(found(campaign()), CATALOGUE, TOWN)

    assert sheet.columns == ("问题类别", "行政村", "发现问题", "整改中", "已整改", "已销号", "整改率", "上报县级")
    rows = {(row[0].split("、")[0], row[1]): row[2:] for row in sheet.rows}
    assert rows["一", "桃园村"] == (1, 0, 0, 1, 1.0, 0)  # 已销号 over found
    assert rows["一", "新河村"] == (1, 0, 0, 0, 0.0, 0)
    assert rows["一", "合计"] == (2, 0, 0, 1, 0.5, 0)
    assert rows["二", "合计"] == (1, 0, 0, 0, 0.0, 0)
    assert rows["三", "合计"] == (0, 0, 0, 0, None, 0)  # every category has its 合计 row, even an empty one
    assert ("三", "桃园村") not in rows
    assert rows["合计", "桃园村"] == (2, 0, 0, 1, 0.5, 0)
    assert rows["合计", "松林村"][0] == 0  # every village has its 合计 row
    assert rows["合计", "合计"] == (3, 0, 0, 1, round(1 / 3, 4), 0)
    assert len([r for r in sheet.rows if r[1] == "合计"]) == 9 + 1


def test_the_summary_counts_work_in_progress_escalations_and_leaves_dismissed_ones_out_of_the_rate() -> None:
    log = campaign()
    log.start("b", date(2019, 12, 5))
    log.escalate("b", date(2019, 12, 20))
    log.problem("d", date(2019, 12, 3), village="新河村", household="341523002002", item=1)
    log.dismiss("d", date(2019, 12, 4))
    rows = {(row[0].split("、")[0], row[1]): row[2:] for row in summary(found(log), CATALOGUE, TOWN).rows}
    assert rows["一", "新河村"] == (2, 0, 0, 0, 0.0, 1)  # b is with the county; d is not real
    log.rectify("c", date(2020, 1, 2))
    rows = {(row[0].split("、")[0], row[1]): row[2:] for row in summary(found(log), CATALOGUE, TOWN).rows}
    assert rows["二", "桃园村"] == (1, 0, 1, 0, 1.0, 0)


def test_the_ledger_keeps_the_case_number_and_its_escalations_and_extensions() -> None:
    log = campaign()
    log.escalate("b", date(2019, 12, 20))
    log.extend("b", date(2020, 1, 5), date(2020, 6, 30), date(2020, 7, 20))
    [case] = [r for r in ledger(found(log), CATALOGUE, HEADS, TOWN).rows if r[1] == "b"]
    row = dict(zip(LEDGER_COLUMNS, case, strict=True))
    assert row["上报及延期记录"] == "2019-12-20 上报县级（县住建局）；2020-01-05 延期至 2020-07-20（春节）"
    assert row["整改时限"] == "2020-07-20"


def test_a_village_files_its_own_rows_and_a_unit_the_cases_it_leads() -> None:
    lines_ = found(campaign())
    assert {ln.flagged.village for ln in own(lines_, CATALOGUE, village="新河村", unit=None)} == {"新河村"}
    assert [ln.flagged.problem_id for ln in own(lines_, CATALOGUE, village=None, unit="集镇办")] == ["b"]
    assert len(own(lines_, CATALOGUE, village=None, unit=None)) == 3
    village = Filing(CATALOGUE.town, "新河村", Period.parse("2020-01-H1"), DAY)
    sheet = ledger(own(lines_, CATALOGUE, village="新河村", unit=None), CATALOGUE, HEADS, village)
    assert sheet.title == "干汊河镇新河村脱贫攻坚“回头看”整改台帐"
    assert (sheet.filing.filer, TOWN.filer) == ("新河村", "干汊河镇扶贫工作站")
    assert sheet.totals is not None and sheet.totals[:2] == ("合计", "共1项")


def test_the_problem_list_names_the_person_a_problem_is_about_masked_unless_revealed() -> None:
    column = PROBLEM_COLUMNS.index("问题对象")
    masked = problem_list(found(campaign()), CATALOGUE, PEOPLE, TOWN, reveal=False)
    shown = problem_list(found(campaign()), CATALOGUE, PEOPLE, TOWN, reveal=True)
    assert [r[column] for r in masked.rows] == ["", "张**", ""]
    assert [r[column] for r in shown.rows] == ["", "张小明", ""]
    assert "张小明" not in repr(masked)


def test_files_open_with_the_same_columns_and_rows() -> None:
    sheet = ledger(found(campaign()), CATALOGUE, HEADS, TOWN)

    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(sheet)))
    ws = book["整改台帐"]
    assert tuple(c.value for c in ws[3]) == LEDGER_COLUMNS
    assert [ws.cell(r, 1).value for r in range(4, 4 + len(sheet.rows))] == [1, 2, 3]
    raw = to_csv(sheet)
    assert raw.startswith("\ufeff".encode())
    assert next(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == list(LEDGER_COLUMNS)
    body = json.loads(to_json(sheet))
    assert body["columns"] == list(LEDGER_COLUMNS) and body["rows"][0]["序号"] == 1


FORMULAS = ["=1+2", "=cmd|' /C calc'!A0", '=HYPERLINK("http://x.invalid","点我")', "+1", "-1+2", "@SUM(A1)"]
TEXTS = [*FORMULAS, "\tA", "\rB", "整改中"]


def typed_by_users() -> Sheet:
    return Sheet("问题清单", TOWN, ("序号", "问题描述"), [(n, text) for n, text in enumerate(TEXTS, 1)])


def test_user_text_leaves_the_xlsx_as_string_cells_never_as_formulas() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(typed_by_users())))["问题清单"]

    cells = [ws.cell(row, 2) for row in range(4, 4 + len(TEXTS))]
    assert [c.value for c in cells] == [t.replace("\r", "\n") for t in TEXTS]  # XML reads a lone CR as LF
    assert {c.data_type for c in cells} == {"s"}
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.cell(4, 1).data_type == "n"


def test_user_text_that_a_spreadsheet_would_run_is_quoted_in_csv() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(typed_by_users()).decode("utf-8-sig"))))

    assert [r[1] for r in rows[1:]] == [*("'" + t for t in TEXTS[:-1]), "整改中"]


def test_downloads_carry_the_chinese_name_and_an_ascii_fallback() -> None:
    assert disposition("整改台帐-2020-01-H1.xlsx", "ledger-2020-01-H1.xlsx") == (
        'attachment; filename="ledger-2020-01-H1.xlsx"; '
        "filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E5%B8%90-2020-01-H1.xlsx"
    )


def test_the_xlsx_is_the_form_as_towns_file_it() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(ledger(found(campaign()), CATALOGUE, HEADS, TOWN), "ABCD")))[
        "整改台帐"
    ]

    assert ws["A1"].value == "干汊河镇脱贫攻坚“回头看”整改台帐"
    assert ws["A2"].value == "填报单位：干汊河镇扶贫工作站    期次：2020年1月上半月    填报日期：2020-01-15"
    assert {"A1:R1", "A2:R2"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)] == [1, 2, 3, "合计", None, SIGNATURES]
    totals = dict(zip(LEDGER_COLUMNS, [c.value for c in ws[7]], strict=True))
    assert (totals["序号"], totals["案件编号"], totals["整改状态"], totals["是否逾期"]) == (
        "合计",
        "共3项",
        "已销号1项",
        "逾期2项",
    )
    assert ws.oddFooter.center.text == "校验码 ABCD"


def test_the_same_form_gives_the_same_bytes_whenever_it_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The zip entries' and the document's dates are the form's day: a second later, a year later, the same."""
    sheets = [ledger(found(campaign()), CATALOGUE, HEADS, TOWN), summary(found(campaign()), CATALOGUE, TOWN)]
    first = [to_xlsx(sheet, "ABCD") for sheet in sheets]
    monkeypatch.setattr(time, "localtime", lambda *_: time.struct_time((2031, 5, 6, 7, 8, 9, 1, 126, 0)))
    assert [to_xlsx(sheet, "ABCD") for sheet in sheets] == first
    props = openpyxl.load_workbook(io.BytesIO(first[0])).properties
    assert props.created == props.modified == datetime(2020, 1, 15)
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(first[0])).infolist()} == {(2020, 1, 15, 0, 0, 0)}

"""What the import pages make of an import's summary, and the forms they send on to intake."""

from __future__ import annotations

import io

import openpyxl

from lookback.spreadsheets import xlsx_of
from services.workbench.domain import imports

REJECTED = [
    {
        "sheet": "人口明细",
        "row": 7,
        "column": "性别",
        "reason_zh": "性别不在可选值（男、女）之内",
        "reason_en": "bad sex",
    },
    {"sheet": "问题清单", "row": 3, "column": "问题条目", "reason_zh": '=HYPERLINK("x")', "reason_en": "+1"},
]


def test_a_roster_summary_reads_as_labelled_counts_and_its_rejected_rows() -> None:
    summary = {"rows_read": 9, "rows_rejected": 2, "households_removed": 0, "events_published": 3, "rejected": REJECTED}
    assert imports.counts(summary) == [("读取行数", 9), ("被拒", 2), ("移除户", 0), ("存储事件", 3)]
    assert imports.rejects(summary)[0] == ("人口明细", 7, "性别", "性别不在可选值（男、女）之内", "bad sex")


def test_a_problem_list_summary_counts_new_and_known_issues() -> None:
    labels = [label for label, _ in imports.counts({"issues_new": 1, "issues_known": 0, "rows_read": 1})]
    assert labels == ["读取行数", "新问题", "此前已上报"]


def test_rejected_rows_leave_the_xlsx_as_text_never_as_formulas() -> None:
    book = openpyxl.load_workbook(
        io.BytesIO(xlsx_of("被拒行", imports.REJECT_COLUMNS, imports.rejects({"rejected": REJECTED})))
    )
    ws = book["被拒行"]
    assert [c.value for c in ws[1]] == list(imports.REJECT_COLUMNS)
    assert ws["D3"].value == '=HYPERLINK("x")' and ws["D3"].data_type == "s"
    assert ws["E3"].data_type == "s"


def test_progress_is_done_at_once_when_there_is_nothing_to_publish() -> None:
    assert imports.percent({"done": 0, "total": 0}) == 100
    assert imports.percent({"done": 250, "total": 1000}) == 25


def test_the_roster_form_needs_a_real_as_of_date_and_sends_its_checkboxes_as_booleans() -> None:
    assert imports.roster_fields({"as_of": "2019-12-01", "allow_removal": "true"}) == {
        "as_of": "2019-12-01",
        "partial": "false",
        "allow_removal": "true",
    }
    assert imports.roster_fields({"as_of": "2019-02-30"}) is None
    assert imports.roster_fields({}) is None


def test_a_refused_roster_says_why_in_both_languages() -> None:
    refused = {"code": "missing_columns", "reason_zh": "缺少必需列：性别", "reason_en": "lacks 性别"}
    assert imports.refusal({"refused": refused}) == "缺少必需列：性别 / lacks 性别"
    assert imports.refusal({"rows_read": 1}) is None


def test_a_cadre_reports_for_their_own_village_whatever_the_form_says() -> None:
    form = {"village_or_unit": "别的村", "item": "32", "description": " 会议多 ", "found_on": "", "csrf": "t"}
    assert imports.issue_body(form, "桃园村") == {"village_or_unit": "桃园村", "item": "32", "description": "会议多"}
    assert imports.issue_body(form, None)["village_or_unit"] == "别的村"

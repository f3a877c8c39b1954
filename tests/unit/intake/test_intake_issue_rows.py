"""One reported issue checked and read, the same way for a 问题清单 row and an HTTP body."""

from datetime import date

import pytest

from lookback.catalogue import load
from services.intake.domain.faults import Fault
from services.intake.domain.issues import IssueDraft, issue_cells, read_issue
from services.intake.domain.places import TOWN_UNITS, town_places

from .issue_builders import PLACES, issue_row


def read(row, may_report=lambda village: True):
    return read_issue(issue_cells(row), PLACES, may_report, row=2)


def accepted(row) -> IssueDraft:
    issue = read(row)
    assert isinstance(issue, IssueDraft), issue
    return issue


def test_a_village_row_is_read_with_its_optional_cells():
    issue = accepted(
        issue_row(
            问题条目=" 09 ",
            发现日期="2019/12/5",
            户编号="3415230010010001",
            责任单位="党建办",
            责任人="王明",
            整改时限="20200110",
            整改措施="补开专题会议",
            备注="第一批",
        )
    )
    assert issue == IssueDraft(
        village="桃园村",
        unit=None,
        item=9,
        description="村两委未按期召开脱贫攻坚专题会议",
        found_on=date(2019, 12, 5),
        household_id="3415230010010001",
        lead_unit="党建办",
        person="王明",
        deadline=date(2020, 1, 10),
        measures="补开专题会议",
        row=2,
        other_cells={"备注": "第一批"},
    )


def test_empty_optional_cells_are_none():
    issue = accepted(issue_row())
    assert (issue.household_id, issue.lead_unit, issue.person, issue.deadline, issue.measures) == (None,) * 5


@pytest.mark.parametrize("place", ["财政分局", "干汊河镇"])
def test_a_units_issue_counts_under_the_town_level_bucket(place):
    issue = accepted(issue_row(行政村或单位=place, 问题条目="28"))
    assert (issue.village, issue.unit) == (TOWN_UNITS, place)


@pytest.mark.parametrize("item", ["1", "34", "9.0", "+12"])
def test_any_item_of_the_plan_can_be_reported(item):
    assert 1 <= accepted(issue_row(问题条目=item)).item <= 34


@pytest.mark.parametrize(("label", "item"), [("32.减少会议和文件", 32), ("9．两委会议", 9), ("4、饮水", 4)])
def test_an_item_labelled_as_the_exported_list_writes_it_is_that_item(label, item):
    assert accepted(issue_row(问题条目=label)).item == item


REJECTIONS = [
    ("行政村或单位", "", "行政村或单位为空", "行政村或单位 is empty"),
    (
        "行政村或单位",
        "桃源村",
        "行政村或单位不是本镇的行政村或单位",
        "行政村或单位 is not a village or unit of the town",
    ),
    ("行政村或单位", "各村", None, None),
    ("问题条目", "", "问题条目为空", "问题条目 is empty"),
    ("问题条目", "0", "问题条目不是1至34之间的整数", "问题条目 is not a whole number from 1 to 34"),
    ("问题条目", "35", None, None),
    ("问题条目", "9.5", None, None),
    ("问题条目", "第九条", None, None),
    ("问题条目", "35.不存在的条目", None, None),
    ("问题描述", "  ", "问题描述为空", "问题描述 is empty"),
    ("发现日期", "", "发现日期为空", "发现日期 is empty"),
    (
        "发现日期",
        "2019-02-30",
        "发现日期不是日期（YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日或YYYYMMDD）",
        "发现日期 is not a date (YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 or YYYYMMDD)",
    ),
    ("发现日期", "十二月五日", None, None),
    ("整改时限", "下月底", "整改时限不是日期（YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日或YYYYMMDD）", None),
    ("整改时限", "2019-12-04", "整改时限早于发现日期", "整改时限 is before the 发现日期 (date found)"),
]


@pytest.mark.parametrize(("column", "value", "zh", "en"), REJECTIONS)
def test_each_reason_names_the_column_in_both_languages(column, value, zh, en):
    fault = read(issue_row(**{column: value}))
    assert isinstance(fault, Fault)
    assert fault.column == column
    assert str(fault) == f"{fault.reason_zh} / {fault.reason_en}"
    if zh:
        assert fault.reason_zh == zh
    if en:
        assert fault.reason_en == en
    if value.strip():
        assert value.strip() not in str(fault)  # a cell may hold personal data: reasons never quote it


def test_the_first_failing_column_is_the_one_reported():
    fault = read(issue_row(问题条目="99", 问题描述="", 发现日期="?"))
    assert isinstance(fault, Fault) and fault.column == "问题条目"


def test_a_reporter_may_be_limited_to_their_own_village():
    def cadre_of_xinhe(village: str) -> bool:
        return village == "新河村"

    fault = read(issue_row(), cadre_of_xinhe)
    assert isinstance(fault, Fault)
    assert (fault.column, fault.reason_en) == ("行政村或单位", "行政村或单位 is not the reporter's own village")
    assert isinstance(read(issue_row(行政村或单位="新河村"), cadre_of_xinhe), IssueDraft)
    assert isinstance(read(issue_row(行政村或单位="财政分局"), cadre_of_xinhe), Fault)


def test_an_http_body_reads_like_the_sheet_row():
    body = {
        "行政村或单位": " 桃园村 ",
        "问题条目": 9,
        "问题描述": "村两委未按期召开脱贫攻坚专题会议",
        "发现日期": "20191205",
    }
    body_issue = read_issue(issue_cells(body), PLACES)
    assert isinstance(body_issue, IssueDraft)
    assert body_issue.identity() == accepted(issue_row()).identity()


def test_the_same_report_by_the_same_reporter_is_the_same_issue():
    issue = accepted(issue_row())
    assert issue.issue_id("user:station") == accepted(issue_row(整改措施="补开专题会议")).issue_id("user:station")
    assert issue.issue_id("user:station") != issue.issue_id("user:li")
    assert issue.issue_id("user:station") != accepted(issue_row(问题条目="11")).issue_id("user:station")
    assert issue.issue_id("user:station") != accepted(issue_row(户编号="1")).issue_id("user:station")


def test_the_town_places_are_its_villages_and_the_catalogues_units():
    places = town_places(load(), declared_villages=["石门村 "])
    assert {"桃园村", "茶山村", "石门村"} <= places.villages
    assert {"财政分局", "扶贫工作站", "干汊河中心校", "产业就业指挥部", "干汊河镇"} <= places.units
    assert not {"各村", "各指挥部"} & places.units
    assert places.village_of("石门村") == "石门村"
    assert places.village_of("水利站") == TOWN_UNITS
    assert places.village_of("县教育局") is None

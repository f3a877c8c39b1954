"""Which rows are rejected, for which column and why (docs/rules.md, "Reading the roster")."""

import pytest

from services.intake.domain.checks import check_person, check_village
from services.intake.domain.columns import PERSON_LISTS, PERSONAL

from .builders import TOWN, person, village

REJECTIONS = [
    ("户编号", "", "户编号为空", "户编号 is empty"),
    ("行政村", "", "行政村为空", "行政村 is empty"),
    ("行政村", "桃源村", "行政村不属于本镇", "行政村 is not a village of the town"),
    ("姓名", "", "姓名为空", "姓名 is empty"),
    ("证件号码", "", "证件号码为空", "证件号码 is empty"),
    ("性别", "M", "性别不在可选值（男、女）之内", "性别 is not one of 男, 女"),
    *[(column, "不详", None, None) for column in PERSON_LISTS],
    ("家庭人口数", "0", "家庭人口数不是大于等于1的整数", "家庭人口数 is not a whole number of at least 1"),
    ("家庭人口数", "2.5", None, None),
    ("家庭人口数", "-3", None, None),
    ("家庭人口数", "三", None, None),
    ("人均纯收入", "4,000", "人均纯收入不是数字", "人均纯收入 is not a number"),
    ("人均纯收入", "约4000", None, None),
    ("出生日期", "abc", None, None),
    ("出生日期", "2019-02-30", None, None),
    ("小额信贷到期日", "下月", None, None),
]


@pytest.mark.parametrize(("column", "value", "zh", "en"), REJECTIONS)
def test_each_reason_names_the_column(column, value, zh, en):
    fault = check_person(person(**{column: value}), TOWN)
    assert fault is not None
    assert fault.column == column
    if zh:
        assert (fault.reason_zh, fault.reason_en) == (zh, en)


@pytest.mark.parametrize(("column", "value", "zh", "en"), REJECTIONS)
def test_reasons_never_carry_personal_data(column, value, zh, en):
    row = person(**{column: value})
    fault = check_person(row, TOWN)
    assert fault is not None
    for name in PERSONAL & row.keys():
        if row[name]:
            assert row[name] not in fault.reason_zh + fault.reason_en


def test_checks_run_in_the_spec_order_and_report_the_first_failing_column():
    defects = [
        ("户编号", ""),
        ("行政村", "桃源村"),
        ("姓名", ""),
        ("证件号码", ""),
        *[(column, "不详") for column in PERSON_LISTS],
        ("家庭人口数", "0"),
        ("人均纯收入", "abc"),
    ]
    for first in range(len(defects)):
        row = person(**dict(defects[first:]))
        fault = check_person(row, TOWN)
        assert fault is not None
        assert fault.column == defects[first][0]
    assert check_person(person(), TOWN) is None


def test_an_empty_行政村_is_reported_before_its_membership():
    fault = check_person(person(行政村="", 户编号="1"), ())
    assert fault is not None and fault.reason_en == "行政村 is empty"


@pytest.mark.parametrize("column", [*PERSON_LISTS, "家庭人口数", "人均纯收入"])
def test_an_empty_household_level_cell_is_allowed(column):
    assert check_person(person(**{column: ""}), TOWN) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"证件号码": "12345"},
        {"家庭人口数": "9"},
        {"家庭人口数": "3.0"},
        {"人均纯收入": "-12.5"},
        {"在校生状况": "读书"},
        {"健康状况": "良好"},
        {"帮扶计划": "有"},
    ],
)
def test_data_that_is_merely_wrong_is_imported(changes):
    assert check_person(person(**changes), TOWN) is None


def test_list_values_are_compared_exactly():
    fault = check_person(person(住房安全等级="a"), TOWN)
    assert fault is not None and fault.column == "住房安全等级"


@pytest.mark.parametrize(
    ("changes", "column", "en"),
    [
        ({"行政村": ""}, "行政村", "行政村 is empty"),
        ({"村卫生室": ""}, "村卫生室", "村卫生室 is empty"),
        ({"村卫生室": "没有"}, "村卫生室", "村卫生室 is not one of 有, 无"),
        ({"合格村医": ""}, "合格村医", "合格村医 is empty"),
        ({"合格村医": "是"}, "合格村医", "合格村医 is not one of 有, 无"),
    ],
)
def test_village_rows_need_their_village_and_both_health_cells(changes, column, en):
    fault = check_village(village(**changes), ())
    assert fault is not None
    assert (fault.column, fault.reason_en) == (column, en)


def test_a_village_row_may_not_repeat_an_earlier_one():
    fault = check_village(village(), {"桃园村"})
    assert fault is not None
    assert (fault.column, fault.reason_zh) == ("行政村", "行政村在本表中重复")
    assert check_village(village(村卫生室="无", 合格村医="无", 是否贫困村=""), {"新河村"}) is None

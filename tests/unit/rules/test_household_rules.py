from decimal import Decimal

import pytest

from lookback.contracts.intake import PersonRow
from services.rules.domain.settings import RuleSettings

from .factories import head_cells, household, household_findings, make_id, member_cells, rules_of

DEFAULT = RuleSettings()


def household_rules(*rows: dict[str, str], settings: RuleSettings = DEFAULT) -> list[str]:
    return rules_of([f for f in household_findings(household(*rows), settings) if f.person_row is None])


def test_a_clean_household_has_no_findings():
    assert household_findings(household(), DEFAULT) == []


def test_household_fields_come_from_the_head_row_wherever_it_is():
    spouse = member_cells("1971-03-03", 与户主关系="配偶")
    assert household_rules(spouse, head_cells(家庭人口数="2", 住房安全等级="C")) == ["R03", "R06"]


def test_r07d_without_a_head_row_reads_the_first_row_in_sheet_order():
    first = head_cells(与户主关系="配偶", 住房安全等级="D", 家庭人口数="2")
    second = member_cells()
    found = household_findings(household(first, second), DEFAULT)
    assert rules_of(found) == ["R03", "R06", "R07D"]
    assert "没有户主行" in next(f.description for f in found if f.rule == "R07D")


def test_r07d_with_two_head_rows_reads_the_first_by_row_number_not_list_order():
    later = PersonRow(row=9, cells=head_cells(住房安全等级="D", 家庭人口数="2"))
    earlier = PersonRow(row=4, cells=head_cells(家庭人口数="2", 证件号码=make_id("19700101", serial="03")))
    event = household().model_copy(update={"persons": [later, earlier]})
    found = household_findings(event, DEFAULT)
    assert rules_of(found) == ["R07D"]
    assert "有2个户主行" in next(f.description for f in found if f.rule == "R07D")


@pytest.mark.parametrize(("grade", "rules"), [("C", ["R03", "R06"]), ("D", ["R03", "R06"]), ("未鉴定", ["R23"])])
def test_r03_and_r23_housing(grade, rules):
    assert household_rules(head_cells(住房安全等级=grade)) == rules


@pytest.mark.parametrize("column", ["饮水水量", "饮水水质", "取水方便", "供水保证率"])
def test_r04_any_water_measure_failing(column):
    assert household_rules(head_cells(**{column: "不达标"})) == ["R04", "R06"]


@pytest.mark.parametrize(("recorded", "rules"), [("2", ["R05"]), ("1", []), (None, [])])
def test_r05_household_size_against_rows(recorded, rules):
    assert household_rules(head_cells(家庭人口数=recorded)) == rules


def test_r05_counts_the_rows_that_reached_the_rules():
    assert household_rules(head_cells(家庭人口数="3"), member_cells()) == ["R05"]
    assert household_rules(head_cells(家庭人口数="2"), member_cells()) == []


@pytest.mark.parametrize(
    ("income", "holds"),
    [("3999.99", True), ("4000", False), ("4000.00", False), (None, False), ("不详", False)],
)
def test_r06_income_against_the_line(income, holds):
    assert ("R06" in household_rules(head_cells(人均纯收入=income, 上年人均纯收入=None))) is holds


def test_r06_uses_the_line_of_the_rosters_year():
    settings = RuleSettings(income_lines_by_year={2019: Decimal("4500"), 2020: Decimal("4800")})
    assert household_rules(head_cells(人均纯收入="4400", 上年人均纯收入=None), settings=settings) == ["R06"]
    assert household_rules(head_cells(人均纯收入="4400", 上年人均纯收入=None)) == []


def test_r06_only_for_households_marked_out_of_poverty():
    assert household_rules(head_cells(脱贫状态="未脱贫", 人均纯收入="3000", 住房安全等级="D")) == ["R03"]


def test_r06_from_a_members_r01_or_r02():
    drop_out = member_cells("2010-10-28", 在校生状况="辍学")
    uninsured = member_cells(参加城乡居民基本医疗保险="否")
    assert household_rules(head_cells(家庭人口数="2"), drop_out) == ["R06"]
    assert household_rules(head_cells(家庭人口数="2"), uninsured) == ["R06"]
    found = household_findings(household(head_cells(家庭人口数="2"), uninsured), DEFAULT)
    assert "有未参加城乡居民基本医疗保险人员" in next(f.description for f in found if f.rule == "R06")


@pytest.mark.parametrize(
    ("kind", "helper", "plan", "rules"),
    [
        ("一般贫困户", None, "是", ["R12"]),
        ("一般贫困户", "李四", "否", ["R13"]),
        ("一般贫困户", "李四", None, ["R13"]),  # empty 帮扶计划 = 否
        ("边缘户", None, None, ["R15"]),
        ("边缘户", "李四", None, ["R15"]),
        ("边缘户", None, "是", ["R15"]),
        ("边缘户", "李四", "是", []),
    ],
)
def test_r12_r13_r15_help_by_household_kind(kind, helper, plan, rules):
    assert household_rules(head_cells(户属性=kind, 帮扶责任人=helper, 帮扶计划=plan)) == rules


@pytest.mark.parametrize(
    ("status", "income", "last_year", "holds"),
    [
        ("已脱贫", "5000", "5200.50", True),
        ("已脱贫", "5200.5", "5200.50", False),
        ("已脱贫", "5000", None, False),
        ("未脱贫", "5000", "5200.50", False),
    ],
)
def test_r18_income_below_last_year(status, income, last_year, holds):
    rules = household_rules(head_cells(脱贫状态=status, 人均纯收入=income, 上年人均纯收入=last_year))
    assert ("R18" in rules) is holds


@pytest.mark.parametrize(
    ("post", "paid", "holds"), [("是", "否", True), ("是", None, False), (None, "否", False), ("否", "否", False)]
)
def test_r20_public_post_wages(post, paid, holds):
    assert (household_rules(head_cells(公益岗位=post, 公益岗位工资按时发放=paid)) == ["R20"]) is holds


@pytest.mark.parametrize(("solar", "holds"), [("否", True), ("是", False), ("不适用", False), (None, False)])
def test_r24_solar_income(solar, holds):
    assert (household_rules(head_cells(光伏收益到户=solar)) == ["R24"]) is holds


@pytest.mark.parametrize(
    ("balance", "due", "settled", "holds"),
    [
        ("50000", "2019-11-30", "否", True),  # the day before as_of
        ("50000", "2019-12-01", "否", False),  # due on as_of is not overdue
        ("50000", "2019-11-30", "是", False),
        ("50000", "2019-11-30", None, False),
        ("0", "2019-11-30", "否", False),
        (None, "2019-11-30", "否", False),  # empty = 0
        ("50000", None, "否", False),
        ("50000", "2019/11/30", "否", False),  # not ISO: intake could not read it
    ],
)
def test_r25a_overdue_microcredit(balance, due, settled, holds):
    cells = head_cells(小额信贷余额=balance, 小额信贷到期日=due, 小额信贷结清=settled)
    assert (household_rules(cells) == ["R25A"]) is holds


@pytest.mark.parametrize(("use", "holds"), [("户贷企用", True), ("自用", False), (None, False)])
def test_r25b_loan_used_by_a_firm(use, holds):
    assert (household_rules(head_cells(贷款使用方式=use)) == ["R25B"]) is holds

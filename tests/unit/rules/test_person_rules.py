from datetime import date

import pytest

from services.rules.domain.roster import age_on
from services.rules.domain.settings import RuleSettings

from .factories import head_cells, household, household_findings, member_cells, rules_of

LENIENT = RuleSettings()
STRICT = RuleSettings(strict_x=True)


def person_rules(member: dict[str, str], settings: RuleSettings = LENIENT) -> list[str]:
    """Rules that hold for `member` in an otherwise clean household (未脱贫, so R06 stays out)."""
    found = household_findings(household(head_cells(家庭人口数="2", 脱贫状态="未脱贫"), member), settings)
    return rules_of([f for f in found if f.person_row == 3])


@pytest.mark.parametrize(
    ("birth", "status", "holds"),
    [
        ("2013-12-01", "非在校生", True),  # 6 exactly, birthday on as_of
        ("2013-12-02", "非在校生", False),  # 5, 6 tomorrow
        ("2003-12-02", "辍学", True),  # 15, 16 tomorrow
        ("2003-12-01", "辍学", False),  # 16 exactly
        ("2012-12-01", "学龄前", True),  # 7 exactly
        ("2012-12-02", "学龄前", False),  # 6, 7 tomorrow
        ("2009-05-01", "送教上门", False),
        ("2010-10-28", None, True),  # empty = 非在校生
        ("2010-10-28", "小学", False),
        ("2010-10-28", "在家", False),  # outside the list: not a status R01 names
    ],
)
def test_r01_at_the_edges_of_school_age(birth, status, holds):
    member = member_cells(birth, 在校生状况=status)
    assert ("R01" in person_rules(member)) is holds


def test_r01_reads_age_from_the_id_when_the_birth_date_is_missing_or_unreadable():
    assert "R01" in person_rules(member_cells("2010-10-28", 出生日期=None, 在校生状况="辍学"))
    assert "R01" in person_rules(member_cells("2010-10-28", 出生日期="去年", 在校生状况="辍学"))


def test_r01_cannot_hold_without_any_age():
    member = member_cells("2010-10-28", 出生日期=None, 证件号码="341523201010282", 在校生状况="辍学")
    assert person_rules(member) == ["R07A"]


def test_r01_prefers_the_birth_date_column_to_the_id():
    member = member_cells("2010-10-28", 出生日期="1990-10-28", 在校生状况="辍学")
    assert person_rules(member) == ["R07B"]


@pytest.mark.parametrize(
    ("birth", "as_of", "age"),
    [
        (date(2013, 12, 1), date(2019, 12, 1), 6),
        (date(2013, 12, 2), date(2019, 12, 1), 5),
        (date(2012, 2, 29), date(2019, 2, 28), 6),
        (date(2012, 2, 29), date(2019, 3, 1), 7),
    ],
)
def test_age_counts_full_years(birth, as_of, age):
    assert age_on(birth, as_of) == age


@pytest.mark.parametrize(("insured", "holds"), [("否", True), ("是", False), (None, False)])
def test_r02_only_on_an_explicit_no(insured, holds):
    assert ("R02" in person_rules(member_cells(参加城乡居民基本医疗保险=insured))) is holds


def test_r07a_lower_case_x_is_valid_unless_strict():
    member = member_cells("1963-10-26", 证件号码="34152319631026000x")
    assert person_rules(member) == []
    assert person_rules(member, STRICT) == ["R07A"]


@pytest.mark.parametrize(
    "number",
    [
        "341523200006150240",  # wrong check character (the right one is 3)
        "341523200002300244",  # 2000-02-30
        "341523000615024",  # 15 digits
    ],
)
def test_r07a_on_invalid_numbers(number):
    assert person_rules(member_cells(证件号码=number)) == ["R07A"]


def test_r07b_when_sex_or_birth_date_disagree_with_a_valid_id():
    assert person_rules(member_cells(性别="男")) == ["R07B"]
    assert person_rules(member_cells(出生日期="2000-06-16")) == ["R07B"]
    assert person_rules(member_cells(出生日期=None)) == []
    assert person_rules(member_cells(性别=None)) == []


def test_r07b_needs_a_valid_id():
    assert person_rules(member_cells(证件号码="341523200006150240", 性别="男")) == ["R07A"]


@pytest.mark.parametrize(
    ("health", "card", "holds"),
    [("长期慢性病", "否", True), ("长期慢性病", None, False), ("长期慢性病", "是", False), (None, "否", False)],
)
def test_r22a_chronic_illness_without_a_card(health, card, holds):
    assert ("R22A" in person_rules(member_cells(健康状况=health, 慢性病卡=card))) is holds


@pytest.mark.parametrize(("signed", "holds"), [("否", True), ("是", False), (None, False)])
def test_r22b_empty_family_doctor_means_signed(signed, holds):
    assert ("R22B" in person_rules(member_cells(家庭医生签约=signed))) is holds


@pytest.mark.parametrize(
    ("grade", "subsidy", "holds"),
    [("一级", "否", True), ("二级", "否", True), ("三级", "否", False), ("一级", None, False), (None, "否", False)],
)
def test_r27_severe_disability_without_care_subsidy(grade, subsidy, holds):
    assert ("R27" in person_rules(member_cells(残疾等级=grade, 重度残疾护理补贴=subsidy))) is holds

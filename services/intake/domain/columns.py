"""The two roster sheets as docs/rules.md describes them: names, value lists, and which cells are dates or numbers.

Everything that depends on a column's meaning reads it from here, so a change to the spec's tables is
a change to this module only.
"""

from __future__ import annotations

PERSONS = "人口明细"
VILLAGES = "村级信息"

PERSON_COLUMNS: tuple[str, ...] = (
    "乡镇", "行政村", "村民组", "户编号", "姓名", "证件号码", "与户主关系", "性别", "出生日期",
    "在校生状况", "健康状况", "残疾等级", "参加城乡居民基本医疗保险", "慢性病卡", "家庭医生签约",
    "重度残疾护理补贴", "户属性", "脱贫状态", "脱贫年度", "家庭人口数", "人均纯收入", "上年人均纯收入",
    "住房安全等级", "饮水水量", "饮水水质", "取水方便", "供水保证率", "帮扶责任人", "帮扶单位",
    "帮扶计划", "公益岗位", "公益岗位工资按时发放", "光伏收益到户", "小额信贷余额", "小额信贷到期日",
    "小额信贷结清", "贷款使用方式", "联系电话",
)  # fmt: skip
"""Every column of 人口明细 in roster.md's order: the template's header and the form's documentation."""

VILLAGE_COLUMNS: tuple[str, ...] = (
    "行政村", "是否贫困村", "出列年度", "村卫生室", "合格村医", "集体经济收入", "上年集体经济收入",
)  # fmt: skip

YES_NO = ("是", "否")
WATER = ("达标", "不达标")
HAVE = ("有", "无")

# Required list columns of 人口明细, in the order docs/rules.md checks them: a non-empty value outside
# its list rejects the row (an empty one is allowed: H columns may be empty on non-户主 rows).
PERSON_LISTS: dict[str, tuple[str, ...]] = {
    "与户主关系": (
        "户主",
        "配偶",
        "之子",
        "之女",
        "之儿媳",
        "之女婿",
        "之孙子",
        "之孙女",
        "之父",
        "之母",
        "兄弟姐妹",
        "其他",
    ),
    "性别": ("男", "女"),
    "参加城乡居民基本医疗保险": YES_NO,
    "户属性": ("一般贫困户", "低保贫困户", "特困供养贫困户", "边缘户"),
    "脱贫状态": ("未脱贫", "已脱贫"),
    "住房安全等级": ("A", "B", "C", "D", "未鉴定"),
    "饮水水量": WATER,
    "饮水水质": WATER,
    "取水方便": WATER,
    "供水保证率": WATER,
}

# Required columns of 村级信息 with value lists; here an empty cell rejects the row too, since a
# village row has no 户主 row to take it from and an unknown 村卫生室 would silently pass R02V.
VILLAGE_LISTS: dict[str, tuple[str, ...]] = {"村卫生室": HAVE, "合格村医": HAVE}

HOUSEHOLD_ID = "户编号"
VILLAGE = "行政村"
RELATION = "与户主关系"
HEAD = "户主"
HOUSEHOLD_SIZE = "家庭人口数"
INCOME = "人均纯收入"
NAME = "姓名"
ID_NUMBER = "证件号码"

PERSONAL = frozenset({NAME, ID_NUMBER, "联系电话", "帮扶责任人"})

DATES = frozenset({"出生日期", "小额信贷到期日"})
NUMBERS = frozenset(
    {
        HOUSEHOLD_SIZE,
        INCOME,
        "上年人均纯收入",
        "小额信贷余额",
        "脱贫年度",
        "集体经济收入",
        "上年集体经济收入",
        "出列年度",
    }
)

# A header is recognised by these columns; a CSV file carries one sheet and is told apart by them.
PERSON_MARKERS = frozenset({HOUSEHOLD_ID, NAME})
VILLAGE_MARKERS = frozenset({"村卫生室", "合格村医"})


def sheet_of_header(header: list[str]) -> str | None:
    """Which sheet a header belongs to (None: neither), by the columns only that sheet has."""
    names = {name.strip() for name in header}
    if names & PERSON_MARKERS:
        return PERSONS
    if names & VILLAGE_MARKERS:
        return VILLAGES
    return None

"""Rules whose subject is one household (docs/rules.md): each gives why it holds, or None.

Household-level fields are those of `Household.cells` (the 户主 row, or the first row under
R07D); R05 and R06 also look at the household's accepted person rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from services.rules.domain import cells
from services.rules.domain.person_rules import r01_out_of_school, r02_uninsured
from services.rules.domain.roster import Household

HouseholdRule = Callable[[Household], str | None]

_UNSAFE_HOUSING = frozenset({"C", "D"})
_WATER = ("饮水水量", "饮水水质", "取水方便", "供水保证率")
_EDGE = "边缘户"


def r03_unsafe_housing(h: Household) -> str | None:
    grade = cells.value(h.cells, "住房安全等级")
    return f"住房安全等级为{grade}" if grade in _UNSAFE_HOUSING else None


def r04_unsafe_water(h: Household) -> str | None:
    failing = [column for column in _WATER if cells.value(h.cells, column) == "不达标"]
    return "、".join(failing) + "不达标" if failing else None


def r05_size_mismatch(h: Household) -> str | None:
    recorded = cells.number(h.cells, "家庭人口数")
    if recorded is None or recorded == len(h.persons):
        return None
    return f"家庭人口数为{h.cells['家庭人口数']}，户内人员{len(h.persons)}行"


def r06_exit_below_standard(h: Household) -> str | None:
    """A household marked 已脱贫 must have met the line and the 两不愁三保障 (item 6)."""
    if cells.value(h.cells, "脱贫状态") != "已脱贫":
        return None
    reasons = []
    if cells.below(cells.number(h.cells, "人均纯收入"), h.line):
        reasons.append(f"人均纯收入低于{h.line}元")
    if r03_unsafe_housing(h):
        reasons.append("住房不安全")
    if r04_unsafe_water(h):
        reasons.append("饮水不安全")
    if any(r01_out_of_school(p) for p in h.persons):
        reasons.append("有义务教育阶段失学辍学人员")
    if any(r02_uninsured(p) for p in h.persons):
        reasons.append("有未参加城乡居民基本医疗保险人员")
    return "已脱贫但" + "、".join(reasons) if reasons else None


def r07d_head_missing_or_repeated(h: Household) -> str | None:
    if h.head_rows == 1:
        return None
    return "没有户主行" if h.head_rows == 0 else f"有{h.head_rows}个户主行"


def r12_no_helper(h: Household) -> str | None:
    kind = cells.value(h.cells, "户属性")
    return "未落实帮扶责任人" if kind not in (None, _EDGE) and cells.is_empty(h.cells, "帮扶责任人") else None


def r13_no_plan(h: Household) -> str | None:
    kind = cells.value(h.cells, "户属性")
    return "帮扶计划为否" if kind not in (None, _EDGE) and cells.value(h.cells, "帮扶计划") == "否" else None


def r15_edge_household_unhelped(h: Household) -> str | None:
    if cells.value(h.cells, "户属性") != _EDGE:
        return None
    reasons = []
    if cells.is_empty(h.cells, "帮扶责任人"):
        reasons.append("未落实帮扶责任人")
    if cells.value(h.cells, "帮扶计划") == "否":
        reasons.append("帮扶计划为否")
    return "、".join(reasons) or None


def r18_income_fell(h: Household) -> str | None:
    income, last_year = cells.number(h.cells, "人均纯收入"), cells.number(h.cells, "上年人均纯收入")
    if cells.value(h.cells, "脱贫状态") == "已脱贫" and cells.below(income, last_year):
        return f"人均纯收入{income}元，低于上年{last_year}元"
    return None


def r20_wages_unpaid(h: Household) -> str | None:
    on_post = cells.value(h.cells, "公益岗位") == "是"
    return "公益岗位工资未按时发放" if on_post and cells.value(h.cells, "公益岗位工资按时发放") == "否" else None


def r23_housing_unassessed(h: Household) -> str | None:
    return "住房安全等级未鉴定" if cells.value(h.cells, "住房安全等级") == "未鉴定" else None


def r24_solar_income_unpaid(h: Household) -> str | None:
    return "光伏收益到户为否" if cells.value(h.cells, "光伏收益到户") == "否" else None


def r25a_loan_overdue(h: Household) -> str | None:
    balance, due = cells.number(h.cells, "小额信贷余额"), cells.day(h.cells, "小额信贷到期日")
    overdue = due is not None and due < h.as_of
    if balance is not None and balance > 0 and overdue and cells.value(h.cells, "小额信贷结清") == "否":
        return f"小额信贷{due}到期，未结清"
    return None


def r25b_loan_used_by_firm(h: Household) -> str | None:
    return "贷款使用方式为户贷企用" if cells.value(h.cells, "贷款使用方式") == "户贷企用" else None


HOUSEHOLD_RULES: Mapping[str, HouseholdRule] = {
    "R03": r03_unsafe_housing,
    "R04": r04_unsafe_water,
    "R05": r05_size_mismatch,
    "R06": r06_exit_below_standard,
    "R07D": r07d_head_missing_or_repeated,
    "R12": r12_no_helper,
    "R13": r13_no_plan,
    "R15": r15_edge_household_unhelped,
    "R18": r18_income_fell,
    "R20": r20_wages_unpaid,
    "R23": r23_housing_unassessed,
    "R24": r24_solar_income_unpaid,
    "R25A": r25a_loan_overdue,
    "R25B": r25b_loan_used_by_firm,
}

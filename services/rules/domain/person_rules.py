"""Rules whose subject is one person row (docs/rules.md): each gives why it holds, or None.

A rule returns its Chinese detail rather than a bare bool so that the table stays the one place
where a condition and its explanation are written down together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from services.rules.domain import cells
from services.rules.domain.roster import Person

PersonRule = Callable[[Person], str | None]

# 义务教育阶段 is 6–15; a child may still be 学龄前 at 6, not at 7. 送教上门 is schooling.
_SCHOOL_AGE = range(6, 16)
_OUT_OF_SCHOOL = frozenset({"辍学", "非在校生"})
_PRESCHOOL_LATEST_AGE = 6
_SEVERE_DISABILITY = frozenset({"一级", "二级"})


def r01_out_of_school(p: Person) -> str | None:
    if p.age is None or p.age not in _SCHOOL_AGE:
        return None
    status = cells.value(p.cells, "在校生状况")
    if status in _OUT_OF_SCHOOL or (status == "学龄前" and p.age > _PRESCHOOL_LATEST_AGE):
        written = status if not cells.is_empty(p.cells, "在校生状况") else f"空（按{status}）"
        return f"{p.age}岁，在校生状况为{written}"
    return None


def r02_uninsured(p: Person) -> str | None:
    return "参加城乡居民基本医疗保险为否" if cells.value(p.cells, "参加城乡居民基本医疗保险") == "否" else None


def r07a_invalid_id(p: Person) -> str | None:
    return p.id_defect


def r07b_id_disagrees(p: Person) -> str | None:
    if not p.id_valid:
        return None
    reasons = []
    recorded_sex = cells.value(p.cells, "性别")
    if recorded_sex is not None and recorded_sex != p.id_sex:
        reasons.append("性别与证件号码第17位不符")
    if p.recorded_birth is not None and p.recorded_birth != p.id_birth:
        reasons.append("出生日期与证件号码第7–14位不符")
    return "；".join(reasons) or None


def r22a_chronic_without_card(p: Person) -> str | None:
    chronic = cells.value(p.cells, "健康状况") == "长期慢性病"
    return "长期慢性病，慢性病卡为否" if chronic and cells.value(p.cells, "慢性病卡") == "否" else None


def r22b_no_family_doctor(p: Person) -> str | None:
    return "家庭医生签约为否" if cells.value(p.cells, "家庭医生签约") == "否" else None


def r27_severe_disability_unpaid(p: Person) -> str | None:
    grade = cells.value(p.cells, "残疾等级")
    if grade in _SEVERE_DISABILITY and cells.value(p.cells, "重度残疾护理补贴") == "否":
        return f"残疾等级{grade}，重度残疾护理补贴为否"
    return None


PERSON_RULES: Mapping[str, PersonRule] = {
    "R01": r01_out_of_school,
    "R02": r02_uninsured,
    "R07A": r07a_invalid_id,
    "R07B": r07b_id_disagrees,
    "R22A": r22a_chronic_without_card,
    "R22B": r22b_no_family_doctor,
    "R27": r27_severe_disability_unpaid,
}

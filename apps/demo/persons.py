"""One person's cells: identity, schooling, health and insurance, with the person-level planted problems.

Shares are per person and small, so that at a few hundred households every person rule of
docs/rules.md fires a few times and at 400,000 households the rules are exercised at scale.
A planted problem that data can clear (R01, R02, R22A, R22B, R27) is left out when the household
is `fixed`; the random draw is made either way, so a corrected roster is otherwise identical.
"""

from __future__ import annotations

from datetime import date
from random import Random

from apps.demo.draw import below, pick, planted
from apps.demo.identity import AREA, OLD_AREA, IdIssuer, check_character, name

DROPOUT = 0.04  # of children 6–15: R01
NO_INSURANCE = 0.012  # R02
NO_DOCTOR = 0.02  # R22B
NO_CHRONIC_CARD = 0.1  # of the chronically ill: R22A
NO_CARE_SUBSIDY = 0.15  # of grade 1–2 disabled: R27
BAD_ID = 0.005  # of adults: R07A
ID_MISMATCH = 0.005  # of adults: R07B
LOWER_X = 0.2  # of IDs ending in X: valid, but intake must read x as X

_DROPPED = ("辍学", "辍学", "非在校生", "", "学龄前")
_GRADES = ("一级", "二级", "三级", "四级")


def _school(rng: Random, age: int) -> str:
    """A status that fits the age; the empty cell (= 非在校生) is only used where that is true."""
    if age < 6:
        return "学龄前" if age >= 3 else ""
    if age <= 11:
        return "学龄前" if age == 6 and rng.random() < 0.3 else "小学"
    if age <= 15:
        return "初中" if age < 15 or rng.random() < 0.6 else "高中"
    if age <= 18:
        return pick(rng, ("高中", "高中", "中职", "非在校生"))
    if age <= 22:
        return pick(rng, ("大专及以上", "高职", "非在校生"))
    return "非在校生" if rng.random() < 0.6 else ""


def date_text(rng: Random, day: date) -> str:
    """Mostly ISO, sometimes the other ways towns write dates (docs/rules.md)."""
    r = rng.random()
    if r < 0.02:
        return f"{day.year}/{day.month}/{day.day}"
    if r < 0.04:
        return f"{day.year:04d}{day.month:02d}{day.day:02d}"
    return day.isoformat()


class PersonMaker:
    def __init__(self, rng: Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of
        self.ids = IdIssuer()
        self._anchors: dict[int, int] = {}
        self.clean = True  # whether the last person's ID cells were left as issued

    def _birth(self, age: int) -> date:
        """A birth date giving exactly `age` full years at as_of (a birthday on as_of counts)."""
        anchor = self._anchors.get(age)
        if anchor is None:
            day = 28 if (self.as_of.month, self.as_of.day) == (2, 29) else self.as_of.day
            anchor = self._anchors[age] = date(self.as_of.year - age, self.as_of.month, day).toordinal()
        return date.fromordinal(anchor - below(self.rng, 365))

    def person(self, relation: str, male: bool, age: int, surname: str, fixed: bool) -> dict[str, str]:
        rng = self.rng
        birth = self._birth(age)
        area = OLD_AREA if age >= 20 and rng.random() < 0.3 else AREA
        id_number = self.ids.issue(area, birth, male)
        if id_number[-1] == "X" and rng.random() < LOWER_X:
            id_number = id_number[:-1] + "x"
        sex = "男" if male else "女"
        r = rng.random() if age >= 18 else 1.0
        self.clean = r >= BAD_ID + ID_MISMATCH
        born = date_text(rng, birth)
        if self.clean and age >= 18 and rng.random() < 0.02:
            born = ""  # an adult's age can still come from the ID
        elif r < BAD_ID:
            id_number = _broken(rng, id_number)
        elif not self.clean:
            if rng.random() < 0.5:
                born = date.fromordinal(birth.toordinal() + 1).isoformat()
            else:
                sex = "女" if male else "男"

        status = _school(rng, age)
        if rng.random() < DROPOUT and 6 <= age <= 15:
            dropped = pick(rng, _DROPPED) if age >= 7 else "辍学"
            status = status if fixed else dropped

        r = rng.random()
        chronic = 0.05 + 0.004 * max(0, age - 40)
        grade = chronic_card = care = ""
        if r < chronic:
            health = "长期慢性病"
            chronic_card = "否" if planted(rng, NO_CHRONIC_CARD, fixed) else "是"
        elif r < chronic + 0.05:
            health = "残疾"
            grade = pick(rng, _GRADES)
            if grade in ("一级", "二级"):
                care = "否" if planted(rng, NO_CARE_SUBSIDY, fixed) else "是"
            if 6 <= age <= 15 and rng.random() < 0.3:
                status = "送教上门"
        elif r < chronic + 0.07:
            health = "大病"
        else:
            health = "健康" if r < 0.97 else ""

        insured = "否" if planted(rng, NO_INSURANCE, fixed) else "是"
        r = rng.random()
        doctor = ("是" if fixed else "否") if r < NO_DOCTOR else ("是" if r < 0.8 else "")
        return {
            "姓名": name(rng, surname, male),
            "证件号码": id_number,
            "与户主关系": relation,
            "性别": sex,
            "出生日期": born,
            "在校生状况": status,
            "健康状况": health,
            "残疾等级": grade,
            "参加城乡居民基本医疗保险": insured,
            "慢性病卡": chronic_card,
            "家庭医生签约": doctor,
            "重度残疾护理补贴": care,
        }


def _broken(rng: Random, id_number: str) -> str:
    """The three ways IDs go wrong in a hand-kept sheet: a mistyped digit, a lost digit, a bad date."""
    kind = below(rng, 3)
    if kind == 0:
        return id_number[:15] + str((int(id_number[15]) + 1) % 10) + id_number[16:]
    if kind == 1:
        return id_number[:17]
    first17 = id_number[:10] + "13" + id_number[12:17]
    return first17 + check_character(first17)

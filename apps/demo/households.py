"""One household's person rows: who lives there and the household-level cells of its 户主 row.

Household-level cells are repeated on every member row as the national system's export does, or,
in one household in ten, left blank there as hand-edited sheets do (docs/rules.md allows both).
Planted household problems that data can clear (R03, R04, R12, R13, R15, R20, R23, R24, R25A) are
left out when the household is `fixed`, with the same random draws (see persons.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

from apps.demo.draw import below, pick, planted
from apps.demo.identity import SURNAMES, name, phone
from apps.demo.persons import PersonMaker, date_text

WRONG_SIZE = 0.01  # R05
UNSAFE_HOUSE = 0.02  # C or D: R03
UNASSESSED_HOUSE = 0.01  # R23
BAD_WATER = 0.015  # R04
NO_HELPER = 0.02  # R12, or R15 for 边缘户
NO_PLAN = 0.02  # R13, or R15 for 边缘户
BELOW_LINE = 0.01  # of 已脱贫: R06
INCOME_FELL = 0.04  # of 已脱贫: R18
WAGE_UNPAID = 0.08  # of 公益岗位: R20
SOLAR_UNPAID = 0.03  # of 光伏: R24
LOAN_OVERDUE = 0.1  # of loans: R25A
LOAN_TO_FIRM = 0.05  # of loans: R25B
DUPLICATE_ID = 0.004  # a member registered again as the previous household's head: R07C
STRAY_VILLAGE = 0.0045  # of member rows (≈ 0.3 % of all rows): a village not in the town, rejected
STRAY_SPACE = 0.005  # of rows: " 桃园村 ", which intake must trim
BLANK_MEMBER_CELLS = 0.1
HEAD_NOT_FIRST = 0.03

_SIZES = (1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6)
_KINDS = ("一般贫困户",) * 12 + ("低保贫困户",) * 5 + ("特困供养贫困户", "边缘户", "边缘户")
_GROUPS = ("小塘组", "大塘组", "河湾组", "张庄组", "李院组", "新庄组", "老屋组", "桥头组", "松树组", "枣树组")
_UNITS = ("舒城县住建局", "舒城县财政局", "舒城县农业农村局", "舒城县教育局", "干汊河镇人民政府", "舒城县供电公司")
_WATER = ("饮水水量", "饮水水质", "取水方便", "供水保证率")
_BLOOD = frozenset(("户主", "之子", "之女", "之孙子", "之孙女", "兄弟姐妹"))
_EVERY_ROW = frozenset(("乡镇", "行政村", "户编号"))
_IDENTITY = ("姓名", "证件号码", "性别", "出生日期")
_NOTES = ("外出务工", "2019年危房改造", "户主长期在外", '含逗号, 和"引号"的备注')


def _members(rng: Random, size: int) -> list[tuple[str, bool, int]]:
    """(relation, male, age): a head, often a spouse, then children or, for old heads, the son's family."""
    head_age = 25 + below(rng, 60)
    head_male = rng.random() < 0.82
    members = [("户主", head_male, head_age)]
    if size > 1 and rng.random() < 0.85:
        members.append(("配偶", not head_male, max(20, head_age + below(rng, 11) - 5)))
    son_age = head_age - 24 - below(rng, 8)
    while len(members) < size:
        r = rng.random()
        male = rng.random() < 0.52
        if r < 0.03:
            members.append(("兄弟姐妹" if r < 0.02 else "其他", male, max(18, head_age + below(rng, 17) - 8)))
        elif head_age >= 55 and len(members) == 2:
            members.append(("之子", True, son_age))
        elif head_age >= 55 and len(members) == 3:
            members.append(("之儿媳", False, max(20, son_age + below(rng, 7) - 4)))
        elif head_age >= 48:
            members.append(("之孙子" if male else "之孙女", male, max(0, head_age - 44 - below(rng, 18))))
        elif head_age <= 40 and len(members) == 5:
            members.append(("之母", False, min(95, head_age + 22 + below(rng, 10))))
        else:
            members.append(("之子" if male else "之女", male, max(0, head_age - 22 - below(rng, 14))))
    return members


class HouseholdMaker:
    def __init__(self, rng: Random, as_of: date, town: str) -> None:
        self.rng = rng
        self.as_of = as_of
        self.town = town
        self.persons = PersonMaker(rng, as_of)
        self._previous_head: dict[str, str] | None = None

    def _household(self, village: str, household_id: str, fixed: bool) -> dict[str, str]:
        rng = self.rng
        kind = pick(rng, _KINDS)
        exited = kind != "边缘户" and rng.random() < 0.85
        if exited:
            income = 4000 + below(rng, 9000)
            if rng.random() < BELOW_LINE:
                income = 3000 + below(rng, 1000)
            fell = rng.random() < INCOME_FELL
            last = income * (1.02 + rng.random() / 8 if fell else 0.85 + rng.random() / 8)
        else:
            income = 4000 + below(rng, 2500) if kind == "边缘户" else 2400 + below(rng, 2400)
            last = income * (0.8 + rng.random() / 8)
        r = rng.random()
        house = "B" if r < 0.7 else "A"
        if r < UNASSESSED_HOUSE + UNSAFE_HOUSE and not fixed:
            house = "未鉴定" if r < UNASSESSED_HOUSE else ("C" if r < UNASSESSED_HOUSE + 0.015 else "D")
        water = {column: "达标" for column in _WATER}
        bad_water = pick(rng, _WATER)
        if planted(rng, BAD_WATER, fixed):
            water[bad_water] = "不达标"
        job = rng.random() < 0.12
        solar = rng.random() < 0.4
        helper = name(rng, pick(rng, SURNAMES), True)
        no_plan = pick(rng, ("否", ""))
        return {
            "乡镇": self.town,
            "行政村": village,
            "村民组": pick(rng, _GROUPS),
            "户编号": household_id,
            "户属性": kind,
            "脱贫状态": "已脱贫" if exited else "未脱贫",
            "脱贫年度": str(2014 + below(rng, 6)) if exited else "",
            "人均纯收入": f"{income}.00" if rng.random() < 0.03 else str(income),
            "上年人均纯收入": f"{last:.2f}" if rng.random() < 0.9 else "",
            "住房安全等级": house,
            **water,
            "帮扶责任人": "" if planted(rng, NO_HELPER, fixed) else helper,
            "帮扶单位": pick(rng, _UNITS),
            "帮扶计划": no_plan if planted(rng, NO_PLAN, fixed) else "是",
            "公益岗位": "是" if job else pick(rng, ("否", "")),
            "公益岗位工资按时发放": ("否" if planted(rng, WAGE_UNPAID, fixed) else "是") if job else "",
            "光伏收益到户": ("否" if planted(rng, SOLAR_UNPAID, fixed) else "是") if solar else "不适用",
            **self._loan(fixed),
            "联系电话": phone(rng),
            "备注": pick(rng, _NOTES) if rng.random() < 0.01 else "",
        }

    def _loan(self, fixed: bool) -> dict[str, str]:
        """Small loans (扶贫小额信贷) run three years; a repaid one shows 0 and 结清 是."""
        rng = self.rng
        if rng.random() >= 0.12:
            return dict.fromkeys(("小额信贷余额", "小额信贷到期日", "小额信贷结清", "贷款使用方式"), "")
        amount = str(pick(rng, (10000, 20000, 30000, 50000)))
        due = self.as_of + timedelta(days=below(rng, 1795) - 700)
        overdue = rng.random() < LOAN_OVERDUE
        if overdue:
            due = self.as_of - timedelta(days=1 + below(rng, 200))
        settled = due < self.as_of and not (overdue and not fixed)
        return {
            "小额信贷余额": "0" if settled else amount,
            "小额信贷到期日": date_text(rng, due),
            "小额信贷结清": "是" if settled else "否",
            "贷款使用方式": "户贷企用" if rng.random() < LOAN_TO_FIRM else "自用",
        }

    def rows(self, village: str, stray: str, household_id: str, fixed: bool) -> list[dict[str, str]]:
        """The rows as a town's sheet has them, slips included: see the module's shares."""
        rng = self.rng
        size = pick(rng, _SIZES)
        cells = self._household(village, household_id, fixed)
        recorded = size
        if rng.random() < WRONG_SIZE:
            recorded = size + 1 if size == 1 or rng.random() < 0.5 else size - 1
        cells["家庭人口数"] = str(recorded)
        member_cells = cells
        if rng.random() < BLANK_MEMBER_CELLS:
            member_cells = {k: v if k in _EVERY_ROW else "" for k, v in cells.items()}
        surname = pick(rng, SURNAMES)
        rows: list[dict[str, str]] = []
        head: dict[str, str] | None = None
        for relation, male, age in _members(rng, size):
            own = surname if relation in _BLOOD else pick(rng, SURNAMES)
            rows.append((member_cells if rows else cells) | self.persons.person(relation, male, age, own, fixed))
            if relation == "户主" and self.persons.clean:
                head = {k: rows[0][k] for k in _IDENTITY}
        if size > 1 and rng.random() < DUPLICATE_ID and self._previous_head:
            rows[-1] |= self._previous_head | {"与户主关系": "其他", "在校生状况": "非在校生"}
        self._previous_head = head
        for row in rows[1:]:
            if rng.random() < STRAY_VILLAGE:
                row["行政村"] = stray
        for row in rows:
            if rng.random() < STRAY_SPACE:
                row["行政村"] = f" {row['行政村']} "
        if size > 1 and rng.random() < HEAD_NOT_FIRST:
            rows.append(rows.pop(0))
        return rows

"""Households for the rule tests: a clean one that no rule flags, changed one cell at a time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from lookback.contracts.intake import HouseholdRecorded, PersonRow, VillageRecorded
from services.rules.domain import idcard
from services.rules.domain.duplicates import PersonRef
from services.rules.domain.finding import Finding
from services.rules.domain.roster import read_household
from services.rules.domain.rulebook import findings_of
from services.rules.domain.settings import RuleSettings

AS_OF = date(2019, 12, 1)
VILLAGE = "桃园村"
HOUSEHOLD_ID = "3415230010010001"


def make_id(birth: str = "19800101", *, male: bool = True, region: str = "341523", serial: str = "01") -> str:
    """A valid number for `birth` (YYYYMMDD); the 17th digit carries the sex."""
    body = f"{region}{birth}{serial}{1 if male else 2}"
    return body + idcard.check_char(body)


def head_cells(**changes: str | None) -> dict[str, str]:
    """A 户主 row that meets every rule; `None` leaves a cell out (empty)."""
    cells = {
        "户编号": HOUSEHOLD_ID,
        "行政村": VILLAGE,
        "姓名": "张三",
        "证件号码": make_id("19700101"),
        "与户主关系": "户主",
        "性别": "男",
        "出生日期": "1970-01-01",
        "在校生状况": "非在校生",
        "健康状况": "健康",
        "参加城乡居民基本医疗保险": "是",
        "家庭医生签约": "是",
        "户属性": "一般贫困户",
        "脱贫状态": "已脱贫",
        "家庭人口数": "1",
        "人均纯收入": "6000",
        "上年人均纯收入": "5500",
        "住房安全等级": "B",
        "饮水水量": "达标",
        "饮水水质": "达标",
        "取水方便": "达标",
        "供水保证率": "达标",
        "帮扶责任人": "李四",
        "帮扶计划": "是",
    }
    return _apply(cells, changes)


def member_cells(birth: str = "2000-06-15", *, male: bool = False, **changes: str | None) -> dict[str, str]:
    """A member row whose ID and 出生日期 agree; household-level cells are left empty."""
    cells = {
        "户编号": HOUSEHOLD_ID,
        "行政村": VILLAGE,
        "姓名": "张小",
        "证件号码": make_id(birth.replace("-", ""), male=male, serial="02"),
        "与户主关系": "之女",
        "性别": "男" if male else "女",
        "出生日期": birth,
        "参加城乡居民基本医疗保险": "是",
    }
    return _apply(cells, changes)


def household(*rows: dict[str, str], household_id: str = HOUSEHOLD_ID, first_row: int = 2) -> HouseholdRecorded:
    persons = [PersonRow(row=first_row + i, cells=cells) for i, cells in enumerate(rows or (head_cells(),))]
    return HouseholdRecorded(household_id=household_id, village=VILLAGE, as_of=AS_OF, import_id="test", persons=persons)


def village(**cells: str) -> VillageRecorded:
    return VillageRecorded(village=VILLAGE, as_of=AS_OF, import_id="test", row=2, cells={"行政村": VILLAGE, **cells})


def rules_of(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def _apply(cells: dict[str, str], changes: dict[str, str | None]) -> dict[str, str]:
    for column, value in changes.items():
        if value is None:
            cells.pop(column, None)
        else:
            cells[column] = value
    return cells


def household_findings(event: HouseholdRecorded, settings: RuleSettings) -> list[Finding]:
    """What rules finds in one household event, R07C aside, as its handler reads it."""
    return findings_of(read_household(event, settings))


def index_of(refs: Iterable[PersonRef]) -> dict[str, list[PersonRef]]:
    """The R07C index of a whole roster at once, as rules' memory holds it after every household."""
    index: dict[str, list[PersonRef]] = {}
    for ref in refs:
        index.setdefault(ref.normalised_id, []).append(ref)
    return index

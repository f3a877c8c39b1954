"""The plan's catalogue: 34 check items in 9 categories, their lead units, the calendar, the rules.

The defaults come from the plan (干办〔2019〕55号; docs/rules.md, "Owners"); a town changes them with its own JSON file
(`LOOKBACK_CATALOGUE`) without touching code.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

Subject = Literal["person", "household", "village"]


@dataclass(frozen=True)
class Rule:
    id: str
    item: int
    subject: Subject
    name: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        Rule("R01", 1, "person", "义务教育阶段失学辍学"),
        Rule("R02", 2, "person", "未参加城乡居民基本医疗保险"),
        Rule("R02V", 2, "village", "村卫生室或合格村医缺失"),
        Rule("R03", 3, "household", "住房不安全"),
        Rule("R04", 4, "household", "饮水不安全"),
        Rule("R05", 5, "household", "户内人口不一致"),
        Rule("R06", 6, "household", "脱贫不达标"),
        Rule("R07A", 7, "person", "证件号码无效"),
        Rule("R07B", 7, "person", "证件信息不一致"),
        Rule("R07C", 7, "person", "证件号码重复"),
        Rule("R07D", 7, "household", "户主缺失或重复"),
        Rule("R12", 12, "household", "无帮扶责任人"),
        Rule("R13", 13, "household", "无帮扶计划"),
        Rule("R15", 15, "household", "边缘户未落实帮扶"),
        Rule("R17V", 17, "village", "村集体经济收入下降"),
        Rule("R18", 18, "household", "脱贫户收入下降"),
        Rule("R20", 20, "household", "公益岗位工资未兑现"),
        Rule("R22A", 22, "person", "慢性病未办卡"),
        Rule("R22B", 22, "person", "家庭医生未签约"),
        Rule("R23", 23, "household", "住房未鉴定"),
        Rule("R24", 24, "household", "光伏收益未到户"),
        Rule("R25A", 25, "household", "小额信贷逾期"),
        Rule("R25B", 25, "household", "户贷企用"),
        Rule("R27", 27, "person", "重度残疾人未享护理补贴"),
    ]
}


@dataclass(frozen=True)
class Item:
    number: int
    name: str
    category: str
    category_name: str
    lead_unit: str
    policy: Literal["immediate", "timed"]
    co_units: tuple[str, ...] = ()
    """配合单位: the units the plan names "with" the lead unit; the household's village comes on top."""


@dataclass(frozen=True)
class Calendar:
    investigation: tuple[date, date]
    problem_lists_due: date
    county_summary_due: date
    rectification: tuple[date, date]
    village_reports_due: date

    def in_campaign_years(self, day: date) -> bool:
        """A roster's as-of date lies in the years the plan runs (2019–2020 by default): 1900-01-01 is a typo."""
        return self.investigation[0].year <= day.year <= self.rectification[1].year


@dataclass(frozen=True)
class DeadlineSettings:
    immediate_days: int
    day_kind: Literal["calendar", "working"]
    holidays: frozenset[date]
    due_soon_days: int


@dataclass(frozen=True)
class Catalogue:
    town: str
    villages: tuple[str, ...]
    items: dict[int, Item]
    calendar: Calendar
    deadlines: DeadlineSettings
    commands: dict[int, str]
    """The command (指挥部) that answers for each item whose lead unit is 各指挥部 (docs/rules.md, "Owners")."""

    def item(self, number: int) -> Item:
        return self.items[number]

    def units(self) -> frozenset[str]:
        """The units that answer for items. `各村` and `各指挥部` are lead units in the plan but stand for
        every village or every command, not one unit that can keep a list or be a user's unit."""
        return frozenset(item.lead_unit for item in self.items.values() if not item.lead_unit.startswith("各"))


CATALOGUE_ENV = "LOOKBACK_CATALOGUE"


def parse(data: dict) -> Catalogue:
    items: dict[int, Item] = {}
    for cat in data["categories"]:
        for number in cat["items"]:
            spec = data["items"][str(number)]
            items[number] = Item(
                number,
                spec["name"],
                cat["code"],
                cat["name"],
                spec["lead_unit"],
                spec["policy"],
                tuple(spec.get("with", ())),
            )
    cal = data["calendar"]
    dl = data["deadlines"]
    return Catalogue(
        town=data["town"],
        villages=tuple(data["villages"]),
        items=items,
        calendar=Calendar(
            investigation=(date.fromisoformat(cal["investigation"][0]), date.fromisoformat(cal["investigation"][1])),
            problem_lists_due=date.fromisoformat(cal["problem_lists_due"]),
            county_summary_due=date.fromisoformat(cal["county_summary_due"]),
            rectification=(date.fromisoformat(cal["rectification"][0]), date.fromisoformat(cal["rectification"][1])),
            village_reports_due=date.fromisoformat(cal["village_reports_due"]),
        ),
        deadlines=DeadlineSettings(
            immediate_days=dl["immediate_days"],
            day_kind=dl["day_kind"],
            holidays=frozenset(date.fromisoformat(d) for d in dl["holidays"]),
            due_soon_days=dl["due_soon_days"],
        ),
        commands={int(n): unit for n, unit in data["commands"].items()},
    )


def default_data() -> dict:
    return json.loads(resources.files("lookback.data").joinpath("catalogue.json").read_text("utf-8"))


@cache
def load(path: str | None = None) -> Catalogue:
    """The town's catalogue: the file named by `path` or `LOOKBACK_CATALOGUE`, else the plan's defaults.

    A town file may hold only the keys it changes; the rest keep the plan's values.
    """
    data = default_data()
    path = path or os.environ.get(CATALOGUE_ENV)
    if path:
        data.update(json.loads(Path(path).read_text("utf-8")))
    return parse(data)

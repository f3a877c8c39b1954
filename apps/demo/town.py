"""A deterministic demo town: what a user's clone runs and benchmarks on, with no shared data at hand.

A `DemoTown` is only its parameters; rows are produced on demand, streaming, from one seeded
random stream, so 400,000 households never sit in memory and the same parameters always give
the same rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from random import Random

from apps.demo.households import HouseholdMaker
from lookback import catalogue

COUNTY_TOWN = "341523001"  # 舒城县, town 001: the first nine digits of every 户编号
NO_VILLAGE_DOCTOR = 1  # villages whose 合格村医 is 无: R02V
FALLING_COLLECTIVE_INCOME = 1  # villages whose 集体经济收入 fell: R17V


@dataclass(frozen=True)
class DemoTown:
    households: int
    seed: int
    as_of: date
    town: str
    villages: tuple[str, ...]
    fixed_share: float = 0.0
    fix_seed: int = 0

    def persons(self) -> Iterator[dict[str, str]]:
        """Person rows of the `人口明细` sheet, village by village, in 户编号 order.

        A 户编号 is 341523001, the village's number (3 digits) and the household's (4 digits, more
        when a village has over 9,999 households), so it is never re-used within a town.
        """
        maker = HouseholdMaker(Random(self.seed), self.as_of, self.town)
        fixes = Random(self.fix_seed)
        count, extra = divmod(self.households, len(self.villages))
        width = max(4, len(str(count + 1)))
        for index, village in enumerate(self.villages):
            stray = _stray_name(village, self.villages)
            for number in range(1, count + (index < extra) + 1):
                fixed = fixes.random() < self.fixed_share
                yield from maker.rows(village, stray, f"{COUNTY_TOWN}{index + 1:03d}{number:0{width}d}", fixed)

    def village_rows(self) -> list[dict[str, str]]:
        """Rows of the `村级信息` sheet: one per village, one without a qualified doctor, one poorer."""
        rng = Random(f"{self.seed}:villages")
        order = list(range(len(self.villages)))
        rng.shuffle(order)
        no_doctor = set(order[:NO_VILLAGE_DOCTOR])
        falling = set(order[-FALLING_COLLECTIVE_INCOME:])
        rows = []
        for index, village in enumerate(self.villages):
            poor = rng.random() < 0.5
            last = round(5 + rng.random() * 50, 2)
            now = round(last * (0.75 + rng.random() / 5 if index in falling else 1.0 + rng.random() / 5), 2)
            rows.append(
                {
                    "行政村": village,
                    "是否贫困村": "是" if poor else "否",
                    "出列年度": str(2016 + rng.randrange(3)) if poor else "",
                    "村卫生室": "有",
                    "合格村医": "无" if index in no_doctor else "有",
                    "集体经济收入": f"{now:g}",
                    "上年集体经济收入": f"{last:g}",
                }
            )
        return rows


def _stray_name(village: str, villages: Sequence[str]) -> str:
    """A village the town does not have, as a slip of the pen would make it (桃园村 → 桃园)."""
    stray = village.removesuffix("村") if village.endswith("村") else village + "村"
    return stray if stray not in villages else village + "外"


def generate(
    households: int,
    seed: int = 1,
    as_of: date = date(2019, 12, 1),
    villages: Sequence[str] | None = None,
    town: str | None = None,
) -> DemoTown:
    """Villages and town name default to the town's catalogue, so the demo matches its configuration."""
    if households < 0:
        raise ValueError(f"户数不能为负 / households must not be negative: {households}")
    if villages is None or town is None:
        configured = catalogue.load()
        villages = configured.villages if villages is None else villages
        town = configured.town if town is None else town
    if not villages:
        raise ValueError("至少需要一个行政村 / at least one village is needed")
    return DemoTown(households, seed, as_of, town, tuple(villages))


def correct(town: DemoTown, fraction: float, seed: int) -> DemoTown:
    """A later roster of the same town in which about `fraction` of the households fixed what data can fix.

    Children are back in school, houses repaired to B, water, insurance, cards, helpers and plans
    in order, wages and solar income paid, overdue loans settled. Identity slips, household sizes,
    incomes and rejected rows stay: those are corrected by hand, not by the passing of time.
    With one seed a larger fraction fixes a superset of households, so a series of later rosters
    only ever clears problems.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"比例须在 0 到 1 之间 / fraction must be between 0 and 1: {fraction}")
    return dataclasses.replace(town, fixed_share=fraction, fix_seed=seed)

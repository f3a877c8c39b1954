"""Rules whose subject is one village, read from its `村级信息` row (docs/rules.md).

Only villages the sheet declares are judged: a village known only from configuration has no row
to judge and so no village problems.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from services.rules.domain import cells
from services.rules.domain.cells import Cells

VillageRule = Callable[[Cells], str | None]


def r02v_clinic_or_doctor_missing(row: Cells) -> str | None:
    missing = [column for column in ("村卫生室", "合格村医") if cells.value(row, column) == "无"]
    return "无" + "、无".join(missing) if missing else None


def r17v_collective_income_fell(row: Cells) -> str | None:
    income, last_year = cells.number(row, "集体经济收入"), cells.number(row, "上年集体经济收入")
    return f"集体经济收入{income}万元，低于上年{last_year}万元" if cells.below(income, last_year) else None


VILLAGE_RULES: Mapping[str, VillageRule] = {
    "R02V": r02v_clinic_or_doctor_missing,
    "R17V": r17v_collective_income_fell,
}

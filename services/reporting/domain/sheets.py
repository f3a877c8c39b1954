"""The three forms the plan asks for every half month, as plain tables (plan 四(二), docs/rules.md):
the problem list (问题清单), the rectification ledger (整改台帐), and the town's summary to the county
(问题排查情况汇总表). Writing them as .xlsx, CSV or JSON is the adapters' business.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lookback.catalogue import Catalogue
from lookback.contracts.rectify import STATUS_LABELS
from services.reporting.domain.labels import categories, category_label, item_label
from services.reporting.domain.measures import Line

LEDGER_COLUMNS = (
    "序号",
    "行政村",
    "户编号",
    "户主",
    "问题类别",
    "问题条目",
    "问题描述",
    "发现日期",
    "责任单位",
    "配合单位",
    "责任人",
    "整改措施",
    "整改时限",
    "整改状态",
    "销号日期",
    "是否逾期",
)
PROBLEM_COLUMNS = (
    "序号",
    "行政村或单位",
    "户编号",
    "户主",
    "证件号码",
    "问题类别",
    "问题条目",
    "规则",
    "问题描述",
    "发现日期",
    "责任单位",
    "整改状态",
)
KEEP_HEAD, KEEP_TAIL = 6, 4


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def mask_id(number: str) -> str:
    """docs/rules.md, "Reading the roster": keep the first 6 (the region) and last 4 characters. A value too short
    to hide anything that way (an invalid number, flagged by R07A) is hidden whole."""
    if len(number) <= KEEP_HEAD + KEEP_TAIL:
        return "*" * len(number)
    return number[:KEEP_HEAD] + "*" * (len(number) - KEEP_HEAD - KEEP_TAIL) + number[-KEEP_TAIL:]


def _village_order(catalogue: Catalogue, villages: set[str]) -> list[str]:
    configured = [v for v in catalogue.villages if v in villages]
    return configured + sorted(villages - set(configured))


def _ordered(found: Sequence[Line], catalogue: Catalogue) -> list[Line]:
    rank = {v: n for n, v in enumerate(_village_order(catalogue, {line.flagged.village for line in found}))}
    return sorted(
        found,
        key=lambda ln: (
            rank[ln.flagged.village],
            ln.flagged.household_id or "",
            ln.flagged.item,
            ln.flagged.rule,
            ln.flagged.problem_id,
        ),
    )


def problem_list(
    found: Sequence[Line], catalogue: Catalogue, heads: dict[str, str], day: date, *, reveal: bool
) -> Sheet:
    """`reveal`: the reader's role may see ID numbers (Action.EXPORT_PERSONAL_DATA); masked otherwise.

    The columns intake reads (行政村或单位, 问题条目 as `32.减少会议和文件`, 问题描述, 发现日期, 户编号, 责任单位)
    carry the names it reads them by, and a unit's issue names its unit: the list imports again as it is.
    """
    rows = []
    for n, line in enumerate(_ordered(found, catalogue), 1):
        p = line.flagged
        number = p.person_id_number or ""
        rows.append(
            (
                n,
                p.unit or p.village,
                p.household_id or "",
                heads.get(p.household_id or "", ""),
                number if reveal else mask_id(number),
                category_label(catalogue, p.item),
                item_label(catalogue, p.item),
                p.rule,
                p.description,
                line.problem.found_on.isoformat(),
                line.unit(catalogue),
                STATUS_LABELS[line.status],
            )
        )
    return Sheet("问题清单", f"{catalogue.town}问题清单（截至{day.isoformat()}）", PROBLEM_COLUMNS, rows)


def _late(line: Line, day: date) -> bool:
    """Overdue while open at the end of `day`, or closed (销号) after its deadline."""
    return line.days_overdue(day) > 0 or (line.case is not None and line.case.case.on_time is False)


def ledger(found: Sequence[Line], catalogue: Catalogue, heads: dict[str, str], day: date) -> Sheet:
    rows = []
    for n, line in enumerate(_ordered(found, catalogue), 1):
        p, case = line.flagged, line.case.case if line.case else None
        closed = case.closed_on if case and case.status == "verified" else None
        rows.append(
            (
                n,
                p.village,
                p.household_id or "",
                heads.get(p.household_id or "", ""),
                category_label(catalogue, p.item),
                item_label(catalogue, p.item),
                p.description,
                line.problem.found_on.isoformat(),
                line.unit(catalogue),
                "、".join(line.co_units(catalogue)),
                (case.person if case else None) or "",
                "；".join(case.measures) if case else "",
                case.deadline.isoformat() if case else "",
                STATUS_LABELS[line.status],
                closed.isoformat() if closed else "",
                "是" if _late(line, day) else "否",
            )
        )
    return Sheet("整改台帐", f"{catalogue.town}整改台帐（截至{day.isoformat()}）", LEDGER_COLUMNS, rows)


def summary(found: Sequence[Line], catalogue: Catalogue, day: date) -> Sheet:
    """Problems found, by category (rows, all nine) and village (columns), with totals both ways."""
    villages = _village_order(catalogue, set(catalogue.villages) | {line.flagged.village for line in found})
    counts = Counter((catalogue.item(line.flagged.item).category, line.flagged.village) for line in found)
    names = categories(catalogue)
    rows: list[tuple[Any, ...]] = []
    for code, name in names.items():
        cells = [counts[(code, v)] for v in villages]
        rows.append((f"{code}、{name}", *cells, sum(cells)))
    totals = [sum(counts[(c, v)] for c in names) for v in villages]
    rows.append(("合计", *totals, sum(totals)))
    title = f"{catalogue.town}问题排查情况汇总表（截至{day.isoformat()}）"
    return Sheet("问题排查情况汇总表", title, ("问题类别", *villages, "合计"), rows)

"""The three forms the plan asks for every half month, as plain tables (plan 四(二), docs/rules.md):
the problem list (问题清单), the rectification ledger (整改台帐), and the town's summary to the county
(问题排查情况汇总表). Writing them as .xlsx, CSV or JSON is the adapters' business.

A village files the lists of its own rows and a unit those of the cases it leads (`own`); the summary
is the town's. Every value comes from the events up to the form's day, so a replay prints the same form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lookback.calendar import Period
from lookback.catalogue import Catalogue
from lookback.contracts.rectify import (
    STATUS_LABELS,
    CaseEscalated,
    CaseTransition,
    DeadlineExtended,
    EscalationAccepted,
    EscalationReturned,
)
from lookback.filing import TOTAL
from services.reporting.domain.labels import categories, category_label, item_label
from services.reporting.domain.measures import Line, measures

LEDGER_COLUMNS = (
    "序号",
    "案件编号",
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
    "上报及延期记录",
    "销号日期",
    "是否逾期",
)
PROBLEM_COLUMNS = (
    "序号",
    "行政村或单位",
    "户编号",
    "户主",
    "问题对象",
    "证件号码",
    "问题类别",
    "问题条目",
    "规则",
    "问题描述",
    "发现日期",
    "责任单位",
    "整改状态",
)
SUMMARY_COLUMNS = ("问题类别", "行政村", "发现问题", "整改中", "已整改", "已销号", "整改率", "上报县级")
KEEP_HEAD, KEEP_TAIL = 6, 4
CASE_NUMBER = 12
"""Hex digits of the case id printed as 案件编号, as `lookback case list` prints it (any unique prefix finds it)."""


@dataclass(frozen=True)
class Filing:
    """Who files a form for which half month, as the lines above its table say."""

    town: str
    place: str | None
    """The village or unit whose form it is; None for the town's own, which the station files."""
    period: Period
    on: date
    """填报日期: the period's last day (or the day it is known at), never the day it was downloaded."""

    def title(self, form: str) -> str:
        return f"{self.town}{self.place or ''}脱贫攻坚“回头看”{form}"

    @property
    def filer(self) -> str:
        return self.place or f"{self.town}扶贫工作站"


@dataclass(frozen=True)
class Sheet:
    name: str
    filing: Filing
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    totals: tuple[Any, ...] | None = None
    """The 合计 row a printed list ends with (.xlsx only: CSV and JSON carry the rows alone)."""

    @property
    def title(self) -> str:
        return self.filing.title(self.name)


@dataclass(frozen=True)
class People:
    """The personal data a list names (exports only): 户编号 → 户主, (户编号, 证件号码) → 姓名."""

    heads: Mapping[str, str]
    names: Mapping[tuple[str, str], str]


def mask_id(number: str) -> str:
    """docs/rules.md, "Reading the roster": keep the first 6 (the region) and last 4 characters. A value too short
    to hide anything that way (an invalid number, flagged by R07A) is hidden whole."""
    if len(number) <= KEEP_HEAD + KEEP_TAIL:
        return "*" * len(number)
    return number[:KEEP_HEAD] + "*" * (len(number) - KEEP_HEAD - KEEP_TAIL) + number[-KEEP_TAIL:]


def mask_name(name: str) -> str:
    """The surname and a star for each other character: enough for a cadre who knows the household."""
    return name[:1] + "*" * (len(name) - 1)


def own(found: Sequence[Line], catalogue: Catalogue, *, village: str | None, unit: str | None) -> list[Line]:
    """The lines a village files (its rows) or a unit (the cases it leads); all of them for neither."""
    if village is not None:
        return [line for line in found if line.flagged.village == village]
    if unit is not None:
        return [line for line in found if line.unit(catalogue) == unit]
    return list(found)


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


def _totals(columns: tuple[str, ...], rows: list[tuple[Any, ...]], **sums: str) -> tuple[Any, ...]:
    """The 合计 row: the number of rows, and under a column what its cells add up to (`sums`, by column)."""
    return (TOTAL, f"共{len(rows)}项", *(sums.get(column, "") for column in columns[2:]))


def problem_list(found: Sequence[Line], catalogue: Catalogue, people: People, filing: Filing, *, reveal: bool) -> Sheet:
    """`reveal`: the reader's role may see personal data (Action.EXPORT_PERSONAL_DATA); 证件号码 and the name
    of the person a problem is about (问题对象) are masked otherwise.

    The columns intake reads (行政村或单位, 问题条目 as `32.减少会议和文件`, 问题描述, 发现日期, 户编号, 责任单位)
    carry the names it reads them by, and a unit's issue names its unit: the list imports again as it is.
    """
    rows = []
    for n, line in enumerate(_ordered(found, catalogue), 1):
        p = line.flagged
        household, number = p.household_id or "", p.person_id_number or ""
        name = people.names.get((household, number), "") if number else ""
        rows.append(
            (
                n,
                p.unit or p.village,
                household,
                people.heads.get(household, ""),
                name if reveal else mask_name(name),
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
    return Sheet("问题清单", filing, PROBLEM_COLUMNS, rows, _totals(PROBLEM_COLUMNS, rows))


def _late(line: Line, day: date) -> bool:
    """Overdue while open at the end of `day`, or closed (销号) after its deadline."""
    return line.days_overdue(day) > 0 or (line.case is not None and line.case.case.on_time is False)


def step_text(step: CaseTransition) -> str | None:
    """A step the ledger's 上报及延期记录 keeps: escalations, the county's answers and extensions."""
    match step:
        case CaseEscalated():
            return f"{step.on.isoformat()} 上报县级（{step.county_unit}）"
        case EscalationAccepted():
            return f"{step.on.isoformat()} 县级已受理"
        case EscalationReturned():
            return f"{step.on.isoformat()} 县级退回"
        case DeadlineExtended():
            return f"{step.on.isoformat()} 延期至 {step.new_deadline.isoformat()}（{step.reason}）"
    return None


def history(line: Line) -> str:
    steps = line.case.steps if line.case else ()
    return "；".join(text for step in steps if (text := step_text(step)))


def ledger(found: Sequence[Line], catalogue: Catalogue, heads: Mapping[str, str], filing: Filing) -> Sheet:
    rows = []
    for n, line in enumerate(_ordered(found, catalogue), 1):
        p, case = line.flagged, line.case.case if line.case else None
        closed = case.closed_on if case and case.status == "verified" else None
        rows.append(
            (
                n,
                case.case_id[:CASE_NUMBER] if case else "",
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
                history(line),
                closed.isoformat() if closed else "",
                "是" if _late(line, filing.on) else "否",
            )
        )
    verified = sum(r[LEDGER_COLUMNS.index("整改状态")] == STATUS_LABELS["verified"] for r in rows)
    late = sum(r[-1] == "是" for r in rows)
    totals = _totals(LEDGER_COLUMNS, rows, 整改状态=f"已销号{verified}项", 是否逾期=f"逾期{late}项")
    return Sheet("整改台帐", filing, LEDGER_COLUMNS, rows, totals)


def _counts(group: Sequence[Line], period: Period) -> tuple[Any, ...]:
    """发现问题 to 上报县级 as docs/reporting.md defines them (整改率: 已整改待验收 and 已销号 over the real ones)."""
    m = measures(group, period)
    status = m["status"]
    return (
        m["found_cumulative"],
        status["in_progress"],
        status["rectified"],
        status["verified"],
        m["rectification_rate"],
        m["escalated_cumulative"],
    )


def summary(found: Sequence[Line], catalogue: Catalogue, filing: Filing) -> Sheet:
    """The county's breakdown: each category (all nine, in the plan's order) by village, then its 合计;
    then every village's 合计 over all categories and the town's. A village with nothing in a category
    is left out of that category's rows, never out of the totals."""
    villages = _village_order(catalogue, set(catalogue.villages) | {line.flagged.village for line in found})
    by_category: dict[str, list[Line]] = {code: [] for code in categories(catalogue)}
    for line in found:
        by_category[catalogue.item(line.flagged.item).category].append(line)
    rows: list[tuple[Any, ...]] = []
    for code, name in categories(catalogue).items():
        label = f"{code}、{name}"
        for village in villages:
            group = [line for line in by_category[code] if line.flagged.village == village]
            if group:
                rows.append((label, village, *_counts(group, filing.period)))
        rows.append((label, TOTAL, *_counts(by_category[code], filing.period)))
    for village in villages:
        rows.append((TOTAL, village, *_counts([ln for ln in found if ln.flagged.village == village], filing.period)))
    rows.append((TOTAL, TOTAL, *_counts(found, filing.period)))
    return Sheet("问题排查情况汇总表", filing, SUMMARY_COLUMNS, rows)

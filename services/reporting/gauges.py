"""Case gauges and counters, read from the read model at scrape time.

Reading the rows when Prometheus scrapes keeps every value exactly what the stream says: a rebuilt
read model gives the same values, and the counters (problems found, cases closed) can never drift
from the log the way an in-memory increment would after a restart. No label carries personal data;
items, categories and villages are bounded by the catalogue and the roster's village list, and a
lead unit the town does not have (a reassignment to a county unit) is counted under 其他; the plan's
placeholders 各村 and 各指挥部 never reach a case (lookback/cases/owners.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TypeVar

from prometheus_client.core import REGISTRY, CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from lookback.cases import owners
from lookback.catalogue import load as load_catalogue
from lookback.clock import local_date, now
from lookback.contracts.rectify import CLOSED_STATUSES
from services.reporting.adapters.submissions import folded
from services.reporting.adapters.tables import CaseRow, ProblemRow
from services.reporting.domain.milestones import milestones

OTHER_UNIT = "其他"

Labels = tuple[str, ...]
F = TypeVar("F", GaugeMetricFamily, CounterMetricFamily)


class CaseGauges(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        units = owners.units(load_catalogue())
        open_by: dict[str, Counter[Labels]] = {k: Counter() for k in ("item", "category", "unit")}
        overdue_by: dict[str, Counter[Labels]] = {k: Counter() for k in ("item", "category", "unit")}
        due_soon: Counter[Labels] = Counter()
        closed: Counter[Labels] = Counter()
        group = (
            CaseRow.item,
            CaseRow.category,
            CaseRow.village,
            CaseRow.lead_unit,
            CaseRow.status,
            CaseRow.overdue,
            CaseRow.due_soon,
        )
        with Session(self.engine) as session:
            cases = session.exec(select(*group, func.count()).group_by(*group)).all()  # type: ignore[call-overload]
            found = session.exec(
                select(ProblemRow.item, ProblemRow.village, func.count()).group_by(
                    col(ProblemRow.item), col(ProblemRow.village)
                )
            ).all()
        for item, category, village, lead_unit, status, overdue, soon, n in cases:
            unit = lead_unit if lead_unit in units else OTHER_UNIT
            if status in CLOSED_STATUSES:
                closed[(str(item), village, status)] += n
                continue
            keys = {"item": (str(item), village), "category": (category, village), "unit": (unit,)}
            for name, key in keys.items():
                open_by[name][key] += n
                if overdue:
                    overdue_by[name][key] += n
            if soon:
                due_soon[(unit, village)] += n
        yield _family(GaugeMetricFamily, "lookback_cases_open", "Open cases", ["item", "village"], open_by["item"])
        yield _family(
            GaugeMetricFamily,
            "lookback_cases_overdue",
            "Open cases past their deadline",
            ["item", "village"],
            overdue_by["item"],
        )
        yield _family(
            GaugeMetricFamily,
            "lookback_cases_open_by_category",
            "Open cases by category (一 … 九)",
            ["category", "village"],
            open_by["category"],
        )
        yield _family(
            GaugeMetricFamily,
            "lookback_cases_overdue_by_category",
            "Open cases past their deadline by category",
            ["category", "village"],
            overdue_by["category"],
        )
        yield _family(
            GaugeMetricFamily, "lookback_cases_open_by_unit", "Open cases by lead unit", ["unit"], open_by["unit"]
        )
        yield _family(
            GaugeMetricFamily,
            "lookback_cases_overdue_by_unit",
            "Open cases past their deadline by lead unit",
            ["unit"],
            overdue_by["unit"],
        )
        yield _family(
            GaugeMetricFamily,
            "lookback_cases_due_soon",
            "Open cases whose deadline is near (reminded, not overdue)",
            ["unit", "village"],
            due_soon,
        )
        yield _family(
            CounterMetricFamily,
            "lookback_problems_found",
            "Problems ever flagged",
            ["item", "village"],
            Counter({(str(item), village): n for item, village, n in found}),
        )
        yield _family(
            CounterMetricFamily,
            "lookback_cases_closed",
            "Cases closed, by outcome (verified 销号, dismissed 不属实)",
            ["item", "village", "status"],
            closed,
        )
        yield from self.milestones()

    def milestones(self) -> Iterator[GaugeMetricFamily]:
        """1 or 0 per milestone (problem_lists, county_summary, village_reports), on the business clock."""
        catalogue = load_catalogue()
        with Session(self.engine) as session:
            subs = folded(session).values()
        today, soon = local_date(now()), catalogue.deadlines.due_soon_days
        found = {m.key: m.standing(today, soon) for m in milestones(catalogue, subs)}
        for standing, name, doc in (
            ("due_soon", "lookback_milestone_due_soon", "A plan milestone near its date and not done"),
            ("overdue", "lookback_milestone_overdue", "A plan milestone past its date and not done"),
        ):
            family = GaugeMetricFamily(name, doc, labels=["milestone"])
            for key, state in sorted(found.items()):
                family.add_metric([key], 1 if state == standing else 0)
            yield family


def _family(kind: type[F], name: str, doc: str, labels: list[str], values: Counter[Labels]) -> F:
    family = kind(name, doc, labels=labels)
    for key, n in sorted(values.items()):
        family.add_metric(list(key), n)
    return family


def register(engine: Engine) -> None:
    REGISTRY.register(CaseGauges(engine))

"""Gauges of open and overdue cases, read from the read model at scrape time.

Reading the rows when Prometheus scrapes keeps the gauges exactly what the stream says (a rebuilt
read model gives the same values) and bounds the labels by the catalogue and the village list.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from services.reporting.adapters.tables import CaseRow, ProblemRow


class CaseGauges(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        open_cases = GaugeMetricFamily("lookback_cases_open", "Open cases", labels=["item", "village"])
        overdue = GaugeMetricFamily(
            "lookback_cases_overdue", "Open cases past their deadline", labels=["item", "village"]
        )
        with Session(self.engine) as session:
            base = (
                select(CaseRow.item, CaseRow.village, func.count())
                .join(ProblemRow, ProblemRow.problem_id == CaseRow.problem_id)  # type: ignore[arg-type]
                .where(CaseRow.closed_on.is_(None))  # type: ignore[union-attr]
                .group_by(CaseRow.item, CaseRow.village)  # type: ignore[arg-type]
            )
            for item, village, n in session.exec(base):
                open_cases.add_metric([str(item), village], n)
            for item, village, n in session.exec(base.where(CaseRow.overdue_since.is_not(None))):  # type: ignore[union-attr]
                overdue.add_metric([str(item), village], n)
        yield open_cases
        yield overdue


def register(engine: Engine) -> None:
    REGISTRY.register(CaseGauges(engine))

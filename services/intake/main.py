"""The intake service: takes rosters and problem lists, and publishes household and issue events."""

from __future__ import annotations

from fastapi import FastAPI

from lookback import contracts
from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import aggregate_filter
from lookback.service import Runtime, build_service, consumer, serve
from lookback.settings import ServiceSettings
from lookback.store import create_tables, make_engine
from services.intake.adapters.tables import TABLES
from services.intake.api import router
from services.intake.handlers import fold
from services.intake.issue_api import router as issue_router
from services.intake.template_api import router as template_router

NAME = "intake"
CONSUMES = [aggregate_filter("household"), aggregate_filter("village"), aggregate_filter("import")]
PUBLISHES = contracts.intake


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    engine = make_engine(settings.store_url(NAME))
    create_tables(engine, *TABLES)

    def consumers(rt: Runtime) -> list[BatchConsumer]:
        return [consumer(rt, fold, CONSUMES)]

    return build_service(
        NAME, settings, engine, consumers, routers=[router, issue_router, template_router], title="Lookback 采集 intake"
    )


def main() -> None:
    settings = ServiceSettings()
    serve(build_app(settings), settings, NAME)

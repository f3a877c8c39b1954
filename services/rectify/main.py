"""The rectify service: owners, deadlines and overdue cases."""

from __future__ import annotations

from fastapi import FastAPI

from lookback import contracts
from lookback.catalogue import load as load_catalogue
from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import aggregate_filter
from lookback.service import Runtime, build_service, consumer, serve
from lookback.settings import ServiceSettings
from lookback.store import create_tables, make_engine
from services.rectify import evidence, overdue, worklist
from services.rectify.adapters.tables import TABLES
from services.rectify.api import router
from services.rectify.handlers import make_handler

NAME = "rectify"
CONSUMES = [aggregate_filter("problem"), aggregate_filter("case")]
PUBLISHES = contracts.rectify


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    engine = make_engine(settings.store_url(NAME))
    create_tables(engine, *TABLES)
    handler = make_handler(load_catalogue())

    def consumers(rt: Runtime) -> list[BatchConsumer]:
        return [consumer(rt, handler, CONSUMES)]

    return build_service(
        NAME,
        settings,
        engine,
        consumers,
        routers=[worklist.router, router, evidence.router],
        tasks=[overdue.watch],
        title="Lookback 整改 rectify",
    )


def main() -> None:
    settings = ServiceSettings()
    serve(build_app(settings), settings, NAME)

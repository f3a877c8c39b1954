"""The reporting service: projects every event into the half-monthly statistics."""

from __future__ import annotations

from fastapi import FastAPI

from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import PREFIX
from lookback.service import Runtime, build_service, serve
from lookback.settings import ServiceSettings
from lookback.store import create_tables, make_engine
from services.reporting import gauges
from services.reporting.adapters.tables import TABLES
from services.reporting.api import router
from services.reporting.handlers import project

NAME = "reporting"
CONSUMES = [f"{PREFIX}.>"]
PUBLISHES = None


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    engine = make_engine(settings.store_url(NAME))
    create_tables(engine, *TABLES)
    gauges.register(engine)

    def consumers(rt: Runtime) -> list[BatchConsumer]:
        return [
            BatchConsumer(
                service=NAME,
                durable="reporting",
                filter_subjects=CONSUMES,
                engine=engine,
                publisher_factory=rt.publisher,
                handler=project,
                batch_size=settings.batch_size,
            )
        ]

    return build_service(NAME, settings, engine, consumers, routers=[router], title="Lookback 报表 reporting")


def main() -> None:
    settings = ServiceSettings()
    serve(build_app(settings), settings, NAME)

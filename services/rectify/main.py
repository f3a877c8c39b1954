"""The rectify service: owners, deadlines and overdue cases, and each owner's daily digest."""

from __future__ import annotations

from fastapi import FastAPI

from lookback import contracts
from lookback.catalogue import load as load_catalogue
from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import aggregate_filter
from lookback.service import Runtime, build_service, consumer, serve
from lookback.settings import ServiceSettings
from lookback.store import make_engine
from services.rectify import digests, evidence, overdue, sender, worklist
from services.rectify.adapters.tables import prepare
from services.rectify.api import router
from services.rectify.handlers import make_handler

NAME = "rectify"
CONSUMES = [aggregate_filter(a) for a in ("problem", "case", "digest", "submission")]
PUBLISHES = (contracts.rectify, contracts.digests)
DERIVES = [aggregate_filter("case")]


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    engine = make_engine(settings.store_url(NAME))
    prepare(engine, NAME)
    handler = make_handler(load_catalogue())

    def consumers(rt: Runtime) -> list[BatchConsumer]:
        return [consumer(rt, handler, CONSUMES, outputs=DERIVES)]

    return build_service(
        NAME,
        settings,
        engine,
        consumers,
        routers=[worklist.router, digests.router, router, evidence.router],
        tasks=[overdue.watch, digests.tick, sender.send],
        title="Lookback 整改 rectify",
    )


def main() -> None:
    settings = ServiceSettings()
    serve(build_app(settings), settings, NAME)

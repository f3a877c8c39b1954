"""The reporting service: keeps every problem and case event as a fact and computes the reports from them."""

from __future__ import annotations

from fastapi import FastAPI

from lookback import contracts
from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import PREFIX
from lookback.service import Runtime, build_service, consumer, serve
from lookback.settings import ServiceSettings
from lookback.store import make_engine
from services.reporting import api, exports, gauges, submissions, ui
from services.reporting.adapters.factlog import FactLog
from services.reporting.adapters.tables import prepare
from services.reporting.handlers import project

NAME = "reporting"
DURABLE = "reporting"
CONSUMES = [f"{PREFIX}.>"]
PUBLISHES = contracts.reporting


def build_app(settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or ServiceSettings()
    engine = make_engine(settings.store_url(NAME))
    prepare(engine, DURABLE)
    gauges.register(engine)

    def consumers(rt: Runtime) -> list[BatchConsumer]:
        return [consumer(rt, project, CONSUMES, durable=DURABLE, log_digest=True)]

    app = build_service(
        NAME,
        settings,
        engine,
        consumers,
        routers=[api.router, exports.router, submissions.router, ui.router],
        title="Lookback 报表 reporting",
    )
    app.state.fact_log = FactLog(engine)
    return app


def main() -> None:
    settings = ServiceSettings()
    serve(build_app(settings), settings, NAME)

"""The intake service: takes rosters and problem lists, and publishes household and issue events."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import Field

from lookback import contracts
from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import aggregate_filter
from lookback.service import Runtime, build_service, consumer, serve
from lookback.settings import ServiceSettings
from lookback.store import create_tables, make_engine
from services.intake.adapters.tables import TABLES
from services.intake.api import router
from services.intake.domain.limits import MEGABYTE, ImportLimits
from services.intake.household_batcher import HouseholdBatcher
from services.intake.issue_api import router as issue_router
from services.intake.projection import fold
from services.intake.status_api import router as status_router
from services.intake.template_api import router as template_router

NAME = "intake"
CONSUMES = [aggregate_filter("household"), aggregate_filter("village"), aggregate_filter("import")]
PUBLISHES = (contracts.intake,)


class IntakeSettings(ServiceSettings):
    roster_max_removal_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="Share of the households on record a full roster may remove without --allow-removal",
    )
    upload_max_bytes: int = Field(512 * MEGABYTE, gt=0, description="Largest upload, all files of a request together")
    xlsx_max_uncompressed_bytes: int = Field(
        512 * MEGABYTE, gt=0, description="Largest uncompressed size of an .xlsx, by its zip directory"
    )
    xlsx_max_ratio: float = Field(100, gt=1, description="Largest compression ratio of a member of an .xlsx over 1 MB")

    def limits(self) -> ImportLimits:
        return ImportLimits(
            self.roster_max_removal_share, self.upload_max_bytes, self.xlsx_max_uncompressed_bytes, self.xlsx_max_ratio
        )


def build_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    engine = make_engine(settings.store_url(NAME))
    create_tables(engine, *TABLES)

    def consumers(rt: Runtime) -> list[BatchConsumer]:
        return [consumer(rt, fold, CONSUMES)]

    households = HouseholdBatcher()
    app = build_service(
        NAME,
        settings,
        engine,
        consumers,
        routers=[router, issue_router, status_router, template_router],
        tasks=[households.run],
        title="Lookback 采集 intake",
    )
    app.state.limits = settings.limits()
    app.state.households = households
    return app


def main() -> None:
    settings = IntakeSettings()
    serve(build_app(settings), settings, NAME)

"""The rules service: finds the problems the roster shows (docs/rules.md)."""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI
from pydantic import Field

from lookback import contracts
from lookback.consumer import BatchConsumer
from lookback.contracts.subjects import aggregate_filter
from lookback.service import Runtime, build_service, consumer, serve
from lookback.settings import ServiceSettings
from lookback.store import create_tables, make_engine
from services.rules.adapters.tables import TABLES
from services.rules.domain.settings import RuleSettings
from services.rules.handlers import make_handler

NAME = "rules"
CONSUMES = [aggregate_filter("household"), aggregate_filter("village"), aggregate_filter("issue")]
PUBLISHES = (contracts.rules,)
DERIVES = [aggregate_filter("problem")]


class RulesServiceSettings(ServiceSettings):
    income_line: Decimal = Field(Decimal(4000), description="Income line, yuan per person per year")
    income_lines: dict[int, Decimal] = Field(default_factory=dict, description='Line by year, e.g. {"2020": 4200}')
    strict_x: bool = Field(False, description="Treat a lower-case x check character as invalid")

    def rules(self) -> RuleSettings:
        return RuleSettings(self.income_line, self.income_lines, self.strict_x)


def build_app(settings: RulesServiceSettings | None = None) -> FastAPI:
    settings = settings or RulesServiceSettings()
    engine = make_engine(settings.store_url(NAME))
    create_tables(engine, *TABLES)
    handler = make_handler(settings.rules(), settings.replica())

    def consumers(rt: Runtime) -> list[BatchConsumer]:
        return [consumer(rt, handler, CONSUMES, whole_log=True, outputs=DERIVES)]

    return build_service(NAME, settings, engine, consumers, title="Lookback 规则 rules")


def main() -> None:
    settings = RulesServiceSettings()
    serve(build_app(settings), settings, NAME)

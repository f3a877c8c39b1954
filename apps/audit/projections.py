"""The four read models as the services build them: name, position key, filters, tables, handler.

Everything is imported from the services themselves (filters from `main.CONSUMES`, handlers built as
`main.build_app` builds them, settings from the same `LOOKBACK_*` variables), so a rebuild runs the
code the services run and a verify compares against what that code would have written. Run the audit
with the services' environment (rules' income lines, `LOOKBACK_CATALOGUE`), or it checks other rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, Table
from sqlmodel import SQLModel

from lookback.consumer import Handler
from lookback.store import Position, create_tables


@dataclass(frozen=True)
class Projection:
    name: str
    durable: str
    filters: tuple[str, ...]
    tables: tuple[type[SQLModel], ...]
    handler: Handler
    prepare: Callable[[Engine], None]
    log_digest: bool = False

    def sql_tables(self) -> list[Table]:
        """Its tables, then `positions` (only its own row is its state)."""
        return [*(t.__table__ for t in self.tables), Position.__table__]  # type: ignore[attr-defined]


def _creator(tables: tuple[type[SQLModel], ...]) -> Callable[[Engine], None]:
    return lambda engine: create_tables(engine, *tables)


def intake() -> Projection:
    from services.intake import main
    from services.intake.adapters.tables import TABLES
    from services.intake.projection import fold

    return Projection(main.NAME, main.NAME, tuple(main.CONSUMES), TABLES, fold, _creator(TABLES))


def rules() -> Projection:
    from services.rules import main
    from services.rules.adapters.tables import TABLES
    from services.rules.handlers import make_handler

    handler = make_handler(main.RulesServiceSettings().rules())
    return Projection(main.NAME, main.NAME, tuple(main.CONSUMES), TABLES, handler, _creator(TABLES))


def rectify() -> Projection:
    from lookback.catalogue import load
    from services.rectify import main
    from services.rectify.adapters.tables import TABLES, prepare
    from services.rectify.handlers import make_handler

    handler = make_handler(load())
    return Projection(
        main.NAME, main.NAME, tuple(main.CONSUMES), TABLES, handler, lambda engine: prepare(engine, main.NAME)
    )


def reporting() -> Projection:
    from services.reporting import main
    from services.reporting.adapters.tables import TABLES, prepare
    from services.reporting.handlers import project

    return Projection(
        main.NAME,
        main.DURABLE,
        tuple(main.CONSUMES),
        TABLES,
        project,
        lambda engine: prepare(engine, main.DURABLE),
        log_digest=True,
    )


def all_projections() -> list[Projection]:
    """In the order events flow through the services."""
    return [intake(), rules(), rectify(), reporting()]


def by_name(names: list[str] | None) -> list[Projection]:
    found = all_projections()
    if not names:
        return found
    unknown = set(names) - {p.name for p in found}
    if unknown:
        raise ValueError(f"unknown service(s): {', '.join(sorted(unknown))}")
    return [p for p in found if p.name in names]

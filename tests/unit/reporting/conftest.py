"""A reporting API over a real read model of a small campaign, with users of three roles."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from lookback.auth.users import Role, UserStore
from lookback.consumer import Delivered
from lookback.store import make_engine
from services.reporting import api, exports, ui
from services.reporting.adapters.factlog import FactLog
from services.reporting.adapters.tables import prepare
from services.reporting.handlers import project

from .factories import Log, noon

ID = "34152319900307123X"


@pytest.fixture
def tokens(tmp_path: Path) -> dict[str, str]:
    store = UserStore(tmp_path / "users.json")
    return {
        "station": store.add("zhan", Role.STATION),
        "county": store.add("xian", Role.COUNTY),
        "cadre": store.add("li", Role.VILLAGE, village="桃园村"),
        "officer": store.add("chen", Role.UNIT, unit="集镇办"),
    }


@pytest.fixture
def client(tmp_path: Path, tokens: dict[str, str]) -> TestClient:
    engine = make_engine(f"sqlite:///{tmp_path / 'reporting.db'}")
    prepare(engine, "reporting")
    log = Log()
    log.problem("a", date(2019, 12, 1), id_number=ID, deadline=date(2019, 12, 16))
    log.problem("b", date(2019, 12, 20), item=1)
    log.rectify("b", date(2020, 1, 3))
    log.verify("b", date(2020, 1, 5), date(2020, 1, 4), recorded=noon(date(2020, 1, 20)))
    with Session(engine) as session:
        project(session, [Delivered(seq, env) for seq, env in log.envelopes])
        session.commit()
    app = FastAPI()
    for router in (api.router, exports.router, ui.router):
        app.include_router(router)
    app.state.fact_log = FactLog(engine)
    app.state.users = UserStore(tmp_path / "users.json")
    return TestClient(app)

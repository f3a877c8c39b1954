"""用户管理 without a browser: only `manage_users` reaches it, every change is the CLI's `UserStore`
call, errors come back in Chinese and English, and nothing secret is on the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lookback.auth.users import Role, User, UserStore
from lookback.store import create_tables, make_engine
from services.workbench import users
from services.workbench.adapters.sessions import SessionRow, SessionStore
from services.workbench.settings import WorkbenchSettings
from services.workbench.web import COOKIE, BadForm, Context, NotSignedIn, render, to_sign_in


class Desk:
    def __init__(self, tmp_path: Path) -> None:
        self.store = UserStore(tmp_path / "users.json")
        self.store.add("zhan", Role.STATION)
        self.store.add("li", Role.VILLAGE, village="桃园村")
        engine = make_engine(f"sqlite:///{tmp_path / 'workbench.db'}")
        create_tables(engine, SessionRow)
        self.sessions = SessionStore(engine)
        app = FastAPI()
        app.state.workbench = Context(WorkbenchSettings(), self.store, self.sessions, b"k" * 32)
        app.include_router(users.router)
        app.add_exception_handler(BadForm, lambda request, exc: render(request, "error.html", 403))
        app.add_exception_handler(NotSignedIn, lambda request, exc: to_sign_in("/users"))
        self.app = app

    def client(self, name: str) -> tuple[TestClient, str]:
        user = self.store.get(name)
        assert user is not None
        secret, signed_in = self.sessions.open(user, timedelta(hours=1))
        client = TestClient(self.app)
        client.cookies.set(COOKIE, secret)
        return client, signed_in.csrf


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield Desk(tmp_path)


def test_only_the_station_reaches_the_page(desk: Desk) -> None:
    cadre, csrf = desk.client("li")
    assert cadre.get("/users").status_code == 403
    assert cadre.post("/users", data={"csrf": csrf, "name": "evil", "role": "station"}).status_code == 403
    assert cadre.post("/users/zhan/disable", data={"csrf": csrf}).status_code == 403
    assert desk.store.get("evil") is None and desk.store.get("zhan") is not None


def test_the_page_lists_people_without_secrets(desk: Desk) -> None:
    station, _ = desk.client("zhan")
    page = station.get("/users").text
    assert "桃园村" in page and "村干部" in page
    assert not re.search(r"[0-9a-f]{64}", page) and "hash" not in page


def test_adding_shows_a_setup_link_and_checks_the_village(desk: Desk) -> None:
    station, csrf = desk.client("zhan")
    refused = station.post("/users", data={"csrf": csrf, "name": "wang", "role": "village", "village": "石门村"})
    assert refused.status_code == 400 and "本镇没有这个行政村" in refused.text and "no such village" in refused.text
    added = station.post("/users", data={"csrf": csrf, "name": "wang", "role": "village", "village": "新河村"})
    assert added.status_code == 200
    link = re.search(r'href="(http://[^"]+/setup/([^"]+))"', added.text)
    assert link
    assert desk.store.redeem_setup(link[2], "wang's own 2020") == User(name="wang", role=Role.VILLAGE, village="新河村")


def test_moving_disabling_and_resetting_are_the_stores(desk: Desk) -> None:
    station, csrf = desk.client("zhan")
    desk.store.set_password("li", "an old password 1")
    assert station.post("/users/li/scope", data={"csrf": csrf, "village": "新河村"}).status_code == 200
    assert desk.store.get("li") == User(name="li", role=Role.VILLAGE, village="新河村")
    cadre, _ = desk.client("li")
    assert station.post("/users/li/disable", data={"csrf": csrf}).status_code == 200
    assert desk.store.get("li") is None and cadre.get("/users", follow_redirects=False).status_code == 303  # signed out
    assert station.post("/users/li/enable", data={"csrf": csrf}).status_code == 200
    reset = station.post("/users/li/reset", data={"csrf": csrf})
    assert "/setup/" in reset.text and desk.store.check_password("li", "an old password 1") is None


def test_the_station_cannot_lock_itself_out_and_forms_need_the_token(desk: Desk) -> None:
    station, csrf = desk.client("zhan")
    mine = station.post("/users/zhan/disable", data={"csrf": csrf})
    assert mine.status_code == 400 and " / " in mine.text and desk.store.get("zhan") is not None
    assert station.post("/users/li/disable", data={}).status_code == 403
    assert station.post("/users/li/rename", data={"csrf": csrf}).status_code == 404


def test_the_setup_link_uses_the_address_people_reach(desk: Desk) -> None:
    desk.app.state.workbench.settings = WorkbenchSettings(workbench_url="https://bench.example.cn/")
    station, csrf = desk.client("zhan")
    reset = station.post("/users/li/reset", data={"csrf": csrf})
    assert 'href="https://bench.example.cn/setup/' in reset.text

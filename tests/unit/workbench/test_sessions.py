"""Workbench sessions: a fixed lifetime from sign-in, found by the cookie's secret until closed,
expired, or the person removed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lookback.auth.users import Role, UserStore
from lookback.store import create_tables, make_engine
from services.workbench.adapters.sessions import SessionRow, SessionStore, expires_at, is_live


@pytest.fixture
def users(tmp_path: Path) -> UserStore:
    store = UserStore(tmp_path / "users.json")
    store.add("li", Role.VILLAGE, village="桃园村")
    return store


@pytest.fixture
def sessions(tmp_path: Path) -> SessionStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'workbench.db'}")
    create_tables(engine, SessionRow)
    return SessionStore(engine)


def test_expiry_is_fixed_from_sign_in() -> None:
    t0 = datetime(2020, 1, 12, tzinfo=UTC)
    end = expires_at(t0, timedelta(hours=10))
    assert is_live(end, t0 + timedelta(hours=9, minutes=59))
    assert not is_live(end, t0 + timedelta(hours=10))


def test_a_session_finds_its_person_until_closed_expired_or_removed(users: UserStore, sessions: SessionStore) -> None:
    li = users.get("li")
    assert li is not None
    secret, opened = sessions.open(li, timedelta(hours=1))
    found = sessions.find(secret, users)
    assert found is not None and found.user == li and found.csrf == opened.csrf
    assert sessions.find(secret + "x", users) is None
    sessions.close(secret)
    assert sessions.find(secret, users) is None

    expired, _ = sessions.open(li, timedelta(seconds=-1))
    assert sessions.find(expired, users) is None

    live, _ = sessions.open(li, timedelta(hours=1))
    users.remove("li")
    assert sessions.find(live, users) is None


def test_a_disabled_persons_session_ends_at_once(users: UserStore, sessions: SessionStore) -> None:
    li = users.get("li")
    assert li is not None
    secret, _ = sessions.open(li, timedelta(hours=1))
    users.set_disabled("li", True)
    assert sessions.find(secret, users) is None
    users.set_disabled("li", False)
    assert sessions.find(secret, users) is not None

"""People's passwords and sessions: argon2 hashes in the users file, sessions that end, and a session
secret that the services accept like a token only while it lives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lookback.auth.sessions import SessionRow, SessionStore, expires_at, is_live
from lookback.auth.users import Role, UserError, UserStore
from lookback.store import create_tables, make_engine


@pytest.fixture
def users(tmp_path: Path) -> UserStore:
    store = UserStore(tmp_path / "users.json")
    store.add("li", Role.VILLAGE, village="桃园村")
    return store


@pytest.fixture
def sessions(tmp_path: Path) -> SessionStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'sessions.db'}")
    create_tables(engine, SessionRow)
    return SessionStore(engine)


def test_a_password_is_kept_as_argon2_and_checked(users: UserStore) -> None:
    users.set_password("li", "correct horse")
    text = users.path.read_text()
    assert "correct horse" not in text and "$argon2id$" in text
    assert users.check_password("li", "correct horse") == users.get("li")
    assert users.check_password("li", "wrong horse") is None
    assert users.check_password("nobody", "correct horse") is None


def test_a_short_password_is_refused_in_both_languages(users: UserStore) -> None:
    with pytest.raises(UserError, match="至少 8 位 / a password needs"):
        users.set_password("li", "short")


def test_a_setup_code_sets_the_password_once(users: UserStore) -> None:
    code = users.setup_code("li")
    assert users.redeem_setup(code, "chosen by li").name == "li"
    assert users.check_password("li", "chosen by li") is not None
    with pytest.raises(UserError, match="invalid or was used"):
        users.redeem_setup(code, "another one")


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

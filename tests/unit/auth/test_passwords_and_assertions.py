"""People's passwords (argon2 hashes in the users file, a one-time setup code) and the assertions the
workbench signs for them: valid for a minute, for one name, under one key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lookback.auth import assertions
from lookback.auth.users import Role, UserError, UserStore


@pytest.fixture
def users(tmp_path: Path) -> UserStore:
    store = UserStore(tmp_path / "users.json")
    store.add("li", Role.VILLAGE, village="桃园村")
    return store


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


def test_an_assertion_names_its_person_for_a_minute_under_its_key_only() -> None:
    t0 = datetime(2020, 1, 12, tzinfo=UTC)
    signed = assertions.sign("李明", b"key", at=t0)
    assert assertions.verify(signed, b"key", at=t0 + timedelta(seconds=59)) == "李明"
    assert assertions.verify(signed, b"key", at=t0 + timedelta(seconds=60)) is None
    assert assertions.verify(signed, b"another key", at=t0) is None
    mac = signed.rpartition(".")[2]
    tampered = assertions.sign("zhan", b"x", at=t0).removeprefix(assertions.PREFIX).split(".")[0]
    assert assertions.verify(f"{assertions.PREFIX}{tampered}.{mac}", b"key", at=t0) is None
    assert assertions.verify("a-plain-token", b"key", at=t0) is None

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lookback.auth.users import Role, User, UserError, UserStore, default_users_file, hash_token, make_user
from lookback.catalogue import load as load_catalogue

HAND_TOKEN = "hand-written-token-Zq3xV9pL0sTmR8wYcN2bK7fJ"


def write(path: Path, users: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"users": users}, ensure_ascii=False), encoding="utf-8")


def test_the_file_keeps_hashes_never_tokens(store: UserStore, users_file: Path):
    station = store.add("zhan", Role.STATION)
    cadre = store.add("li", Role.VILLAGE, village="石门村")
    text = users_file.read_text(encoding="utf-8")
    assert station not in text and cadre not in text
    assert hash_token(station) in text
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600


def test_tokens_are_long_random_and_distinct(store: UserStore):
    tokens = {store.add(f"u{i}", Role.COUNTY) for i in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 43 for t in tokens)  # 32 bytes, url-safe base64


def test_verify_returns_the_user_without_secrets(store: UserStore):
    token = store.add("chen", Role.UNIT, unit="县教育局")
    user = store.verify(token)
    assert user == User(name="chen", role=Role.UNIT, unit="县教育局")
    assert user is not None and user.actor == "user:chen"
    assert "hash" not in user.model_dump()
    assert store.verify(token + "x") is None
    assert store.verify("") is None


def test_rotate_replaces_the_token(store: UserStore):
    old = store.add("zhan", Role.STATION)
    new = store.rotate("zhan")
    assert new != old
    assert store.verify(old) is None
    assert store.verify(new) == User(name="zhan", role=Role.STATION)


def test_remove_revokes(store: UserStore):
    token = store.add("zhan", Role.STATION)
    keep = store.add("wang", Role.AUDITOR)
    store.remove("zhan")
    assert store.verify(token) is None
    assert store.verify(keep) is not None
    assert [u.name for u in store.users()] == ["wang"]


def test_unknown_and_duplicate_names_are_refused(store: UserStore):
    store.add("zhan", Role.STATION)
    with pytest.raises(UserError, match="already exists"):
        store.add("zhan", Role.COUNTY)
    for change in (store.remove, store.rotate):
        with pytest.raises(UserError, match="no such user"):
            change("nobody")


def test_no_file_means_no_users(store: UserStore, users_file: Path):
    assert store.users() == []
    assert store.verify("anything") is None
    assert not users_file.exists()


@pytest.mark.parametrize(
    ("role", "village", "unit", "problem"),
    [
        (Role.VILLAGE, None, None, "village"),
        (Role.VILLAGE, "  ", None, "village"),
        (Role.UNIT, None, None, "unit"),
        (Role.STATION, "石门村", None, "village"),
        (Role.COUNTY, None, "县教育局", "unit"),
        (Role.VILLAGE, "石门村", "县教育局", "unit"),
    ],
)
def test_scope_must_fit_the_role(store: UserStore, role: Role, village: str | None, unit: str | None, problem: str):
    with pytest.raises(UserError, match=problem) as err:
        store.add("li", role, village=village, unit=unit)
    assert " / " in str(err.value)  # Chinese / English
    assert store.users() == []


@given(st.text(min_size=8, max_size=80))
def test_a_rejected_name_is_never_echoed(name: str):
    try:
        make_user(name, Role.STATION)
    except UserError as err:
        assert name not in str(err)


def test_another_process_s_changes_are_seen(store: UserStore, users_file: Path):
    token = store.add("zhan", Role.STATION)
    assert store.verify(token) is not None
    UserStore(users_file).remove("zhan")
    assert store.verify(token) is None


def test_an_unchanged_file_is_parsed_once(store: UserStore, monkeypatch: pytest.MonkeyPatch):
    token = store.add("zhan", Role.STATION)
    parses = 0
    parse = UserStore._parse

    def counting(self: UserStore, raw: bytes) -> list:
        nonlocal parses
        parses += 1
        return parse(self, raw)

    monkeypatch.setattr(UserStore, "_parse", counting)
    for _ in range(5):
        assert store.verify(token) is not None
    assert parses <= 1


def test_a_hand_written_file_works(users_file: Path):
    write(
        users_file,
        [
            {"name": "zhan", "role": "station", "token_hash": hash_token(HAND_TOKEN)},
            {"name": "li", "role": "village", "village": "石门村", "token_hash": hash_token("other")},
        ],
    )
    store = UserStore(users_file)
    assert store.verify(HAND_TOKEN) == User(name="zhan", role=Role.STATION)
    assert store.verify("other") == User(name="li", role=Role.VILLAGE, village="石门村")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_the_documented_openssl_recipe_gives_the_hash():
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", "lookback/auth/token/v1"],
        input=HAND_TOKEN.encode(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert out.strip().endswith(hash_token(HAND_TOKEN))


@pytest.mark.parametrize(
    ("users", "expected"),
    [
        ([{"name": "zhan", "role": "station", "token": HAND_TOKEN}], "users[0]: 不接受明文令牌"),
        ([{"name": "zhan", "role": "station", "token_hash": HAND_TOKEN}], "users[0].token_hash"),
        ([{"name": "zhan", "role": "boss", "token_hash": "0" * 64}], "users[0].role"),
        ([{"name": "li", "role": "village", "token_hash": "0" * 64}], "users[0]: 村干部"),
        ([{"name": "zhan", "role": "station", "token_hash": "0" * 64, "pin": HAND_TOKEN}], "users[0].pin"),
        (
            [
                {"name": "zhan", "role": "station", "token_hash": "0" * 64},
                {"name": "zhan", "role": "county", "token_hash": "1" * 64},
            ],
            "users[1].name",
        ),
        (
            [
                {"name": "zhan", "role": "station", "token_hash": "0" * 64},
                {"name": "wang", "role": "county", "token_hash": "0" * 64},
            ],
            "users[1].token_hash",
        ),
    ],
)
def test_a_bad_file_is_refused_without_quoting_it(users_file: Path, users: list[dict[str, str]], expected: str):
    write(users_file, users)
    with pytest.raises(UserError) as err:
        UserStore(users_file).verify(HAND_TOKEN)
    message = str(err.value)
    assert expected in message
    assert message.startswith("用户文件有误 / invalid users file")
    assert HAND_TOKEN not in message and "zhan" not in message


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe\x00", b"[]"])
def test_a_file_that_is_not_a_users_object_is_refused(users_file: Path, raw: bytes):
    users_file.parent.mkdir(parents=True)
    users_file.write_bytes(raw)
    with pytest.raises(UserError, match="invalid users file"):
        UserStore(users_file).users()


def test_a_file_broken_while_running_fails_closed(store: UserStore, users_file: Path):
    token = store.add("zhan", Role.STATION)
    assert store.verify(token) is not None
    users_file.write_text("{", encoding="utf-8")
    with pytest.raises(UserError):
        store.verify(token)


def test_the_default_file_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("LOOKBACK_USERS_FILE", raising=False)
    monkeypatch.delenv("LOOKBACK_DATA_DIR", raising=False)
    assert default_users_file() == Path(".lookback") / "users.json"
    monkeypatch.setenv("LOOKBACK_DATA_DIR", str(tmp_path))
    assert default_users_file() == tmp_path / "users.json"
    monkeypatch.setenv("LOOKBACK_USERS_FILE", os.fspath(tmp_path / "elsewhere.json"))
    assert default_users_file() == tmp_path / "elsewhere.json"


def test_a_disabled_user_is_turned_away_everywhere_but_kept(store: UserStore):
    token = store.add("li", Role.VILLAGE, village="桃园村")
    store.set_password("li", "a long password 1")
    code = store.setup_code("li")
    store.set_disabled("li", True)
    assert store.verify(token) is None
    assert store.get("li") is None
    assert store.check_password("li", "a long password 1") is None
    with pytest.raises(UserError):
        store.redeem_setup(code, "another password 2")
    assert [(a.user.name, a.disabled) for a in store.accounts()] == [("li", True)]
    store.set_disabled("li", False)
    assert store.check_password("li", "a long password 1") == User(name="li", role=Role.VILLAGE, village="桃园村")


def test_a_reset_forgets_the_password_and_the_new_link_sets_one(store: UserStore):
    store.add("li", Role.VILLAGE, village="桃园村")
    store.set_password("li", "a long password 1")
    code = store.reset_password("li")
    assert store.check_password("li", "a long password 1") is None
    assert store.accounts()[0].has_password is False
    store.redeem_setup(code, "a new password 2")
    assert store.check_password("li", "a new password 2") is not None


def test_set_scope_keeps_the_role_and_its_rule(store: UserStore):
    store.add("li", Role.VILLAGE, village="桃园村")
    town = load_catalogue()
    assert store.set_scope("li", town, village="新河村") == User(name="li", role=Role.VILLAGE, village="新河村")
    with pytest.raises(UserError, match="village"):
        store.set_scope("li", town, unit="县教育局")
    with pytest.raises(UserError, match="no such village"):
        store.set_scope("li", town, village="石门村")
    assert store.get("li") == User(name="li", role=Role.VILLAGE, village="新河村")


def test_a_file_without_disabled_users_keeps_its_shape(store: UserStore, users_file: Path):
    store.add("zhan", Role.STATION)
    assert "disabled" not in users_file.read_text(encoding="utf-8")

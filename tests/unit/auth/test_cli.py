from pathlib import Path

import pytest
from typer.testing import CliRunner

from apps.cli.users import users_app
from lookback.auth.users import Role, User, UserStore

runner = CliRunner()


def run(users_file: Path, *args: str):
    return runner.invoke(users_app, [*args, "--users-file", str(users_file)])


def test_add_prints_the_token_alone_on_stdout(users_file: Path, store: UserStore):
    result = run(users_file, "add", "li", "--role", "village", "--village", "桃园村")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"
    assert "只显示这一次" in result.stderr and "only this once" in result.stderr
    assert store.verify(token) == User(name="li", role=Role.VILLAGE, village="桃园村")
    assert token not in users_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--role", "village"], "--village"),
        (["--role", "unit"], "--unit"),
        (["--role", "county", "--unit", "县教育局"], "--unit"),
    ],
)
def test_add_checks_the_scope_options(users_file: Path, args: list[str], expected: str):
    result = run(users_file, "add", "li", *args)
    assert result.exit_code == 2
    assert expected in result.stderr and " / " in result.stderr
    assert result.stdout == ""
    assert not users_file.exists()


@pytest.mark.parametrize(
    ("args", "zh"),
    [
        (["--role", "village", "--village", "不存在村"], "本镇没有这个行政村"),
        (["--role", "unit", "--unit", "各村"], "本镇没有这个责任单位"),
    ],
)
def test_add_gives_only_villages_and_units_the_town_has(users_file: Path, args: list[str], zh: str):
    result = run(users_file, "add", "li", *args)
    assert result.exit_code == 2
    assert zh in result.stderr and "the town has no such" in result.stderr
    assert not users_file.exists()


def test_add_gives_a_unit_of_the_plan(users_file: Path, store: UserStore):
    result = run(users_file, "add", "wang", "--role", "unit", "--unit", "党建办")
    assert result.exit_code == 0, result.output
    assert store.verify(result.stdout.strip()) == User(name="wang", role=Role.UNIT, unit="党建办")


def test_add_refuses_an_unknown_role(users_file: Path):
    result = run(users_file, "add", "li", "--role", "mayor")
    assert result.exit_code == 2
    assert "station" in result.stderr


def test_list_shows_roles_and_scopes_but_no_secrets(users_file: Path, store: UserStore):
    token = store.add("chen", Role.UNIT, unit="县教育局")
    store.add("zhan", Role.STATION)
    result = run(users_file, "list")
    assert result.exit_code == 0, result.output
    assert "chen" in result.stdout and "县教育局" in result.stdout and "station" in result.stdout
    assert token not in result.output and "token" not in result.output
    assert users_file.read_text(encoding="utf-8").count("token_hash") == 2


def test_rotate_prints_a_new_token_and_revokes_the_old(users_file: Path, store: UserStore):
    old = store.add("zhan", Role.STATION)
    result = run(users_file, "rotate", "zhan")
    assert result.exit_code == 0, result.output
    assert store.verify(old) is None
    assert store.verify(result.stdout.strip()) == User(name="zhan", role=Role.STATION)


def test_remove(users_file: Path, store: UserStore):
    token = store.add("zhan", Role.STATION)
    result = run(users_file, "remove", "zhan")
    assert result.exit_code == 0, result.output
    assert store.verify(token) is None


@pytest.mark.parametrize("command", ["remove", "rotate", "disable", "enable", "reset-password"])
def test_an_unknown_user_is_an_error(users_file: Path, command: str):
    result = run(users_file, command, "nobody")
    assert result.exit_code == 2
    assert "没有该用户 / no such user" in result.stderr
    assert "nobody" not in result.output


def test_a_broken_file_is_reported_not_traced(users_file: Path):
    users_file.parent.mkdir(parents=True)
    users_file.write_text('{"users": [{"name": "zhan", "role": "station", "token": "s3cret-token"}]}')
    result = run(users_file, "list")
    assert result.exit_code == 2
    assert "plaintext token not accepted" in result.stderr
    assert "s3cret-token" not in result.output and "Traceback" not in result.output


def test_the_file_can_come_from_the_environment(users_file: Path, store: UserStore):
    env = {"LOOKBACK_USERS_FILE": str(users_file)}
    result = runner.invoke(users_app, ["add", "zhan", "--role", "station"], env=env)
    assert result.exit_code == 0, result.output
    assert [u.name for u in store.users()] == ["zhan"]


@pytest.mark.parametrize("command", ["add", "list", "remove", "rotate", "scope", "disable", "enable", "reset-password"])
def test_every_command_has_help(command: str):
    result = runner.invoke(users_app, [command, "--help"])
    assert result.exit_code == 0
    assert "--users-file" in result.stdout


def test_add_with_password_stdin_sets_the_workbench_password(users_file: Path, store: UserStore):
    result = runner.invoke(
        users_app,
        ["add", "zhou", "--role", "county", "--password-stdin", "--users-file", str(users_file)],
        input="县里的密码123\n",
    )
    assert result.exit_code == 0, result.output
    assert store.check_password("zhou", "县里的密码123") == User(name="zhou", role=Role.COUNTY)
    assert "setup" not in result.stderr and "县里的密码123" not in result.output


def test_add_without_a_password_prints_a_one_time_setup_link(users_file: Path, store: UserStore):
    result = runner.invoke(
        users_app,
        ["add", "zhou", "--role", "auditor", "--workbench-url", "https://lb.example", "--users-file", str(users_file)],
    )
    assert result.exit_code == 0, result.output
    link = result.stderr.split("https://lb.example/setup/", 1)[1].split()[0]
    assert store.redeem_setup(link, "chosen later").name == "zhou"


def test_a_weak_password_on_stdin_adds_nobody(users_file: Path, store: UserStore):
    result = runner.invoke(
        users_app,
        ["add", "zhou", "--role", "county", "--password-stdin", "--users-file", str(users_file)],
        input="short\n",
    )
    assert result.exit_code == 2 and "至少 8 位" in result.stderr
    assert store.users() == []


def test_disable_turns_the_user_away_and_enable_lets_them_back(users_file: Path, store: UserStore):
    token = store.add("zhan", Role.STATION)
    assert run(users_file, "disable", "zhan").exit_code == 0
    assert store.verify(token) is None
    assert run(users_file, "enable", "zhan").exit_code == 0
    assert store.verify(token) == User(name="zhan", role=Role.STATION)


def test_scope_moves_a_cadre_to_a_village_the_town_has(users_file: Path, store: UserStore):
    store.add("li", Role.VILLAGE, village="桃园村")
    refused = run(users_file, "scope", "li", "--village", "不存在村")
    assert refused.exit_code == 2 and "本镇没有这个行政村" in refused.stderr
    moved = run(users_file, "scope", "li", "--village", "新河村")
    assert moved.exit_code == 0, moved.output
    assert store.get("li") == User(name="li", role=Role.VILLAGE, village="新河村")


def test_reset_password_prints_a_new_setup_link(users_file: Path, store: UserStore):
    store.add("li", Role.VILLAGE, village="桃园村")
    store.set_password("li", "an old password 1")
    result = run(users_file, "reset-password", "li")
    assert result.exit_code == 0, result.output
    assert "/setup/" in result.stderr
    assert store.check_password("li", "an old password 1") is None

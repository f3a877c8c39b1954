"""`lookback users …`: manage API users on the machine that holds the users file.

Tokens go to stdout alone, so `TOKEN=$(lookback users add …)` works; everything meant for a person goes
to stderr. Running services notice changes on their next request; nothing needs restarting.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lookback.auth.passwords import WeakPassword, check_strength
from lookback.auth.users import Role, UserError, UserStore, check_known_scope, default_users_file, make_user
from lookback.catalogue import load as load_catalogue
from lookback.settings import WORKBENCH_PORT

users_app = typer.Typer(help="API users and their tokens (用户与令牌).", no_args_is_help=True)
_err = Console(stderr=True)

UsersFile = Annotated[
    Path | None,
    typer.Option(
        "--users-file",
        envvar="LOOKBACK_USERS_FILE",
        help="Users file; default users.json in LOOKBACK_DATA_DIR (.lookback)",
        show_default=False,
    ),
]
_ROLES = "station 扶贫工作站, village 村干部, unit 责任单位, county 县扶贫局, auditor 审计"
WorkbenchUrl = Annotated[str, typer.Option(envvar="LOOKBACK_WORKBENCH_URL", help="Where the setup link points")]
DEFAULT_WORKBENCH = f"http://127.0.0.1:{WORKBENCH_PORT}"
Name = Annotated[str, typer.Argument(help="User name (1-64 letters, digits, . _ -)", show_default=False)]


def _store(users_file: Path | None) -> UserStore:
    return UserStore(users_file or default_users_file())


def _fail(err: UserError) -> typer.Exit:
    _err.print(str(err), style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(2)


def _show_token(token: str) -> None:
    typer.echo(token)
    _err.print("令牌只显示这一次，请妥善保存 / the token is shown only this once: keep it now.", style="yellow")


def _show_setup_link(workbench_url: str, code: str) -> None:
    _err.print(f"设置密码的一次性链接 / one-time link to choose a password: {workbench_url}/setup/{code}")


@users_app.command()
def add(
    name: Name,
    role: Annotated[Role, typer.Option(help=_ROLES, show_default=False)],
    village: Annotated[str | None, typer.Option(help="The cadre's village (role village only)")] = None,
    unit: Annotated[str | None, typer.Option(help="The officer's unit (role unit only)")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the workbench password from stdin (else: a setup link)")
    ] = False,
    workbench_url: WorkbenchUrl = DEFAULT_WORKBENCH,
    users_file: UsersFile = None,
) -> None:
    """Add a user and print its new token once; set a workbench password, or print a one-time setup link.
    The village or unit must be one the town has."""
    try:
        check_known_scope(load_catalogue(), make_user(name, role, village, unit))
    except UserError as err:
        raise _fail(err) from None
    store = _store(users_file)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        if password is not None:
            check_strength(password)
        token = store.add(name, role, village, unit)
        if password is not None:
            store.set_password(name, password)
        else:
            code = store.setup_code(name)
    except (UserError, WeakPassword) as err:
        raise _fail(UserError(str(err))) from None
    _show_token(token)
    if password is None:
        _show_setup_link(workbench_url, code)


@users_app.command("list")
def list_users(users_file: UsersFile = None) -> None:
    """List users with their role and scope (never tokens or hashes)."""
    try:
        users = _store(users_file).users()
    except UserError as err:
        raise _fail(err) from None
    table = Table("name", "role", "village", "unit")
    for user in users:
        table.add_row(*(Text(cell or "") for cell in (user.name, user.role.value, user.village, user.unit)))
    Console().print(table)


@users_app.command()
def remove(name: Name, users_file: UsersFile = None) -> None:
    """Remove a user; its token stops working."""
    try:
        _store(users_file).remove(name)
    except UserError as err:
        raise _fail(err) from None
    _err.print("已删除 / removed")


@users_app.command()
def rotate(name: Name, users_file: UsersFile = None) -> None:
    """Give a user a new token (print it once); the old token stops working."""
    try:
        token = _store(users_file).rotate(name)
    except UserError as err:
        raise _fail(err) from None
    _show_token(token)


@users_app.command()
def scope(
    name: Name,
    village: Annotated[str | None, typer.Option(help="The cadre's new village")] = None,
    unit: Annotated[str | None, typer.Option(help="The officer's new unit")] = None,
    users_file: UsersFile = None,
) -> None:
    """Move a village cadre to another village or a unit officer to another unit (one the town has)."""
    try:
        _store(users_file).set_scope(name, load_catalogue(), village, unit)
    except UserError as err:
        raise _fail(err) from None
    _err.print("已修改 / changed")


@users_app.command()
def disable(name: Name, users_file: UsersFile = None) -> None:
    """Turn a user away (token, password, open sessions) but keep the name; `enable` lets them back in."""
    try:
        _store(users_file).set_disabled(name, True)
    except UserError as err:
        raise _fail(err) from None
    _err.print("已停用 / disabled")


@users_app.command()
def enable(name: Name, users_file: UsersFile = None) -> None:
    """Let a disabled user in again."""
    try:
        _store(users_file).set_disabled(name, False)
    except UserError as err:
        raise _fail(err) from None
    _err.print("已启用 / enabled")


@users_app.command("reset-password")
def reset_password(
    name: Name,
    workbench_url: WorkbenchUrl = DEFAULT_WORKBENCH,
    users_file: UsersFile = None,
) -> None:
    """Forget the user's workbench password and print a one-time link to choose a new one."""
    try:
        code = _store(users_file).reset_password(name)
    except UserError as err:
        raise _fail(err) from None
    _show_setup_link(workbench_url, code)

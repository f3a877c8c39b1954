"""用户管理, the station's page of people: list them, add one, move a cadre or an officer, disable or enable
them, reset a password. Every change goes through the `UserStore` functions `lookback users` calls (one
code path, the same atomic rewrite of the file the services read their users from), and a village or
unit must be one of the town's catalogue, checked as the CLI checks it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lookback.auth.policy import Action, allowed
from lookback.auth.users import Role, UserError, check_known_scope, make_user
from lookback.catalogue import load as load_catalogue
from services.workbench.adapters.sessions import SignedIn
from services.workbench.web import context, form_of, render, signed_in

router = APIRouter(include_in_schema=False)
Person = Annotated[SignedIn, Depends(signed_in)]
FORBIDDEN = "无权管理用户 / you may not manage users"


def _page(request: Request, person: SignedIn, status: int = 200, **extra: Any) -> Response:
    if not allowed(person.user, Action.MANAGE_USERS):
        return render(request, "error.html", 403, me=person, error=FORBIDDEN)
    catalogue = load_catalogue()
    return render(
        request,
        "users.html",
        status,
        me=person,
        accounts=context(request).users.accounts(),
        villages=catalogue.villages,
        units=sorted(catalogue.units()),
        role_choices=list(Role),
        **extra,
    )


def _setup_link(request: Request, code: str) -> str:
    """The link `lookback users add` prints, on `LOOKBACK_WORKBENCH_URL` or the address this page was
    opened at (behind a proxy that may not be the one people reach)."""
    base = context(request).settings.workbench_url or str(request.base_url)
    return f"{base.rstrip('/')}/setup/{code}"


def _scope(role: Role, form: dict[str, str]) -> tuple[str | None, str | None]:
    """The form shows both lists; only the one the role has counts (a cadre's village, an officer's unit)."""
    village = form.get("village") if role is Role.VILLAGE else None
    unit = form.get("unit") if role is Role.UNIT else None
    return village or None, unit or None


@router.get("/users")
def users_page(request: Request, person: Person) -> Response:
    return _page(request, person)


@router.post("/users")
async def add_user(request: Request, person: Person) -> Response:
    form = await form_of(request, person.csrf)
    if not allowed(person.user, Action.MANAGE_USERS):
        return _page(request, person)
    store = context(request).users
    name = form.get("name", "").strip()
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        return _page(request, person, 400, error="请选择角色 / choose a role", prior=form)
    village, unit = _scope(role, form)
    try:
        check_known_scope(load_catalogue(), make_user(name, role, village, unit))
        store.add(name, role, village, unit)  # the API token is not shown: `lookback users rotate` gives one
        code = store.setup_code(name)
    except UserError as err:
        return _page(request, person, 400, error=str(err), prior=form)
    return _page(request, person, done=f"已添加 {name}", who=name, link=_setup_link(request, code))


@router.post("/users/{name}/{change}")
async def change_user(request: Request, person: Person, name: str, change: str) -> Response:
    form = await form_of(request, person.csrf)
    if not allowed(person.user, Action.MANAGE_USERS):
        return _page(request, person)
    ctx = context(request)
    store = ctx.users
    try:
        if change == "scope":
            store.set_scope(name, load_catalogue(), form.get("village") or None, form.get("unit") or None)
            return _page(request, person, done=f"已修改 {name} 的所属")
        if name == person.user.name:
            raise UserError("不能停用自己或重置自己的密码（请用修改密码） / not on yourself: use 修改密码")
        if change in ("disable", "enable"):
            store.set_disabled(name, change == "disable")
            ctx.sessions.close_all(name)
            return _page(request, person, done=f"已{'停用' if change == 'disable' else '启用'} {name}")
        if change == "reset":
            code = store.reset_password(name)
            ctx.sessions.close_all(name)
            return _page(request, person, done=f"已重置 {name} 的密码", who=name, link=_setup_link(request, code))
    except UserError as err:
        return _page(request, person, 400, error=str(err))
    return render(request, "error.html", 404, me=person, error="没有这个操作 / no such action")

"""Signing in as a person: name and password, lock-out, sign-out, password change and the one-time
setup link. The sign-in form has its own CSRF token (a cookie and a hidden field that must agree),
since there is no session yet to hold one."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lookback.auth.users import UserError
from lookback.clock import utcnow
from services.workbench.adapters import failures
from services.workbench.adapters.sessions import SignedIn
from services.workbench.domain.forms import csrf_ok
from services.workbench.domain.lockout import Failures, Policy, after_failure, is_locked
from services.workbench.web import (
    COOKIE,
    HEADERS,
    context,
    form_of,
    redirect,
    render,
    secret_of,
    set_session_cookie,
    signed_in,
)

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "lb_login_csrf"
Person = Annotated[SignedIn, Depends(signed_in)]


def _safe_next(path: str | None) -> str:
    """Only a path on this site: an open redirect would let a link sign people in and send them elsewhere."""
    return path if path and path.startswith("/") and not path.startswith("//") else "/work"


def _login_page(request: Request, next_path: str, error: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status, csrf=token, next=next_path, error=error)
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=context(request).settings.cookie_secure
    )
    return response


@router.get("/login")
def login_form(request: Request, next: str = "/work") -> Response:
    return _login_page(request, _safe_next(next))


@router.post("/login")
async def login(request: Request) -> Response:
    ctx = context(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    next_path = _safe_next(form.get("next"))
    if not csrf_ok(request.cookies.get(LOGIN_CSRF), form.get("csrf")):
        return _login_page(request, next_path, "页面已过期，请重新登录 / the page expired, sign in again", 403)
    name, password = form.get("name", "").strip(), form.get("password", "")
    policy = Policy(ctx.settings.lockout_attempts, ctx.settings.lockout_minutes)
    engine = ctx.sessions.engine
    at = utcnow()
    record = failures.load(engine, name)
    if is_locked(record, at):
        message = (
            f"尝试次数过多，请 {policy.minutes} 分钟后再试 / too many attempts: try again in {policy.minutes} minutes"
        )
        return _login_page(request, next_path, message, 429)
    user = ctx.users.check_password(name, password) if name else None
    if user is None:
        failures.save(engine, name, after_failure(record, at, policy))
        return _login_page(request, next_path, "用户名或密码错误 / wrong name or password", 401)
    failures.save(engine, name, Failures())
    secret, _ = ctx.sessions.open(user, timedelta(hours=ctx.settings.session_hours))
    response = redirect(next_path)
    set_session_cookie(response, secret, ctx.settings)
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
async def logout(request: Request, person: Person) -> Response:
    await form_of(request, person.csrf)
    context(request).sessions.close(secret_of(request))
    response = redirect("/login")
    response.delete_cookie(COOKIE)
    return response


@router.get("/password")
def password_form(request: Request, person: Person) -> Response:
    return render(request, "password.html", me=person)


@router.post("/password")
async def change_password(request: Request, person: Person) -> Response:
    ctx = context(request)
    form = await form_of(request, person.csrf)
    if ctx.users.check_password(person.user.name, form.get("current", "")) is None:
        return render(request, "password.html", 400, me=person, error="当前密码不对 / the current password is wrong")
    if form.get("new", "") != form.get("repeat", ""):
        return render(
            request, "password.html", 400, me=person, error="两次输入的新密码不一致 / the new passwords differ"
        )
    try:
        ctx.users.set_password(person.user.name, form.get("new", ""))
    except UserError as err:
        return render(request, "password.html", 400, me=person, error=str(err))
    ctx.sessions.close_all(person.user.name)  # a thief's session on another phone ends with the old password
    secret, fresh = ctx.sessions.open(person.user, timedelta(hours=ctx.settings.session_hours))
    response = render(request, "password.html", me=fresh, done=True)
    set_session_cookie(response, secret, ctx.settings)
    return response


@router.get("/setup/{code}")
def setup_form(request: Request, code: str) -> Response:
    return _setup_page(request, code)


def _setup_page(request: Request, code: str, error: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(request, "setup.html", status, csrf=token, code=code, error=error)
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=context(request).settings.cookie_secure
    )
    return response


@router.post("/setup/{code}")
async def setup(request: Request, code: str) -> Response:
    ctx = context(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not csrf_ok(request.cookies.get(LOGIN_CSRF), form.get("csrf")):
        return _setup_page(request, code, "页面已过期，请重试 / the page expired, try again", 403)
    if form.get("new", "") != form.get("repeat", ""):
        return _setup_page(request, code, "两次输入的密码不一致 / the passwords differ", 400)
    try:
        ctx.users.redeem_setup(code, form.get("new", ""))
    except UserError as err:
        return _setup_page(request, code, str(err), 400)
    response = redirect("/login")
    response.headers.update(HEADERS)
    return response

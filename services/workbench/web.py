"""What every page needs: the signed-in person (or a redirect to sign in), the templates, the CSRF
check and the security headers. Pages never trust a form's word for who is acting: the person comes
from the session cookie, and the services check the same session again."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from lookback.auth.policy import Action, allowed
from lookback.auth.users import Role, User, UserStore
from lookback.calendar import period_of
from lookback.clock import local_date, now
from services.workbench.adapters.services import Service
from services.workbench.adapters.sessions import SessionStore, SignedIn
from services.workbench.domain.forms import csrf_ok
from services.workbench.settings import WorkbenchSettings

COOKIE = "lb_session"
ROLE_LABELS = {
    Role.STATION: "扶贫工作站",
    Role.VILLAGE: "村干部",
    Role.UNIT: "责任单位",
    Role.COUNTY: "县扶贫局",
    Role.AUDITOR: "审计",
}
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
templates = Jinja2Templates(directory=str(resources.files("services.workbench").joinpath("templates")))


def may(user: User, action: str) -> bool:
    """For templates: a link or a control shows when the policy allows it, never by naming roles."""
    return allowed(user, Action(action))


templates.env.globals["may"] = may


class NotSignedIn(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class BadForm(Exception):
    """A form without the session's CSRF token: answered 403, nothing is sent on."""


@dataclass
class Context:
    settings: WorkbenchSettings
    users: UserStore
    sessions: SessionStore
    key: bytes


def context(request: Request) -> Context:
    return request.app.state.workbench  # type: ignore[no-any-return]


def service(request: Request, person: SignedIn, name: str) -> Service:
    """`name`'s API (intake, rectify, reporting) as the signed-in person."""
    ctx = context(request)
    return Service(name, getattr(ctx.settings, f"{name}_url"), person.user.name, ctx.key)


def signed_in(request: Request) -> SignedIn:
    """The person of this request's session cookie, or a redirect to the sign-in page."""
    secret = request.cookies.get(COOKIE)
    ctx = context(request)
    found = ctx.sessions.find(secret, ctx.users) if secret else None
    if found is None:
        raise NotSignedIn(request.url.path)
    return found


def secret_of(request: Request) -> str:
    return request.cookies.get(COOKIE, "")


async def form_of(request: Request, expected_csrf: str) -> dict[str, str]:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not csrf_ok(expected_csrf, form.get("csrf")):
        raise BadForm
    return form


def render(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    today = local_date(now())
    values.setdefault("me", None)
    response = templates.TemplateResponse(
        request,
        name,
        {"today": today.isoformat(), "period": period_of(today).label, "roles": ROLE_LABELS, **values},
        status_code=status,
    )
    response.headers.update(HEADERS)
    return response


def redirect(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=HEADERS)


def to_sign_in(next_path: str) -> Response:
    return redirect(f"/login?next={quote(next_path)}")


def set_session_cookie(response: Response, secret: str, settings: WorkbenchSettings) -> None:
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )

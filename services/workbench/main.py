"""The workbench: the pages people use in the browser (on a phone too), one web process beside the four
services. It holds no read model and no NATS connection: it reads and acts through the services' HTTP
APIs as the signed-in person (docs/decisions.md, "The workbench is one web process").
"""

from __future__ import annotations

import logging
import os
from importlib import resources

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from lookback.auth.assertions import key_file, read_key
from lookback.auth.users import UserStore, default_users_file
from lookback.observability import setup_logging
from lookback.store import create_tables, make_engine
from services.workbench import bulk, forms_page, pages, signin, submissions, users
from services.workbench.adapters.failures import FailureRow
from services.workbench.adapters.services import ServiceDown
from services.workbench.adapters.sessions import SessionRow, SessionStore
from services.workbench.settings import WorkbenchSettings
from services.workbench.web import HEADERS, BadForm, Context, NotSignedIn, render, to_sign_in

NAME = "workbench"


def build_app(settings: WorkbenchSettings | None = None) -> FastAPI:
    settings = settings or WorkbenchSettings()
    setup_logging(NAME)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call to rectify would drown the log
    engine = make_engine(settings.store_url(NAME))
    create_tables(engine, SessionRow, FailureRow)
    sessions = SessionStore(engine)
    sessions.purge_expired()
    app = FastAPI(title="Lookback 工作台 workbench", docs_url=None, redoc_url=None, openapi_url=None)
    key = read_key()
    if key is None:
        raise SystemExit(f"工作台缺少签名密钥 / the workbench has no signing key: {key_file()} (lookback up makes one)")
    app.state.workbench = Context(settings, UserStore(default_users_file()), sessions, key)
    static = resources.files("services.workbench").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(NotSignedIn)
    async def _sign_in(request: Request, exc: NotSignedIn) -> Response:
        return to_sign_in(exc.next_path)

    @app.exception_handler(BadForm)
    async def _bad_form(request: Request, exc: BadForm) -> Response:
        return render(request, "error.html", 403, error="页面已过期，请刷新后重试 / the page expired: reload and retry")

    @app.exception_handler(ServiceDown)
    async def _down(request: Request, exc: ServiceDown) -> Response:
        return render(
            request,
            "error.html",
            503,
            error=f"{exc.service} 服务暂时无法访问，请稍后重试 / {exc.service} is not answering; retry shortly",
        )

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> Response:
        return JSONResponse({"status": "ok", "service": NAME, "pid": os.getpid()}, headers=HEADERS)

    app.include_router(signin.router)
    app.include_router(pages.router)
    app.include_router(bulk.router)
    app.include_router(users.router)
    app.include_router(forms_page.router)
    app.include_router(submissions.router)
    return app


def main() -> None:
    settings = WorkbenchSettings()
    uvicorn.run(build_app(settings), host=settings.host, port=settings.http_port(), log_level="warning")

"""What every command shares: consoles, default addresses, the token, bilingual failures."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

import httpx
import typer
from rich.console import Console

from apps.runner import STATION_TOKEN
from lookback.dates import NotADate, parse_day
from lookback.settings import DEFAULT_PORTS

console = Console()
err = Console(stderr=True)

INTAKE_URL = f"http://127.0.0.1:{DEFAULT_PORTS['intake']}"
RECTIFY_URL = f"http://127.0.0.1:{DEFAULT_PORTS['rectify']}"
REPORTING_URL = f"http://127.0.0.1:{DEFAULT_PORTS['reporting']}"


def fail(message: str) -> NoReturn:
    err.print(f"[red]{message}[/red]")
    raise typer.Exit(2)


def token_file() -> Path:
    return Path(os.environ.get("LOOKBACK_DATA_DIR", ".lookback")) / STATION_TOKEN


def day(text: str, option: str) -> str:
    """A date option as the clerk wrote it (2020/01/12, 2020年1月12日 …), in the ISO form the services take."""
    try:
        return parse_day(text).isoformat()
    except NotADate as e:
        fail(f"{option}: {e}")


def token() -> str | None:
    """`LOOKBACK_TOKEN`, else the station token `lookback up` keeps in its data dir."""
    if value := os.environ.get("LOOKBACK_TOKEN"):
        return value
    path = token_file()
    return path.read_text().strip() if path.exists() else None


def unauthorised_hint() -> str:
    """What to set after a 401: the CLI looks for the station token in one place only."""
    if os.environ.get("LOOKBACK_TOKEN"):
        return "LOOKBACK_TOKEN 中的令牌无效或已停用 / the token in LOOKBACK_TOKEN is not valid (or was revoked)"
    path = token_file()
    if path.exists():
        return f"{path} 中的令牌不属于这个系统 / the token in {path} is not this system's: is LOOKBACK_DATA_DIR right?"
    return (
        f"未找到令牌 {path}：用 `lookback up --data-dir X` 启动的，请设置 LOOKBACK_DATA_DIR=X（或 LOOKBACK_TOKEN） / "
        f"no token at {path}: if the system was started with `lookback up --data-dir X`, "
        "set LOOKBACK_DATA_DIR=X (or LOOKBACK_TOKEN=<token>)"
    )


def auth_headers() -> dict[str, str]:
    value = token()
    return {"Authorization": f"Bearer {value}"} if value else {}


def send(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """The service's answer, refusals included; an unreachable service or a bad token ends the command."""
    try:
        response = httpx.request(method, url, timeout=kwargs.pop("timeout", 120), headers=auth_headers(), **kwargs)
    except httpx.HTTPError as e:
        fail(f"无法连接 {url} / cannot reach {url}: {type(e).__name__}. 系统是否已启动? Is `lookback up` running?")
    if response.status_code == 401:
        fail(f"401: {detail(response)}\n{unauthorised_hint()}")
    return response


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    response = send(method, url, **kwargs)
    if response.status_code >= 400:
        fail(f"{response.status_code}: {detail(response)}")
    return response


def detail(response: httpx.Response) -> str:
    """The service's reason as a person reads it: each bilingual error on its own line."""
    if "json" not in response.headers.get("content-type", ""):
        return response.text
    found = response.json().get("detail")
    errors = found if isinstance(found, list) else [found]
    return "\n".join(_bilingual(e) for e in errors)


def _bilingual(error: Any) -> str:
    if isinstance(error, dict) and "zh" in error and "en" in error:
        return f"{error['zh']} / {error['en']}"
    return str(error)


def filename(disposition: str, default: str) -> str:
    """The server's name for the file (整改台帐-2020-01-H1.xlsx), never a path it could smuggle in."""
    match = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    return Path(unquote(match[1])).name if match else default

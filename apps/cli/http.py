"""What every command shares: consoles, default addresses, the token, bilingual failures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NoReturn

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
    path = Path(os.environ.get("LOOKBACK_DATA_DIR", ".lookback")) / STATION_TOKEN
    return path.read_text().strip() if path.exists() else None


def auth_headers() -> dict[str, str]:
    value = token()
    return {"Authorization": f"Bearer {value}"} if value else {}


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = httpx.request(method, url, timeout=kwargs.pop("timeout", 120), headers=auth_headers(), **kwargs)
    except httpx.HTTPError as e:
        fail(f"无法连接 {url} / cannot reach {url}: {type(e).__name__}. 系统是否已启动? Is `lookback up` running?")
    if response.status_code >= 400:
        fail(f"{response.status_code}: {detail(response)}")
    return response


def detail(response: httpx.Response) -> Any:
    if "json" in response.headers.get("content-type", ""):
        return response.json().get("detail")
    return response.text

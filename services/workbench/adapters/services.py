"""The four services' HTTP APIs, called with an assertion signed for the person as the bearer
credential, so each service decides what this person may see and do, exactly as for the CLI's token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from lookback.auth import assertions


class ServiceDown(RuntimeError):
    """A service did not answer; the page says so instead of showing a traceback."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service


class Service:
    """One service's API as one person. `name` is the service's (intake, rules, rectify, reporting)."""

    def __init__(self, service: str, base_url: str, person: str, key: bytes) -> None:
        self.service = service
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {assertions.sign(person, key)}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        return self._send("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """`body` as JSON; or pass `files=`/`data=`/`content=` as httpx takes them (uploads)."""
        return self._send("POST", path, **({"json": body} if body is not None else {}), **kwargs)

    @contextmanager
    def stream(self, path: str, **kwargs: Any) -> Iterator[httpx.Response]:
        """A POST whose answer is read as it comes (a roster import's progress lines); as `post` takes it.
        No read timeout, as for the CLI: a county's roster is parsed before its first line comes."""
        try:
            with (
                httpx.Client(
                    base_url=self.base_url, headers=self.headers, timeout=httpx.Timeout(120, read=None)
                ) as client,
                client.stream("POST", path, **kwargs) as reply,
            ):
                yield reply
        except httpx.HTTPError as err:
            raise ServiceDown(self.service, type(err).__name__) from None

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=120) as client:
                return client.request(method, path, **kwargs)
        except httpx.HTTPError as err:
            raise ServiceDown(self.service, type(err).__name__) from None


def error_of(reply: httpx.Response) -> str:
    """An API error's `detail` as one bilingual line, whichever of the services' shapes it has."""
    try:
        detail = reply.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, dict):
        return f"{detail.get('zh', '')} / {detail.get('en', '')}"
    if isinstance(detail, str):
        return detail
    return f"操作失败 / the request failed ({reply.status_code})"

"""rectify's HTTP API, called with an assertion signed for the person as the bearer credential, so
rectify decides what this person may see and do, exactly as for the CLI's token."""

from __future__ import annotations

from typing import Any

import httpx

from lookback.auth import assertions


class ServiceDown(RuntimeError):
    """rectify did not answer; the page says so instead of showing a traceback."""


class Rectify:
    def __init__(self, base_url: str, name: str, key: bytes) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {assertions.sign(name, key)}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        return self._send("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self._send("POST", path, json=body)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=30) as client:
                return client.request(method, path, **kwargs)
        except httpx.HTTPError as err:
            raise ServiceDown(type(err).__name__) from None

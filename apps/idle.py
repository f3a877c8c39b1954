"""Knowing when the pipeline has caught up: every service's consumers have nothing left to handle.

Each service answers `GET /progress` with, per consumer, its committed stream position and the
events of its subjects still in the log beyond it.
"""

from __future__ import annotations

import asyncio
import time

import httpx

from lookback.settings import DEFAULT_PORTS

DEFAULT_SERVICES = tuple(f"http://127.0.0.1:{port}" for port in DEFAULT_PORTS.values())


async def pending(service_urls: tuple[str, ...]) -> dict[str, int]:
    """Events each consumer has still to handle; -1 where a service is not answering yet."""
    out: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=5) as client:
        for url in service_urls:
            try:
                body = (await client.get(f"{url}/progress")).json()
            except (httpx.HTTPError, ValueError):
                out[url] = -1
                continue
            if not body:
                out[url] = -1
            for consumer, state in body.items():
                out[consumer] = int(state["pending"])
    return out


async def wait_idle(
    service_urls: tuple[str, ...] = DEFAULT_SERVICES, timeout: float = 120, settle: float = 0.2
) -> dict[str, int]:
    """Idle when two looks `settle` seconds apart both find nothing pending anywhere."""
    deadline = time.monotonic() + timeout
    quiet = 0
    last: dict[str, int] = {}
    while time.monotonic() < deadline:
        last = await pending(service_urls)
        quiet = quiet + 1 if all(v == 0 for v in last.values()) else 0
        if quiet >= 2:
            return last
        await asyncio.sleep(settle)
    raise TimeoutError(f"not idle after {timeout:.0f}s: {last}")

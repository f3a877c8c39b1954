"""The latency run's HTTP client: JSON POSTs over a pool of kept-alive HTTP/1.1 connections.

Measured here: at 500 requests a second with 200 open, httpx's pool spent 15 ms of the bench's CPU per
request — more than all four services together — and on two cores the services waited for it. This
client writes a request and reads a `Content-Length` answer (what uvicorn sends for JSON) on asyncio's
streams and costs a fraction of that, so the run measures the system, not its client.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


class Refused(RuntimeError):
    """An answer of status 400 or above."""


class Pool:
    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        fields = {"Host": parts.netloc, "Content-Type": "application/json", **headers}
        self.head = "".join(f"{k}: {v}\r\n" for k, v in fields.items())
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: Any) -> Any:
        """The answer's JSON; a connection the server closed while idle is replaced once."""
        if self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._exchange(reader, writer, path, body)
            except asyncio.IncompleteReadError as err:
                writer.close()
                if err.partial:
                    raise
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return await self._exchange(reader, writer, path, body)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, body: Any) -> Any:
        data = json.dumps(body).encode()
        writer.write(f"POST {path} HTTP/1.1\r\n{self.head}Content-Length: {len(data)}\r\n\r\n".encode() + data)
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
        answer = await reader.readexactly(length)
        self.idle.append((reader, writer))
        if status >= 400:
            raise Refused(f"{status} {answer[:300].decode(errors='replace')}")
        return json.loads(answer)

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()

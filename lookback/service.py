"""The shape every service shares: a FastAPI app whose lifespan runs a FastStream NATS broker.

HTTP carries `/healthz`, `/progress`, `/metrics` and the service's own API (OpenAPI docs at `/docs`);
the broker holds the NATS connection, and the service's batch consumers tail the log on it. Settings
are read when the app is built, never at import.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Response
from faststream.nats import NatsBroker, NatsUserPassword
from nats.errors import Error as NatsError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine

from lookback.consumer import BatchConsumer, Handler
from lookback.messaging import Publisher, connection_options, ensure_streams, missing_stream
from lookback.observability import setup_logging
from lookback.settings import ServiceSettings
from lookback.signing import Signer, load_signer
from lookback.validation import install as install_validation_errors

GC_YOUNGEST = 10_000
"""Allocations between collections of the youngest generation (CPython's default: 700)."""

log = logging.getLogger("lookback.service")
Task = Callable[["Runtime"], Coroutine[Any, Any, None]]


@dataclass
class Runtime:
    """What handlers and background tasks of a running service may use."""

    name: str
    settings: ServiceSettings
    engine: Engine
    broker: NatsBroker
    consumers: list[BatchConsumer] = field(default_factory=list)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    signer: Signer | None = None

    def publisher(self) -> Publisher:
        return Publisher(self.broker.connection, signer=self.signer)

    async def problem(self) -> str | None:
        """Why this service cannot do its work, or None: disconnected from NATS, the log gone, a consumer gone.
        A service that merely answers while its stream was deleted would look healthy and do nothing."""
        nc = self.broker.connection
        if not nc.is_connected:
            return "not connected to NATS"
        try:
            gone = await missing_stream(nc)
            if gone:
                return f"stream {gone} does not exist"
            for c in self.consumers:
                if not await c.alive():
                    return f"the consumer of {c.durable} is gone"
        except NatsError as err:  # e.g. a cluster electing the stream's leader
            return f"NATS did not answer about the stream ({type(err).__name__})"
        return None


def consumer(
    runtime: Runtime,
    handler: Handler,
    consumes: list[str],
    durable: str | None = None,
    whole_log: bool = False,
    log_digest: bool = False,
    outputs: list[str] | None = None,
) -> BatchConsumer:
    """The service's batch consumer, with the settings every service shares (batch size, replica)."""
    return BatchConsumer(
        service=runtime.name,
        durable=durable or runtime.name,
        filter_subjects=consumes,
        engine=runtime.engine,
        publisher_factory=runtime.publisher,
        handler=handler,
        batch_size=runtime.settings.batch_size,
        partition=runtime.settings.replica(),
        whole_log=whole_log,
        log_digest=log_digest,
        outputs=outputs,
    )


def signer_of(settings: ServiceSettings, name: str) -> Signer | None:
    """The service's own key; without one it appends unsigned, and `verify-chain` will say so. The key id is
    the file's name without `.key` (`rules`, or `rules-2021` after a rotation), as the auditor's `.pub` is named."""
    path = settings.signing_key_path(name)
    if not path.exists():
        log.warning("no signing key at %s: events are appended unsigned", path)
        return None
    return load_signer(path, path.stem)


def build_broker(settings: ServiceSettings, name: str) -> NatsBroker:
    """The broker connects as every other client does (`connection_options`), as the service's own NATS user."""
    options = connection_options(settings.nats_url, f"lookback-{name}")
    credentials = settings.nats_credentials()
    security = NatsUserPassword(credentials.user, credentials.password) if credentials else None
    return NatsBroker(**options, security=security, logger=None)


def build_service(
    name: str,
    settings: ServiceSettings,
    engine: Engine,
    consumers: Callable[[Runtime], Sequence[BatchConsumer]],
    routers: Sequence[APIRouter] = (),
    tasks: Sequence[Task] = (),
    title: str = "",
) -> FastAPI:
    setup_logging(name)
    runtime_box: list[Runtime] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(name, settings, engine, build_broker(settings, name), signer=signer_of(settings, name))
        runtime.consumers = list(consumers(runtime))
        runtime_box.append(runtime)
        app.state.runtime = runtime
        await runtime.broker.start()
        nc = runtime.broker.connection
        await ensure_streams(nc, settings.stream_replicas)
        started = [asyncio.Event() for _ in runtime.consumers]
        running = [asyncio.create_task(c.run(nc, ev)) for c, ev in zip(runtime.consumers, started, strict=True)]
        await asyncio.gather(*(ev.wait() for ev in started))
        running += [asyncio.create_task(task(runtime)) for task in tasks]
        runtime.ready.set()
        tune_gc()
        try:
            yield
        finally:
            for t in running:
                t.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await runtime.broker.stop()
            engine.dispose()

    app = FastAPI(title=title or f"Lookback {name}", lifespan=lifespan)
    install_validation_errors(app)

    @app.get("/healthz", tags=["ops"], summary="Ready when connected to NATS and consuming; 503 with the reason if not")
    async def healthz() -> Response:
        if not runtime_box or not runtime_box[0].ready.is_set():
            status, reason = "starting", None
        else:
            reason = await runtime_box[0].problem()
            status = "ok" if reason is None else "failing"
        # the pid lets a runner tell its own process from another one answering on the same port
        body = {"status": status, "service": name, "pid": os.getpid()} | ({"reason": reason} if reason else {})
        return Response(json.dumps(body), status_code=200 if status == "ok" else 503, media_type="application/json")

    @app.get("/progress", tags=["ops"], summary="Stream position and events still to handle, per consumer")
    async def progress() -> dict[str, dict[str, int]]:
        if not runtime_box or not runtime_box[0].ready.is_set():
            return {}
        return {c.durable: {"position": c.position, "pending": await c.pending()} for c in runtime_box[0].consumers}

    @app.get("/metrics", tags=["ops"], summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in routers:
        app.include_router(router)
    return app


def tune_gc() -> None:
    """A consumer allocates many short-lived objects per event (decoded envelopes, rows, cells) and few
    that live: profiled, CPython's collector took 20-25 % of reporting's and intake's CPU, most of it
    re-scanning what was loaded at start (modules, the catalogue, the app). Freezing that and collecting
    the youngest generation less often keeps the cycles collector off the hot path; memory is still
    freed by reference counting as before."""
    gc.freeze()
    gc.set_threshold(GC_YOUNGEST, *gc.get_threshold()[1:])


def serve(app: FastAPI, settings: ServiceSettings, name: str) -> None:
    uvicorn.run(app, host=settings.host, port=settings.http_port(name), log_level="warning")

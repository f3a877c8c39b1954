"""The event log on NATS JetStream: stream setup and durable, idempotent publishing.

Measured on this stack (docs/decisions.md): with `sync_interval: always` every published message
pays an fsync, so a handler's outputs go out as one atomic batch (one fsync, all or nothing). Event
ids are the `Nats-Msg-Id`, so a batch retried after a crash is recognised as already stored.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nats
from nats.aio.client import Client
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from lookback.contracts.envelope import Envelope
from lookback.contracts.subjects import DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, PREFIX, STREAM
from lookback.settings import NatsCredentials, nats_servers
from lookback.signing import BATCH, Signer, message_digest

ATOMIC_LIMIT = 1000  # the server's largest atomic batch
ERR_DUPLICATE_IN_BATCH = 10201
ERR_WRONG_LAST_SEQUENCE = 10071


class PublishError(RuntimeError):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"JetStream refused the publish ({code}): {description}")
        self.code = code


class ConcurrencyConflict(PublishError):
    """Someone else appended to the aggregate first."""


def connection_options(url: str, name: str, credentials: NatsCredentials | None = None) -> dict[str, Any]:
    """How every process of the system connects, nats-py directly or through FastStream's broker: `url` may
    list a cluster's nodes separated by commas (as `LOOKBACK_NATS_URL` does), and the client reconnects, to any
    of them, for ever (nats-py gives up after 60 attempts by default), with `credentials` on every node."""
    options: dict[str, Any] = {
        "servers": nats_servers(url),
        "name": name,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
    }
    if credentials is not None:
        options |= {"user": credentials.user, "password": credentials.password}
    return options


async def connect(url: str, name: str, credentials: NatsCredentials | None = None) -> Client:
    return await nats.connect(**connection_options(url, name, credentials))


def stream_config(replicas: int = 1, duplicate_window_s: float = 600) -> StreamConfig:
    """The event log: file storage, kept forever, never deleted or purged, room for atomic batches."""
    return StreamConfig(
        name=STREAM,
        subjects=[f"{PREFIX}.>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.NEW,
        num_replicas=replicas,
        duplicate_window=duplicate_window_s,
        allow_atomic=True,
        deny_delete=True,
        deny_purge=True,
        allow_direct=True,
    )


async def ensure_streams(nc: Client, replicas: int = 1) -> None:
    """Create the log once; an existing stream's config is left as the operator set it."""
    js = nc.jetstream()
    for config in (
        stream_config(replicas),
        StreamConfig(
            name=DEAD_LETTER_STREAM,
            subjects=[f"{DEAD_LETTER_PREFIX}.>"],
            storage=StorageType.FILE,
            num_replicas=replicas,
        ),
    ):
        for attempt in range(20):
            try:
                try:
                    info = await js.stream_info(config.name or "")
                except NotFoundError:
                    info = await js.add_stream(config)
                if info.cluster is None or info.cluster.leader:
                    break
            except (nats.errors.TimeoutError, BadRequestError):
                # services starting together on a fresh cluster: another is creating it right now
                if attempt == 19:
                    raise
            # a replicated stream takes a publish only once its group has elected a leader: until then
            # a publish finds no responders, so the log is ready when the leader is there
            await asyncio.sleep(0.5)


async def missing_stream(nc: Client) -> str | None:
    """The first of the log's streams that does not exist (deleted by an operator), or None."""
    js = nc.jetstream(timeout=2)
    for name in (STREAM, DEAD_LETTER_STREAM):
        try:
            await js.stream_info(name)
        except NotFoundError:
            return name
    return None


def _headers(env: Envelope) -> dict[str, str]:
    return {"Nats-Msg-Id": str(env.id), "Lb-Type": env.type}


def encode(env: Envelope) -> bytes:
    return env.model_dump_json().encode()


@dataclass(frozen=True)
class Ack:
    seq: int
    duplicate: bool


@dataclass(frozen=True)
class DeadLetter:
    """An event a consumer could not handle, kept with the reason (the error's type, never its text,
    which might quote personal data)."""

    consumer: str
    stream_seq: int
    subject: str
    reason: str
    data: bytes


class Publisher:
    """Publishes envelopes to the log and waits until JetStream has stored them."""

    def __init__(self, nc: Client, timeout: float = 10.0, signer: Signer | None = None) -> None:
        """With a `signer`, every atomic batch carries one signature (signing.py) and so does every
        event published alone."""
        self.nc = nc
        self.js = nc.jetstream()
        self.timeout = timeout
        self.signer = signer

    async def publish_batch(
        self, envelopes: Sequence[Envelope], datas: Sequence[bytes] | None = None
    ) -> set[uuid.UUID]:
        """Store all of them once: atomically per chunk, message by message if a chunk was partly stored.
        `datas`, if given, are the envelopes' bytes as encoded already (`chain.seal`), published as they are.
        Returns the ids the stream already held (the PubAck's `duplicate`): a summary counts what was stored."""
        encoded = list(datas) if datas is not None else [encode(env) for env in envelopes]
        already: set[uuid.UUID] = set()
        for start in range(0, len(envelopes), ATOMIC_LIMIT):
            chunk = envelopes[start : start + ATOMIC_LIMIT]
            chunk_datas = encoded[start : start + ATOMIC_LIMIT]
            if len(chunk) == 1:
                already |= await self._each(chunk, chunk_datas)
                continue
            try:
                await self._atomic(chunk, chunk_datas)
            except PublishError as err:
                if err.code != ERR_DUPLICATE_IN_BATCH:
                    raise
                already |= await self._each(chunk, chunk_datas)
        return already

    async def _each(self, chunk: Sequence[Envelope], datas: Sequence[bytes]) -> set[uuid.UUID]:
        acks = await asyncio.gather(*(self.publish(env, data=data) for env, data in zip(chunk, datas, strict=True)))
        return {env.id for env, ack in zip(chunk, acks, strict=True) if ack.duplicate}

    async def _atomic(self, chunk: Sequence[Envelope], datas: Sequence[bytes]) -> None:
        batch_id = uuid.uuid4().hex
        last = len(chunk)
        signed: dict[str, str] = {}
        if self.signer:
            digests = [message_digest(env.subject, data) for env, data in zip(chunk, datas, strict=True)]
            signed = self.signer.headers(batch_id, digests) | {BATCH: batch_id}
        for n, (env, data) in enumerate(zip(chunk, datas, strict=True), 1):
            headers = _headers(env) | {"Nats-Batch-Id": batch_id, "Nats-Batch-Sequence": str(n)}
            if n < last:
                if signed:
                    headers[BATCH] = batch_id
                await self.nc.publish(env.subject, data, headers=headers)
            else:
                headers |= signed | {"Nats-Batch-Commit": "1"}
                reply = await self.nc.request(env.subject, data, headers=headers, timeout=self.timeout)
                _check(json.loads(reply.data))

    async def publish(self, env: Envelope, expected_last_seq: int | None = None, data: bytes | None = None) -> Ack:
        """One event; with `expected_last_seq` it is stored only if the aggregate has not moved on."""
        headers = _headers(env)
        data = encode(env) if data is None else data
        if self.signer:
            headers |= self.signer.headers("", [message_digest(env.subject, data)])
        if expected_last_seq is not None:
            headers["Nats-Expected-Last-Subject-Sequence"] = str(expected_last_seq)
            headers["Nats-Expected-Last-Subject-Sequence-Subject"] = (
                f"{PREFIX}.{env.aggregate_type}.{env.aggregate_id}.*"
            )
        reply = await self.nc.request(env.subject, data, headers=headers, timeout=self.timeout)
        body = json.loads(reply.data)
        _check(body)
        return Ack(seq=body["seq"], duplicate=bool(body.get("duplicate")))

    async def publish_dead_letter(self, letter: DeadLetter) -> None:
        headers = {
            "Nats-Msg-Id": f"dlq:{letter.consumer}:{letter.stream_seq}",
            "Lb-Consumer": letter.consumer,
            "Lb-Stream-Seq": str(letter.stream_seq),
            "Lb-Subject": letter.subject,
            "Lb-Reason": letter.reason,
        }
        await self.js.publish(f"{DEAD_LETTER_PREFIX}.{letter.consumer}", letter.data, headers=headers)


def _check(body: dict) -> None:
    error = body.get("error")
    if error:
        cls = ConcurrencyConflict if error.get("err_code") == ERR_WRONG_LAST_SEQUENCE else PublishError
        raise cls(error.get("err_code", 0), error.get("description", ""))

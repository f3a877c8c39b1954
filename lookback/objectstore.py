"""A content-addressed bucket: a JetStream object store beside the log, each object named by its SHA-256.

Beside the log rather than in a service's data dir, so a backup of the JetStream store carries the files
with the events that name them, and the auditor can read them. Content addressing makes a put idempotent:
the same bytes uploaded twice are stored once, and nothing is ever replaced, so no service needs the right
to purge (docs/decisions.md). Rectify keeps 整改佐证 in one bucket, reporting the villages' 书面报告 in another.
"""

from __future__ import annotations

from dataclasses import dataclass

from nats.aio.client import Client
from nats.js.api import ObjectMeta, StorageType
from nats.js.errors import BucketNotFoundError, NotFoundError
from nats.js.object_store import ObjectStore


@dataclass(frozen=True)
class Stored:
    """What the bucket knows of an object: its hash, its media type (kept in the metadata) and its size."""

    sha256: str
    media_type: str
    size: int


async def bucket(nc: Client, name: str, replicas: int = 1) -> ObjectStore:
    js = nc.jetstream()
    try:
        return await js.object_store(name)
    except BucketNotFoundError:
        return await js.create_object_store(name, storage=StorageType.FILE, replicas=replicas)


async def put(store: ObjectStore, data: bytes, sha256: str, media_type: str) -> None:
    """Store the bytes under their hash unless they are there already."""
    if await find(store, sha256) is None:
        await store.put(sha256, data, meta=ObjectMeta(name=sha256, description=media_type))


async def find(store: ObjectStore, sha256: str) -> Stored | None:
    try:
        info = await store.get_info(sha256)
    except NotFoundError:
        return None
    return Stored(sha256, info.description or "", info.size or 0)


async def read(store: ObjectStore, sha256: str) -> bytes | None:
    try:
        return (await store.get(sha256)).data
    except NotFoundError:
        return None

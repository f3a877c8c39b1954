"""The evidence bucket: a JetStream object store beside the log, each object named by its SHA-256.

Beside the log rather than in rectify's data dir, so a backup of the JetStream store carries the
photos with the events that name them, and any service (or the auditor) can read them. Content
addressing makes a put idempotent: the same bytes uploaded twice are stored once, and nothing is ever
replaced, so rectify needs no right to purge (docs/decisions.md).
"""

from __future__ import annotations

from nats.aio.client import Client
from nats.js.api import ObjectMeta, StorageType
from nats.js.errors import BucketNotFoundError, NotFoundError
from nats.js.object_store import ObjectStore

from lookback.contracts.rectify import Evidence
from lookback.contracts.subjects import EVIDENCE_BUCKET


async def bucket(nc: Client, replicas: int = 1) -> ObjectStore:
    js = nc.jetstream()
    try:
        return await js.object_store(EVIDENCE_BUCKET)
    except BucketNotFoundError:
        return await js.create_object_store(EVIDENCE_BUCKET, storage=StorageType.FILE, replicas=replicas)


async def put(store: ObjectStore, data: bytes, evidence: Evidence) -> None:
    """Store the bytes under their hash unless they are there already; the media type rides in the metadata."""
    if await find(store, evidence.sha256) is None:
        await store.put(evidence.sha256, data, meta=ObjectMeta(name=evidence.sha256, description=evidence.media_type))


async def find(store: ObjectStore, sha256: str) -> Evidence | None:
    try:
        info = await store.get_info(sha256)
    except NotFoundError:
        return None
    return Evidence(sha256=sha256, media_type=info.description, size=info.size)  # type: ignore[arg-type]


async def read(store: ObjectStore, sha256: str) -> bytes | None:
    try:
        return (await store.get(sha256)).data
    except NotFoundError:
        return None

"""The evidence bucket (整改佐证): the kernel's content-addressed object store (`lookback.objectstore`) under
`EVIDENCE_BUCKET`, its objects read back as the `Evidence` the case's events name."""

from __future__ import annotations

from nats.aio.client import Client
from nats.js.object_store import ObjectStore

from lookback import objectstore
from lookback.contracts.rectify import Evidence
from lookback.contracts.subjects import EVIDENCE_BUCKET
from lookback.objectstore import read

__all__ = ["bucket", "find", "put", "read"]


async def bucket(nc: Client, replicas: int = 1) -> ObjectStore:
    return await objectstore.bucket(nc, EVIDENCE_BUCKET, replicas)


async def put(store: ObjectStore, data: bytes, evidence: Evidence) -> None:
    await objectstore.put(store, data, evidence.sha256, evidence.media_type)


async def find(store: ObjectStore, sha256: str) -> Evidence | None:
    found = await objectstore.find(store, sha256)
    if found is None:
        return None
    return Evidence(sha256=sha256, media_type=found.media_type, size=found.size)  # type: ignore[arg-type]

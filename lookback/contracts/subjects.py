"""Subject naming: `lb.<aggregate type>.<aggregate id>.<event name>`.

One subject per aggregate and event name lets a consumer filter by aggregate type, lets a writer
guard an aggregate with `Nats-Expected-Last-Subject-Sequence-Subject: lb.case.<id>.*`, and keeps
personal data out of subjects (aggregate ids are household numbers or derived hashes).
"""

from __future__ import annotations

import hashlib

STREAM = "LOOKBACK"
PREFIX = "lb"
DEAD_LETTER_STREAM = "LOOKBACK_DLQ"
DEAD_LETTER_PREFIX = "lbdlq"


def object_stream(bucket: str) -> str:
    """The stream JetStream keeps an object store's chunks and metadata in."""
    return f"OBJ_{bucket}"


EVIDENCE_BUCKET = "lookback-evidence"
"""The object store of 整改佐证 (photos, documents), objects named by their SHA-256: stream `OBJ_<bucket>`,
subjects `$O.<bucket>.C.>` (chunks) and `$O.<bucket>.M.>` (each object's metadata)."""
EVIDENCE_STREAM = object_stream(EVIDENCE_BUCKET)
REPORTS_BUCKET = "lookback-reports"
"""The object store of the villages' 书面报告 (reporting's), laid out as the evidence bucket."""


def subject_for(event_type: str, aggregate_id: str) -> str:
    aggregate_type, _, name = event_type.partition(".")
    return f"{PREFIX}.{aggregate_type}.{aggregate_id}.{name}"


def aggregate_filter(aggregate_type: str) -> str:
    return f"{PREFIX}.{aggregate_type}.>"


def aggregate_subjects(aggregate_type: str, aggregate_id: str) -> str:
    return f"{PREFIX}.{aggregate_type}.{aggregate_id}.*"


def village_key(name: str) -> str:
    """Village names are Chinese text; subjects carry a short stable hash instead."""
    return hashlib.sha256(name.encode()).hexdigest()[:12]

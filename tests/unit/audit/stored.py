"""Stored events as the stream would deliver them: real nats-py messages, built without a server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nats.aio.msg import Msg

from lookback.contracts.envelope import Envelope
from lookback.contracts.subjects import STREAM
from lookback.messaging import encode

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text("utf-8").splitlines() if line]


def delivered(bodies: list[dict[str, Any]], first_seq: int = 1) -> list[Msg]:
    """Messages with the ack subject an ordered consumer's deliveries carry (sequence, pending, time)."""
    out = []
    for n, body in enumerate(bodies):
        seq, pending = first_seq + n, len(bodies) - n - 1
        envelope = Envelope.model_validate(body)
        reply = f"$JS.ACK.{STREAM}.audit.1.{seq}.{seq}.1575250200000000000.{pending}"
        out.append(Msg(None, subject=envelope.subject, reply=reply, data=json.dumps(body).encode()))  # type: ignore[arg-type]
    return out


def as_bodies(envelopes: list[Envelope]) -> list[dict[str, Any]]:
    return [json.loads(encode(e)) for e in envelopes]

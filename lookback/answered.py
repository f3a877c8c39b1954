"""What a consumer that derives events has already answered: the ids of its outputs stored in the log
after its position.

A service rebuilding its read model (a fresh database, or one restored from a backup) re-derives every
event it derived before. JetStream's duplicate window (600 s) refuses the repeats only while they are
young; a rebuild later than that would append every `problem.flagged` or `case.opened` a second time.
Derived ids are fixed by their cause (`consumer.output_id`), and an output is always stored after the
input it answers, so the outputs of inputs past the position can only sit past the position too: the
ids stored on the output subjects after the position are exactly those a catching-up consumer must
not publish again. For a service that is up to date the stretch is empty or one batch long (a crash
between publish and commit); for a rebuild it is all its outputs, read without decoding the JSON (the
event id is the `Nats-Msg-Id` header).
"""

from __future__ import annotations

import contextlib

from nats.aio.client import Client
from nats.js.errors import NotFoundError

from lookback.contracts.subjects import STREAM
from lookback.tail import Tail

QUIET_S = 1.0
"""How long an empty buffer waits before the server is asked whether anything is still pending."""


async def last_seq_of(nc: Client, subjects: list[str], stream: str = STREAM) -> int:
    """The stream sequence of the last message on any of `subjects` (0 if none)."""
    js, last = nc.jetstream(), 0
    for subject in subjects:
        with contextlib.suppress(NotFoundError):
            last = max(last, int((await js.get_last_msg(stream, subject, direct=True)).seq or 0))
    return last


async def stored_after(nc: Client, subjects: list[str], position: int, stream: str = STREAM) -> set[str]:
    """Ids (`Nats-Msg-Id`) of the messages on `subjects` after `position`, up to the last one there now."""
    stop = await last_seq_of(nc, subjects, stream)
    if stop <= position:
        return set()
    ids: set[str] = set()
    tail = Tail(nc, subjects, position + 1, stream=stream)
    await tail.start()
    try:
        while True:
            try:
                batch = await tail.take(1000, QUIET_S)
            except TimeoutError:
                if not tail.buffered() and await tail.server_pending() == 0:
                    return ids
                continue
            for msg in batch:
                if msg.metadata.sequence.stream <= stop and (msg_id := (msg.headers or {}).get("Nats-Msg-Id")):
                    ids.add(msg_id)
            if batch[-1].metadata.sequence.stream >= stop:
                return ids
    finally:
        await tail.close()

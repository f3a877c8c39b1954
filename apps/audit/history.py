"""Everything the log holds about one household, problem or case, in the order it was stored.

Read from the stream itself, not from any read model: the history of a case is the same whoever
altered a table. A problem and its case share an id (one case per problem), so a problem's history
includes its case's. Each event shows what it changed against the previous event of the same
aggregate; when the type differs (a case assigned after it was opened), only what it adds or changes
is shown, since another kind of fact does not remove what an earlier one said. Measures accumulate, so
an event's measures show as added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.errors import NotFoundError

from apps.audit.changes import ABSENT, Change, changes
from apps.audit.labels import label
from apps.audit.reader import read_log
from lookback.contracts.envelope import Envelope, decode
from lookback.contracts.subjects import PREFIX, STREAM, aggregate_subjects
from lookback.ids import CASE_ID, CASE_PREFIX, resolve

Aggregate = Literal["household", "case", "problem"]
SAFE_ID = re.compile(r"^[^.*>\s]+$")
"""An id is one subject token: no dots, wildcards or spaces."""


@dataclass(frozen=True)
class Entry:
    seq: int
    envelope: Envelope
    payload: dict[str, Any]
    """As today's model reads it."""
    changes: list[Change]
    first: bool
    """The first event of its aggregate: everything in it is new."""

    @property
    def label(self) -> str:
        return label(self.envelope.type)


def subjects_of(aggregate: Aggregate, aggregate_id: str) -> list[str]:
    if not SAFE_ID.match(aggregate_id):
        raise ValueError(f"not an id: {aggregate_id!r}")
    found = [aggregate_subjects(aggregate, aggregate_id)]
    if aggregate == "problem":
        found.append(aggregate_subjects("case", aggregate_id))
    return found


async def last_seq(nc: Client, subjects: list[str]) -> int:
    js, last = nc.jetstream(), 0
    for subject in subjects:
        try:
            last = max(last, int((await js.get_last_msg(STREAM, subject, direct=True)).seq or 0))
        except NotFoundError:
            continue
    return last


async def full_id(nc: Client, aggregate: Aggregate, aggregate_id: str) -> str:
    """A problem's or case's id from the prefix a list printed (households are named by their 户编号 in full).

    The candidates are the stream's subjects of the aggregate's first event, so no read model is needed.
    """
    if aggregate == "household" or CASE_ID.fullmatch(aggregate_id) or not re.fullmatch(CASE_PREFIX, aggregate_id):
        return aggregate_id
    first = {"case": "opened", "problem": "flagged"}[aggregate]
    info = await nc.jetstream().stream_info(STREAM, subjects_filter=f"{PREFIX}.{aggregate}.*.{first}")
    return resolve(aggregate_id, [subject.split(".")[2] for subject in info.state.subjects or {}])


async def history(nc: Client, aggregate: Aggregate, aggregate_id: str) -> list[Entry]:
    """Raises UnknownId or AmbiguousId when `aggregate_id` is a prefix that names no or several ids."""
    subjects = subjects_of(aggregate, await full_id(nc, aggregate, aggregate_id))
    stop = await last_seq(nc, subjects)
    if not stop:
        return []
    msgs: list[Msg] = []

    async def keep(chunk: list[Msg]) -> bool:
        msgs.extend(chunk)
        return True

    await read_log(nc, subjects, keep, stop=stop)
    return entries([(m.metadata.sequence.stream, Envelope.model_validate_json(m.data)) for m in msgs])


ACCUMULATING = frozenset({"measures"})
"""Fields each event adds to rather than replaces: a case's 整改措施 pile up, one event's measures beside the
earlier ones (lookback/cases/state.py), so an event shows the measure it adds, not the last one replaced."""


def _added(change: Change) -> Change:
    return Change(change.path, change.field, ABSENT, change.after)


def entries(stored: list[tuple[int, Envelope]]) -> list[Entry]:
    previous: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    out: list[Entry] = []
    for seq, env in stored:
        payload = current_payload(env)
        key = (env.aggregate_type, env.aggregate_id)
        before_type, before = previous.get(key, (env.type, None))
        found = [
            _added(c) if c.field in ACCUMULATING else c
            for c in changes(before, payload, removals=before_type == env.type)
        ]
        out.append(Entry(seq, env, payload, found, first=before is None))
        previous[key] = (env.type, payload)
    return out


def current_payload(env: Envelope) -> dict[str, Any]:
    """The payload as today's model reads it (upcast), so versions compare like with like; a payload no
    model reads any more is shown as stored."""
    try:
        return decode(env).model_dump(mode="json")
    except ValueError:
        return env.payload

"""Loading and storing cases: each case's folded state and chain head in its row, the events it gains
appended to its history.

The state is what folding the case's history gives (`evolve`, in stream order), kept with every fold
so that deciding never reads the history back: the history is for people (timeline, audit), the row
for decisions. An event rectify derives itself (a case opened, a case rectified by data) is folded at
once, so a later event in the same batch sees it; when it comes back through the stream it is
recognised by its id and only its sequence is recorded. Any event id is folded at most once.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import TypeAdapter
from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from lookback.cases.state import Case, evolve
from lookback.contracts.chain import aggregate_key, bytes_hash, link
from lookback.contracts.envelope import Envelope
from lookback.contracts.rectify import CaseEvent
from lookback.store import upsert
from services.rectify.adapters.tables import CaseEventRow, CaseSummary

_EVENTS = CaseEventRow.__table__  # type: ignore[attr-defined]
_CASES = CaseSummary.__table__  # type: ignore[attr-defined]
_STATE = TypeAdapter(Case)
_CHUNK = 5_000
"""Ids per `IN (…)`: a batch's in one query, within SQLite's and PostgreSQL's limits on parameters."""


class Casebook:
    """The cases one batch (or one request) touches, loaded once and written back together."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cases: dict[str, Case | None] = {}
        self.heads: dict[str, str] = {}  # case id -> hash of its last folded event
        self.touched: set[str] = set()
        self.folded: dict[str, int | None] = {}  # event id -> stream seq, of the events looked up or folded here
        self.looked: set[str] = set()  # event ids looked up in the history
        self.new_rows: list[dict] = []
        self.landed: dict[str, int] = {}  # events rectify emitted that came back: id -> seq

    def load(self, case_ids: Iterable[str], event_ids: Iterable[str] = ()) -> None:
        """Read the cases not read yet, and whether the events named were folded before (one query each)."""
        wanted = [c for c in set(case_ids) if c not in self.cases]
        for chunk in _chunks(wanted):
            for case_id, state, head in self.session.execute(
                select(_CASES.c.case_id, _CASES.c.state, _CASES.c.head).where(_CASES.c.case_id.in_(chunk))
            ):
                self.cases[case_id] = _STATE.validate_json(state)
                self.heads[case_id] = head
        for case_id in wanted:
            self.cases.setdefault(case_id, None)
        unseen = [e for e in set(event_ids) if e not in self.folded and e not in self.looked]
        self.looked.update(unseen)
        for chunk in _chunks(unseen):
            query = select(_EVENTS.c.event_id, _EVENTS.c.seq).where(_EVENTS.c.event_id.in_(chunk))
            self.folded.update((event_id, seq) for event_id, seq in self.session.execute(query))

    def get(self, case_id: str) -> Case | None:
        if case_id not in self.cases:
            self.load([case_id])
        return self.cases[case_id]

    def apply(self, env: Envelope, seq: int | None) -> None:
        """Fold `env` unless it was folded before (then only note where it landed in the stream). Without a
        `seq` it is an event just derived here, from an event past the stored position: new, not looked up."""
        event_id, case_id = str(env.id), env.aggregate_id
        if case_id not in self.cases or (seq is not None and event_id not in self.folded):
            self.load([case_id], [event_id] if seq is not None else ())
        if event_id in self.folded:
            if seq is not None and self.folded[event_id] is None:
                self.folded[event_id] = seq
                self.landed[event_id] = seq
            return
        event: CaseEvent = env.event()  # type: ignore[assignment]
        self.cases[case_id] = evolve(self.cases[case_id], event)
        self.folded[event_id] = seq
        body = env.model_dump_json()
        self.heads[case_id] = bytes_hash(body.encode())
        self.new_rows.append({"case_id": case_id, "event_id": event_id, "seq": seq, "body": body})
        self.touched.add(case_id)

    def chain(self, envelopes: list[Envelope]) -> list[Envelope]:
        """New events for loaded cases, each linked to the case's last event (tamper evidence)."""
        return link(envelopes, {aggregate_key(e): self.heads.get(e.aggregate_id) for e in envelopes})[0]

    def save(self) -> None:
        """Write what the batch folded, one statement per table: new events, sequences of events that came
        back, the cases' rows."""
        if self.new_rows:
            self.session.execute(insert(_EVENTS), self.new_rows)
        if self.landed:
            self.session.execute(
                update(_EVENTS).where(_EVENTS.c.event_id == bindparam("landed_id")).values(seq=bindparam("landed_seq")),
                [{"landed_id": event_id, "landed_seq": seq} for event_id, seq in self.landed.items()],
            )
        rows = [_row(c, self.heads[cid]) for cid in self.touched if (c := self.cases.get(cid)) is not None]
        upsert(self.session, CaseSummary, rows, ["case_id"])
        self.new_rows, self.landed = [], {}
        self.touched.clear()


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    return (ids[start : start + _CHUNK] for start in range(0, len(ids), _CHUNK))


def _row(case: Case, head: str) -> dict:
    return {
        "case_id": case.case_id,
        "item": case.item,
        "village": case.village,
        "lead_unit": case.lead_unit,
        "status": case.status,
        "deadline": case.deadline,
        "overdue_for": case.overdue_for,
        "due_soon_for": case.due_soon_for,
        "state": _STATE.dump_json(case).decode(),
        "head": head,
    }

"""Loading and storing cases: fold a case's events into its state, append the events it gains.

An event rectify derives itself (a case opened, a case rectified by data) is folded at once, so a
later event in the same batch sees it; when it comes back through the stream it is recognised by
its id and only its sequence is recorded. Any event id is folded at most once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, select

from lookback.cases.state import Case, evolve
from lookback.contracts.chain import aggregate_key, event_hash, link
from lookback.contracts.envelope import Envelope
from lookback.contracts.rectify import CaseEvent
from lookback.store import upsert
from services.rectify.adapters.tables import CaseEventRow, CaseSummary

_EVENTS = CaseEventRow.__table__  # type: ignore[attr-defined]


class Casebook:
    """The cases one batch (or one request) touches, loaded once and written back together."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cases: dict[str, Case | None] = {}
        self.touched: set[str] = set()
        self.folded: dict[str, int | None] = {}  # event id -> stream seq, for the events of loaded cases
        self.new_rows: list[dict] = []
        self.landed: dict[str, int] = {}  # events rectify emitted that came back: id -> seq
        self.heads: dict[str, str] = {}  # case aggregate key -> hash of its last folded event

    def load(self, case_ids: Iterable[str]) -> None:
        wanted = [c for c in set(case_ids) if c not in self.cases]
        if not wanted:
            return
        rows = self.session.exec(
            select(CaseEventRow.case_id, CaseEventRow.event_id, CaseEventRow.seq, CaseEventRow.body)
            .where(col(CaseEventRow.case_id).in_(wanted))
            .order_by(col(CaseEventRow.n))
        ).all()
        for case_id in wanted:
            self.cases[case_id] = None
        for case_id, event_id, seq, body in rows:
            env = Envelope.model_validate_json(body)
            self.cases[case_id] = evolve(self.cases[case_id], env.event())  # type: ignore[arg-type]
            self.folded[event_id] = seq
            self.heads[aggregate_key(env)] = event_hash(env)

    def get(self, case_id: str) -> Case | None:
        self.load([case_id])
        return self.cases[case_id]

    def apply(self, env: Envelope, seq: int | None) -> None:
        """Fold `env` unless it was folded before (then only note where it landed in the stream)."""
        event_id, case_id = str(env.id), env.aggregate_id
        self.load([case_id])
        if event_id in self.folded:
            if seq is not None and self.folded[event_id] is None:
                self.folded[event_id] = seq
                self.landed[event_id] = seq
            return
        event: CaseEvent = env.event()  # type: ignore[assignment]
        self.cases[case_id] = evolve(self.cases[case_id], event)
        self.folded[event_id] = seq
        self.heads[aggregate_key(env)] = event_hash(env)
        self.new_rows.append({"case_id": case_id, "event_id": event_id, "seq": seq, "body": env.model_dump_json()})
        self.touched.add(case_id)

    def chain(self, envelopes: list[Envelope]) -> list[Envelope]:
        """New events for loaded cases, each linked to the case's last event (tamper evidence)."""
        return link(envelopes, {key: self.heads.get(key) for key in map(aggregate_key, envelopes)})[0]

    def save(self) -> None:
        """Write what the batch folded: new events, sequences of events that came back, summary rows."""
        if self.new_rows:
            self.session.execute(insert(_EVENTS), self.new_rows)
        if self.landed:
            self.session.execute(
                update(_EVENTS).where(_EVENTS.c.event_id == bindparam("landed_id")).values(seq=bindparam("landed_seq")),
                [{"landed_id": event_id, "landed_seq": seq} for event_id, seq in self.landed.items()],
            )
        rows = [_summary(c) for cid in self.touched if (c := self.cases.get(cid)) is not None]
        upsert(self.session, CaseSummary, rows, ["case_id"])
        self.new_rows, self.landed = [], {}
        self.touched.clear()


def _summary(case: Case) -> dict:
    return {
        "case_id": case.case_id,
        "item": case.item,
        "village": case.village,
        "lead_unit": case.lead_unit,
        "status": case.status,
        "deadline": case.deadline,
        "overdue_for": case.overdue_for,
        "due_soon_for": case.due_soon_for,
    }

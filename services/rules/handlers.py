"""Rules' consumer: each household or village event is checked, and the difference between the
problems that hold now and those that held before becomes `problem flagged` / `problem cleared by
data` events. An issue reported by hand becomes a problem as it stands: no data can clear it.

Rules' memory is read and written a batch at a time (`adapters/memory.py`), but every event is judged
on the state the events before it left (`domain/memory.py`): what rules derives does not depend on
where batches end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from sqlmodel import Session

from lookback.consumer import Delivered, output_id
from lookback.contracts.chain import aggregate_key, link
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved, IssueReported, VillageRecorded
from lookback.contracts.rules import ProblemFlagged
from lookback.partition import Partition
from lookback.store import load_heads, save_heads
from services.rules.adapters import memory
from services.rules.domain.duplicates import person_refs
from services.rules.domain.memory import Change, issue_problem
from services.rules.domain.roster import read_household
from services.rules.domain.rulebook import findings_of, village_findings
from services.rules.domain.settings import RuleSettings
from services.rules.domain.subject_keys import village_key

ACTOR = "service:rules"


class Outbox:
    """The events a batch derives, each with an id derived from its cause, in the order they arose."""

    def __init__(self) -> None:
        self.events: list[Envelope] = []
        self.counts: dict[UUID, int] = defaultdict(int)

    def add(self, cause: Envelope, event: Change | ProblemFlagged, actor: str = ACTOR) -> None:
        n = self.counts[cause.id]
        self.counts[cause.id] += 1
        self.events.append(
            new_envelope(
                event,
                actor=actor,
                business_time=cause.business_time,
                caused_by=cause,
                event_id=output_id("rules", cause, n),
            )
        )


def make_handler(
    settings: RuleSettings, partition: Partition | None = None
) -> Callable[[Session, Sequence[Delivered]], list[Envelope]]:
    """With replicas, each checks the households and villages of its partition, and replica 0 alone
    keeps the ID-number index and decides R07C: duplicates are a question about the whole roster."""
    keeps_index = partition is None or partition.index == 0

    def mine(aggregate_id: str) -> bool:
        return partition is None or partition.owns(aggregate_id)

    def handle(session: Session, batch: Sequence[Delivered]) -> list[Envelope]:
        work: list[tuple[Envelope, Any]] = []
        for item in batch:
            env = item.envelope
            if mine(env.aggregate_id) or (keeps_index and env.aggregate_type == "household"):
                work.append((env, env.event()))
        read = {env.id: read_household(e, settings) for env, e in work if isinstance(e, HouseholdRecorded)}
        refs = {
            env.id: person_refs(read[env.id]) if isinstance(e, HouseholdRecorded) else []
            for env, e in work
            if isinstance(e, HouseholdRecorded | HouseholdRemoved)
        }
        owners = {o for env, e in work if mine(env.aggregate_id) and (o := _owner(e)) is not None}
        households = {e.household_id for _, e in work if isinstance(e, HouseholdRecorded | HouseholdRemoved)}
        batch_refs = [r for rs in refs.values() for r in rs] if keeps_index else None
        memo = memory.load(session, owners, households, batch_refs)
        outbox = Outbox()
        for env, event in work:
            changes: list[Change] = []
            match event:
                case HouseholdRecorded() | HouseholdRemoved():
                    if mine(env.aggregate_id):
                        found = findings_of(read[env.id]) if isinstance(event, HouseholdRecorded) else []
                        changes += memo.judge(event.household_id, event.as_of, found)
                    if keeps_index:
                        changes += memo.reindex(event.household_id, event.as_of, refs[env.id])
                case VillageRecorded():
                    changes += memo.judge(village_key(event.village), event.as_of, village_findings(event))
                case IssueReported():
                    outbox.add(env, issue_problem(event, env.actor), actor=env.actor)
            for change in changes:
                outbox.add(env, change)
        memory.save(session, memo, keeps_index)
        events, heads = link(outbox.events, load_heads(session, {aggregate_key(e) for e in outbox.events}))
        save_heads(session, heads)
        return events

    return handle


def _owner(event: Any) -> str | None:
    match event:
        case HouseholdRecorded() | HouseholdRemoved():
            return event.household_id
        case VillageRecorded():
            return village_key(event.village)
    return None

"""Rules' consumer: the households and villages of a batch are checked, and the difference between
the problems that hold now and those that held before becomes `problem flagged` / `problem cleared
by data` events. An issue reported by hand becomes a problem as it stands: no data can clear it.

A batch is judged on its final state: each household by its last event in the batch, and R07C on the
ID-number index once every household of the batch is in it. Rules' memory is read and written a batch
at a time (`adapters/memory.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date

from sqlmodel import Session

from lookback.consumer import Delivered, output_id
from lookback.contracts.chain import aggregate_key, link
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved, IssueReported, VillageRecorded
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged, problem_id
from lookback.partition import Partition
from lookback.store import load_heads, save_heads
from services.rules.adapters import memory
from services.rules.domain.checks import household_findings, village_findings
from services.rules.domain.duplicates import PersonRef, affected_ids, duplicate_findings, person_refs
from services.rules.domain.finding import Finding
from services.rules.domain.settings import RuleSettings
from services.rules.domain.subjects import village_key

ACTOR = "service:rules"
Change = ProblemFlagged | ProblemClearedByData


class Outbox:
    """The events a batch derives, each with an id derived from its cause, in the order they arose."""

    def __init__(self) -> None:
        self.events: list[Envelope] = []
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, cause: Envelope, event: Change | ProblemFlagged, actor: str = ACTOR) -> None:
        n = self.counts[str(cause.id)]
        self.counts[str(cause.id)] += 1
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
        outbox = Outbox()
        subjects: dict[str, tuple[Envelope, list[Finding], list[PersonRef] | None, date]] = {}
        for item in batch:
            env = item.envelope
            if not (mine(env.aggregate_id) or (keeps_index and env.aggregate_type == "household")):
                continue
            event = env.event()
            match event:
                case HouseholdRecorded():
                    subjects[event.household_id] = (
                        env,
                        household_findings(event, settings) if mine(env.aggregate_id) else [],
                        person_refs(event, settings),
                        event.as_of,
                    )
                case HouseholdRemoved():
                    subjects[event.household_id] = (env, [], [], event.as_of)
                case VillageRecorded():
                    subjects[village_key(event.village)] = (env, village_findings(event), None, event.as_of)
                case IssueReported():
                    outbox.add(env, _issue_problem(env, event), actor=env.actor)
        owned = {o: s for o, s in subjects.items() if mine(s[0].aggregate_id)}
        _reconcile(session, owned, outbox)
        if keeps_index:
            _duplicates(session, {o: s for o, s in subjects.items() if s[2] is not None}, outbox)
        events, heads = link(outbox.events, load_heads(session, {aggregate_key(e) for e in outbox.events}))
        save_heads(session, heads)
        return events

    return handle


def _reconcile(session: Session, subjects: dict, outbox: Outbox) -> None:
    held = memory.held_by_owner(session, list(subjects))
    gone: list[str] = []
    new: list[dict] = []
    for owner, (env, findings, _refs, as_of) in subjects.items():
        now = {problem_id(f.rule, f.subject_key): f for f in findings}
        _diff(env, as_of, held[owner], now, outbox, gone)
        new += [_row(pid, owner, f, None) for pid, f in now.items() if pid not in held[owner]]
    memory.forget(session, gone)
    memory.remember(session, new)


def _duplicates(session: Session, households: dict, outbox: Outbox) -> None:
    """R07C over the index once every household of the batch is in it."""
    if not households:
        return
    before = memory.refs_of_households(session, list(households))
    after = [ref for _env, _f, refs, _d in households.values() for ref in refs]
    memory.replace_refs(session, list(households), after)
    cause: dict[str, tuple[Envelope, date]] = {}
    for owner, (env, _f, refs, as_of) in households.items():
        for number in affected_ids(before[owner], refs):
            cause[number] = (env, as_of)
    if not cause:
        return
    index = memory.index_of(session, list(cause))
    held = memory.held_duplicates(session, list(cause))
    number_of = {r.subject_key: r.normalised_id for refs in index.values() for r in refs}
    now = {problem_id(f.rule, f.subject_key): f for f in duplicate_findings(index, cause)}
    gone: list[str] = []
    for number, (env, as_of) in cause.items():
        mine = {pid: f for pid, f in now.items() if number_of[f.subject_key] == number}
        was = {pid: row for pid, row in held.items() if row["duplicate_id"] == number}
        _diff(env, as_of, was, mine, outbox, gone)
    memory.forget(session, gone)
    memory.remember(
        session,
        [_row(pid, f.household_id or "", f, number_of[f.subject_key]) for pid, f in now.items() if pid not in held],
    )


def _diff(
    env: Envelope, as_of: date, held: dict[str, dict], now: dict[str, Finding], outbox: Outbox, gone: list[str]
) -> None:
    """Flag what holds and was not held; clear what was held and holds no more."""
    for pid, f in now.items():
        if pid not in held:
            outbox.add(
                env,
                ProblemFlagged(
                    problem_id=pid,
                    rule=f.rule,
                    item=f.item,
                    village=f.village,
                    household_id=f.household_id,
                    person_id_number=f.person_id_number,
                    person_row=f.person_row,
                    subject_key=f.subject_key,
                    as_of=as_of,
                    description=f.description,
                ),
            )
    for pid, row in held.items():
        if pid not in now:
            outbox.add(env, ProblemClearedByData(problem_id=pid, rule=row["rule"], village=row["village"], as_of=as_of))
            gone.append(pid)


def _row(pid: str, owner: str, f: Finding, duplicate_id: str | None) -> dict:
    return {"problem_id": pid, "owner": owner, "rule": f.rule, "village": f.village, "duplicate_id": duplicate_id}


def manual_rule(item: int) -> str:
    """The rule id of a problem reported by hand: `M` and the item (M09); never an R-rule's id, so
    reports that count by rule keep hand-reported problems apart from those found in the roster."""
    return f"M{item:02d}"


def _issue_problem(env: Envelope, issue: IssueReported) -> ProblemFlagged:
    """The problem an issue reports, with the reporter as its actor: the station must see who reported it,
    not that the rules service passed it on. Its id comes from the issue's, so a repeat is the same problem."""
    rule, subject = manual_rule(issue.item), f"issue:{issue.issue_id}"
    return ProblemFlagged(
        problem_id=problem_id(rule, subject),
        rule=rule,
        item=issue.item,
        village=issue.village,
        household_id=issue.household_id,
        subject_key=subject,
        as_of=issue.found_on,
        description=issue.description,
        unit=issue.unit,
        lead_unit=issue.lead_unit,
        person=issue.person,
        deadline=issue.deadline,
        measures=issue.measures,
        reported_by=env.actor,
    )

"""Rules' consumer: each household or village event is checked, and the difference between the
problems that hold now and those that held before becomes `problem flagged` / `problem cleared by
data` events. An issue reported by hand becomes a problem as it stands: no data can clear it.

Rules' memory is read and written a batch at a time (`adapters/memory.py`), but every event is judged
on the state the events before it left: what rules derives does not depend on where batches end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlmodel import Session

from lookback.consumer import Delivered, output_id
from lookback.contracts.chain import aggregate_key, link
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved, IssueReported, VillageRecorded
from lookback.contracts.rules import (
    ProblemClearedByData,
    ProblemFlagged,
    issue_problem_id,
    issue_subject,
    manual_rule,
    problem_id,
)
from lookback.partition import Partition
from lookback.store import load_heads, save_heads
from services.rules.adapters import memory
from services.rules.domain import idcard
from services.rules.domain.checks import findings_of, village_findings
from services.rules.domain.duplicates import PersonRef, affected_ids, duplicate_findings, person_refs
from services.rules.domain.finding import Finding
from services.rules.domain.roster import read_household
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
        work: list[tuple[Envelope, Any]] = []
        for item in batch:
            env = item.envelope
            if mine(env.aggregate_id) or (keeps_index and env.aggregate_type == "household"):
                work.append((env, env.event()))
        read = {str(env.id): read_household(e, settings) for env, e in work if isinstance(e, HouseholdRecorded)}
        refs = {
            str(env.id): person_refs(read[str(env.id)]) if isinstance(e, HouseholdRecorded) else []
            for env, e in work
            if isinstance(e, HouseholdRecorded | HouseholdRemoved)
        }
        memo = Memo(session, work, refs, keeps_index, mine)
        outbox = Outbox()
        for env, event in work:
            match event:
                case HouseholdRecorded() | HouseholdRemoved():
                    if mine(env.aggregate_id):
                        found = findings_of(read[str(env.id)]) if isinstance(event, HouseholdRecorded) else []
                        memo.judge(env, event.household_id, event.as_of, found, outbox)
                    if keeps_index:
                        memo.reindex(env, event.household_id, event.as_of, refs[str(env.id)], outbox)
                case VillageRecorded():
                    memo.judge(env, village_key(event.village), event.as_of, village_findings(event), outbox)
                case IssueReported():
                    outbox.add(env, _issue_problem(env, event), actor=env.actor)
        memo.save()
        events, heads = link(outbox.events, load_heads(session, {aggregate_key(e) for e in outbox.events}))
        save_heads(session, heads)
        return events

    return handle


class Memo:
    """Rules' memory for one batch: read once, judged on event by event, written back once.

    Each event is judged on the state the events before it left, so what rules derives is the same
    however the log is cut into batches (a retry after a crash, a replay for an audit)."""

    def __init__(
        self,
        session: Session,
        work: list,
        refs: dict[str, list[PersonRef]],
        keeps_index: bool,
        mine: Callable[[str], bool],
    ) -> None:
        self.session = session
        self.owners = {o for env, e in work if mine(env.aggregate_id) and (o := _owner(e)) is not None}
        self.held = memory.held_by_owner(session, self.owners)
        self.households = {e.household_id for _, e in work if isinstance(e, HouseholdRecorded | HouseholdRemoved)}
        self.keeps_index = keeps_index
        self.refs = memory.refs_of_households(session, self.households) if keeps_index else {}
        numbers = {r.normalised_id for rs in (*self.refs.values(), *refs.values()) for r in rs}
        self.numbers = numbers if keeps_index else set()
        self.index = memory.index_of(session, self.numbers) if keeps_index else {}
        self.duplicates: dict[str, dict[str, dict]] = defaultdict(dict)
        for pid, row in memory.held_duplicates(session, self.numbers).items():
            self.duplicates[row["duplicate_id"]][pid] = row

    def judge(self, env: Envelope, owner: str, as_of: date, findings: list[Finding], outbox: Outbox) -> None:
        now = {problem_id(f.rule, f.subject_key): f for f in findings}
        _diff(env, as_of, self.held[owner], now, outbox)
        self.held[owner] = {pid: _row(pid, owner, f, None) for pid, f in now.items()}

    def reindex(self, env: Envelope, household: str, as_of: date, refs: list[PersonRef], outbox: Outbox) -> None:
        """R07C for the ID numbers this household had or has, on the index as it stands after it."""
        before = self.refs.get(household, [])
        for ref in before:
            self.index[ref.normalised_id] = [r for r in self.index.get(ref.normalised_id, []) if r != ref]
        for ref in refs:
            self.index[ref.normalised_id] = sorted([*self.index.get(ref.normalised_id, []), ref], key=_place)
        self.refs[household] = refs
        affected = affected_ids(before, refs)
        now: dict[str, dict[str, Finding]] = defaultdict(dict)
        for f in duplicate_findings(self.index, affected):
            number = idcard.normalise(f.person_id_number or "")
            now[number][problem_id(f.rule, f.subject_key)] = f
        for number in sorted(affected):
            _diff(env, as_of, self.duplicates[number], now[number], outbox)
            self.duplicates[number] = {
                pid: _row(pid, f.household_id or "", f, number) for pid, f in now[number].items()
            }

    def save(self) -> None:
        memory.forget_owned(self.session, self.owners)
        memory.remember(self.session, [row for rows in self.held.values() for row in rows.values()])
        if self.keeps_index:
            memory.forget_duplicates(self.session, self.numbers)
            memory.remember(self.session, [row for rows in self.duplicates.values() for row in rows.values()])
            memory.replace_refs(self.session, self.households, [r for h in self.households for r in self.refs[h]])


def _owner(event: Any) -> str | None:
    match event:
        case HouseholdRecorded() | HouseholdRemoved():
            return event.household_id
        case VillageRecorded():
            return village_key(event.village)
    return None


def _place(ref: PersonRef) -> tuple[str, int, str]:
    return (ref.household_id, ref.row, ref.subject_key)


def _diff(env: Envelope, as_of: date, held: dict[str, dict], now: dict[str, Finding], outbox: Outbox) -> None:
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


def _row(pid: str, owner: str, f: Finding, duplicate_id: str | None) -> dict:
    return {"problem_id": pid, "owner": owner, "rule": f.rule, "village": f.village, "duplicate_id": duplicate_id}


def _issue_problem(env: Envelope, issue: IssueReported) -> ProblemFlagged:
    """The problem an issue reports, with the reporter as its actor: the station must see who reported it,
    not that the rules service passed it on. Its id comes from the issue's, so a repeat is the same problem."""
    rule, subject = manual_rule(issue.item), issue_subject(issue.issue_id)
    return ProblemFlagged(
        problem_id=issue_problem_id(issue.item, issue.issue_id),
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

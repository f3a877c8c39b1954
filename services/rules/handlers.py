"""Rules' consumer: each household or village event is checked, and the difference between the
problems that hold now and those that held before becomes `problem flagged` / `problem cleared by
data` events.

Events are handled one after another inside the batch's transaction, so a household that appears
twice in a batch, or two households sharing an ID number, are judged on the state just before them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date

from sqlmodel import Session, col, delete, select

from lookback.consumer import Delivered, output_id
from lookback.contracts.envelope import Envelope, new_envelope
from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved, VillageRecorded
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged, problem_id
from services.rules.adapters.tables import ActiveProblem, IndexedPerson
from services.rules.domain.checks import household_findings, village_findings
from services.rules.domain.duplicates import PersonRef, affected_ids, duplicate_findings, person_refs
from services.rules.domain.finding import Finding
from services.rules.domain.settings import RuleSettings
from services.rules.domain.subjects import village_key

ACTOR = "service:rules"
R07C = "R07C"


def make_handler(settings: RuleSettings):  # type: ignore[no-untyped-def]
    def handle(session: Session, batch: Sequence[Delivered]) -> list[Envelope]:
        out: list[Envelope] = []
        for item in batch:
            out += _check(session, item.envelope, settings)
        return out

    return handle


def _check(session: Session, env: Envelope, settings: RuleSettings) -> list[Envelope]:
    event = env.event()
    match event:
        case HouseholdRecorded():
            owner, as_of = event.household_id, event.as_of
            findings = household_findings(event, settings)
            refs = person_refs(event, settings)
        case HouseholdRemoved():
            owner, as_of, findings, refs = event.household_id, event.as_of, [], []
        case VillageRecorded():
            return _reconcile(session, env, village_key(event.village), event.as_of, village_findings(event))
        case _:
            return []
    out = _reconcile(session, env, owner, as_of, findings)
    return out + _duplicates(session, env, owner, as_of, refs, start=len(out))


def _reconcile(session: Session, env: Envelope, owner: str, as_of: date, findings: list[Finding]) -> list[Envelope]:
    held = {
        p.problem_id: p
        for p in session.exec(
            select(ActiveProblem).where(ActiveProblem.owner == owner, col(ActiveProblem.duplicate_id).is_(None))
        )
    }
    return _apply(session, env, as_of, held, findings, owner, None)


def _duplicates(
    session: Session, env: Envelope, household_id: str, as_of: date, refs: list[PersonRef], start: int
) -> list[Envelope]:
    before = [_ref(p) for p in session.exec(select(IndexedPerson).where(IndexedPerson.household_id == household_id))]
    session.execute(delete(IndexedPerson).where(col(IndexedPerson.household_id) == household_id))
    session.add_all(IndexedPerson(**asdict(r)) for r in refs)
    session.flush()
    ids = affected_ids(before, refs)
    if not ids:
        return []
    index: dict[str, list[PersonRef]] = {}
    for p in session.exec(select(IndexedPerson).where(col(IndexedPerson.normalised_id).in_(ids))):
        index.setdefault(p.normalised_id, []).append(_ref(p))
    held = {
        p.problem_id: p for p in session.exec(select(ActiveProblem).where(col(ActiveProblem.duplicate_id).in_(ids)))
    }
    findings = duplicate_findings(index, ids)
    dup_of = {r.subject_key: r.normalised_id for refs_ in index.values() for r in refs_}
    return _apply(session, env, as_of, held, findings, None, dup_of, start)


def _apply(
    session: Session,
    env: Envelope,
    as_of: date,
    held: dict[str, ActiveProblem],
    findings: list[Finding],
    owner: str | None,
    dup_of: dict[str, str] | None,
    start: int = 0,
) -> list[Envelope]:
    """Flag what holds and was not held; clear what was held and holds no more."""
    now = {problem_id(f.rule, f.subject_key): f for f in findings}
    events: list[ProblemFlagged | ProblemClearedByData] = []
    for pid, f in now.items():
        if pid in held:
            continue
        events.append(
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
            )
        )
        session.add(
            ActiveProblem(
                problem_id=pid,
                owner=owner or f.household_id or "",
                rule=f.rule,
                village=f.village,
                duplicate_id=dup_of[f.subject_key] if dup_of is not None else None,
            )
        )
    for pid, p in held.items():
        if pid not in now:
            events.append(ProblemClearedByData(problem_id=pid, rule=p.rule, village=p.village, as_of=as_of))
            session.delete(p)
    session.flush()
    return [
        new_envelope(
            e, actor=ACTOR, business_time=env.business_time, caused_by=env, event_id=output_id("rules", env, start + n)
        )
        for n, e in enumerate(events)
    ]


def _ref(p: IndexedPerson) -> PersonRef:
    return PersonRef(
        normalised_id=p.normalised_id,
        household_id=p.household_id,
        village=p.village,
        row=p.row,
        id_number=p.id_number,
        subject_key=p.subject_key,
    )

"""Rules' memory — the problems that hold now and the ID-number index for R07C — and how each event
changes it: the difference between what held before an event and what holds after it is the
`problem flagged` / `problem cleared by data` events rules derives.

Each event is judged on the state the events before it left, so what rules derives is the same
however the log is cut into batches (a retry after a crash, a replay for an audit). Loading and
writing it back is `adapters/memory.py`'s, a batch at a time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from lookback.contracts.intake import Issue, IssueReported
from lookback.contracts.rules import (
    ProblemClearedByData,
    ProblemFlagged,
    issue_problem_id,
    issue_subject,
    manual_rule,
    problem_id,
)
from services.rules.domain import idcard
from services.rules.domain.duplicates import PersonRef, affected_ids, duplicate_findings
from services.rules.domain.finding import Finding

Change = ProblemFlagged | ProblemClearedByData


@dataclass
class Memory:
    """What one batch needs of rules' memory: the problems held by each owner (a household or a
    village) the batch touches, and, for the replica that keeps the index, the ID numbers of the
    households it touches, the index entries of those numbers and the R07C problems they hold."""

    held: dict[str, dict[str, dict]]
    refs: dict[str, list[PersonRef]] = field(default_factory=dict)
    index: dict[str, list[PersonRef]] = field(default_factory=dict)
    duplicates: dict[str, dict[str, dict]] = field(default_factory=lambda: defaultdict(dict))
    numbers: set[str] = field(default_factory=set)

    def judge(self, owner: str, as_of: date, findings: list[Finding]) -> list[Change]:
        now = {problem_id(f.rule, f.subject_key): f for f in findings}
        changes = diff(as_of, self.held[owner], now)
        self.held[owner] = {pid: _row(pid, owner, f, None) for pid, f in now.items()}
        return changes

    def reindex(self, household: str, as_of: date, refs: list[PersonRef]) -> list[Change]:
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
        changes: list[Change] = []
        for number in sorted(affected):
            changes += diff(as_of, self.duplicates[number], now[number])
            self.duplicates[number] = {
                pid: _row(pid, f.household_id or "", f, number) for pid, f in now[number].items()
            }
        return changes


def _place(ref: PersonRef) -> tuple[str, int, str]:
    return (ref.household_id, ref.row, ref.subject_key)


def diff(as_of: date, held: dict[str, dict], now: dict[str, Finding]) -> list[Change]:
    """Flag what holds and was not held; clear what was held and holds no more."""
    changes: list[Change] = []
    for pid, f in now.items():
        if pid not in held:
            changes.append(
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
    for pid, row in held.items():
        if pid not in now:
            changes.append(ProblemClearedByData(problem_id=pid, rule=row["rule"], village=row["village"], as_of=as_of))
    return changes


def _row(pid: str, owner: str, f: Finding, duplicate_id: str | None) -> dict:
    return {"problem_id": pid, "owner": owner, "rule": f.rule, "village": f.village, "duplicate_id": duplicate_id}


def issue_problem(issue: IssueReported, reported_by: str) -> ProblemFlagged:
    """The problem an issue reports, with the reporter as its actor: the station must see who reported it,
    not that the rules service passed it on. Its id comes from the issue's, so a repeat is the same problem."""
    rule, subject = manual_rule(issue.item), issue_subject(issue.issue_id)
    shared = issue.model_dump(include=Issue.model_fields.keys() & ProblemFlagged.model_fields.keys())
    return ProblemFlagged(
        problem_id=issue_problem_id(issue.item, issue.issue_id),
        rule=rule,
        subject_key=subject,
        as_of=issue.found_on,
        reported_by=reported_by,
        **shared,
    )

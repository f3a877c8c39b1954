"""Opening a case: who owns a problem and by when (docs/rules.md, "Owners" and "Deadlines and overdue");
reopening it when the problem comes back."""

from __future__ import annotations

from datetime import date

from lookback.cases.deadlines import default_deadline
from lookback.cases.owners import owners_of
from lookback.cases.state import Case
from lookback.catalogue import Catalogue
from lookback.contracts.rectify import CaseOpened, CaseReopened
from lookback.contracts.rules import ProblemFlagged


def open_case(problem: ProblemFlagged, catalogue: Catalogue, case_id: str) -> CaseOpened:
    """The item's lead unit owns the case, with the plan's 配合单位 beside it and the household's village
    co-responsible; the case is assigned on the day the problem was found (the roster's as-of date),
    which fixes the deadline. A problem list (问题清单) row may name its own 责任单位, 责任人 and
    整改时限; those win."""
    item = catalogue.item(problem.item)
    owners = owners_of(problem.item, problem.village, catalogue, problem.lead_unit)
    assigned_on = problem.as_of
    default = default_deadline(item.policy, assigned_on, catalogue.deadlines, catalogue.calendar)
    return CaseOpened(
        case_id=case_id,
        problem_id=problem.problem_id,
        rule=problem.rule,
        item=problem.item,
        village=problem.village,
        lead_unit=owners.lead_unit,
        co_responsible=problem.village,
        co_units=owners.co_units,
        policy=item.policy,
        assigned_on=assigned_on,
        deadline=problem.deadline or default,
        person=problem.person,
        measures=problem.measures,
    )


def reopened(case: Case, on: date) -> list[CaseReopened]:
    """A problem flagged again reopens a case only a roster had closed (cleared by data, awaiting
    verification): the data that cleared it is gone. A person's report of a fix waits for verification,
    and a closed case stays closed."""
    if case.status != "rectified" or case.cleared_from is None:
        return []
    status, escalated_from = case.cleared_from
    return [CaseReopened(case_id=case.case_id, on=on, status=status, escalated_from=escalated_from)]

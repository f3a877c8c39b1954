"""Problems and cases as the facts up to a day leave them, with the history a report asks of them.

A case is folded by rectify's own `evolve`, so the ledger and the statistics can never disagree with
the case rectify decides on. What reports need beyond the case — when each move happened and how long
each status lasted — is recorded here from the same fold, never read from an editable column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from typing import get_args

from lookback.cases.state import Case, evolve
from lookback.contracts.rectify import STATUS_LABELS, CaseEvent, CaseStatus, CaseTransition
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged
from services.reporting.domain.facts import Fact

CASE_EVENTS = get_args(CaseEvent)
STATUSES: tuple[CaseStatus, ...] = tuple(STATUS_LABELS)


@dataclass(frozen=True)
class ProblemView:
    flagged: ProblemFlagged
    found_on: date
    cleared_on: tuple[date, ...] = ()


@dataclass(frozen=True)
class CaseView:
    case: Case
    steps: tuple[CaseTransition, ...] = ()
    """Every workflow step the fold took, in order: the ledger prints escalations and extensions from them."""
    stays: tuple[tuple[CaseStatus, int], ...] = ()
    """(status, days) of every finished stay; the current one runs from `case.status_since`."""

    @property
    def moves(self) -> tuple[tuple[str, date], ...]:
        """(event type, day) of every step, for the flows of a period (rectified in it, …)."""
        return tuple((step.event_type, step.on) for step in self.steps)

    def days_in_status(self, until: date) -> dict[CaseStatus, int]:
        """Whole days per status, the current stay counted to the end of `until`."""
        spent = dict(self._finished)
        status = self.case.status
        spent[status] = spent.get(status, 0) + (until + timedelta(days=1) - self.case.status_since).days
        return spent

    def stay_until(self, until: date) -> tuple[int, ...]:
        """`days_in_status` as (stayed in it, days) per status of `STATUSES`, each in that order: what a
        case adds to the time-in-status counts (every period asks it of the same case: all but the
        current stay's days are computed once)."""
        flags, head, finished, tail = self._stay_parts
        return (*flags, *head, finished + (until - self.case.status_since).days + 1, *tail)

    @cached_property
    def _finished(self) -> dict[CaseStatus, int]:
        spent: dict[CaseStatus, int] = {}
        for status, days in self.stays:
            spent[status] = spent.get(status, 0) + days
        return spent

    @cached_property
    def _stay_parts(self) -> tuple[tuple[int, ...], tuple[int, ...], int, tuple[int, ...]]:
        finished, current = self._finished, self.case.status
        days = tuple(finished.get(s, 0) for s in STATUSES)
        n = STATUSES.index(current)
        return tuple(int(s in finished or s == current) for s in STATUSES), days[:n], days[n], days[n + 1 :]


@dataclass(frozen=True)
class State:
    """Everything known at the end of a day; frozen so that a sweep can hand out one per period."""

    problems: Mapping[str, ProblemView]
    cases: Mapping[str, CaseView]


class Replay:
    def __init__(self) -> None:
        self.problems: dict[str, ProblemView] = {}
        self.cases: dict[str, CaseView] = {}

    def apply(self, fact: Fact) -> None:
        event = fact.event
        if isinstance(event, ProblemFlagged):
            if event.problem_id not in self.problems:
                self.problems[event.problem_id] = ProblemView(event, fact.day)
        elif isinstance(event, ProblemClearedByData):
            seen = self.problems.get(event.problem_id)
            if seen is not None:
                self.problems[event.problem_id] = replace(seen, cleared_on=(*seen.cleared_on, fact.day))
        elif isinstance(event, CASE_EVENTS):
            self._fold_case(fact)

    def _fold_case(self, fact: Fact) -> None:
        """An event the fold refuses (a step of a case not opened yet, as known at an earlier instant)
        is left out rather than failing the whole report."""
        case_id = fact.event.aggregate_id()
        view = self.cases.get(case_id)
        try:
            case = evolve(view.case if view else None, fact.event)  # type: ignore[arg-type]
        except ValueError:
            return
        if view is None:
            self.cases[case_id] = CaseView(case)
            return
        old = view.case
        stays = view.stays
        if (case.status, case.status_since) != (old.status, old.status_since):
            stays = (*stays, (old.status, (case.status_since - old.status_since).days))
        steps = (*view.steps, fact.event) if isinstance(fact.event, CaseTransition) else view.steps
        self.cases[case_id] = CaseView(case, steps, stays)

    def state(self) -> State:
        return State(dict(self.problems), dict(self.cases))


def fold(facts: Iterable[Fact]) -> State:
    """`facts` as `known` returns them: sorted, and none after the day the state is wanted for."""
    replay = Replay()
    for fact in facts:
        replay.apply(fact)
    return replay.state()


def states_at(facts: Iterable[Fact], days: Iterable[date]) -> Iterator[State]:
    """One sweep for many days (a trend over every period), in the order of `days`, which must rise."""
    replay = Replay()
    pending = iter(facts)
    fact = next(pending, None)
    for day in days:
        while fact is not None and fact.day <= day:
            replay.apply(fact)
            fact = next(pending, None)
        yield replay.state()

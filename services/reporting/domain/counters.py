"""The per-period counters reporting keeps: for each counted period and cell, what its problems add up to.

A batch changes only the problems its events belong to (a problem with its cases: a "line"), and a
line only from the period of its own earliest new business day on: in an earlier period it is what it
was. So the projection folds each line the batch touches on its own, from the facts stored before the
batch and with the batch's, for those periods only, and adds the difference, computed by the same
`cells` every report is made from, to the stored counters. A line the batch opens has nothing to fold
before. Any batching of the same log leaves the same counters: each line's share is always what all
its stored facts say.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import date

from lookback.calendar import Period
from lookback.catalogue import Catalogue
from lookback.contracts.rectify import CaseOpened
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.measures import Line, lines
from services.reporting.domain.semimonthly import WIDTH, cell_of, share
from services.reporting.domain.state import Replay

Key = tuple[str, str, str, int, str]
"""(period code, *Cell)."""


def changes(
    facts: Sequence[Fact], new: Collection[int], periods: Sequence[Period], catalogue: Catalogue
) -> dict[Key, tuple[int, ...]]:
    """What the counters of `periods` must add when the facts of the lines a batch touches, stored
    before it, become `facts` (those with the batch's, whose sequences are `new`); cells left as they
    were are left out."""
    spans = [(p.code, p.first_day, p.last_day) for p in periods]
    was: dict[Key, list[tuple[int, ...]]] = defaultdict(list)
    now: dict[Key, list[tuple[int, ...]]] = defaultdict(list)
    for line in by_line(facts):
        earliest = min((f.day for f in line if f.seq in new), default=date.max)
        touched = [span for span in spans if span[2] >= earliest]  # a fact changes its period and later ones
        if touched:
            for key, counted in line_shares([f for f in line if f.seq not in new], touched, catalogue).items():
                was[key].append(counted)
            for key, counted in line_shares(line, touched, catalogue).items():
                now[key].append(counted)
    out = {}
    for key in was.keys() | now.keys():
        delta = tuple(map(operator.sub, _total(now.get(key)), _total(was.get(key))))
        if any(delta):
            out[key] = delta
    return out


def _total(shares: list[tuple[int, ...]] | None) -> tuple[int, ...]:
    return tuple(map(sum, zip(*shares, strict=True))) if shares else (0,) * WIDTH


def line_shares(
    facts: Sequence[Fact], spans: Sequence[tuple[str, date, date]], catalogue: Catalogue
) -> dict[Key, tuple[int, ...]]:
    """The share of one line (its facts) in the cells of each period (code, first day, last day; rising),
    as `cells` counts it. The line changes only on the days of its facts, so it is folded in one sweep
    and built again only when a fact came in."""
    out: dict[Key, tuple[int, ...]] = {}
    pending = known(facts, spans[-1][2]) if spans else []
    replay, n = Replay(), 0
    line: Line | None = None
    for code, first, last in spans:
        if n < len(pending) and pending[n].day <= last:
            while n < len(pending) and pending[n].day <= last:
                replay.apply(pending[n])
                n += 1
            (line,) = lines(replay.state()) or (None,)
            cell = cell_of(line, catalogue) if line else None
        if line is not None and cell is not None:
            out[(code, *cell)] = share(line, first, last)
    return out


def by_line(facts: Iterable[Fact]) -> list[list[Fact]]:
    """The facts of each problem with those of its cases (a case's problem is named in its `case.opened`).
    A case step whose opening is not among the facts belongs to no line yet: it folds to nothing."""
    facts = list(facts)
    problem_of = {f.event.case_id: f.event.problem_id for f in facts if isinstance(f.event, CaseOpened)}
    lines: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        event = fact.event
        if isinstance(event, ProblemFlagged | ProblemClearedByData | CaseOpened):
            lines[event.problem_id].append(fact)
        elif (problem := problem_of.get(event.aggregate_id())) is not None:
            lines[problem].append(fact)
    return list(lines.values())


def add(counts: Sequence[int] | None, delta: Sequence[int]) -> tuple[int, ...] | None:
    """A counter with a change added; None once no problem is left in the cell (a cell's count of
    problems, `found_cumulative`, is zero only when every count is)."""
    total = tuple(a + b for a, b in zip(counts or (0,) * len(delta), delta, strict=True))
    return total if any(total) else None

"""The per-period counters reporting keeps: for each counted period and cell, what its problems add up to.

A batch changes only the problems its events belong to (a problem with its case: a "line"), and only
from the period of its earliest business day on. So the projection folds those lines twice — from the
facts stored before the batch, and with the batch's own — and adds the difference, computed by the
same `cells` every report is made from, to the stored counters. Any batching of the same log leaves
the same counters: each line's share is always what all its stored facts say.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lookback.calendar import Period
from lookback.catalogue import Catalogue
from services.reporting.domain.facts import Fact, known
from services.reporting.domain.semimonthly import cells
from services.reporting.domain.state import states_at

Key = tuple[str, str, str, int, str]
"""(period code, *Cell)."""


def period_cells(facts: Sequence[Fact], periods: Sequence[Period], catalogue: Catalogue) -> dict[Key, tuple[int, ...]]:
    """The cells of every period of `periods` (rising), in one sweep over the facts."""
    out: dict[Key, tuple[int, ...]] = {}
    sweep = states_at(known(facts, periods[-1].last_day), [p.last_day for p in periods])
    for period, state in zip(periods, sweep, strict=True):
        for cell, counted in cells(state, period, catalogue).items():
            out[(period.code, *cell)] = counted
    return out


def changes(
    before: Sequence[Fact], after: Sequence[Fact], periods: Sequence[Period], catalogue: Catalogue
) -> dict[Key, tuple[int, ...]]:
    """What the counters of `periods` must add when the lines folded from `before` become those of `after`
    (the same lines' facts, with a batch's added); cells left as they were are left out."""
    if not periods:
        return {}
    old, new = period_cells(before, periods, catalogue), period_cells(after, periods, catalogue)
    out = {}
    for key in old.keys() | new.keys():
        was, now = old.get(key), new.get(key)
        width = len(was or now or ())
        delta = tuple(b - a for a, b in zip(was or (0,) * width, now or (0,) * width, strict=True))
        if any(delta):
            out[key] = delta
    return out


def affected(periods: Sequence[Period], earliest: date) -> list[Period]:
    """The counted periods a fact of business day `earliest` can change: its own and every later one."""
    return [p for p in periods if p.last_day >= earliest]


def add(counts: Sequence[int] | None, delta: Sequence[int]) -> tuple[int, ...] | None:
    """A counter with a change added; None once no problem is left in the cell (a cell's count of
    problems, `found_cumulative`, is zero only when every count is)."""
    total = tuple(a + b for a, b in zip(counts or (0,) * len(delta), delta, strict=True))
    return total if any(total) else None

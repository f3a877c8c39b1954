"""Which submissions (报送) an owner's digest lists as due: the due dates of those not handed in.

A half-month's forms are owed once it has ended, for every half-month of the campaign (from the
investigation's first day to the rectification's last, catalogue.calendar), by every village and unit
(`lower_orgs`) and by the station (its summary to the county). A submission with no event yet is
pending. `compose` then counts those due within `soon_days` or late. Pure: the submissions come in as
rectify has folded them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from lookback.calendar import Period, period_of, periods_between
from lookback.catalogue import Catalogue
from lookback.submissions import Org, Submission, due_day, handed_in, lower_orgs
from services.rectify.domain.digest import Owner


def owed_periods(catalogue: Catalogue, day: date) -> list[Period]:
    """The campaign's half-months that have ended by `day`."""
    cal = catalogue.calendar
    last = min(period_of(day).previous(), period_of(cal.rectification[1]))
    return periods_between(period_of(cal.investigation[0]), last)


def dues(
    owner: Owner, catalogue: Catalogue, periods: Iterable[Period], subs: Iterable[Submission], due_days: int
) -> tuple[list[date], list[date]]:
    """The owner's own due dates not handed in, and for the station those of every village and unit
    (one per village or unit and half-month: a count, never a name)."""
    periods, done = list(periods), {(s.period, s.org) for s in subs if handed_in(s)}
    lower = lower_orgs(catalogue)

    def open_dues(orgs: Iterable[Org]) -> list[date]:
        return [due_day(p, due_days) for p in periods for o in orgs if (p.code, o) not in done]

    if owner.kind == "station":
        return open_dues([Org("station", catalogue.town)]), open_dues(sorted(lower, key=lambda o: (o.kind, o.name)))
    if owner.kind in ("village", "unit"):
        own = Org(owner.kind, owner.name)
        return (open_dues([own]) if own in lower else []), []
    return [], []

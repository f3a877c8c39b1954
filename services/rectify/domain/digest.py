"""A digest: what one owner has to do on one business day, as counts and links — never a person.

Pure: the tick (services/rectify/digests.py) hands in the owner's cases as rectify has folded them and
the day on the business clock, so a test moves the day without a broker. The owners are the town's
villages, the units that lead cases, the station (every case) and the county (every case; escalations
are its own). Links are workbench paths in 我的待办's own query words (`/work?overdue=true&village=…`),
and the 报送 page for the submissions due:
a village or unit name may appear in one, no name of a person can, for none is in the inputs used.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from lookback.calendar import period_of
from lookback.cases import deadlines, owners
from lookback.cases.state import Case, is_open, is_overdue
from lookback.catalogue import Catalogue
from lookback.contracts.digests import DigestComposed, OwnerKind

WHOLE_TOWN = "全镇"
"""The station's digest: every case of the town (扶贫工作站 is also a unit, with the cases it leads)."""
COUNTY = "县级"
SUBMISSIONS_PAGE = "/submissions"
"""报送: the workbench page of the submissions the person may see (their own, or the station's grid)."""


@dataclass(frozen=True)
class Owner:
    kind: OwnerKind
    name: str

    def holds(self, case: Case) -> bool:
        """The owner's cases as 我的待办 reads them: a village's, the cases a unit leads, or all."""
        if self.kind == "village":
            return case.village == self.name
        if self.kind == "unit":
            return case.lead_unit == self.name
        return True

    def filters(self) -> dict[str, str]:
        if self.kind == "village":
            return {"village": self.name}
        if self.kind == "unit":
            return {"unit": self.name}
        return {}


def town_owners(catalogue: Catalogue) -> list[Owner]:
    """Every owner a town has, in a stable order: villages, units, the station, the county."""
    villages = [Owner("village", v) for v in catalogue.villages]
    units = [Owner("unit", u) for u in sorted(owners.units(catalogue) - set(catalogue.villages))]
    return [*villages, *units, Owner("station", WHOLE_TOWN), Owner("county", COUNTY)]


def compose(
    owner: Owner,
    day: date,
    cases: Iterable[Case],
    soon_days: int,
    submissions_due: Iterable[date] = (),
    lower_submissions_due: Iterable[date] = (),
) -> DigestComposed:
    """`cases` may be the whole town's: the owner's are picked here. `submissions_due`: the due dates of
    this owner's submissions not yet handed in, `lower_submissions_due` the station's villages' and
    units' (domain/dues.py); those due within `soon_days` or already late are counted."""
    mine = [c for c in cases if owner.holds(c) and is_open(c)]
    ended = period_of(day - timedelta(days=1))
    period_end = ended != period_of(day)
    return DigestComposed(
        owner_kind=owner.kind,
        owner=owner.name,
        day=day,
        kind="period_end" if period_end else "daily",
        period=ended.code if period_end else None,
        newly_assigned=sum(1 for c in mine if day - timedelta(days=1) <= c.opened_on < day),
        due_soon=sum(1 for c in mine if deadlines.due_soon(c.deadline, day, soon_days)),
        overdue=sum(1 for c in mine if is_overdue(c, day)),
        escalated=sum(1 for c in mine if c.status == "escalated"),
        submissions_due=_due(submissions_due, day, soon_days),
        lower_submissions_due=_due(lower_submissions_due, day, soon_days),
        links=_links(owner),
    )


def _due(dues: Iterable[date], day: date, soon_days: int) -> int:
    return sum(1 for due in dues if (due - day).days <= soon_days)


def _links(owner: Owner) -> dict[str, str]:
    where = owner.filters()
    lists = {
        "newly_assigned": {"status": "pending"},
        "due_soon": {"due_soon": "true"},
        "overdue": {"overdue": "true"},
        "escalated": {"status": "escalated"},
    }
    links = {name: "/work?" + urlencode(words | where) for name, words in lists.items()}
    submissions = ("submissions_due", "lower_submissions_due") if owner.kind == "station" else ("submissions_due",)
    return links | dict.fromkeys(submissions, SUBMISSIONS_PAGE)

"""The plan's three dated milestones (三(一), 三(二)) as deadlines with due-soon and overdue.

Each names who must have done something by a date: every village and unit its problem list (the first
submission of any period), the station its summary to the county, every village its written report
(书面报告). A milestone is done when all of them have; it is judged on the business clock like a case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from lookback.catalogue import Catalogue
from lookback.submissions import STANDING_LABELS, Org, Standing, Submission, lower_orgs, standing


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    due: date
    expected: frozenset[Org]
    done_by: frozenset[Org]

    def standing(self, today: date, soon_days: int) -> Standing:
        return standing(self.expected <= self.done_by, self.due, today, soon_days)

    def view(self, today: date, soon_days: int) -> dict[str, Any]:
        state = self.standing(today, soon_days)
        return {
            "key": self.key,
            "label": self.label,
            "due": self.due.isoformat(),
            "standing": state,
            "standing_label": STANDING_LABELS[state],
            "expected": len(self.expected),
            "done": len(self.expected & self.done_by),
            "missing": sorted(o.name for o in self.expected - self.done_by),
        }


def milestones(catalogue: Catalogue, submissions: Iterable[Submission], as_of: date | None = None) -> list[Milestone]:
    """Done by what was handed in (by the end of `as_of`, when given: a past report's day shows the
    milestones as they stood that day, on every replay). A village's 书面报告 counts with any period's
    submission."""
    cal = catalogue.calendar
    subs = list(submissions)
    submitted = {s.org for s in subs if s.submitted_on is not None and (as_of is None or s.submitted_on <= as_of)}
    written = {s.org for s in subs if s.report_filed_on is not None and (as_of is None or s.report_filed_on <= as_of)}
    station = frozenset({Org("station", catalogue.town)})
    villages = frozenset(Org("village", v) for v in catalogue.villages)
    return [
        Milestone(
            "problem_lists",
            "各村各单位问题清单报送镇工作站",
            cal.problem_lists_due,
            lower_orgs(catalogue),
            frozenset(submitted),
        ),
        Milestone(
            "county_summary", "镇工作站汇总上报县级", cal.county_summary_due, station, frozenset(submitted) & station
        ),
        Milestone(
            "village_reports",
            "各村书面报告",
            cal.village_reports_due,
            villages,
            frozenset(written),
        ),
    ]

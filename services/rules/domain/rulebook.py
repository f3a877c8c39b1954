"""Everything the rules find in one recorded household or village, R07C aside.

R07C depends on the whole roster, which one event does not carry; `duplicates` answers it from
the caller's index. Everything here depends on the event and the settings alone, so re-running it
on the same event always gives the same findings.
"""

from __future__ import annotations

from services.rules.domain.finding import Finding, household_finding, person_finding, village_finding
from services.rules.domain.household_rules import HOUSEHOLD_RULES
from services.rules.domain.inputs import VillageLike
from services.rules.domain.person_rules import PERSON_RULES
from services.rules.domain.roster import Household
from services.rules.domain.village_rules import VILLAGE_RULES


def findings_of(household: Household) -> list[Finding]:
    """Person problems of every row, then household problems, in rule-table and sheet order."""
    found: list[Finding] = []
    for rule, holds in PERSON_RULES.items():
        for person in household.persons:
            detail = holds(person)
            if detail is not None:
                found.append(
                    person_finding(
                        rule,
                        household.village,
                        household.household_id,
                        row=person.row,
                        id_number=person.id_number,
                        subject_key=person.subject_key,
                        detail=detail,
                    )
                )
    for rule, household_holds in HOUSEHOLD_RULES.items():
        detail = household_holds(household)
        if detail is not None:
            found.append(household_finding(rule, household.village, household.household_id, detail))
    return found


def village_findings(event: VillageLike) -> list[Finding]:
    found: list[Finding] = []
    for rule, holds in VILLAGE_RULES.items():
        detail = holds(event.cells)
        if detail is not None:
            found.append(village_finding(rule, event.village, detail))
    return found

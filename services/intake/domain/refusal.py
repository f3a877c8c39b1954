"""Whether a full roster may replace the one on record (issue 12, part 1): refuse, don't guess.

A full roster removes every household on record that it does not hold, so a file that lost a column,
whose every row was rejected, or that holds only part of the town would wipe the town and clear its
open cases "by data". Such a roster is refused whole: nothing is published. Only removing many
households can be confirmed by the user (`--allow-removal`); a missing column or an empty roster is
never what a town meant. A partial roster removes nothing and is not judged here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from services.intake.domain.columns import (
    HOUSEHOLD_ID,
    HOUSEHOLD_SIZE,
    ID_NUMBER,
    INCOME,
    NAME,
    PERSON_LISTS,
    PERSONS,
    VILLAGE,
    VILLAGE_LISTS,
    VILLAGES,
)

# The columns docs/rules.md marks required, per sheet: without one, rows cannot be placed or judged.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    PERSONS: (VILLAGE, HOUSEHOLD_ID, NAME, ID_NUMBER, *PERSON_LISTS, HOUSEHOLD_SIZE, INCOME),
    VILLAGES: (VILLAGE, *VILLAGE_LISTS),
}


@dataclass(frozen=True)
class RosterOutcome:
    """What a full roster would do, as far as the decision needs: its headers and counts, no cells."""

    headers: Mapping[str, Collection[str]]
    persons_read: int
    persons_accepted: int
    households_on_record: int
    households_removed: int


@dataclass(frozen=True)
class Refusal:
    """Why a roster was refused; `code` is for the record and the tests, the sentences for the town."""

    code: str
    reason_zh: str
    reason_en: str

    def __str__(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"


def refuse_full_roster(outcome: RosterOutcome, max_removal_share: float, allow_removal: bool) -> Refusal | None:
    """The first reason to refuse, in the order a town would fix them, or None to accept."""
    for sheet, header in outcome.headers.items():
        if missing := [column for column in REQUIRED_COLUMNS.get(sheet, ()) if column not in header]:
            return Refusal(
                "missing_columns",
                f"花名册{sheet}表缺少必需列：{'、'.join(missing)}",
                f"the roster's {sheet} sheet lacks the required column{'s' * (len(missing) > 1)}: {', '.join(missing)}",
            )
    if outcome.persons_accepted == 0:
        return Refusal(
            "nothing_accepted",
            f"花名册{PERSONS}表没有可接受的行（读取{outcome.persons_read}行）",
            f"no row of the roster's {PERSONS} sheet can be accepted ({outcome.persons_read} read)",
        )
    removed, on_record = outcome.households_removed, outcome.households_on_record
    if not allow_removal and removed > max_removal_share * on_record:
        return Refusal(
            "too_many_removed",
            f"导入将移除在册{on_record}户中的{removed}户，超过{max_removal_share:.0%}的上限；"
            "如确需移除，请加 --allow-removal 重新导入",
            f"the import would remove {removed} of the {on_record} households on record, more than "
            f"{max_removal_share:.0%}; import again with --allow-removal if that is meant",
        )
    return None

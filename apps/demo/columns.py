"""The sheets' columns in roster.md's order (intake's), plus one column of the town's own.

The extra `备注` column is there because real rosters carry such columns and intake must keep them.
"""

from services.intake.domain import columns

PERSON_COLUMNS: tuple[str, ...] = (*columns.PERSON_COLUMNS, "备注")
VILLAGE_COLUMNS: tuple[str, ...] = columns.VILLAGE_COLUMNS

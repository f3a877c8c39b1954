"""The project's own demo town: a realistic roster with planted problems, generated, never shipped.

A user's clone has no shared sample data, so demos, tests of the whole flow and benchmarks all
draw their rosters from here.
"""

from apps.demo.columns import PERSON_COLUMNS, VILLAGE_COLUMNS
from apps.demo.town import DemoTown, correct, generate
from apps.demo.writers import write_csv, write_xlsx

__all__ = ["PERSON_COLUMNS", "VILLAGE_COLUMNS", "DemoTown", "correct", "generate", "write_csv", "write_xlsx"]

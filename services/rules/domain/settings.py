"""What a town may change about the rules without code (docs/rules.md: "configurable").

The income line of R06 is 4000 yuan per person per year by default and can differ by year; a
lower-case `x` check character is accepted unless `strict_x` says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType


@dataclass(frozen=True)
class RuleSettings:
    income_line: Decimal = Decimal(4000)
    income_lines_by_year: Mapping[int, Decimal] = field(default_factory=dict)
    strict_x: bool = False

    def __post_init__(self) -> None:
        # A frozen value must not change under a caller that still holds the dict it passed in.
        lines = MappingProxyType({year: Decimal(line) for year, line in self.income_lines_by_year.items()})
        object.__setattr__(self, "income_line", Decimal(self.income_line))
        object.__setattr__(self, "income_lines_by_year", lines)

    def line_for(self, as_of: date) -> Decimal:
        """The line of the roster's year: a 2019 roster is judged against the 2019 line."""
        return self.income_lines_by_year.get(as_of.year, self.income_line)

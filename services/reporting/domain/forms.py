"""A half-monthly form made from the facts it reads: the one function the downloads, the submissions and
the audit's rebuild share, so a form rebuilt from the log is the form that was handed in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from lookback.catalogue import Catalogue
from services.reporting.domain.facts import Fact
from services.reporting.domain.measures import Line, lines
from services.reporting.domain.sheets import Sheet, ledger, problem_list, summary
from services.reporting.domain.state import fold
from services.reporting.domain.submissions import Org


def in_scope(line: Line, org: Org | None, catalogue: Catalogue) -> bool:
    """A village's forms hold the problems in the village; a unit's those it leads; the station's all."""
    if org is None or org.kind == "station":
        return True
    if org.kind == "village":
        return line.flagged.village == org.name
    return line.unit(catalogue) == org.name


def build_form(
    used: Sequence[Fact],
    kind: str,
    day: date,
    catalogue: Catalogue,
    heads: dict[str, str],
    *,
    reveal: bool,
    org: Org | None = None,
) -> Sheet:
    """`kind`: problems, ledger or summary; `used`: the facts known at the end of the period (`known`);
    `org`: whose forms (None: the town's)."""
    found = [line for line in lines(fold(used)) if in_scope(line, org, catalogue)]
    if kind == "summary":
        return summary(found, catalogue, day)
    if kind == "ledger":
        return ledger(found, catalogue, heads, day)
    return problem_list(found, catalogue, heads, day, reveal=reveal)

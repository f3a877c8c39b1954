"""A half-monthly form made from the facts it reads: the one function the downloads, the submissions and
the audit's rebuild share, so a form rebuilt from the log is the form that was handed in."""

from __future__ import annotations

from collections.abc import Sequence

from lookback.calendar import Period
from lookback.catalogue import Catalogue
from lookback.submissions import Org
from services.reporting.domain.measures import Line
from services.reporting.domain.sheets import Filing, People, Sheet, ledger, own, problem_list, summary


def build_form(
    found: Sequence[Line],
    kind: str,
    filing: Filing,
    catalogue: Catalogue,
    names: People,
    *,
    reveal: bool,
    village: str | None = None,
    unit: str | None = None,
) -> Sheet:
    """`kind`: problems, ledger or summary; `found`: the lines of the facts known at the end of the period;
    `village`/`unit`: whose 问题清单 or 整改台帐 (neither: the town's). The 汇总表 is always the town's."""
    if kind == "summary":
        return summary(found, catalogue, filing)
    mine = own(found, catalogue, village=village, unit=unit)
    if kind == "ledger":
        return ledger(mine, catalogue, names.heads, filing)
    return problem_list(mine, catalogue, names, filing, reveal=reveal)


def submitted_form(
    found: Sequence[Line], kind: str, period: Period, catalogue: Catalogue, names: People, org: Org
) -> Sheet:
    """The form `org` hands in for `period`: its own rows, filed on the period's last day, ID numbers masked
    (a submission is read by the station and the county, and rebuilt by the audit, byte for byte)."""
    place = None if org.kind == "station" else org.name
    return build_form(
        found,
        kind,
        Filing(catalogue.town, place, period, period.last_day),
        catalogue,
        names,
        reveal=False,
        village=org.name if org.kind == "village" else None,
        unit=org.name if org.kind == "unit" else None,
    )

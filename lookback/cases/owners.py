"""Who answers for a problem, as the plan names them (docs/rules.md, "Owners").

The plan writes two owners as placeholders: 各村 ("each village") means the problem's own village,
and 各指挥部 ("each command") the command the town assigns to the item. Neither is a unit anyone
belongs to, so a case is never given one: a ledger row, a report line or a gauge under 各村 would be
a problem nobody answers for. Rectify opens cases with these owners and reporting counts a problem
whose case it has not seen yet under the same ones, so both read this one function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lookback.catalogue import Catalogue

EACH_VILLAGE = "各村"
EACH_COMMAND = "各指挥部"
STATION = "扶贫工作站"
"""Where a 各指挥部 item goes when the town's map names no command for it (docs/rules.md, "Owners": item 10 default)."""


@dataclass(frozen=True)
class Owners:
    lead_unit: str
    co_units: tuple[str, ...]
    """配合单位 beside the lead unit, in the plan's order; the village (属地) is co-responsible apart."""


def resolve(unit: str, item: int, village: str, commands: Mapping[int, str]) -> str:
    if unit == EACH_VILLAGE:
        return village
    if unit == EACH_COMMAND:
        return commands.get(item, STATION)
    return unit


def owners_of(item: int, village: str, catalogue: Catalogue, proposed: str | None = None) -> Owners:
    """The lead unit a problem list proposed wins over the item's; either may be a placeholder."""
    spec = catalogue.item(item)
    lead = resolve(proposed or spec.lead_unit, item, village, catalogue.commands)
    co_units = tuple(
        dict.fromkeys(u for u in (resolve(c, item, village, catalogue.commands) for c in spec.co_units) if u != lead)
    )
    return Owners(lead, co_units)


def units(catalogue: Catalogue) -> frozenset[str]:
    """Every unit a case can be given by default: the gauges' label values beyond these are 其他."""
    out = {EACH_VILLAGE, EACH_COMMAND, STATION, *catalogue.villages, *catalogue.commands.values()}
    for spec in catalogue.items.values():
        out |= {spec.lead_unit, *spec.co_units}
    return frozenset(out - {EACH_VILLAGE, EACH_COMMAND})

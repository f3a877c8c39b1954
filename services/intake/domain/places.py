"""Where a reported issue belongs: a village of the town, or one of its units.

A problem list comes from a village or from a unit (问题清单 column 行政村或单位). A village's issue
counts under that village like any problem the rules find. A unit's issue is about no village, so it
counts under the bucket `(镇直)` (town-level units), and the unit travels in its own field; problems
thus always have a village to group by, and a unit is never mistaken for a village.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lookback.catalogue import Catalogue

TOWN_UNITS = "(镇直)"


@dataclass(frozen=True)
class Places:
    """The villages (configured ∪ declared by a 村级信息 sheet) and the units an issue may name."""

    villages: frozenset[str]
    units: frozenset[str]

    def village_of(self, place: str) -> str | None:
        """The village an issue of `place` counts under; None when the town has no such place."""
        if place in self.villages:
            return place
        return TOWN_UNITS if place in self.units else None


def town_places(catalogue: Catalogue, declared_villages: Iterable[str] = ()) -> Places:
    """The town's places from its catalogue: the units of the 34 items and the town itself, which may
    report its own issues."""
    villages = frozenset(v.strip() for v in (*catalogue.villages, *declared_villages))
    return Places(villages, (catalogue.units() | {catalogue.town}) - villages)

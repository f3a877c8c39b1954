"""Re-import is a diff: only households that were added, changed or removed produce events.

A household's fingerprint covers its cells in sheet order and the roster's as-of date (rules about
ages and due dates depend on it), but not row numbers, which move when rows are inserted above.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date


def fingerprint(as_of: date, cells: Sequence[dict[str, str]]) -> str:
    """Of each person's cells (`PersonRow.cells`), in sheet order. The value is stored (intake_households) and
    carried in `HouseholdRecorded`, so its form stays what it is: a re-import compares against it."""
    body = json.dumps([as_of.isoformat(), cells], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def village_fingerprint(as_of: date, cells: Mapping[str, str]) -> str:
    body = json.dumps([as_of.isoformat(), dict(cells)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


def diff(current: Mapping[str, str], known: Mapping[str, str], full_roster: bool) -> Diff:
    """`current` and `known` map household ids to fingerprints; `known` holds households on record.

    Only a full roster can remove a household: a file with one village's households says nothing
    about the others.
    """
    out = Diff()
    for household_id, print_ in current.items():
        before = known.get(household_id)
        if before is None:
            out.added.append(household_id)
        elif before != print_:
            out.changed.append(household_id)
        else:
            out.unchanged += 1
    if full_roster:
        out.removed = sorted(set(known) - set(current))
    return out

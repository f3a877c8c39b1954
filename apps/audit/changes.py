"""What changed between two payloads, as paths an auditor can read (`persons[row 3].cells.联系电话`).

A household's persons are keyed by their sheet row, not their place in the list, so a person added in
the middle shows as one added row rather than every later row changed. The same diff serves the
history of an aggregate and the row differences `verify` prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apps.audit.masking import mask_field


class _Absent:
    """A value that is not there at all, as against one that is there and null."""

    def __repr__(self) -> str:
        return "∅"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Change:
    path: str
    field: str
    """The name the value sits under, which decides whether it is personal data."""
    before: Any
    after: Any

    def masked(self) -> Change:
        return Change(self.path, self.field, mask_field(self.field, self.before), mask_field(self.field, self.after))


def flatten(value: Any, path: str = "", field: str = "") -> dict[str, tuple[str, Any]]:
    """Leaf path → (field name, value); empty dicts and lists are leaves too."""
    if isinstance(value, dict) and value:
        out: dict[str, tuple[str, Any]] = {}
        for k, v in value.items():
            out |= flatten(v, f"{path}.{k}" if path else str(k), str(k))
        return out
    if isinstance(value, list) and value:
        out = {}
        for n, item in enumerate(value):
            step = f"row {item['row']}" if isinstance(item, dict) and "row" in item else str(n)
            out |= flatten(item, f"{path}[{step}]", field)
        return out
    return {path: (field, value)}


def changes(before: Any, after: Any, *, removals: bool = True) -> list[Change]:
    """Leaves added or changed from `before` to `after`, and (with `removals`) those that went away."""
    old, new = flatten(before) if before is not None else {}, flatten(after)
    out = [
        Change(path, field, old[path][1] if path in old else ABSENT, value)
        for path, (field, value) in new.items()
        if path not in old or old[path][1] != value
    ]
    if removals:
        out += [Change(path, field, value, ABSENT) for path, (field, value) in old.items() if path not in new]
    return out

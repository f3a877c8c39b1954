"""The Chinese names a report prints for its keys, from the town's catalogue and the case statuses."""

from __future__ import annotations

from typing import Any

from lookback.catalogue import Catalogue
from lookback.contracts.rectify import STATUS_LABELS


def categories(catalogue: Catalogue) -> dict[str, str]:
    """Category code to name, in the plan's order (一 … 九), which is the order of their first items."""
    out: dict[str, str] = {}
    for _, item in sorted(catalogue.items.items()):
        out.setdefault(item.category, item.category_name)
    return out


def category_label(catalogue: Catalogue, item: int) -> str:
    entry = catalogue.item(item)
    return f"{entry.category}、{entry.category_name}"


def item_label(catalogue: Catalogue, item: int) -> str:
    return f"{item}.{catalogue.item(item).name}"


def labels(catalogue: Catalogue) -> dict[str, Any]:
    """Sent with a report, so that a reader needs no catalogue of its own; `order` keeps the plan's order
    of categories and statuses and the town's of villages, which sorted JSON keys would lose."""
    names = categories(catalogue)
    return {
        "category": names,
        "item": {str(n): i.name for n, i in sorted(catalogue.items.items())},
        "status": {status: label for status, label in STATUS_LABELS.items()},
        "order": {"category": list(names), "village": list(catalogue.villages), "status": list(STATUS_LABELS)},
    }

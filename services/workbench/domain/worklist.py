"""我的待办 as a URL: the filters and the page live in the query string, so a link in a digest or a
colleague's message opens the same list, and the same words reach rectify's `/worklist`."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

PAGE_SIZE = 50
FILTERS = ("status", "overdue", "due_soon", "village", "unit", "item")

# The counts on top, each a link to the list it counts (plan: 待整改, 整改中, 待验收, 逾期, 三日内到期, 上报县级).
CARDS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("pending", "待整改", {"status": "pending"}),
    ("in_progress", "整改中", {"status": "in_progress"}),
    ("rectified", "待验收", {"status": "rectified"}),
    ("overdue", "逾期", {"overdue": "true"}),
    ("due_soon", "三日内到期", {"due_soon": "true"}),
    ("escalated", "上报县级", {"status": "escalated"}),
)


def chosen(query: Mapping[str, str]) -> dict[str, str]:
    """The filters the URL sets; blanks and unknown keys are dropped."""
    picked = {k: query[k].strip() for k in FILTERS if (query.get(k) or "").strip()}
    if "item" in picked and not picked["item"].isdigit():
        del picked["item"]
    return picked


def page_number(query: Mapping[str, str]) -> int:
    raw = query.get("page") or "1"
    return max(1, int(raw)) if raw.isdigit() else 1


def api_params(query: Mapping[str, str]) -> dict[str, str | int]:
    """My work is what is still open, unless the person asks for every case (`status=all`) or one status."""
    page = page_number(query)
    filters: dict[str, str | int] = {**chosen(query)}
    status = filters.pop("status", "open")
    if status != "all":
        filters["status"] = status
    return {**filters, "offset": (page - 1) * PAGE_SIZE, "limit": PAGE_SIZE}


def link(filters: Mapping[str, str], page: int = 1) -> str:
    params = dict(filters) | ({"page": str(page)} if page > 1 else {})
    return "/work" + (f"?{urlencode(params)}" if params else "")


def pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))

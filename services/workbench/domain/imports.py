"""What the import pages show of an import's summary, and the one-problem form as intake's issue body.

A summary lists rejected rows by sheet, row, column and reason, never by their cells, so neither the
table nor its download can show a name or an ID number (docs/forms.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

ROSTER_COUNTS = (
    ("rows_read", "读取行数"),
    ("rows_accepted", "接受"),
    ("rows_rejected", "被拒"),
    ("households_added", "新增户"),
    ("households_changed", "变更户"),
    ("households_removed", "移除户"),
    ("households_unchanged", "未变户"),
    ("events_published", "存储事件"),
    ("events_already_stored", "此前已存储"),
)
ISSUE_COUNTS = (
    ("rows_read", "读取行数"),
    ("rows_accepted", "接受"),
    ("rows_rejected", "被拒"),
    ("issues_new", "新问题"),
    ("issues_known", "此前已上报"),
    ("events_published", "存储事件"),
)
REJECT_COLUMNS = ("表", "行号", "列", "原因", "reason")
ISSUE_FIELDS = (
    "village_or_unit",
    "household_id",
    "item",
    "description",
    "found_on",
    "lead_unit",
    "person",
    "deadline",
    "measures",
)


def counts(summary: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The counts a summary holds, labelled: a roster's or a 问题清单's, whichever it is."""
    labels = ISSUE_COUNTS if "issues_new" in summary else ROSTER_COUNTS
    return [(label, summary[key]) for key, label in labels if key in summary]


def rejects(summary: Mapping[str, Any]) -> list[tuple[str, int, str, str, str]]:
    return [(r["sheet"], r["row"], r["column"], r["reason_zh"], r["reason_en"]) for r in summary.get("rejected", [])]


def percent(step: Mapping[str, Any]) -> int:
    """How far a progress line says the import is; an import with nothing to publish is done at once."""
    total = int(step.get("total") or 0)
    return 100 if total == 0 else min(100, 100 * int(step.get("done") or 0) // total)


def roster_fields(form: Mapping[str, str]) -> dict[str, str] | None:
    """The roster form's fields as intake's `POST /imports` takes them; None without a real as-of date."""
    try:
        as_of = date.fromisoformat((form.get("as_of") or "").strip())
    except ValueError:
        return None
    return {
        "as_of": as_of.isoformat(),
        "partial": str(form.get("partial") == "true").lower(),
        "allow_removal": str(form.get("allow_removal") == "true").lower(),
    }


def refusal(summary: Mapping[str, Any]) -> str | None:
    """Why a roster was refused whole, as its filed summary says; None for an import that went through."""
    refused = summary.get("refused")
    return f"{refused['reason_zh']} / {refused['reason_en']}" if refused else None


def issue_body(form: Mapping[str, str], own_village: str | None) -> dict[str, str]:
    """The form's fields as intake takes them; a cadre's own village whatever the form says (intake checks
    it again). Blank fields are left out, so intake's checks say what is missing, bilingually."""
    body = {k: (form.get(k) or "").strip() for k in ISSUE_FIELDS}
    if own_village:
        body["village_or_unit"] = own_village
    return {k: v for k, v in body.items() if v}

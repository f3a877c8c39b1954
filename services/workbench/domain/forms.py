"""Checks every form of the workbench passes before anything is sent on: the CSRF token matches the
session's, and the case's actions become the JSON bodies of rectify's API (the same as the CLI's)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time, and a missing token on either side is never a match."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def _text(form: dict[str, str], key: str) -> str:
    return (form.get(key) or "").strip()


def _date(form: dict[str, str], key: str) -> str | None:
    return _text(form, key) or None


def _number(form: dict[str, str], key: str) -> float | None:
    try:
        return float(_text(form, key))
    except ValueError:
        return None


def location(form: dict[str, str]) -> dict[str, float | None] | None:
    """The position the browser filled in (附上位置), or None: not asked for, refused, or not numbers."""
    lat, lon = _number(form, "lat"), _number(form, "lon")
    if form.get("locate") != "on" or lat is None or lon is None:
        return None
    return {"lat": lat, "lon": lon, "accuracy_m": _number(form, "accuracy_m")}


BODIES: dict[str, Callable[[dict[str, str]], dict[str, Any]]] = {
    "start": lambda f: {"measures": _text(f, "measures")},
    "rectified": lambda f: {"measures": _text(f, "measures"), "location": location(f)},
    "verify": lambda f: {"passed": f.get("passed") == "true", "reason": _text(f, "reason")},
    "escalate": lambda f: {"county_unit": _text(f, "county_unit"), "reason": _text(f, "reason")},
    "answer": lambda f: {
        "accepted": f.get("accepted") == "true",
        "new_deadline": _date(f, "new_deadline"),
        "note": _text(f, "note"),
    },
    "enter_answer": lambda f: {
        "accepted": f.get("accepted") == "true",
        "new_deadline": _date(f, "new_deadline"),
        "note": _text(f, "note"),
        "entered_for": _text(f, "entered_for"),
    },
    "extend": lambda f: {"new_deadline": _date(f, "new_deadline"), "reason": _text(f, "reason")},
    "assign": lambda f: {"lead_unit": _text(f, "lead_unit") or None, "person": _text(f, "person") or None},
    "dismiss": lambda f: {"reason": _text(f, "reason")},
}


ENDPOINTS = {"enter_answer": "answer"}
"""The station enters the county's paper answer through the county's endpoint, naming who gave it."""


def endpoint(action: str) -> str:
    return ENDPOINTS.get(action, action)


def action_body(action: str, form: dict[str, str]) -> dict[str, Any] | None:
    """The API body of `action` from the form, with the sequence the person saw; None for an unknown action."""
    make = BODIES.get(action)
    if make is None:
        return None
    body: dict[str, Any] = make(form)
    seq = _text(form, "expected_seq")
    body["expected_seq"] = int(seq) if seq.isdigit() else None
    return body

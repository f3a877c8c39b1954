"""Dates as people write them on the forms of the campaign, read by one parser for the CLI, HTTP and imports.

A clerk copies dates from paper: 2020-01-12, 2020/01/12, 2020.1.12, 2020年1月12日, or 20200112 from a
spreadsheet. Anything else is refused with a message in both languages rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator

SHEET_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})(\d{2})(\d{2})", re.ASCII),
)
"""The roster's date forms (docs/rules.md, "Reading the roster"): a roster cell in any other form is
kept as written for the rules."""
WRITTEN_FORMS = (
    *SHEET_FORMS,
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
"""Every form a person types a date in: the sheet forms, 2020.1.12 and 2020年1月12日."""
FORMS = "2020-01-12, 2020/01/12, 2020.1.12, 2020年1月12日"


class NotADate(ValueError):
    """The text is none of the written forms of a real calendar day."""


def iso_date(text: str, forms: Sequence[re.Pattern[str]] = WRITTEN_FORMS) -> str | None:
    """The ISO form of a written date, or None when the text is not a real calendar date."""
    for form in forms:
        if match := form.fullmatch(text):
            try:
                return date(*map(int, match.groups())).isoformat()
            except ValueError:
                return None
    return None


def parse_day(text: str) -> date:
    """The day `text` names; the message never repeats the text, which may be anything a form held."""
    iso = iso_date(text.strip())
    if iso is None:
        raise NotADate(f"日期无法识别，请写作 {FORMS} / not a date; write it as one of {FORMS}")
    return date.fromisoformat(iso)


def _day_of(value: Any) -> Any:
    return parse_day(value) if isinstance(value, str) else value


Day = Annotated[date, BeforeValidator(_day_of)]
"""A date field of an HTTP body or form that takes every written form `parse_day` reads."""

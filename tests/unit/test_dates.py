"""The one date parser the CLI, the HTTP bodies and the problem lists share (issue 14, item 4)."""

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from lookback.dates import SHEET_FORMS, Day, NotADate, iso_date, parse_day


@pytest.mark.parametrize(
    "text",
    ["2020-01-12", "2020/01/12", "2020/1/12", "2020.1.12", "2020.01.12", "2020年1月12日", "20200112", " 2020-1-12 "],
)
def test_every_form_a_clerk_writes_reads_as_the_same_day(text: str) -> None:
    assert parse_day(text) == date(2020, 1, 12)


@pytest.mark.parametrize(
    "text", ["2020-02-30", "2020.13.1", "2020年1月3", "12/01/2020", "一月十二日", "", "2020-01-12T08:00", "=1+2"]
)
def test_anything_else_is_refused_in_both_languages_without_echoing_it(text: str) -> None:
    with pytest.raises(NotADate) as refused:
        parse_day(text)
    message = str(refused.value)
    assert "日期无法识别" in message and "not a date" in message
    assert not text.strip() or text not in message


def test_a_roster_keeps_to_its_own_forms() -> None:
    """docs/rules.md lists the sheet forms; a roster cell written 1974.6.22 is kept as written for the rules."""
    assert iso_date("1974.6.22", SHEET_FORMS) is None
    assert iso_date("1974.6.22") == "1974-06-22"


class Body(BaseModel):
    on: Day | None = None


def test_an_http_body_takes_the_same_forms() -> None:
    assert Body.model_validate({"on": "2020年1月12日"}).on == date(2020, 1, 12)
    assert Body.model_validate({"on": "2020-01-12"}).on == date(2020, 1, 12)
    with pytest.raises(ValidationError, match="日期无法识别"):
        Body.model_validate({"on": "2020/13/01"})

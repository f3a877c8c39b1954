"""The shared sample roster in all four of its forms against its expected answer (answer.json)."""

import json
from functools import cache
from pathlib import Path

import pytest

from services.intake.adapters.sheets import parse_roster
from services.intake.domain.columns import PERSONS
from services.intake.domain.roster import ParsedRoster

SAMPLE = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "sample"
FORMS = {
    "xlsx": ["roster.xlsx"],
    "utf-8 csv": ["roster-utf8.csv", "villages-utf8.csv"],
    "utf-8 csv with BOM": ["roster-bom.csv", "villages-utf8.csv"],
    "gbk csv": ["roster-gbk.csv", "villages-utf8.csv"],
}

pytestmark = pytest.mark.skipif(
    not (SAMPLE / "answer.json").exists(), reason=f"the shared sample roster is not at {SAMPLE}"
)


@cache
def answer() -> dict:
    return json.loads((SAMPLE / "answer.json").read_text("utf-8"))


@cache
def parsed(form: str) -> ParsedRoster:
    return parse_roster([SAMPLE / name for name in FORMS[form]], answer()["meta"]["villages"])


@pytest.mark.parametrize("form", FORMS)
def test_each_form_gives_the_expected_totals(form):
    roster = parsed(form)
    totals = answer()["totals"]
    assert len(roster.households) == totals["households_accepted"]
    assert roster.persons_accepted == totals["persons_accepted"]
    assert roster.rows_read[PERSONS] == totals["person_rows_read"]
    assert len(roster.villages) == totals["village_rows_accepted"]
    assert len(roster.rejected) == totals["rows_rejected"]


@pytest.mark.parametrize("form", FORMS)
def test_each_form_rejects_exactly_the_expected_rows(form):
    keys = ("sheet", "row", "column", "reason_zh", "reason_en")
    expected = [{key: r[key] for key in keys} for r in answer()["rejected"]]
    assert [{key: getattr(r, key) for key in keys} for r in parsed(form).rejected] == expected


@pytest.mark.parametrize("form", [form for form in FORMS if form != "xlsx"])
def test_every_form_gives_the_workbooks_households_and_villages(form):
    def shape(roster: ParsedRoster) -> tuple[list, list]:
        households = [(h.household_id, h.village, h.persons) for h in roster.households]
        return households, [(v.village, v.row, v.cells) for v in roster.villages]

    assert shape(parsed(form)) == shape(parsed("xlsx"))


def test_the_planted_households_are_placed_in_their_villages():
    villages = {h.household_id: h.village for h in parsed("xlsx").households}
    for case in answer()["planted"]:
        for household in case["households"]:
            assert villages[household["户编号"]] == household["village"], case["case"]

"""Owners as the plan names them: 各村 and 各指挥部 are placeholders, never units (docs/rules.md, "Owners")."""

import json
from datetime import date
from pathlib import Path

import pytest

from lookback.cases.owners import EACH_COMMAND, EACH_VILLAGE, owners_of, units
from lookback.catalogue import load
from services.rectify.domain.opening import open_case
from tests.unit.test_deadline_phase import flagged

CATALOGUE = load()


@pytest.mark.parametrize("item", [12, 13])
def test_each_village_is_the_problems_own_village(item: int) -> None:
    assert owners_of(item, "杨店村", CATALOGUE).lead_unit == "杨店村"


@pytest.mark.parametrize(
    ("item", "command"),
    [(10, "扶贫工作站"), (16, "扶贫工作站"), (17, "产业就业指挥部"), (18, "扶贫工作站"), (19, "基础设施指挥部")],
)
def test_each_command_is_the_command_the_town_names_for_the_item(item: int, command: str) -> None:
    assert owners_of(item, "桃园村", CATALOGUE).lead_unit == command


def test_item_10_goes_to_the_command_the_report_names() -> None:
    assert owners_of(10, "桃园村", CATALOGUE, proposed="健康脱贫指挥部").lead_unit == "健康脱贫指挥部"
    assert owners_of(13, "桃园村", CATALOGUE, proposed=EACH_VILLAGE).lead_unit == "桃园村"


@pytest.mark.parametrize(
    ("item", "lead", "co"),
    [
        (15, "扶贫工作站", ("农综中心",)),
        (29, "基础设施指挥部", ("扶贫工作站",)),
        (30, "扶贫工作站", ("财政分局",)),
        (3, "集镇办", ()),
    ],
)
def test_the_plans_co_responsible_units_stand_beside_the_lead(item: int, lead: str, co: tuple[str, ...]) -> None:
    owners = owners_of(item, "桃园村", CATALOGUE)
    assert (owners.lead_unit, owners.co_units) == (lead, co)


def test_no_placeholder_is_ever_an_owner_or_a_gauge_label() -> None:
    for item in CATALOGUE.items:
        for village in CATALOGUE.villages:
            owners = owners_of(item, village, CATALOGUE)
            assert {owners.lead_unit, *owners.co_units}.isdisjoint({EACH_VILLAGE, EACH_COMMAND})
            assert {owners.lead_unit, *owners.co_units} <= units(CATALOGUE)


def test_a_town_changes_the_map(tmp_path: Path) -> None:
    town = tmp_path / "town.json"
    town.write_text(json.dumps({"commands": {"16": "产业就业指挥部"}}), "utf-8")
    assert owners_of(16, "桃园村", load(str(town))).lead_unit == "产业就业指挥部"
    assert owners_of(19, "桃园村", load(str(town))).lead_unit == "扶贫工作站"  # not in the town's map


def test_a_case_keeps_its_lead_unit_and_co_responsible_units() -> None:
    case = open_case(flagged(15, date(2019, 12, 1), rule="R15"), CATALOGUE, "p1")
    assert (case.lead_unit, case.co_units, case.co_responsible) == ("扶贫工作站", ("农综中心",), "桃园村")

"""The whole sample roster against its expected answer (/work/shared/data/sample/answer.json).

The loader below stands in for the intake parser and does only what its contract promises the
rules: rejected rows left out, cells trimmed, empty cells dropped, dates as ISO text.
"""

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lookback.catalogue import RULES
from lookback.contracts.intake import HouseholdRecorded, PersonRow, VillageRecorded
from services.rules.domain.duplicates import duplicate_findings, person_refs
from services.rules.domain.finding import Finding
from services.rules.domain.roster import read_household
from services.rules.domain.rulebook import village_findings
from services.rules.domain.settings import RuleSettings

from .factories import household_findings, index_of

SAMPLE = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "sample"
DATE_COLUMNS = ("出生日期", "小额信贷到期日")
DATE_FORMATS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)

pytestmark = pytest.mark.skipif(
    not (SAMPLE / "answer.json").is_file(), reason=f"the shared sample roster is not at {SAMPLE.resolve()}"
)


@pytest.fixture(scope="module")
def answer() -> dict:
    return json.loads((SAMPLE / "answer.json").read_text("utf-8"))


def _iso(text: str) -> str:
    for pattern in DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return date(*map(int, match.groups())).isoformat()
            except ValueError:
                return text
    return text


def _rows(name: str) -> list[tuple[int, dict[str, str]]]:
    with (SAMPLE / name).open(encoding="utf-8", newline="") as f:
        return [
            (number, {column: value.strip() for column, value in raw.items() if value and value.strip()})
            for number, raw in enumerate(csv.DictReader(f), start=2)
        ]


def _households(answer: dict) -> list[HouseholdRecorded]:
    rejected = {r["row"] for r in answer["rejected"] if r["sheet"] == "人口明细"}
    grouped: dict[str, list[PersonRow]] = defaultdict(list)
    for number, cells in _rows("roster-utf8.csv"):
        if number in rejected:
            continue
        for column in DATE_COLUMNS:
            if column in cells:
                cells[column] = _iso(cells[column])
        grouped[cells["户编号"]].append(PersonRow(row=number, cells=cells))
    households = []
    for household_id, persons in grouped.items():
        heads = [p for p in persons if p.cells.get("与户主关系") == "户主"]
        village = (heads[0] if len(heads) == 1 else persons[0]).cells["行政村"]
        households.append(
            HouseholdRecorded(
                household_id=household_id,
                village=village,
                as_of=date.fromisoformat(answer["meta"]["as_of"]),
                import_id="sample",
                persons=persons,
            )
        )
    return households


def _villages(answer: dict) -> list[VillageRecorded]:
    as_of = date.fromisoformat(answer["meta"]["as_of"])
    return [
        VillageRecorded(village=cells["行政村"], as_of=as_of, import_id="sample", row=number, cells=cells)
        for number, cells in _rows("villages-utf8.csv")
    ]


def _settings(answer: dict, *, strict_x: bool = False) -> RuleSettings:
    return RuleSettings(income_line=Decimal(answer["meta"]["line"]), strict_x=strict_x)


def _all_findings(answer: dict, settings: RuleSettings) -> list[Finding]:
    households = _households(answer)
    found = [f for h in households for f in household_findings(h, settings)]
    index = index_of(ref for h in households for ref in person_refs(read_household(h, settings)))
    found += duplicate_findings(index, index)
    found += [f for v in _villages(answer) for f in village_findings(v)]
    return found


def _counts(found: list[Finding]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {rule: {} for rule in RULES}
    for (rule, village), n in Counter((f.rule, f.village) for f in found).items():
        counts[rule][village] = n
    return counts


def test_the_loader_reads_what_the_answer_counted(answer):
    households = _households(answer)
    assert len(households) == answer["totals"]["households_accepted"]
    assert sum(len(h.persons) for h in households) == answer["totals"]["persons_accepted"]
    assert len(_villages(answer)) == answer["totals"]["village_rows_accepted"]


def test_every_rule_gives_the_expected_count_in_every_village(answer):
    assert set(answer["counts"]) == set(RULES)
    expected = {rule: answer["counts"][rule]["by_village"] for rule in RULES}
    assert _counts(_all_findings(answer, _settings(answer))) == expected


def test_the_problems_are_exactly_the_expected_ones(answer):
    found = _all_findings(answer, _settings(answer))
    assert len(found) == answer["totals"]["problems"]
    expected = Counter((p["rule"], p["village"], p.get("户编号"), p.get("证件号码")) for p in answer["problems"])
    assert Counter((f.rule, f.village, f.household_id, f.person_id_number) for f in found) == expected


def test_strict_x_changes_only_what_the_variant_says(answer):
    expected = {rule: answer["counts"][rule]["by_village"] for rule in RULES}
    for rule, variant in answer["variants"]["strict_x"].items():
        expected[rule] = variant["by_village"]
    assert _counts(_all_findings(answer, _settings(answer, strict_x=True))) == expected


def test_the_planted_cases_come_out_as_planted(answer):
    found = _all_findings(answer, _settings(answer))
    for case in answer["planted"]:
        ids = {h["户编号"] for h in case["households"]}
        if not ids:
            continue
        got = Counter((f.rule, f.household_id, f.person_id_number) for f in found if f.household_id in ids)
        want = Counter((e["rule"], e["户编号"], e.get("证件号码")) for e in case["expect"])
        assert got == want, case["case"]

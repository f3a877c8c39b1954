import pytest

from services.rules.domain.rulebook import village_findings

from .factories import VILLAGE, rules_of, village


@pytest.mark.parametrize(
    ("clinic", "doctor", "holds"),
    [("有", "无", True), ("无", "有", True), ("无", "无", True), ("有", "有", False)],
)
def test_r02v_clinic_or_qualified_doctor_missing(clinic, doctor, holds):
    assert (rules_of(village_findings(village(村卫生室=clinic, 合格村医=doctor))) == ["R02V"]) is holds


def test_r02v_empty_cells_are_no_value():
    assert village_findings(village()) == []


@pytest.mark.parametrize(
    ("income", "last_year", "holds"),
    [("46.34", "51.74", True), ("59", "59.0", False), ("60", "59", False), ("46.34", None, False)],
)
def test_r17v_collective_income_below_last_year(income, last_year, holds):
    cells = {"集体经济收入": income} | ({"上年集体经济收入": last_year} if last_year else {})
    assert (rules_of(village_findings(village(**cells))) == ["R17V"]) is holds


def test_a_village_finding_is_about_the_village():
    (finding,) = village_findings(village(村卫生室="有", 合格村医="无"))
    assert (finding.rule, finding.item, finding.village) == ("R02V", 2, VILLAGE)
    assert finding.household_id is None and finding.person_id_number is None and finding.person_row is None
    assert finding.subject_key == f"village:{VILLAGE}"
    assert finding.description == "村卫生室或合格村医缺失：无合格村医"

from services.rules.domain.duplicates import affected_ids, duplicate_findings, person_refs
from services.rules.domain.roster import read_household
from services.rules.domain.settings import RuleSettings

from .factories import head_cells, household, index_of, make_id, member_cells, rules_of

LENIENT = RuleSettings()
STRICT = RuleSettings(strict_x=True)
SHARED = "34152319631026000X"


def holder(household_id: str, number: str = SHARED):
    return household(head_cells(证件号码=number, 出生日期=None, 性别="女"), household_id=household_id)


def r07c(*events, settings=LENIENT):
    refs = [ref for event in events for ref in person_refs(read_household(event, settings))]
    index = index_of(refs)
    return duplicate_findings(index, index)


def test_a_number_in_two_households_is_a_problem_on_both_rows():
    found = r07c(holder("1"), holder("2"), holder("3", make_id()))
    assert [(f.household_id, f.person_row, f.rule, f.item) for f in found] == [("1", 2, "R07C", 7), ("2", 2, "R07C", 7)]
    assert found[0].description == "证件号码重复：同一证件号码出现在2行（2户）"


def test_a_number_twice_in_one_household_is_two_problems_on_two_subjects():
    twice = household(head_cells(家庭人口数="2"), member_cells(), member_cells())
    found = r07c(twice)
    assert [f.person_row for f in found] == [3, 4]
    assert len({f.subject_key for f in found}) == 2


def test_lower_case_x_is_the_same_number_unless_strict():
    lower = holder("2", SHARED.lower())
    found = r07c(holder("1"), lower)
    assert [f.person_id_number for f in found] == [SHARED, SHARED.lower()]
    assert r07c(holder("1"), lower, settings=STRICT) == []


def test_invalid_numbers_are_never_compared():
    assert person_refs(read_household(holder("1", "341523550130905"), LENIENT)) == []
    assert r07c(holder("1", "341523550130905"), holder("2", "341523550130905")) == []


def test_after_a_household_changes_only_the_numbers_it_touched_are_asked():
    old_two, new_two = holder("2"), holder("2", make_id())
    refs_one = person_refs(read_household(holder("1"), LENIENT))
    before, after = person_refs(read_household(old_two, LENIENT)), person_refs(read_household(new_two, LENIENT))
    assert rules_of(duplicate_findings(index_of(refs_one + before), affected_ids(before, after))) == [
        "R07C",
        "R07C",
    ]
    # The correction removes the duplicate: asking about the touched numbers returns nothing,
    # so the caller clears the R07C problems it holds for them.
    touched = affected_ids(before, after)
    assert touched == {SHARED, make_id()}
    assert duplicate_findings(index_of(refs_one + after), touched) == []

from lookback.catalogue import RULES
from lookback.contracts.intake import PersonRow
from services.rules.domain.settings import RuleSettings
from services.rules.domain.subject_keys import person_keys

from .factories import HOUSEHOLD_ID, VILLAGE, head_cells, household, household_findings, member_cells

DEFAULT = RuleSettings()


def test_a_person_finding_carries_the_number_as_written_and_its_row():
    member = member_cells("2010-10-28", 在校生状况="辍学", 证件号码=" 34152319631026000x ")
    (r07b,) = [
        f for f in household_findings(household(head_cells(家庭人口数="2"), member), DEFAULT) if f.rule == "R07B"
    ]
    assert r07b.person_id_number == "34152319631026000x"
    assert r07b.person_row == 3
    assert r07b.household_id == HOUSEHOLD_ID and r07b.village == VILLAGE
    assert r07b.subject_key == f"person:{HOUSEHOLD_ID}:34152319631026000X"


def test_findings_take_item_from_the_catalogue_and_keep_personal_data_out_of_descriptions():
    head = head_cells(家庭人口数="4", 住房安全等级="D", 帮扶责任人=None, 参加城乡居民基本医疗保险="否")
    rows = [head, member_cells("2010-10-28", 在校生状况="辍学", 性别="男"), member_cells(证件号码="1234")]
    found = household_findings(household(*rows), DEFAULT)
    assert {f.rule for f in found} == {"R01", "R02", "R03", "R05", "R06", "R07A", "R07B", "R12"}
    personal = {value for row in rows for column, value in row.items() if column in ("姓名", "证件号码", "帮扶责任人")}
    for finding in found:
        assert finding.item == RULES[finding.rule].item
        assert finding.description.startswith(RULES[finding.rule].name + "：")
        assert not any(value in finding.description for value in personal)


def test_household_findings_share_the_household_subject():
    found = household_findings(household(head_cells(住房安全等级="C", 饮水水质="不达标")), DEFAULT)
    assert {f.subject_key for f in found} == {f"household:{HOUSEHOLD_ID}"}
    assert all(f.person_id_number is None and f.person_row is None for f in found)


def test_person_keys_survive_renumbered_rows():
    head, member = head_cells(), member_cells()
    before = person_keys(HOUSEHOLD_ID, [PersonRow(row=2, cells=head), PersonRow(row=3, cells=member)])
    after = person_keys(HOUSEHOLD_ID, [PersonRow(row=40, cells=head), PersonRow(row=57, cells=member)])
    assert sorted(before.values()) == sorted(after.values())


def test_the_same_number_twice_in_a_household_gives_two_subjects_in_sheet_order():
    twice = member_cells()
    also = member_cells(证件号码=twice["证件号码"].lower())
    keys = person_keys(HOUSEHOLD_ID, [PersonRow(row=9, cells=also), PersonRow(row=5, cells=twice)])
    assert keys == {
        5: f"person:{HOUSEHOLD_ID}:{twice['证件号码']}",
        9: f"person:{HOUSEHOLD_ID}:{twice['证件号码']}#2",
    }

"""Rules' memory judged event by event, without a broker or a database: what it derives is the
difference between what held before an event and what holds after it."""

from lookback.contracts.intake import IssueReported
from lookback.contracts.rules import ProblemClearedByData, ProblemFlagged
from services.rules.domain.duplicates import person_refs
from services.rules.domain.memory import Memory, issue_problem
from services.rules.domain.roster import read_household
from services.rules.domain.settings import RuleSettings

from .factories import AS_OF, HOUSEHOLD_ID, head_cells, household, household_findings

DEFAULT = RuleSettings()
SHARED = "34152319631026000X"


def judged(memory: Memory, *events):
    return [
        change for event in events for change in memory.judge(HOUSEHOLD_ID, AS_OF, household_findings(event, DEFAULT))
    ]


def test_a_problem_is_flagged_once_and_cleared_when_the_data_no_longer_shows_it():
    memory = Memory(held={HOUSEHOLD_ID: {}})
    unsafe = household(head_cells(住房安全等级="C"))
    flagged = judged(memory, unsafe)
    assert {(type(c), c.rule) for c in flagged} == {(ProblemFlagged, "R03"), (ProblemFlagged, "R06")}
    assert judged(memory, unsafe) == []
    cleared = judged(memory, household())
    assert {(type(c), c.problem_id) for c in cleared} == {(ProblemClearedByData, c.problem_id) for c in flagged}
    assert memory.held[HOUSEHOLD_ID] == {}


def test_a_number_shared_by_two_households_is_flagged_on_both_and_cleared_when_one_is_corrected():
    memory = Memory(held={})

    def reindex(household_id: str, number: str):
        event = household(
            head_cells(户编号=household_id, 证件号码=number, 出生日期=None, 性别="女"), household_id=household_id
        )
        return memory.reindex(household_id, AS_OF, person_refs(read_household(event, DEFAULT)))

    assert reindex("1", SHARED) == []
    both = reindex("2", SHARED)
    assert [(c.rule, c.household_id) for c in both] == [("R07C", "1"), ("R07C", "2")]
    corrected = reindex("2", "110105194912310029")
    assert {c.problem_id for c in corrected} == {c.problem_id for c in both}
    assert all(isinstance(c, ProblemClearedByData) for c in corrected)


def test_an_issue_becomes_a_problem_of_its_manual_rule_with_the_reporter_and_the_same_id_every_time():
    issue = IssueReported(issue_id="abc", village="桃园村", item=9, description="危房未改造", found_on=AS_OF)
    problem = issue_problem(issue, "user:li")
    assert (problem.rule, problem.reported_by, problem.subject_key) == ("M09", "user:li", "issue:abc")
    assert issue_problem(issue, "user:li").problem_id == problem.problem_id

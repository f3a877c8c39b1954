import re

import pytest

from lookback.auth import policy
from lookback.auth.policy import Action, Scope, allowed
from lookback.auth.users import Role, User

# What the issue asks for, written out again here so a change to the code's table has to be made twice.
EXPECTED = """
action               station village unit county auditor
read_cases           all     own     own  all    all
read_history         all     —       —    —      all
import_roster        all     —       —    —      —
report_issue         all     own     —    —      —
assign               all     —       —    —      —
start                all     own     own  —      —
report_rectified     all     own     own  —      —
verify               all     —       —    —      —
escalate             all     —       —    —      —
answer_escalation    —       —       —    all    —
enter_county_answer  all     —       —    —      —
extend_deadline      all     —       —    —      —
dismiss              all     —       —    —      —
read_reports         all     —       —    all    all
export_own_forms     all     own     own  all    all
export_personal_data all     —       —    —      —
manage_users         all     —       —    —      —
read_submissions     all     own     own  all    all
submit_forms         all     own     own  —      —
review_submissions   all     —       —    —      —
receive_summary      —       —       —    all    —
"""

USERS = {
    Role.STATION: User(name="zhan", role=Role.STATION),
    Role.VILLAGE: User(name="li", role=Role.VILLAGE, village="石门村"),
    Role.UNIT: User(name="chen", role=Role.UNIT, unit="县教育局"),
    Role.COUNTY: User(name="zhou", role=Role.COUNTY),
    Role.AUDITOR: User(name="sun", role=Role.AUDITOR),
}
# The cadre's own village with another unit's case, the officer's own unit in another village: each is
# "own" for exactly one of them, which also shows a cadre is never matched on unit nor an officer on village.
OWN = {
    Role.STATION: Scope("石门村", "县教育局"),
    Role.VILLAGE: Scope("石门村", "县住建局"),
    Role.UNIT: Scope("桃园村", "县教育局"),
    Role.COUNTY: Scope("石门村", "县教育局"),
    Role.AUDITOR: Scope("石门村", "县教育局"),
}
FOREIGN = Scope("桃园村", "县住建局")


def grid(text: str) -> dict[tuple[Action, Role], str]:
    header, *rows = [line.split() for line in text.strip().splitlines()]
    roles = [Role(r) for r in header[1:]]
    return {(Action(row[0]), role): cell for row in rows for role, cell in zip(roles, row[1:], strict=True)}


CELLS = grid(EXPECTED)


def test_every_action_and_role_is_in_the_table():
    assert set(CELLS) == {(a, r) for a in Action for r in Role}


@pytest.mark.parametrize(("action", "role"), sorted(CELLS))
def test_the_matrix(action: Action, role: Role):
    user, cell = USERS[role], CELLS[action, role]
    assert allowed(user, action, OWN[role]) is (cell in ("all", "own"))
    assert allowed(user, action, FOREIGN) is (cell == "all")
    assert allowed(user, action, None) is (cell == "all")


def test_a_cadre_reports_an_issue_before_it_has_a_unit():
    cadre = USERS[Role.VILLAGE]
    assert allowed(cadre, Action.REPORT_ISSUE, Scope("石门村"))
    assert not allowed(cadre, Action.REPORT_ISSUE, Scope("桃园村"))
    assert not allowed(USERS[Role.UNIT], Action.START, Scope("石门村"))


def test_the_docstring_table_is_the_matrix():
    doc = policy.__doc__ or ""
    rows = [line for line in doc.splitlines() if line.startswith("|") and not re.match(r"\|\s*-", line)]
    assert grid("\n".join(line.replace("|", " ") for line in rows)) == CELLS

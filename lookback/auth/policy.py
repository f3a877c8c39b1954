"""What each role may do, as one table and one pure function, so the rules can be read, reviewed and
tested without a server.

| action               | station | village | unit | county | auditor |
| -------------------- | ------- | ------- | ---- | ------ | ------- |
| read_cases           | all     | own     | own  | all    | all     |
| read_history         | all     | —       | —    | —      | all     |
| import_roster        | all     | —       | —    | —      | —       |
| report_issue         | all     | own     | —    | —      | —       |
| assign               | all     | —       | —    | —      | —       |
| start                | all     | own     | own  | —      | —       |
| report_rectified     | all     | own     | own  | —      | —       |
| verify               | all     | —       | —    | —      | —       |
| escalate             | all     | —       | —    | —      | —       |
| answer_escalation    | —       | —       | —    | all    | —       |
| enter_county_answer  | all     | —       | —    | —      | —       |
| extend_deadline      | all     | —       | —    | —      | —       |
| dismiss              | all     | —       | —    | —      | —       |
| read_reports         | all     | —       | —    | all    | all     |
| export_own_forms     | all     | own     | own  | all    | all     |
| export_personal_data | all     | —       | —    | —      | —       |
| manage_users         | all     | —       | —    | —      | —       |
| read_submissions     | all     | own     | own  | all    | all     |
| submit_forms         | all     | own     | own  | —      | —       |
| review_submissions   | all     | —       | —    | —      | —       |
| receive_summary      | —       | —       | —    | all    | —       |

`all`: anywhere in the town; `own`: only where the scope's village (cadres) or unit (unit officers) is
the user's own, and never for a town-wide request (no scope); `—`: never.

Why these cells:
- Only the station verifies (销号): whoever did or reported the work must not also close the case, so
  cadres and unit officers can report a case rectified but the station checks and closes it.
- A village is co-responsible for every case in it, so a cadre acts on all of them whatever the lead
  unit; a unit officer only on the cases its unit leads.
- History (superseded values, who did what) is for the station and for audit; the county reads
  current cases and reports and answers escalations, and changes nothing else.
- Only the county answers an escalation: the station asked the question and must not answer it. When
  the county answers on paper, the station enters it on the county's behalf, naming the answerer, and
  the log keeps both (the station as actor, the county's answerer in the event).
- Unmasked ID numbers leave the system only through the station, which answers for the roster;
  everyone else works from masked data, which is enough to handle a case.
- Reports are town-wide, so cadres and unit officers, who see only their part, do not read them; the
  汇总表 is a report. But a village and a unit file their own 问题清单 and 整改台帐 every half month
  (plan 四(二)), so they download those forms for their own scope: the rows of their village, the cases
  their unit leads.
- 报送 (plan 四(二), 四(一)): a village or unit submits its own forms and the station reviews or returns them;
  the station submits the town's summary and the county receives or returns it. A station's `all` on
  submit_forms is its own summary: whose forms a submission holds comes from the submitter, never the request.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import NamedTuple

from lookback.auth.users import Role, User


class Action(StrEnum):
    READ_CASES = "read_cases"
    READ_HISTORY = "read_history"
    IMPORT_ROSTER = "import_roster"
    REPORT_ISSUE = "report_issue"
    ASSIGN = "assign"
    START = "start"
    REPORT_RECTIFIED = "report_rectified"
    VERIFY = "verify"
    ESCALATE = "escalate"
    ANSWER_ESCALATION = "answer_escalation"
    ENTER_COUNTY_ANSWER = "enter_county_answer"
    EXTEND_DEADLINE = "extend_deadline"
    DISMISS = "dismiss"
    READ_REPORTS = "read_reports"
    EXPORT_OWN_FORMS = "export_own_forms"
    EXPORT_PERSONAL_DATA = "export_personal_data"
    MANAGE_USERS = "manage_users"
    READ_SUBMISSIONS = "read_submissions"
    SUBMIT_FORMS = "submit_forms"
    REVIEW_SUBMISSIONS = "review_submissions"
    RECEIVE_SUMMARY = "receive_summary"


class Reach(Enum):
    NONE = "—"
    OWN = "own"
    ALL = "all"


class Scope(NamedTuple):
    """Where a case belongs: its village and its lead unit (unit unknown for an issue not yet assigned)."""

    village: str
    unit: str | None = None


ROLES = (Role.STATION, Role.VILLAGE, Role.UNIT, Role.COUNTY, Role.AUDITOR)
_, OWN, ALL = Reach.NONE, Reach.OWN, Reach.ALL
_ROWS: dict[Action, tuple[Reach, Reach, Reach, Reach, Reach]] = {
    Action.READ_CASES: (ALL, OWN, OWN, ALL, ALL),
    Action.READ_HISTORY: (ALL, _, _, _, ALL),
    Action.IMPORT_ROSTER: (ALL, _, _, _, _),
    Action.REPORT_ISSUE: (ALL, OWN, _, _, _),
    Action.ASSIGN: (ALL, _, _, _, _),
    Action.START: (ALL, OWN, OWN, _, _),
    Action.REPORT_RECTIFIED: (ALL, OWN, OWN, _, _),
    Action.VERIFY: (ALL, _, _, _, _),
    Action.ESCALATE: (ALL, _, _, _, _),
    Action.ANSWER_ESCALATION: (_, _, _, ALL, _),
    Action.ENTER_COUNTY_ANSWER: (ALL, _, _, _, _),
    Action.EXTEND_DEADLINE: (ALL, _, _, _, _),
    Action.DISMISS: (ALL, _, _, _, _),
    Action.READ_REPORTS: (ALL, _, _, ALL, ALL),
    Action.EXPORT_OWN_FORMS: (ALL, OWN, OWN, ALL, ALL),
    Action.EXPORT_PERSONAL_DATA: (ALL, _, _, _, _),
    Action.MANAGE_USERS: (ALL, _, _, _, _),
    Action.READ_SUBMISSIONS: (ALL, OWN, OWN, ALL, ALL),
    Action.SUBMIT_FORMS: (ALL, OWN, OWN, _, _),
    Action.REVIEW_SUBMISSIONS: (ALL, _, _, _, _),
    Action.RECEIVE_SUMMARY: (_, _, _, ALL, _),
}
MATRIX: dict[Action, dict[Role, Reach]] = {action: dict(zip(ROLES, row, strict=True)) for action, row in _ROWS.items()}


def allowed(user: User, action: Action, scope: Scope | None = None) -> bool:
    """Whether `user` may do `action` on something in `scope`; `None` means a town-wide request."""
    reach = MATRIX[action][user.role]
    if reach is Reach.ALL:
        return True
    if reach is Reach.NONE or scope is None:
        return False
    if user.role is Role.VILLAGE:
        return scope.village == user.village
    return user.role is Role.UNIT and scope.unit == user.unit

"""What may be done to a submission (报送): submit, review, return, receive, file a 书面报告 — each refused
with a reason in Chinese and English when the submission's state does not allow it. The states themselves,
folded from the events, and the due dates are the kernel's (lookback/submissions.py), which rectify's
digests share.
"""

from __future__ import annotations

from typing import Literal

from lookback.contracts.reporting import (
    SubmissionEvent,
    SubmissionReceived,
    SubmissionReportFiled,
    SubmissionReturned,
    SubmissionReviewed,
    SubmissionSubmitted,
    SubmittedForm,
    WrittenReport,
)
from lookback.submissions import STATE_LABELS, Submission

Verdict = Literal["review", "return", "receive"]


class Refused(ValueError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def submit(sub: Submission, forms: tuple[SubmittedForm, ...]) -> SubmissionSubmitted:
    if sub.state not in ("pending", "returned"):
        raise Refused(
            f"本期已{STATE_LABELS[sub.state]}，不能再次报送",
            f"this period is already {sub.state}; only a pending or returned submission can be submitted",
        )
    return SubmissionSubmitted(**_ids(sub), forms=forms)


def file_report(sub: Submission, report: WrittenReport) -> SubmissionReportFiled:
    """Whatever the forms' state: the written report is due on its own date, not with the forms."""
    if sub.org.kind != "village":
        raise Refused("只有村上传书面报告", "only a village files a written report")
    return SubmissionReportFiled(**_ids(sub), report=report)


def judge(sub: Submission, verdict: Verdict, reason: str = "") -> SubmissionEvent:
    """The reviewer's answer: the station reviews or returns a village's or unit's submission, the county
    receives or returns the station's."""
    if sub.state != "submitted":
        raise Refused(
            f"只能审核已报送的报送（当前：{STATE_LABELS[sub.state]}）",
            f"only a submitted submission can be reviewed, returned or received (it is {sub.state})",
        )
    upward = sub.org.kind == "station"
    if verdict == "return":
        if not reason.strip():
            raise Refused("退回须填写原因", "a return needs a reason")
        return SubmissionReturned(**_ids(sub), reason=reason.strip())
    if verdict == "receive" and upward:
        return SubmissionReceived(**_ids(sub))
    if verdict == "review" and not upward:
        return SubmissionReviewed(**_ids(sub))
    raise Refused(
        "镇工作站的汇总由县级接收，村和单位的报送由镇工作站审核",
        "the county receives the station's summary; the station reviews a village's or unit's submission",
    )


def _ids(sub: Submission) -> dict[str, str]:
    return {"submission_id": sub.submission_id, "period": sub.period, "org_kind": sub.org.kind, "org": sub.org.name}

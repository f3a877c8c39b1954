"""Events the reporting service publishes: the half-monthly submissions (报送) and their review.

A submission is one aggregate per period and org unit (a village, a unit, or the station's summary to
the county), as DHIS2 approves data per period × org unit. `submission.submitted` names, for each form,
the log position it was built at and the sha256 of the exact bytes, so `lookback audit
verify-submissions` can rebuild every form from the log and compare.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from lookback.contracts.envelope import Event
from lookback.contracts.subjects import village_key

OrgKind = Literal["village", "unit", "station"]
FormKind = Literal["problems", "ledger", "summary"]


def submission_id(period: str, kind: OrgKind, name: str) -> str:
    """`2019-12-H1-village-<hash>`: stable, and no Chinese name in the subject."""
    return f"{period}-{kind}-{village_key(name)}"


class SubmittedForm(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FormKind
    scope: str = Field(description="The village or unit the form covers, or the town for the station's forms")
    format: Literal["xlsx"] = "xlsx"
    cutoff: int = Field(description="The log position the form was built at: it reads events up to this sequence")
    check_code: str | None = Field(None, description="The 校验码 printed on the form")
    sha256: str = Field(description="Digest of the exact bytes submitted")


ReportType = Literal[
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/jpeg",
    "image/png",
]
"""What a village's 书面报告 may be, as read from its bytes: a PDF, a Word document, or a photo of the paper."""


class WrittenReport(BaseModel):
    """A village's 书面报告 in the reports bucket (`REPORTS_BUCKET`), named by the hash of its bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the stored bytes, lower-case hex")
    media_type: ReportType
    size: int = Field(ge=1, description="bytes stored")


class SubmissionEvent(Event):
    aggregate_type: ClassVar[str] = "submission"

    submission_id: str
    period: str
    org_kind: OrgKind
    org: str = Field(description="The village's or unit's name, or the town's for the station")

    def aggregate_id(self) -> str:
        return self.submission_id


class SubmissionSubmitted(SubmissionEvent):
    """已报送: the forms as built for the submitter's own scope, at a log position."""

    event_type: ClassVar[str] = "submission.submitted"

    forms: tuple[SubmittedForm, ...]


class SubmissionReturned(SubmissionEvent):
    """退回: the reviewer (the station, or the county for the station's summary) sends it back with a reason."""

    event_type: ClassVar[str] = "submission.returned"

    reason: str


class SubmissionReviewed(SubmissionEvent):
    """已审核: the station approved a village's or unit's submission."""

    event_type: ClassVar[str] = "submission.reviewed"


class SubmissionReceived(SubmissionEvent):
    """已接收: the county received the station's summary."""

    event_type: ClassVar[str] = "submission.received"


class SubmissionReportFiled(SubmissionEvent):
    """书面报告已上传: a village handed in its written report (plan 三(二), due 06-10) with the period's
    submission; a later one replaces it. Only a village files one."""

    event_type: ClassVar[str] = "submission.report_filed"

    report: WrittenReport

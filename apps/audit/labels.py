"""The words a township auditor reads for each event type (回头看 台帐 wording), next to the contracts.

Every event type the contracts register has a label (a unit test holds this); a type this table does
not know is shown by its name, so an older audit tool still prints a newer log.
"""

from __future__ import annotations

EVENT_LABELS: dict[str, str] = {
    "household.recorded": "户信息登记",
    "household.removed": "户信息移除",
    "village.recorded": "村信息登记",
    "import.row_rejected": "导入行被拒",
    "import.completed": "导入完成",
    "issue.reported": "问题上报",
    "problem.flagged": "发现问题",
    "problem.cleared_by_data": "数据核销",
    "case.opened": "立案",
    "case.assigned": "分派",
    "case.rectification_started": "开始整改",
    "case.rectified": "已整改待验收",
    "case.reopened": "问题复现重新整改",
    "case.verification_failed": "验收不通过",
    "case.verified": "销号",
    "case.escalated": "上报县级",
    "case.escalation_accepted": "县级受理",
    "case.escalation_returned": "县级退回",
    "case.deadline_extended": "延期",
    "case.dismissed": "不属实",
    "case.due_soon": "即将到期",
    "case.overdue": "逾期",
    "digest.composed": "生成每日提醒",
    "digest.sent": "每日提醒已推送",
    "submission.submitted": "报送",
    "submission.returned": "报送退回",
    "submission.reviewed": "报送审核通过",
    "submission.received": "县级接收",
    "submission.report_filed": "上传书面报告",
}


def label(event_type: str) -> str:
    return EVENT_LABELS.get(event_type, event_type)

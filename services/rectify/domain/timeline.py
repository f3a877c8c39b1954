"""A case's events as a person reads them on the case page: when (China time), who, what changed, and
the evidence and location a report of rectification carries (the page shows the photos and the numbers).

Who did a step is shown by name only to roles that read history (station, audit: policy's
read_history); anyone else sees 我 for their own steps and 工作人员 for other people's, which is
enough to follow a case without learning who works on which household.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lookback.clock import CST

LABELS = {
    "case.opened": "立案",
    "case.assigned": "分派",
    "case.rectification_started": "开始整改",
    "case.rectified": "已整改待验收",
    "case.verification_failed": "验收不通过",
    "case.verified": "验收销号",
    "case.escalated": "上报县级",
    "case.escalation_accepted": "县级受理",
    "case.escalation_returned": "县级退回",
    "case.deadline_extended": "延期",
    "case.dismissed": "认定不属实",
    "case.due_soon": "即将到期提醒",
    "case.overdue": "已逾期",
}
FIELDS = {
    "lead_unit": "牵头单位",
    "co_responsible": "配合单位",
    "person": "责任人",
    "deadline": "整改时限",
    "measures": "整改措施",
    "reason": "理由",
    "note": "意见",
    "county_unit": "县级单位",
    "old_deadline": "原时限",
    "new_deadline": "新时限",
    "on": "办理日期",
}


def actor_label(actor: str, me: str, names: bool) -> str:
    if actor == me:
        return "我"
    if actor.startswith("service:"):
        return "系统"
    return actor.removeprefix("user:") if names else "工作人员"


def entry(envelope: dict[str, Any], seq: int | None, me: str, names: bool) -> dict[str, Any]:
    payload = envelope.get("payload", {})
    at = datetime.fromisoformat(envelope["recorded_time"]).astimezone(CST)
    changes = {label: str(payload[key]) for key, label in FIELDS.items() if payload.get(key) not in (None, "")}
    if payload.get("by") == "data":
        changes["依据"] = "新花名册数据"
    return {
        "seq": seq,
        "type": envelope["type"],
        "label": LABELS.get(envelope["type"], envelope["type"]),
        "at": at.strftime("%Y-%m-%d %H:%M"),
        "who": actor_label(envelope.get("actor", ""), me, names),
        "changes": changes,
        "evidence": list(payload.get("evidence") or ()),
        "location": payload.get("location"),
    }

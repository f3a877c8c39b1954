"""Small problem lists for the intake tests: one valid 问题清单 row to vary, and the town's places."""

from __future__ import annotations

from services.intake.domain.places import Places

PLACES = Places(villages=frozenset({"桃园村", "新河村"}), units=frozenset({"财政分局", "扶贫工作站", "干汊河镇"}))

ISSUE_ROW = {
    "行政村或单位": "桃园村",
    "问题条目": "9",
    "问题描述": "村两委未按期召开脱贫攻坚专题会议",
    "发现日期": "2019-12-05",
    "户编号": "",
    "责任单位": "",
    "责任人": "",
    "整改时限": "",
    "整改措施": "",
}


def issue_row(**changes: str) -> dict[str, str]:
    """The valid row with some cells changed; an empty string empties the cell."""
    return {**ISSUE_ROW, **changes}

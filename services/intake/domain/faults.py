"""Why a row is rejected, in Chinese and English (docs/rules.md, "Reading the roster").

Reasons name the column and its allowed values, never the value itself: it may be personal data.
Rosters and problem lists share this table, so one kind of fault reads the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass

REASONS: dict[str, tuple[str, str]] = {
    "empty": ("{column}为空", "{column} is empty"),
    "not_in_town": ("{column}不属于本镇", "{column} is not a village of the town"),
    "not_in_list": ("{column}不在可选值（{zh_allowed}）之内", "{column} is not one of {en_allowed}"),
    "not_count": ("{column}不是大于等于1的整数", "{column} is not a whole number of at least 1"),
    "not_number": ("{column}不是数字", "{column} is not a number"),
    "repeated": ("{column}在本表中重复", "{column} appears in an earlier row of this sheet"),
    "not_place": ("{column}不是本镇的行政村或单位", "{column} is not a village or unit of the town"),
    "not_own": ("{column}不是报告人所在的村", "{column} is not the reporter's own village"),
    "not_item": ("{column}不是1至34之间的整数", "{column} is not a whole number from 1 to 34"),
    "not_date": (
        "{column}不是日期（YYYY-MM-DD、YYYY/M/D、YYYY.M.D、YYYY年M月D日或YYYYMMDD）",
        "{column} is not a date (YYYY-MM-DD, YYYY/M/D, YYYY.M.D, YYYY年M月D日 or YYYYMMDD)",
    ),
    "before_found": ("{column}早于发现日期", "{column} is before the 发现日期 (date found)"),
    "other_village": (
        "{column}与同一户编号的户主行不同",
        "{column} is not the village of its household (the 户主 row's), though the 户编号 is the same",
    ),
    "same_row": ("本行各列与前面一行完全相同", "the row repeats an earlier row cell for cell"),
    "after_today": ("{column}晚于今天", "{column} is after today"),
}


@dataclass(frozen=True)
class Fault:
    """The first reason a row cannot be placed."""

    column: str
    reason_zh: str
    reason_en: str

    def __str__(self) -> str:
        return f"{self.reason_zh} / {self.reason_en}"


def fault(kind: str, column: str, allowed: tuple[str, ...] = ()) -> Fault:
    zh, en = REASONS[kind]
    words = {"column": column, "zh_allowed": "、".join(allowed), "en_allowed": ", ".join(allowed)}
    return Fault(column, zh.format(**words), en.format(**words))

"""Small rosters for the intake tests: one valid 户主 row to vary, and sheets built from cell dicts."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from services.intake.domain.columns import PERSONS, VILLAGES
from services.intake.domain.roster import ParsedRoster, SheetRows, parse_sheets

TOWN = ("桃园村", "新河村")

HEAD_ROW = {
    "乡镇": "干汊河镇",
    "行政村": "桃园村",
    "户编号": "3415230010010001",
    "姓名": "储礼友",
    "证件号码": "342423195208089411",
    "与户主关系": "户主",
    "性别": "男",
    "参加城乡居民基本医疗保险": "是",
    "户属性": "一般贫困户",
    "脱贫状态": "未脱贫",
    "家庭人口数": "1",
    "人均纯收入": "2793",
    "住房安全等级": "B",
    "饮水水量": "达标",
    "饮水水质": "达标",
    "取水方便": "达标",
    "供水保证率": "达标",
}

VILLAGE_ROW = {"行政村": "桃园村", "村卫生室": "有", "合格村医": "有"}


def person(**changes: str) -> dict[str, str]:
    """The valid 户主 row with some cells changed; an empty string empties the cell."""
    return {**HEAD_ROW, **changes}


def village(**changes: str) -> dict[str, str]:
    return {**VILLAGE_ROW, **changes}


def table(rows: Sequence[dict[str, str]]) -> list[list[str]]:
    """Header (every column any row names, in first-seen order) and then the rows as lists."""
    header = list(dict.fromkeys(column for row in rows for column in row))
    return [header, *([row.get(column, "") for column in header] for row in rows)]


def sheet(rows: Sequence[dict[str, str]], name: str = PERSONS) -> SheetRows:
    header, *body = table(rows) if rows else [list(HEAD_ROW)]
    return SheetRows(name, "test", header, list(enumerate(body, start=2)))


def parse(
    persons: Sequence[dict[str, str]],
    villages: Sequence[dict[str, str]] | None = None,
    configured: Sequence[str] = TOWN,
) -> ParsedRoster:
    return parse_sheets(sheet(persons), sheet(villages, VILLAGES) if villages is not None else None, configured)


def write_csv(path: Path, rows: Sequence[Sequence[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path

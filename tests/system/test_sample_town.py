"""The sample town through the real services: every form of the roster gives the answer's counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def counts_by_rule_village(answer: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {rule: c["by_village"] for rule, c in answer["counts"].items() if c["by_village"]}


FORMS = {
    "utf8": ["roster-utf8.csv", "villages-utf8.csv"],
    "bom": ["roster-bom.csv", "villages-utf8.csv"],
    "gbk": ["roster-gbk.csv", "villages-utf8.csv"],
    "xlsx": ["roster.xlsx"],
}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_form_gives_the_answer(town: Any, sample_dir: Path, answer: dict[str, Any], form: str) -> None:
    summary = town.import_roster(*(sample_dir / f for f in FORMS[form]), as_of=answer["meta"]["as_of"])
    town.wait_idle()

    assert town.problems() == counts_by_rule_village(answer)
    rejected = [{k: r[k] for k in ("sheet", "row", "column", "reason_zh", "reason_en")} for r in summary["rejected"]]
    assert rejected == answer["rejected"]
    assert summary["rows_rejected"] == answer["totals"]["rows_rejected"]
    assert summary["rows_accepted"] + summary["rows_rejected"] == summary["rows_read"]
    assert summary["households_added"] == answer["totals"]["households_accepted"]
    rejects_file = Path(summary["rejects_file"]).read_text("utf-8-sig")
    assert "行政村不属于本镇" in rejects_file


def test_same_roster_twice_adds_no_event(store_town: Any, sample_dir: Path, answer: dict[str, Any]) -> None:
    """On SQLite and on PostgreSQL: the answer's counts, then nothing new for the same file."""
    town = store_town
    files = [sample_dir / f for f in FORMS["utf8"]]
    first = town.import_roster(*files)
    town.wait_idle()
    last_seq = town.get("reporting", "/progress")["reporting"]["position"]

    second = town.import_roster(*files)
    town.wait_idle()

    assert first["events_published"] > 0
    assert second["events_published"] == 0
    assert second["households_unchanged"] == first["households_added"]
    assert town.get("reporting", "/progress")["reporting"]["position"] == last_seq
    assert town.problems() == counts_by_rule_village(answer)


def test_corrected_roster_clears_exactly_the_fixed_problems(
    town: Any, sample_dir: Path, tmp_path: Path, answer: dict[str, Any]
) -> None:
    """A house repaired to grade B clears its R03 (and the R06 it caused); nothing else moves."""
    town.import_roster(sample_dir / "roster-utf8.csv", sample_dir / "villages-utf8.csv")
    town.wait_idle()
    target = next(p for p in answer["planted"] if p["case"].startswith("户主 row not first"))
    household = target["households"][0]["户编号"]
    corrected = _with_cell(sample_dir / "roster-utf8.csv", tmp_path / "roster.csv", household, "住房安全等级", "B")

    summary = town.import_roster(corrected, sample_dir / "villages-utf8.csv")
    town.wait_idle()

    assert summary["households_changed"] == 1
    cleared = town.get("reporting", "/reports/semimonthly", period="2019-12-H1")["current"]["cleared_by_data"]
    assert cleared == 1
    assert town.problems() == counts_by_rule_village(answer)  # problems are kept, not deleted


def _with_cell(src: Path, dst: Path, household: str, column: str, value: str) -> Path:
    import csv

    with open(src, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    hid, col = header.index("户编号"), header.index(column)
    for row in rows[1:]:
        if row[hid].strip() == household and row[col].strip():
            row[col] = value
    with open(dst, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return dst

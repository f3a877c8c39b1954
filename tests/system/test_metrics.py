"""Every metric the dashboard and the alerts use is exported by a running service, without personal data."""

from __future__ import annotations

import csv
import runpy
from pathlib import Path
from typing import Any

import httpx

from apps.runner import SERVICES

REPO = Path(__file__).resolve().parents[2]
EXPECTED = runpy.run_path(str(REPO / "tests" / "deploy" / "expected_metrics.py"))["EXPECTED_METRICS"]


def test_the_dashboards_metrics_are_exported_and_carry_no_personal_data(town: Any, tmp_path: Path) -> None:
    roster, _ = town.import_demo(60, seed=31)
    town.restart("rectify", LOOKBACK_NOW="2020-06-28")  # 立行立改 deadlines passed, 限时整改 ones due soon
    town.wait_idle()

    scraped = "\n".join(httpx.get(f"{town.system.url(s)}/metrics", timeout=10).text for s in SERVICES)
    names = {line.split("{")[0].split(" ")[0] for line in scraped.splitlines() if line and not line.startswith("#")}
    assert set(EXPECTED) <= names, sorted(set(EXPECTED) - names)

    with open(roster, encoding="utf-8") as f:
        personal = {
            row[c] for row in csv.DictReader(f) for c in ("姓名", "证件号码", "联系电话", "帮扶责任人") if row[c]
        }
    assert not [value for value in personal if value in scraped]

"""The audit commands against a running town: a rebuild the services can use, a clean verify, a tampered
table found, a household's history.

The commands are run as `python -m apps.cli.audit …` (the module `lookback audit` mounts), with the
town's environment, as an auditor at the station would run them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from apps import demo


def audit(town: Any, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "apps.cli.audit", *args],
        env=town.env() | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"audit {' '.join(args)} exited {result.returncode}: {result.stdout}\n{result.stderr}")
    return result


def test_audit_rebuilds_verifies_finds_tampering_and_tells_a_history(town: Any, tmp_path: Path) -> None:
    town_data = demo.generate(60)
    roster, villages = demo.write_csv(town_data, tmp_path / "demo")
    town.import_roster(roster, villages)
    town.wait_idle()

    rebuilt = tmp_path / "rebuilt.db"
    replayed = audit(town, "replay", "--into", f"sqlite:///{rebuilt}")
    assert "events/s" in replayed.stdout
    with sqlite3.connect(rebuilt) as db, sqlite3.connect(town.root / "reporting.db") as live:
        query = "select status, count(*) from report_cases group by status"
        assert db.execute(query).fetchall() == live.execute(query).fetchall() != []
        positions = dict(db.execute("select consumer, seq from positions").fetchall())
    assert set(positions) == {"intake", "rules", "rectify", "reporting"}

    before_campaign = audit(town, "replay", "--into", f"sqlite:///{tmp_path / 'then.db'}", "--until", "2019-12-01")
    assert "stopped before seq 1" in before_campaign.stdout  # everything here was recorded today

    problems = town.problems()
    clean = audit(town, "verify")
    assert "equal" in clean.stdout and "✗" not in clean.stdout

    with sqlite3.connect(town.root / "reporting.db") as live:
        case_id = live.execute("select min(case_id) from report_cases where status = 'pending'").fetchone()[0]
        live.execute("update report_cases set status = 'verified' where case_id = ?", (case_id,))
    tampered = audit(town, "verify", check=False)
    assert tampered.returncode == 1, tampered.stdout
    assert f"report_cases case_id={case_id}" in tampered.stdout
    assert "status: pending → verified" in tampered.stdout
    assert "✓ rules" in tampered.stdout  # the other read models still check out

    household = next(town_data.persons())["户编号"]
    shown = json.loads(audit(town, "history", "household", household, "--format", "json").stdout)
    assert [e["type"] for e in shown] == ["household.recorded"]
    assert shown[0]["label"] == "户信息登记" and shown[0]["actor"] == "user:station"
    names = [c for c in shown[0]["changes"] if c["path"].endswith(".姓名")]
    assert names and all("*" in c["after"] for c in names)

    # The rebuild is a read model like any other: reporting resumes on it where the live one stood.
    position = town.get("reporting", "/progress")["reporting"]["position"]
    town.restart("reporting", LOOKBACK_DB_URL=f"sqlite:///{rebuilt}")
    town.wait_idle()
    assert town.get("reporting", "/progress")["reporting"]["position"] == position
    assert town.problems() == problems

"""SIGKILL in the middle of an import loses nothing and counts nothing twice."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from lookback_log import flagged_in_log

from apps import demo
from apps.runner import wait_for


def _position(town: Any) -> int:
    return int(town.get("reporting", "/progress")["reporting"]["position"])


def test_reporting_killed_mid_import_recovers_exactly(town: Any, tmp_path: Path) -> None:
    roster, villages = demo.write_csv(demo.generate(3000, seed=3), tmp_path / "demo")
    reporting = town.system.services["reporting"]
    importing = subprocess.Popen(
        [sys.executable, "-m", "apps", "import", "roster", str(roster), str(villages), "--as-of", "2019-12-01"],
        env=town.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(
        lambda: town.get("reporting", "/progress").get("reporting", {}).get("position", 0) > 300,
        60,
        "reporting never started on the import",
    )
    reporting.stop(signal.SIGKILL)
    killed_at = time.monotonic()
    with sqlite3.connect(town.root / "reporting.db") as db:
        position_at_kill = db.execute("select seq from positions where consumer = 'reporting'").fetchone()[0]
    reporting.start()
    wait_for(reporting.healthy, 60, "reporting did not come back")
    _out, err = importing.communicate(timeout=300)
    assert importing.returncode == 0, err
    town.wait_idle()

    expected = asyncio.run(flagged_in_log(town.nats.url_as("admin")))
    assert sum(sum(v.values()) for v in expected.values()) > 100
    assert town.problems() == expected
    assert time.monotonic() - killed_at < 300
    assert _position(town) > position_at_kill  # it was killed with work still to do

    # Started again on the same data dir, the whole system resumes: nothing is processed twice.
    positions = {s: town.get(s, "/progress") for s in ("intake", "rules", "rectify", "reporting")}
    town.system.stop()
    town.system.start()
    town.wait_idle()
    assert town.problems() == expected
    assert {s: town.get(s, "/progress") for s in positions} == positions

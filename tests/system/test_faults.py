"""Faults during an import: services SIGKILLed at random moments, nats-server killed and restarted.

Every time, the final counts equal those computed straight from the log: nothing lost, nothing twice.
"""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from lookback_log import count_in_log, flagged_in_log

from apps import demo
from apps.runner import SERVICES, wait_for


def _import(town: Any, roster: Path, villages: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "apps", "import", "roster", str(roster), str(villages), "--as-of", "2019-12-01"],
        env=town.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _consistent(town: Any, households: int) -> None:
    town.wait_idle(timeout=300)
    expected = asyncio.run(flagged_in_log(town.nats.url_as("admin")))
    assert town.problems() == expected
    opened = asyncio.run(count_in_log(town.nats.url_as("admin"), "lb.case.*.opened"))
    assert opened == sum(sum(v.values()) for v in expected.values())
    recorded = asyncio.run(count_in_log(town.nats.url_as("admin"), "lb.household.*.recorded"))
    assert recorded == households  # each household stored once, however often the import was retried


def test_services_killed_at_random_moments(store_town: Any, tmp_path: Path) -> None:
    town = store_town  # SQLite and PostgreSQL
    rng = random.Random(20191201)
    roster, villages = demo.write_csv(demo.generate(3000, seed=11), tmp_path / "demo")
    importing = _import(town, roster, villages)
    kills = 0
    while kills < 10:
        time.sleep(rng.uniform(0.05, 0.4))
        victim = town.system.services[rng.choice([s for s in SERVICES if s != "intake"])]
        victim.stop(signal.SIGKILL)
        victim.start()
        wait_for(victim.healthy, 60, f"{victim.name} did not come back")
        kills += 1
    _out, err = importing.communicate(timeout=300)
    assert importing.returncode == 0, err
    _consistent(town, households=3000)


def test_intake_killed_mid_import_then_the_import_is_retried(town: Any, tmp_path: Path) -> None:
    roster, villages = demo.write_csv(demo.generate(3000, seed=12), tmp_path / "demo")
    importing = _import(town, roster, villages)
    wait_for(
        lambda: asyncio.run(count_in_log(town.nats.url_as("admin"), "lb.household.*.recorded")) > 500, 60, "no import"
    )
    intake = town.system.services["intake"]
    intake.stop(signal.SIGKILL)
    importing.kill()  # the clerk's upload broke off with the service
    importing.wait(timeout=60)
    intake.start()
    wait_for(intake.healthy, 60, "intake did not come back")

    summary = town.import_roster(roster, villages)  # the town sends the file again

    assert 0 < summary["households_added"] < 3000
    _consistent(town, households=3000)


def test_nats_server_killed_and_restarted(town: Any, tmp_path: Path) -> None:
    roster, villages = demo.write_csv(demo.generate(2000, seed=13), tmp_path / "demo")
    town.import_roster(roster, villages)
    time.sleep(0.3)  # the pipeline is mid-way through the problems
    town.nats.stop(signal.SIGKILL)
    time.sleep(1)
    town.nats.start()
    _consistent(town, households=2000)

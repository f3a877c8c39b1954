"""Faults during an import: services SIGKILLed at random moments; intake, and nats-server, killed while intake
is publishing.

After the random kills the final counts equal those computed straight from the log. After a kill mid-publish
the town sends the file again, and the counts, the cases and the half-monthly report equal those of a system
that never failed: nothing lost, nothing twice.
"""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lookback_log import count_in_log, flagged_in_log, raw_client
from lookback_town import Town

from apps import demo
from apps.runner import SERVICES, wait_for
from lookback.contracts.subjects import STREAM

HOUSEHOLDS = 3000  # four atomic chunks of 1000 (ATOMIC_LIMIT), seconds apart on a busy machine
SEED = 12
HOUSEHOLDS_RECORDED = "lb.household.*.recorded"


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
    importing = town.import_in_background(roster, villages)
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


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any]]:
    """The roster the faults break into, and what a system that never failed makes of it (on SQLite, so a
    faulted run on PostgreSQL also shows that the store does not change the answer)."""
    folder = tmp_path_factory.mktemp("clean")
    roster, villages = demo.write_csv(demo.generate(HOUSEHOLDS, seed=SEED), folder / "demo")
    town = Town(folder / "town")
    try:
        town.import_roster(roster, villages)
        expected = town.outcome()
    finally:
        town.stop()
    assert expected["events"]["household.recorded"] == HOUSEHOLDS
    assert expected["events"]["problem.flagged"] > 0
    assert expected["ids_stored_twice"] == []
    return roster, villages, expected


async def kill_while_publishing(
    nats_url: str, start: Callable[[], subprocess.Popen[str]], kill: Callable[[], None]
) -> subprocess.Popen[str]:
    """Start the import and `kill` as soon as the log holds households: intake is then publishing, with the
    first of its chunks stored and the rest to come. (Households, not any new event: rectify appends the
    day's digests when it has read the log, which may be just then. Whether the kill landed before the last
    chunk the caller checks from the log afterwards: that is no guess about timing.)"""
    nc = await raw_client(nats_url)
    js = nc.jetstream()
    importing = start()
    while not (await js.stream_info(STREAM, subjects_filter=HOUSEHOLDS_RECORDED)).state.subjects:
        assert importing.poll() is None, f"the import ended before it published: {importing.communicate()}"
        await asyncio.sleep(0.01)
    kill()
    await nc.close()
    return importing


def stored_households(town: Town) -> int:
    return asyncio.run(count_in_log(town.nats.url_as("admin"), HOUSEHOLDS_RECORDED))


def mid_publish(stored: int) -> str:
    return f"the kill did not land mid-publish ({stored} of {HOUSEHOLDS} households stored): grow HOUSEHOLDS"


def test_intake_killed_while_publishing_then_the_import_is_retried(
    store_town: Town, clean_run: tuple[Path, Path, dict[str, Any]]
) -> None:
    town = store_town  # SQLite and PostgreSQL
    roster, villages, expected = clean_run
    intake = town.system.services["intake"]
    importing = asyncio.run(
        kill_while_publishing(
            town.nats.url_as("admin"),
            lambda: town.import_in_background(roster, villages),
            lambda: intake.stop(signal.SIGKILL),
        )
    )
    importing.communicate(timeout=60)
    assert importing.returncode != 0, "the import passed although intake died during it"
    intake.start()
    wait_for(intake.healthy, 60, "intake did not come back")
    stored = stored_households(town)
    assert 0 < stored < HOUSEHOLDS, mid_publish(stored)

    summary = town.import_roster(roster, villages)  # the town sends the file again

    assert summary["households_added"] == HOUSEHOLDS - stored  # intake knows what the log holds
    print(f"\nintake killed with {stored} of {HOUSEHOLDS} households stored; the retry added the rest")
    got = town.outcome()
    assert got["ids_stored_twice"] == []
    assert got == expected


def test_nats_server_killed_while_intake_publishes_then_the_import_is_retried(
    store_town: Town, clean_run: tuple[Path, Path, dict[str, Any]]
) -> None:
    town = store_town  # SQLite and PostgreSQL
    roster, villages, expected = clean_run
    importing = asyncio.run(
        kill_while_publishing(
            town.nats.url_as("admin"),
            lambda: town.import_in_background(roster, villages),
            lambda: town.nats.stop(signal.SIGKILL),
        )
    )
    importing.communicate(timeout=120)
    assert importing.returncode != 0, "the import passed although its log was gone"
    town.nats.start()  # the same store dir and port
    stored = stored_households(town)
    assert 0 < stored < HOUSEHOLDS, mid_publish(stored)

    # intake's client may still send what it held when the server died (nats-py buffers while it reconnects),
    # so the retry adds at most the households the log lacked when the server came back
    summary, failures = town.send_again(roster, villages)

    assert 0 < summary["households_added"] <= HOUSEHOLDS - stored, failures
    print(
        f"\nnats-server killed with {stored} of {HOUSEHOLDS} households stored; "
        f"the retry added {summary['households_added']} after failed sends {failures}"
    )
    got = town.outcome()
    assert got["ids_stored_twice"] == []
    assert got == expected

"""The supervisor's decisions: when a dead child is started again, and when it has died too often."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apps.supervise import Backoff, KeepsDying, Supervisor


def test_the_pause_doubles_up_to_the_longest() -> None:
    backoff = Backoff(first=1, longest=5, deaths=10, window=1000)
    deaths: list[float] = []
    pauses = []
    for t in range(6):
        deaths.append(float(t))
        pauses.append(backoff.decide(deaths, float(t)))
    assert pauses == [1, 2, 4, 5, 5, 5]


def test_too_many_deaths_within_the_window_is_the_end_but_old_ones_are_forgiven() -> None:
    backoff = Backoff(first=1, longest=30, deaths=3, window=60)
    assert backoff.decide([0, 10], 10) == 2
    assert backoff.decide([0, 10, 20], 20) is None
    assert backoff.decide([0, 10, 100], 100) == 1  # the first two are older than the window


@dataclass
class FakeProc:
    returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


@dataclass
class FakeChild:
    log_path: Path = Path("/logs/rules.log")
    proc: FakeProc | None = field(default_factory=FakeProc)
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        self.proc = FakeProc()


def test_a_dead_child_is_started_after_its_pause_and_one_that_keeps_dying_stops_all() -> None:
    now = [0.0]
    said: list[str] = []
    child = FakeChild()
    supervisor = Supervisor(
        {"rules": child},  # type: ignore[dict-item]
        said.append,
        Backoff(first=1, longest=30, deaths=3, window=60),
        clock=lambda: now[0],
    )
    supervisor.tick()
    assert child.starts == 0 and said == []

    assert child.proc is not None
    child.proc.returncode = 1
    supervisor.tick()
    assert child.starts == 0 and "exited with 1; restarting in 1 s" in said[-1] and "/logs/rules.log" in said[-1]
    now[0] = 0.5
    supervisor.tick()
    assert child.starts == 0  # still pausing
    now[0] = 1.0
    supervisor.tick()
    assert child.starts == 1 and said[-1].endswith("restarted")

    child.proc.returncode = -9
    now[0] = 2.0
    supervisor.tick()
    assert "restarting in 2 s" in said[-1]
    now[0] = 4.0
    supervisor.tick()
    assert child.starts == 2

    child.proc.returncode = 1
    now[0] = 5.0
    with pytest.raises(KeepsDying) as stopped:
        supervisor.tick()
    assert "rules" in str(stopped.value) and "/logs/rules.log" in str(stopped.value)
    assert "3" in str(stopped.value)

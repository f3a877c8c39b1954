"""`lookback up` keeps its children running: a child that dies is started again after a growing pause, and one
that keeps dying stops the whole system, naming itself and its log, instead of being restarted for ever.

The decision (`Backoff.decide`) is a pure function of when the child died; `Supervisor.tick` does the I/O.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Backoff:
    """Pauses of `first`, twice that, … up to `longest` seconds; `deaths` deaths within `window` seconds is too many."""

    first: float = 1.0
    longest: float = 30.0
    deaths: int = 5
    window: float = 300.0

    def decide(self, deaths: Sequence[float], now: float) -> float | None:
        """Seconds to wait before starting again a child that died at the times `deaths` (the last one `now`),
        or None: it keeps dying."""
        recent = [t for t in deaths if now - t <= self.window]
        if len(recent) >= self.deaths:
            return None
        return min(self.first * 2 ** max(len(recent) - 1, 0), self.longest)


class KeepsDying(RuntimeError):
    def __init__(self, name: str, deaths: int, log_path: Path) -> None:
        super().__init__(
            f"{name} 反复退出（{deaths} 次），系统已停止，日志见 {log_path} / "
            f"{name} keeps dying ({deaths} times), so the system stops; its log: {log_path}"
        )
        self.name = name
        self.log_path = log_path


class Child(Protocol):
    @property
    def proc(self) -> subprocess.Popen | None: ...

    @property
    def log_path(self) -> Path: ...

    def start(self) -> None: ...


@dataclass
class Supervisor:
    children: dict[str, Child]
    say: Callable[[str], None]
    backoff: Backoff = field(default_factory=Backoff)
    clock: Callable[[], float] = time.monotonic
    deaths: dict[str, list[float]] = field(default_factory=dict)
    due: dict[str, float] = field(default_factory=dict)

    def tick(self) -> None:
        """Notice the children that died since the last tick; start those whose pause is over."""
        now = self.clock()
        for name, child in self.children.items():
            if name in self.due:
                if now >= self.due[name]:
                    del self.due[name]
                    self._restart(name, child)
                continue
            proc = child.proc
            if proc is None or proc.poll() is None:
                continue
            deaths = self.deaths.setdefault(name, [])
            deaths.append(now)
            delay = self.backoff.decide(deaths, now)
            if delay is None:
                raise KeepsDying(name, len(deaths), child.log_path)
            self.say(
                f"{name} 已退出 / exited with {proc.returncode}; restarting in {delay:g} s (log: {child.log_path})"
            )
            self.due[name] = now + delay

    def _restart(self, name: str, child: Child) -> None:
        try:
            child.start()
        except (RuntimeError, TimeoutError):
            return  # it died again while starting: the next tick counts it
        self.say(f"{name} 已重启 / restarted")

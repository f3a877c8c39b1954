"""Where the time goes: py-spy attached to the running services, summarised as top frames.

py-spy samples a process from outside (no code change, no restart), 100 times a second, only while
a thread is on the CPU (idle waiting is left out), and `--nonblocking` so the service is never
paused. Profiling is its own pass on a fresh system, never during the measured runs: sampling
costs CPU, and this machine has two cores.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
_SITE = re.compile(r".*/site-packages/")


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Profiler:
    """`py-spy record` on each pid until `stop()`; raw collapsed stacks, one file per process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: dict[str, tuple[subprocess.Popen, Path]] = {}

    def attach(self, name: str, pid: int) -> None:
        binary = py_spy()
        if binary is None:
            raise RuntimeError("py-spy not found: pip install py-spy")
        self.folder.mkdir(parents=True, exist_ok=True)
        out = self.folder / f"{name}.txt"
        proc = subprocess.Popen(
            [binary, "record", "-p", str(pid), "-f", "raw", "-o", str(out), "-r", "100", "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.running[name] = (proc, out)

    def stop(self) -> dict[str, Path]:
        """Stop sampling (py-spy writes its file on SIGINT) and return the files written."""
        for proc, _ in self.running.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        files = {}
        for name, (proc, out) in self.running.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if out.exists():
                files[name] = out
        self.running.clear()
        return files


def _short(frame: str) -> str:
    """`func (path:line)` → `func (module path)`; lines dropped so one function is one entry."""
    m = _FRAME.match(frame)
    if not m:
        return frame
    path = _SITE.sub("", m.group("file"))
    for root in ("/work/main/", str(Path(__file__).resolve().parents[1]) + "/"):
        path = path.replace(root, "")
    return f"{m.group('func')} ({path})"


def summarise(path: Path, top: int = 12) -> dict[str, Any]:
    """Top functions by own time (the frame on the CPU) and by total time (anywhere on the stack)."""
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        samples += count
        frames = [
            _short(f) for f in stack.split(";") if f and not f.startswith("process ") and not f.startswith("thread ")
        ]
        if not frames:
            continue
        own[frames[-1]] += count
        for f in set(frames):
            total[f] += count
    pct = (lambda n: round(100 * n / samples, 1)) if samples else (lambda n: 0.0)
    return {
        "samples": samples,
        "seconds_on_cpu": samples / 100,
        "own": [(f, pct(n)) for f, n in own.most_common(top)],
        "total": [(f, pct(n)) for f, n in total.most_common(top * 3) if not _boring(f)][:top],
    }


def _boring(frame: str) -> bool:
    """Frames on every stack (the event loop, the server's run loop) say nothing about the cost."""
    return any(
        s in frame
        for s in (
            "asyncio/",
            "uvicorn/",
            "<module>",
            "_run_module_as_main",
            "_run_code",
            "main (services/",
            "serve (lookback/service.py)",
            "importlib",
            "BatchConsumer.run (",
            "BatchConsumer.consume (",
            "selectors.py",
            "runners.py",
            "base_events.py",
            "events.py",
            "threading.py",
            "concurrent/futures/thread.py",
        )
    )

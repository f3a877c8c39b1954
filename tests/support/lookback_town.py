"""A running Lookback system for tests: a real nats-server and the four services as processes.

The same runner that `lookback up` uses starts them, so the tests prove what users run. A test may hand
in a NATS it runs itself (e.g. a three-node `NatsCluster`); by default the town starts its own server.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from lookback_log import census

from apps import demo
from apps.idle import wait_idle
from apps.runner import SERVICES, NatsCluster, NatsServer, System, free_port, wait_for


class Town:
    """A running system and the commands a user would type against it."""

    def __init__(
        self,
        root: Path,
        env: dict[str, str] | None = None,
        nats: NatsServer | NatsCluster | None = None,
        workbench: bool = False,
    ) -> None:
        """`nats`: an already running server or cluster, which the caller keeps and stops (the services get its
        `url`, every node's URL for a cluster, and its users); without it the town starts and stops a server of
        its own. Raw connections to the log in tests go through `nats.url_as(user)`, usually as "admin".
        `workbench`: start the web pages too (only the browser tests need them)."""
        self.root = root
        self.owns_nats = nats is None
        self.nats: NatsServer | NatsCluster = nats or NatsServer(root / "nats", free_port())
        if self.owns_nats:
            self.nats.start()
        # The business clock stands on the sample roster's date unless a test moves it: no deadline passes
        # by accident while a test runs.
        clock = {"LOOKBACK_NOW": "2019-12-01"}
        self.system = System(
            root,
            self.nats.url,
            ports={s: free_port() for s in SERVICES},
            env=clock | (env or {}),
            reassign_ports=True,
            users=self.nats.users,
            workbench_port=free_port() if workbench else 0,
        )
        self.system.start()

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(s.url for s in self.system.services.values())

    def env(self) -> dict[str, str]:
        """The CLI's environment: it finds the audit user of its own server in the data dir, as after `lookback
        up`; a server handed in keeps its passwords elsewhere, so the audit user is named."""
        audit = {} if self.owns_nats else self.system.nats_env("audit")
        return (
            os.environ
            | audit
            | {
                "LOOKBACK_INTAKE_URL": self.system.url("intake"),
                "LOOKBACK_RECTIFY_URL": self.system.url("rectify"),
                "LOOKBACK_REPORTING_URL": self.system.url("reporting"),
                "LOOKBACK_SERVICE_URLS": ",".join(self.urls),
                "LOOKBACK_NATS_URL": self.nats.url,
                "LOOKBACK_DATA_DIR": str(self.root),
            }
        )

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "apps", *args], env=self.env(), capture_output=True, text=True, timeout=600
        )
        if check and result.returncode != 0:
            raise AssertionError(f"lookback {' '.join(args)} failed: {result.stdout}\n{result.stderr}")
        return result

    def import_roster(self, *paths: Path, as_of: str = "2019-12-01") -> dict[str, Any]:
        out = self.cli("import", "roster", *map(str, paths), "--as-of", as_of).stdout
        return json.loads(out)

    def import_demo(self, households: int, seed: int) -> tuple[Path, Path]:
        """A demo town of `households` (apps.demo, `seed`) imported and settled; its roster and villages files."""
        roster, villages = demo.write_csv(demo.generate(households, seed=seed), self.root / "demo")
        self.import_roster(roster, villages)
        self.wait_idle()
        return roster, villages

    def import_in_background(self, *paths: Path, as_of: str = "2019-12-01") -> subprocess.Popen[str]:
        """An import a test can watch and break into: the CLI as its own process."""
        return subprocess.Popen(
            [sys.executable, "-m", "apps", "import", "roster", *map(str, paths), "--as-of", as_of],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def send_again(
        self, *paths: Path, as_of: str = "2019-12-01", within: float = 90
    ) -> tuple[dict[str, Any], list[str]]:
        """The clerk's retry of an import a fault broke off, until it passes: its summary, and why each failed
        send failed (a send can itself fail while the system recovers, e.g. before intake has reconnected)."""
        deadline = time.monotonic() + within
        failures: list[str] = []
        while True:
            result = self.cli("import", "roster", *map(str, paths), "--as-of", as_of, check=False)
            if result.returncode == 0:
                return json.loads(result.stdout), failures
            failures.append(last_line(result.stderr))
            assert time.monotonic() < deadline, f"the import still fails: {result.stdout}\n{result.stderr}"
            time.sleep(2)

    def outcome(self, nats_url: str | None = None, period: str = "2019-12-H1") -> dict[str, Any]:
        """What a fault must not change, read once the system is idle: the problem counts by rule and village,
        the cases by village, item and status, the half-monthly report, how many events of each type the log
        holds and which ids it holds twice (`nats_url`: a node to read the log from, if not the town's own)."""
        self.wait_idle(timeout=300)
        events, twice = asyncio.run(census(nats_url or self.nats.url_as("admin")))
        cases = Counter((c["village"], c["item"], c["status"]) for c in self.get("rectify", "/cases"))
        report = self.get("reporting", "/reports/semimonthly", period=period)
        # the 校验码 digests this log's own bytes (recorded times included): two runs' reports agree on all but it
        report.pop("check_code", None)
        return {
            "problems": self.get("reporting", "/reports/problems", by="rule,village"),
            "cases": sorted(cases.items()),
            "semimonthly": report,
            "events": events,
            "ids_stored_twice": twice,
        }

    def wait_idle(self, timeout: float = 120) -> None:
        asyncio.run(wait_idle(self.urls, timeout))

    def problems(self) -> dict[str, dict[str, int]]:
        return json.loads(self.cli("report", "problems", "--by", "rule,village", "--format", "json").stdout)

    def get(self, service: str, path: str, **params: Any) -> Any:
        response = self.call("GET", service, path, params=params)
        response.raise_for_status()
        return response.json()

    def call(self, method: str, service: str, path: str, token: str | None = None, **body: Any) -> httpx.Response:
        """One request to `service` as the station (or as `token`'s user), the JSON body from keywords;
        `params=` is taken as the query. The reply as it came, for tests that check refusals too."""
        params = body.pop("params", None)
        return httpx.request(
            method,
            f"{self.system.url(service)}{path}",
            params=params,
            json=body or None,
            headers={"Authorization": f"Bearer {token or self.system.station_token()}"},
            timeout=30,
        )

    def stop(self) -> None:
        self.system.stop()
        if self.owns_nats:
            self.nats.stop()

    def restart(self, service: str, **env: str) -> None:
        """Stop one service and start it again, with `env` changed (e.g. the business clock)."""
        svc = self.system.services[service]
        svc.stop()
        svc.env.update(env)
        svc.start()
        wait_for(svc.healthy, 60, f"{service} did not come back")


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "?"

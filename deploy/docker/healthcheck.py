"""Docker HEALTHCHECK of the Lookback image: GET /healthz on this container's service.

The port is LOOKBACK_PORT, else the default port of the service named on PID 1's command line
(`… entrypoint.py rules` or `python -m services.rules`). Exit 0 when /healthz answers 200, else 1.
Uses urllib: the slim base image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

DEFAULT_PORTS = {"intake": 18001, "rules": 18002, "rectify": 18003, "reporting": 18004}


def service_port(env: Mapping[str, str], cmdline: list[str]) -> int | None:
    if env.get("LOOKBACK_PORT"):
        return int(env["LOOKBACK_PORT"])
    for arg in cmdline:
        name = arg.removeprefix("services.")
        if name in DEFAULT_PORTS:
            return DEFAULT_PORTS[name]
    return None


def pid1_cmdline() -> list[str]:
    try:
        return Path("/proc/1/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def main() -> int:
    port = service_port(os.environ, pid1_cmdline())
    if port is None:
        print("healthcheck: no LOOKBACK_PORT and no service on the command line", file=sys.stderr)
        return 1
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=4) as response:
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as err:
        print(f"healthcheck: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

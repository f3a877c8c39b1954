"""The dashboard and the alert rules: valid, and using only the metric names of EXPECTED_METRICS."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .deploy_support import (
    DASHBOARDS,
    PROMETHEUS,
    grafana_query_metrics,
    grafana_to_promql,
    load_yaml,
    metric_names,
    need_module,
    promtool,
)
from .expected_metrics import EXPECTED_METRICS, PROMETHEUS_SYNTHETIC, RECTIFY_ONLY, REPORTING_ONLY

KNOWN = set(EXPECTED_METRICS) | set(PROMETHEUS_SYNTHETIC)


def dashboards() -> list[tuple[Path, dict[str, Any]]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(DASHBOARDS.glob("*.json"))]


def panel_targets(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expr) of every query, rows' nested panels included."""
    out = []
    stack = list(dashboard.get("panels", []))
    while stack:
        panel = stack.pop()
        stack.extend(panel.get("panels", []))
        for target in panel.get("targets", []):
            if target.get("expr"):
                out.append((panel.get("title", "?"), target["expr"]))
    return out


def variable_queries(dashboard: dict[str, Any]) -> list[str]:
    out = []
    for var in dashboard.get("templating", {}).get("list", []):
        query = var.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        if var.get("type") == "query" and query:
            out.append(query)
    return out


def alert_exprs() -> list[tuple[str, str]]:
    rules = load_yaml(PROMETHEUS / "alerts.yml")
    return [(r.get("alert") or r.get("record"), r["expr"]) for g in rules["groups"] for r in g["rules"]]


def test_expected_metrics_list_is_well_formed() -> None:
    assert len(EXPECTED_METRICS) == len(set(EXPECTED_METRICS))
    assert set(REPORTING_ONLY) <= set(EXPECTED_METRICS)
    assert all(name.startswith("lookback_") for name in EXPECTED_METRICS)


def test_metric_names_parser() -> None:
    assert metric_names('histogram_quantile(0.95, sum by (le, service) (rate(a_bucket{x=~"$v"}[5m])))') == {"a_bucket"}
    assert metric_names('sum(a{v=~"$village"} offset 1d) - sum(b) / clamp_min(sum(c), 1)') == {"a", "b", "c"}
    assert metric_names("(max by (s) (a) > 0) and on (s) (changes(b[15m]) == 0)") == {"a", "b"}
    assert metric_names('up{job="lookback"} == 0') == {"up"}
    assert grafana_query_metrics("label_values(lookback_cases_open, village)") == {"lookback_cases_open"}


def test_dashboards_parse_and_are_provisionable() -> None:
    found = dashboards()
    assert found, "no dashboard JSON in deploy/grafana/dashboards"
    for path, dash in found:
        assert dash.get("uid") and dash.get("title"), path
        assert isinstance(dash.get("schemaVersion"), int), path
        ids = [p["id"] for p in dash["panels"]]
        assert len(ids) == len(set(ids)), f"{path}: duplicate panel ids"
        for panel in dash["panels"]:
            assert {"h", "w", "x", "y"} <= set(panel["gridPos"]), (path, panel["title"])
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, (path, panel["title"])
            if panel["type"] != "row":
                assert panel.get("datasource", {}).get("uid") == "lookback-prometheus", (path, panel["title"])
    provisioning = load_yaml(DASHBOARDS.parent / "provisioning" / "datasources" / "prometheus.yml")
    assert [d["uid"] for d in provisioning["datasources"]] == ["lookback-prometheus"]


def test_dashboard_shows_what_operators_need() -> None:
    ((_, dash),) = dashboards()
    used: dict[str, set[str]] = {}
    for title, expr in panel_targets(dash):
        for name in metric_names(expr):
            used.setdefault(name, set()).add(title)
    # overdue by unit and by village, trend, rectification rate, lag, p95 latency, failed events
    for name in (
        "lookback_cases_overdue_by_unit",
        "lookback_cases_overdue",
        "lookback_cases_open",
        "lookback_consumer_lag_events",
        "lookback_handler_seconds_bucket",
        "lookback_events_failed_total",
        "lookback_events_handled_total",
    ):
        assert name in used, f"no dashboard panel uses {name}"
    assert any("histogram_quantile(0.95" in expr for _, expr in panel_targets(dash))


def test_every_metric_name_is_expected() -> None:
    used: dict[str, str] = {}
    for path, dash in dashboards():
        for title, expr in panel_targets(dash):
            for name in metric_names(expr):
                used.setdefault(name, f"{path.name}: panel {title!r}")
        for query in variable_queries(dash):
            for name in grafana_query_metrics(query):
                used.setdefault(name, f"{path.name}: variable query {query!r}")
    for alert, expr in alert_exprs():
        for name in metric_names(expr):
            used.setdefault(name, f"alerts.yml: {alert}")
    unknown = {name: where for name, where in used.items() if name not in KNOWN}
    assert not unknown, f"metric names missing from EXPECTED_METRICS: {unknown}"
    unused = set(EXPECTED_METRICS) - set(used)
    assert not unused, f"EXPECTED_METRICS lists names no deployment file uses: {sorted(unused)}"


def test_alerts_cover_the_required_cases() -> None:
    exprs = dict(alert_exprs())
    assert "lookback_cases_overdue_by_unit" in metric_names(exprs["LookbackOverdueCasesByUnit"])
    assert "lookback_cases_due_soon" in metric_names(exprs["LookbackCasesDueWithin3Days"])
    assert "lookback_consumer_lag_events" in metric_names(exprs["LookbackPipelineLag"])
    assert metric_names(exprs["LookbackServiceDown"]) == {"up"}


def test_existing_metric_names_are_defined_in_the_code() -> None:
    """What is not PLANNED must be exported today: the pipeline metrics by lookback.observability,
    the case gauges by services/reporting/gauges.py, the digests pending by services/rectify/sender.py."""
    from prometheus_client import Counter, Gauge, Histogram

    from lookback import observability

    exposed: set[str] = set()
    for obj in vars(observability).values():
        if isinstance(obj, Counter):
            exposed.add(f"{obj._name}_total")
        elif isinstance(obj, Histogram):
            exposed |= {f"{obj._name}_bucket", f"{obj._name}_sum", f"{obj._name}_count"}
        elif isinstance(obj, Gauge):
            exposed.add(obj._name)
    gauges_source = (Path(__file__).resolve().parents[2] / "services" / "reporting" / "gauges.py").read_text()
    exposed |= {n for n in REPORTING_ONLY if f'"{n}"' in gauges_source}
    sender_source = (Path(__file__).resolve().parents[2] / "services" / "rectify" / "sender.py").read_text()
    exposed |= {n for n in RECTIFY_ONLY if f'"{n}"' in sender_source}
    assert set(EXPECTED_METRICS) <= exposed, f"not exported by the code: {sorted(set(EXPECTED_METRICS) - exposed)}"


@pytest.mark.parametrize(
    "args",
    [
        ["check", "config", "prometheus.yml"],
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "tests/alerts_test.yml"],
    ],
    ids=" ".join,
)
def test_promtool(args: list[str]) -> None:
    tool = promtool()
    result = subprocess.run([tool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}\n{result.stderr}"


def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    """promtool parses every dashboard query (Grafana's $variables replaced by sample values)."""
    tool = promtool()
    yaml = need_module("yaml")
    rules = []
    for path, dash in dashboards():
        for n, (_, expr) in enumerate(panel_targets(dash)):
            rules.append({"record": f"dashboard:{path.stem.replace('-', '_')}:q{n}", "expr": grafana_to_promql(expr)})
    rules_file = tmp_path / "dashboard_rules.yml"
    rules_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, allow_unicode=True))
    result = subprocess.run([tool, "check", "rules", str(rules_file)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


def test_scrape_targets_are_the_four_services() -> None:
    from lookback.settings import DEFAULT_PORTS

    config = load_yaml(PROMETHEUS / "prometheus.yml")
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "lookback"]
    targets = {t for sc in job["static_configs"] for t in sc["targets"]}
    assert targets == {f"{name}:{port}" for name, port in DEFAULT_PORTS.items()}
    assert config["rule_files"] == ["alerts.yml"]

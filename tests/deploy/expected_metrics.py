"""Every metric name the deployment files use (Grafana dashboard, Prometheus alert rules).

A system test can scrape the running services and check that each name here is exported; the names
are as they appear in the exposition format (`_total`, `_bucket`, `_sum`, `_count` included). From
outside this folder, load the list with
`runpy.run_path("tests/deploy/expected_metrics.py")["EXPECTED_METRICS"]`.

tests/deploy/test_deploy_metrics.py checks that the dashboard and the alert rules use exactly these
names (plus Prometheus' own `up`), so the list cannot drift from the files.
"""

from __future__ import annotations

EXPECTED_METRICS = [
    # every service (lookback/observability.py), labels service, consumer
    "lookback_events_handled_total",
    "lookback_events_failed_total",
    "lookback_events_published_total",  # label service only
    "lookback_handler_seconds_bucket",
    "lookback_handler_seconds_sum",
    "lookback_handler_seconds_count",
    "lookback_consumer_lag_events",
    "lookback_consumer_position",
    # reporting only (services/reporting/gauges.py)
    "lookback_cases_open",  # labels item, village
    "lookback_cases_overdue",  # labels item, village
    "lookback_cases_overdue_by_unit",  # labels unit
    "lookback_cases_due_soon",  # labels unit, village
    "lookback_milestone_due_soon",  # labels milestone
    "lookback_milestone_overdue",  # labels milestone
]

# Subset of EXPECTED_METRICS that only the reporting service exports.
REPORTING_ONLY = [
    "lookback_cases_open",
    "lookback_cases_overdue",
    "lookback_cases_overdue_by_unit",
    "lookback_cases_due_soon",
    "lookback_milestone_due_soon",
    "lookback_milestone_overdue",
]

# Series Prometheus makes itself for every target; used in alerts and the dashboard, exported by nobody.
PROMETHEUS_SYNTHETIC = ["up"]

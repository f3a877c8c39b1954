"""The bench's verdicts: every target of issue 17 printed beside its figure and gathered in one table.

A benchmark that prints the wrong verdict is worse than none; these read a saved result as the
Markdown does, without running anything."""

from __future__ import annotations

from typing import Any

from bench.report import Verdict, markdown, rows

SIZE: dict[str, Any] = {
    "households": 3_000,
    "pipeline": {
        "rows": 9_307,
        "households": 3_000,
        "events_published_by_import": 3_038,
        "events_total": 6_818,
        "import_rows_per_s": 21_000.0,
        "pipeline_households_per_s": 461.0,
        "cpu_ms_per_household": {"intake": 0.1, "rules": 0.1, "reporting": 0.15, "bench": 0.3},
    },
    "latency_probe": {"rate_per_s": 10, "p50_ms": 30.0, "p95_ms": 40.0, "p99_ms": 40.0},
    "latency": {"rate_per_s": 500, "households": 1_000, "p50_ms": 45.0, "p99_ms": float("inf"), "not_completed": 3},
    "replay": {
        "services": {
            "rules": {
                "events": 4_000,
                "seconds": 4.0,
                "cpu_seconds": 3.0,
                "events_per_s": 1_000.0,
                "events_per_cpu_s": 1_333.0,
                "startup_seconds": 2.0,
                "startup_cpu_seconds": 1.5,
                "events_per_s_after_startup": 2_000.0,
                "events_per_cpu_s_after_startup": 2_667.0,
            }
        },
    },
    "reports": {
        "semimonthly": {"p95_ms": 20.0},
        "overdue": {"p95_ms": 150.0, "cases_returned": 50, "period": "2020-06-H2", "limit": 50},
        "problems": {"p95_ms": 500.0},
    },
    "memory": {"peak": {"intake": 250 * 2**20, "nats-server": 900 * 2**20}, "log_events": 1_200_000},
    "baselines": {"faststream": {"latency": [{"rate_per_s": 10, "p99_ms": 72.5}, {"rate_per_s": 500, "p99_ms": 9.0}]}},
}


def verdicts(size: dict[str, Any]) -> dict[str, str]:
    found: list[Verdict] = []
    rows(size, found)
    return {aim: status.split(" ")[0] for aim, _, status in found}


def test_every_target_of_the_issue_has_its_verdict() -> None:
    assert verdicts(SIZE) == {
        "import ≥ 20,000 rows/s": "pass",
        "import → read model ≥ 5,000 households/s": "MISS",
        "latency p99 below the FastStream chain's at 10/s": "pass",
        "latency p99 ≤ 50 ms at 500/s": "MISS",  # households not done count as infinitely slow
        "latency p99 below the FastStream chain's at 500/s": "MISS",
        "CPU per household ≤ 0.4 ms": "pass",  # 0.35 ms: the bench's own CPU is left out
        "replay rules ≥ 50,000 events/s": "MISS",
        "GET /reports/semimonthly p95 ≤ 100 ms": "pass",
        "GET /reports/overdue p95 ≤ 100 ms": "MISS",
        "peak RSS intake ≤ 200 MB": "MISS",  # nats-server has no target
    }


def test_the_latency_target_is_judged_only_at_its_rate() -> None:
    slow = SIZE | {"latency": SIZE["latency"] | {"rate_per_s": 200}}
    assert "latency p99 ≤ 50 ms at 500/s" not in verdicts(slow)
    assert verdicts(slow)["latency p99 below the FastStream chain's at 200/s"] == "—"  # the chain ran at 10 and 500


def test_the_replay_rows_say_what_start_up_took_and_what_once_started_gives() -> None:
    figures = {r[0]: r[1] for r in rows(SIZE)}
    assert figures["replay rules (4,000 events in 4.0 s: process start → caught up)"] == "1,000 events/s"
    assert figures["  start-up alone (a restart with nothing to replay): 1.5 s CPU"] == "2.0 s"
    assert figures["  once started (first commit → last)"] == "2,000 events/s"
    assert figures["  per CPU-second once started"] == "2,667"


def test_the_summary_names_the_run_that_reached_a_million_events() -> None:
    text = markdown({"sizes": {"large": SIZE}})
    assert "| import ≥ 20,000 rows/s | 21,000 rows/s pass |" in text
    assert "large had 1,200,000 events in the log" in text

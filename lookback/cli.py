"""The `lookback` command: run the system, import rosters, read reports."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lookback.settings import DEFAULT_NATS_PORT, DEFAULT_PORTS

app = typer.Typer(help="回头看 Lookback: a township's poverty-alleviation look-back review.", no_args_is_help=True)
import_app = typer.Typer(help="Import rosters and problem lists (导入).", no_args_is_help=True)
report_app = typer.Typer(help="Reports (报表): half-monthly statistics and problem counts.", no_args_is_help=True)
docs_app = typer.Typer(help="Generate documentation.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(report_app, name="report")
app.add_typer(docs_app, name="docs")

console = Console()
err = Console(stderr=True)

INTAKE_URL = f"http://127.0.0.1:{DEFAULT_PORTS['intake']}"
REPORTING_URL = f"http://127.0.0.1:{DEFAULT_PORTS['reporting']}"


def _fail(message: str) -> None:
    err.print(f"[red]{message}[/red]")
    raise typer.Exit(2)


def _request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = httpx.request(method, url, timeout=kwargs.pop("timeout", 120), **kwargs)
    except httpx.HTTPError as e:
        _fail(f"无法连接 {url} / cannot reach {url}: {type(e).__name__}. 系统是否已启动? Is `lookback up` running?")
        raise
    if response.status_code >= 400:
        detail = response.json().get("detail") if "json" in response.headers.get("content-type", "") else response.text
        _fail(f"{response.status_code}: {detail}")
    return response


@app.command()
def up(
    data_dir: Annotated[Path, typer.Option(help="Where the event log and read models live")] = Path(".lookback"),
    demo: Annotated[bool, typer.Option(help="Generate and import a demo town")] = False,
    households: Annotated[int, typer.Option(help="Households in the demo town")] = 300,
    nats_url: Annotated[str | None, typer.Option(help="Use this NATS instead of starting one")] = None,
    nats_port: Annotated[int, typer.Option(help="Port of the embedded nats-server")] = DEFAULT_NATS_PORT,
) -> None:
    """Start nats-server (embedded) and the four services; Ctrl-C stops everything."""
    from lookback.runner import NatsServer, System

    data_dir = data_dir.resolve()
    nats = None
    if nats_url is None:
        nats = NatsServer(data_dir / "nats", nats_port)
        nats.start()
        nats_url = nats.url
    system = System(data_dir, nats_url)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    try:
        with console.status("starting the four services…"):
            system.start()
        if demo:
            _import_demo(data_dir, households, system.services)
        console.print(f"[green]Lookback is running[/green] (NATS {nats_url}, data in {data_dir})")
        for name in system.services:
            console.print(f"  {name:<9} {system.url(name)}/docs   metrics {system.url(name)}/metrics")
        rep = system.url("reporting")
        console.print(f"  report    {rep}/reports/semimonthly?period=2019-12-H1")
        console.print(f"  problems  {rep}/reports/problems?by=rule,village")
        console.print("Press Ctrl-C to stop.")
        while not stopping:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        console.print("stopping…")
        system.stop()
        if nats:
            nats.stop()


def _import_demo(data_dir: Path, households: int, services: dict[str, Any]) -> None:
    from lookback import demo as demo_town

    target = data_dir / "demo"
    town = demo_town.generate(households, seed=1)
    demo_town.write_csv(town, target)
    _import([target / "roster.csv", target / "villages.csv"], date(2019, 12, 1), False, services["intake"].url)
    with console.status("waiting for the pipeline to catch up…"):
        from lookback.idle import wait_idle

        asyncio.run(wait_idle(tuple(s.url for s in services.values()), timeout=300))


def _import(paths: list[Path], as_of: date, partial: bool, api_url: str) -> dict[str, Any]:
    files = [("files", (p.name, p.read_bytes())) for p in paths]
    data = {"as_of": as_of.isoformat(), "partial": str(partial).lower()}
    summary: dict[str, Any] = {}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        task = progress.add_task("导入 importing", total=None)
        with httpx.Client(timeout=None) as client:
            try:
                stream = client.stream("POST", f"{api_url}/imports", files=files, data=data)
                with stream as response:
                    if response.status_code >= 400:
                        response.read()
                        _fail(f"{response.status_code}: {response.json().get('detail')}")
                    for line in response.iter_lines():
                        if not line:
                            continue
                        msg = json.loads(line)
                        if "summary" in msg:
                            summary = msg["summary"]
                        elif "error" in msg:
                            _fail(msg["error"])
                        else:
                            progress.update(task, description=msg["stage"], completed=msg["done"], total=msg["total"])
            except httpx.HTTPError as e:
                _fail(f"无法连接 {api_url} / cannot reach {api_url}: {type(e).__name__}")
    return summary


@import_app.command("roster")
def import_roster(
    paths: Annotated[list[Path], typer.Argument(help="人口明细 and 村级信息: one .xlsx, or CSV files", exists=True)],
    as_of: Annotated[str, typer.Option("--as-of", help="The roster's reference date, YYYY-MM-DD")],
    partial: Annotated[bool, typer.Option(help="The files hold only part of the town: remove no household")] = False,
    api_url: Annotated[str, typer.Option(help="Intake service", envvar="LOOKBACK_INTAKE_URL")] = INTAKE_URL,
) -> None:
    """Import a roster; prints accepted and rejected rows (exit 0 when the file was processed)."""
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        _fail(f"--as-of 日期格式应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD, got {as_of!r}")
        return
    summary = _import(paths, day, partial, api_url)
    console.print_json(data=summary)


@report_app.command("semimonthly")
def report_semimonthly(
    period: Annotated[str, typer.Option(help="YYYY-MM-H1 (1st–15th) or YYYY-MM-H2 (16th–end)")],
    format: Annotated[str, typer.Option(help="json or table")] = "table",
    api_url: Annotated[str, typer.Option(help="Reporting service", envvar="LOOKBACK_REPORTING_URL")] = REPORTING_URL,
) -> None:
    """The half-monthly statistics (半月统计) of one period next to the previous one."""
    report = _request("GET", f"{api_url}/reports/semimonthly", params={"period": period}).json()
    if format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{report['period']} ({report['first_day']} – {report['last_day']})")
    for col in ("指标 measure", report["period"], report["previous"]["period"]):
        table.add_column(col)
    labels = {"found": "新发现 found", "found_cumulative": "累计发现 cumulative", "cleared_by_data": "数据销除 cleared",
              "open": "未整改 open", "overdue": "逾期 overdue"}
    for key, label in labels.items():
        table.add_row(label, str(report["current"][key]), str(report["previous"][key]))
    console.print(table)


@report_app.command("problems")
def report_problems(
    by: Annotated[str, typer.Option(help="Group by: rule, village or rule,village")] = "rule,village",
    format: Annotated[str, typer.Option(help="json or table")] = "json",
    api_url: Annotated[str, typer.Option(help="Reporting service", envvar="LOOKBACK_REPORTING_URL")] = REPORTING_URL,
) -> None:
    """Problems ever flagged, by rule id and village, from the reporting read model."""
    counts = _request("GET", f"{api_url}/reports/problems", params={"by": by}).json()
    if format == "json":
        print(json.dumps(counts, ensure_ascii=False, sort_keys=True))
        return
    table = Table("key", "count")
    for key, value in sorted(counts.items()):
        table.add_row(key, json.dumps(value, ensure_ascii=False))
    console.print(table)


@app.command("wait-idle")
def wait_idle_cmd(
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds")] = 120,
    api_url: Annotated[list[str] | None, typer.Option(
        help="A service's URL (repeat for each); the four embedded services by default",
        envvar="LOOKBACK_SERVICE_URLS")] = None,
) -> None:
    """Return when every service has processed every event in the stream (nothing pending)."""
    from lookback.idle import DEFAULT_SERVICES, wait_idle

    urls = tuple(u for item in (api_url or DEFAULT_SERVICES) for u in item.split(",") if u)
    try:
        pending = asyncio.run(wait_idle(urls, timeout))
    except TimeoutError as e:
        _fail(str(e))
        return
    console.print(f"idle: {pending}")


@docs_app.command("asyncapi")
def docs_asyncapi(out: Annotated[Path, typer.Option(help="Where to write it")] = Path("docs/asyncapi.json")) -> None:
    """Write the AsyncAPI document of the events, generated from the four FastStream apps."""
    from lookback.asyncapi import document

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    console.print(f"wrote {out}")

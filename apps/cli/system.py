"""Running the system: `lookback up` and `lookback wait-idle`."""

from __future__ import annotations

import asyncio
import itertools
import os
import select
import signal
import stat
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.markup import escape

from apps.cli.http import console, err, fail
from apps.cli.imports import send_roster
from apps.demo.people import Person, demo_people
from apps.runner import STATION_TOKEN, WORKBENCH
from lookback.auth.users import UserStore
from lookback.settings import DEFAULT_NATS_PORT, DEFAULT_PORTS, WORKBENCH_PORT

app = typer.Typer()


@app.command()
def up(
    data_dir: Annotated[Path, typer.Option(help="Where the event log and read models live")] = Path(".lookback"),
    demo: Annotated[bool, typer.Option(help="Generate and import a demo town")] = False,
    households: Annotated[int, typer.Option(help="Households in the demo town")] = 300,
    nats_url: Annotated[str | None, typer.Option(help="Use this NATS instead of starting one")] = None,
    nats_port: Annotated[int, typer.Option(help="Port of the embedded nats-server")] = DEFAULT_NATS_PORT,
    http_port: Annotated[
        list[str] | None,
        typer.Option(help="SERVICE=PORT: a service's (or the workbench's) HTTP port instead of its default (repeat)"),
    ] = None,
) -> None:
    """Start nats-server (embedded), the four services and the workbench and keep them running; Ctrl-C stops
    everything."""
    from apps.runner import NatsServer, PortTaken, System
    from apps.supervise import KeepsDying, Supervisor

    data_dir = data_dir.resolve()
    os.environ["LOOKBACK_DATA_DIR"] = str(data_dir)  # the commands below find the station token there
    ports = dict(DEFAULT_PORTS) | {WORKBENCH: WORKBENCH_PORT} | _ports(http_port or [])
    workbench_port = ports.pop(WORKBENCH)
    nats = NatsServer(data_dir / "nats", nats_port) if nats_url is None else None
    system = System(
        data_dir,
        nats.url if nats else str(nats_url),
        ports=ports,
        users=nats.users if nats else None,
        workbench_port=workbench_port,
    )
    stopping = False

    def stop(*_: object) -> None:
        """The first signal stops whatever is under way (even a start); the ones after wait for the stop."""
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        if nats:
            nats.start()
        with console.status("starting the four services…"):
            system.start()
        people = _import_demo(data_dir, households, system.services) if demo else []
        _say(f"[green]Lookback is running[/green] (NATS {system.nats_url}, data in {data_dir})")
        for name in system.services:
            _say(f"  {name:<9} {system.url(name)}/docs   metrics {system.url(name)}/metrics")
        rep = system.url("reporting")
        _say(f"  report    {rep}/reports/semimonthly?period=2019-12-H1")
        _say(f"  problems  {rep}/reports/problems?by=rule,village")
        _say(f"  web page  {rep}/ui (sign in with the token below)")
        _say(f"  token     {data_dir / STATION_TOKEN} (the station's; `lookback users add` makes more)")
        if system.workbench is not None:
            _say(f"  工作台     {system.workbench.url}/login  (the workbench: sign in as a person)")
        for person in people:
            scope = person.village or person.unit or ""
            _say(f"    {person.name:<8} {person.password}  {person.role.value} {escape(scope)}")
        _say("Press Ctrl-C to stop.")
        watched = dict(system.services) | ({"workbench": system.workbench} if system.workbench else {})
        children = ({"nats-server": nats} if nats else {}) | watched
        supervisor = Supervisor(children, say=_say)  # type: ignore[arg-type]
        health: dict[str, str | None] = {}
        for tick in itertools.count():
            if _stdout_closed():
                break
            supervisor.tick()
            if tick % 10 == 0:
                _show_health(watched, health)
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except (PortTaken, KeepsDying, RuntimeError, TimeoutError) as e:
        err.print(f"[red]{e}[/red]", soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        stopping = True
        system.stop()
        if nats:
            nats.stop()
        _say("stopped")


def _ports(given: list[str]) -> dict[str, int]:
    try:
        ports = {name: int(port) for name, port in (g.split("=", 1) for g in given)}
    except ValueError:
        fail("--http-port takes SERVICE=PORT / --http-port 的格式是 服务=端口")
    unknown = set(ports) - {*DEFAULT_PORTS, WORKBENCH}
    if unknown:
        fail(f"没有这个服务 / no such service: {', '.join(sorted(unknown))}")
    return ports


def _say(message: str) -> None:
    """Print, unless nobody reads stdout any more (`lookback up | tee log` with tee gone): then stop printing
    to it; the children are stopped all the same."""
    try:
        console.print(message, soft_wrap=True)
        console.file.flush()
    except (BrokenPipeError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _stdout_closed() -> bool:
    """The reader of a piped stdout has gone: a write would raise `BrokenPipeError`, so look without writing."""
    try:
        fd = sys.stdout.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
    except (OSError, ValueError):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _show_health(services: dict[str, Any], seen: dict[str, str | None]) -> None:
    """Say when a service starts failing its health check, with its reason, and when it is well again."""
    for name, service in services.items():
        problem = service.problem()
        if problem != seen.get(name):
            _say(f"[red]{name} 不健康 / unhealthy: {problem}[/red]" if problem else f"{name} 恢复 / healthy again")
        seen[name] = problem


def _import_demo(data_dir: Path, households: int, services: dict[str, Any]) -> list[Person]:
    """Import the demo town, then make its people: the cadre of its first village, the officer of the unit
    that leads that village's earliest case."""
    from apps import demo as demo_town

    target = data_dir / "demo"
    town = demo_town.generate(households, seed=1)
    demo_town.write_csv(town, target)
    send_roster([target / "roster.csv", target / "villages.csv"], date(2019, 12, 1), False, services["intake"].url)
    with console.status("waiting for the pipeline to catch up…"):
        from apps.idle import wait_idle

        asyncio.run(wait_idle(tuple(s.url for s in services.values()), timeout=300))
    village = town.villages[0]
    token = (data_dir / STATION_TOKEN).read_text().strip()
    reply = httpx.get(
        f"{services['rectify'].url}/worklist",
        params={"village": village, "limit": 1},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    reply.raise_for_status()
    cases = reply.json()["cases"]
    unit = cases[0]["lead_unit"] if cases else "镇扶贫工作站"
    return demo_people(UserStore(data_dir / "users.json"), village, unit)


@app.command("wait-idle")
def wait_idle_cmd(
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds")] = 120,
    api_url: Annotated[
        list[str] | None,
        typer.Option(
            help="A service's URL (repeat for each); the four embedded services by default",
            envvar="LOOKBACK_SERVICE_URLS",
        ),
    ] = None,
) -> None:
    """Return when every service has processed every event in the stream (nothing pending)."""
    from apps.idle import DEFAULT_SERVICES, wait_idle

    urls = tuple(u for item in (api_url or DEFAULT_SERVICES) for u in item.split(",") if u)
    try:
        pending = asyncio.run(wait_idle(urls, timeout))
    except TimeoutError as e:
        fail(str(e))
        return
    console.print(f"idle: {pending}")

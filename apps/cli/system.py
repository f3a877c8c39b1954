"""Running the system: `lookback up` and `lookback wait-idle`."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from apps.cli.http import console, fail
from apps.cli.imports import send_roster
from apps.demo.people import Person, demo_people
from apps.runner import STATION_TOKEN
from lookback.auth.users import UserStore
from lookback.settings import DEFAULT_NATS_PORT

app = typer.Typer()


@app.command()
def up(
    data_dir: Annotated[Path, typer.Option(help="Where the event log and read models live")] = Path(".lookback"),
    demo: Annotated[bool, typer.Option(help="Generate and import a demo town")] = False,
    households: Annotated[int, typer.Option(help="Households in the demo town")] = 300,
    nats_url: Annotated[str | None, typer.Option(help="Use this NATS instead of starting one")] = None,
    nats_port: Annotated[int, typer.Option(help="Port of the embedded nats-server")] = DEFAULT_NATS_PORT,
) -> None:
    """Start nats-server (embedded), the four services and the workbench; Ctrl-C stops everything."""
    from apps.runner import NatsServer, System

    data_dir = data_dir.resolve()
    os.environ["LOOKBACK_DATA_DIR"] = str(data_dir)  # the commands below find the station token there
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
    signal.signal(signal.SIGINT, stop)
    try:
        with console.status("starting the four services…"):
            system.start()
        people = _import_demo(data_dir, households, system.services) if demo else []
        console.print(f"[green]Lookback is running[/green] (NATS {nats_url}, data in {data_dir})")
        for name in system.services:
            console.print(f"  {name:<9} {system.url(name)}/docs   metrics {system.url(name)}/metrics")
        rep = system.url("reporting")
        console.print(f"  report    {rep}/reports/semimonthly?period=2019-12-H1")
        console.print(f"  problems  {rep}/reports/problems?by=rule,village")
        console.print(f"  web page  {rep}/ui (sign in with the token below)")
        console.print(f"  token     {data_dir / STATION_TOKEN} (the station's; `lookback users add` makes more)")
        if system.workbench is not None:
            console.print(f"  工作台     {system.workbench.url}/login  (workbench: sign in as a person)")
        for person in people:
            scope = person.village or person.unit or ""
            console.print(f"    {person.name:<8} {person.password}  {person.role.value} {scope}", markup=False)
        console.print("Press Ctrl-C to stop.")
        while not stopping:
            time.sleep(0.5)
    finally:
        console.print("stopping…")
        system.stop()
        if nats:
            nats.stop()


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

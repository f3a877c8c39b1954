"""`python -m bench.pages [--households 40000]`: how fast the workbench's pages answer on a demo town.

Starts nats-server, the four services and the workbench as `lookback up --demo` does (free ports),
imports a demo town of `--households`, signs in as each demo person and times each page the way a
browser asks for it (the HTML of 我的待办: first page, a filter, a late page; a case page), `--repeat`
times each. Prints p50/p95 per page and role as Markdown and writes the JSON beside the other bench
results. Timings are measured here, never asserted in a test (the machine is shared).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import re
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from apps import demo
from apps.cli.imports import send_roster
from apps.demo.people import demo_people
from apps.idle import wait_idle
from apps.runner import SERVICES, NatsServer, System, free_port
from bench.system import get_ok, sign_in, summarise, timed_calls
from lookback.auth.users import UserStore

CLOCK = {"LOOKBACK_NOW": "2019-12-20"}


def timed(client: httpx.Client, path: str, repeat: int) -> dict[str, float]:
    found = summarise(timed_calls(repeat, functools.partial(get_ok, client, path, {}), warmup=0))
    return {"p50_ms": round(found["p50_ms"], 1), "p95_ms": round(found["p95_ms"], 1)}


def measure(households: int, repeat: int, root: Path) -> dict[str, Any]:
    os.environ["LOOKBACK_DATA_DIR"] = str(root)  # send_roster finds the station's token there, as `lookback up`
    nats = NatsServer(root / "nats", free_port())
    nats.start()
    system = System(
        root,
        nats.url,
        ports={s: free_port() for s in SERVICES},
        users=nats.users,
        env=CLOCK,
        reassign_ports=True,
        workbench_port=free_port(),
    )
    try:
        system.start()
        town = demo.generate(households, seed=1)
        demo.write_csv(town, root / "demo")
        started = time.perf_counter()
        send_roster(
            [root / "demo" / "roster.csv", root / "demo" / "villages.csv"],
            date(2019, 12, 1),
            False,
            system.url("intake"),
        )
        asyncio.run(wait_idle(tuple(s.url for s in system.services.values()), timeout=3600))
        imported_s = time.perf_counter() - started
        token = system.station_token()
        stats = httpx.get(
            f"{system.url('rectify')}/worklist",
            params={"limit": 1, "status": "open"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        village = town.villages[0]
        first = httpx.get(
            f"{system.url('rectify')}/worklist",
            params={"village": village, "limit": 1},
            headers={"Authorization": f"Bearer {token}"},
        ).json()["cases"][0]
        people = demo_people(UserStore(root / "users.json"), village, first["lead_unit"])
        assert system.workbench is not None
        rows = []
        for person in people:
            client = sign_in(system.workbench.url, person.name, person.password)
            reach: dict[str, str | int] = {"limit": 1, "status": "open"}
            if person.village:
                reach["village"] = person.village
            if person.unit:
                reach["unit"] = person.unit
            total = httpx.get(
                f"{system.url('rectify')}/worklist", params=reach, headers={"Authorization": f"Bearer {token}"}
            ).json()["total"]
            last_page = max(1, -(-total // 50))
            case_id = re.search(r'href="/cases/([0-9a-f]{32})"', client.get("/work").text)
            pages = {
                "我的待办": "/work",
                "我的待办 逾期+事项": "/work?overdue=true&item=2",
                "我的待办 末页": f"/work?page={last_page}",
                "案件页": f"/cases/{case_id[1]}" if case_id else "/work",
            }
            for page, path in pages.items():
                rows.append(
                    {"role": person.role.value, "page": page, "cases_in_reach": total} | timed(client, path, repeat)
                )
            client.close()
        return {"households": households, "cases": stats["total"], "import_s": round(imported_s, 1), "pages": rows}
    finally:
        system.stop()
        nats.stop()


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"{result['households']:,} households, {result['cases']:,} open cases (import → idle {result['import_s']} s)",
        "",
        "| role | page | cases in reach | p50 | p95 |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['role']} | {r['page']} | {r['cases_in_reach']:,} | {r['p50_ms']} ms | {r['p95_ms']} ms |"
        for r in result["pages"]
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lookback-pages-") as tmp:
        result = measure(args.households, args.repeat, Path(tmp))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"pages-{args.households}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(markdown(result))


if __name__ == "__main__":
    main()

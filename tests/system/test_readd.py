"""Households removed and put back (issue 12, 2): the same content again is a new fact, stored and acted on.

A town (the demo generator's, so the test runs in any clone) is imported, then a full roster without
every tenth household (their problems clear, their cases go to 已整改待验收), then the whole roster
again a moment later, well inside JetStream's 10-minute duplicate window that once dropped the
re-added households as repeats. The town must end as the clean import left it, with both episodes in
the reopened cases' histories; `audit verify` must find no id twice and the case list agreeing with
the reports, and must exit 1 on a repeated id or a disagreement.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

from lookback_log import raw_client

from apps import demo

from .test_audit import audit

HOUSEHOLDS = 300
REPORT_STOCKS = ("found_cumulative", "open", "overdue", "status", "rectification_rate", "verified_rate")
"""What a half-month report says of the town as it stands (its flows, such as 数据核销 in the period,
rightly show that the problems cleared and came back)."""


def without_every_tenth(src: Path, dst: Path) -> set[str]:
    """The roster less every tenth household (all of its person rows); returns their 户编号."""
    with open(src, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    column = header.index("户编号")
    order = list(dict.fromkeys(r[column] for r in body))
    dropped = set(order[::10])
    with open(dst, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *(r for r in body if r[column] not in dropped)])
    return dropped


def standing(town: Any) -> dict[str, Any]:
    """The town as the clean import must leave it (`Town.outcome` less the counts of events, which rise)."""
    seen = town.outcome()
    return {
        "problems": seen["problems"],
        "cases": seen["cases"],
        "report": {k: seen["semimonthly"]["current"][k] for k in REPORT_STOCKS},
        "ids_stored_twice": seen["ids_stored_twice"],
    }


def test_households_put_back_restore_the_clean_import(town: Any, tmp_path: Path) -> None:
    roster, villages = demo.write_csv(demo.generate(HOUSEHOLDS), tmp_path / "demo")
    full = [roster, villages]
    first = town.import_roster(*full)
    town.wait_idle()
    clean = standing(town)
    assert first["events_already_stored"] == 0

    fewer = tmp_path / "roster-fewer.csv"
    dropped = without_every_tenth(roster, fewer)
    removed = town.import_roster(fewer, villages)
    town.wait_idle()
    assert removed["households_removed"] == len(dropped) == HOUSEHOLDS // 10
    cleared = {c["case_id"] for c in town.get("rectify", "/cases", status="rectified")}
    assert cleared, "the removed households' problems cleared their cases"

    back = town.import_roster(*full)
    town.wait_idle()

    assert (back["households_added"], back["events_already_stored"]) == (len(dropped), 0)
    assert standing(town) == clean
    for case_id in cleared:
        kinds = [e["type"] for e in town.get("rectify", f"/cases/{case_id}/history")]
        assert kinds == ["case.opened", "case.rectified", "case.reopened"], case_id

    verified = audit(town, "verify")
    assert "✗" not in verified.stdout
    assert f"case list and reports: {sum(n for _, n in clean['cases'])} cases compared" in verified.stdout

    copied = asyncio.run(store_again(town.nats.url_as("admin"), "lb.import.>"))
    repeated = audit(town, "verify", check=False)
    assert repeated.returncode == 1, repeated.stdout
    assert f"event id {copied} occurs twice in the log" in repeated.stdout
    assert "disagree" not in repeated.stdout

    case_id = min(cleared)
    with sqlite3.connect(town.root / "rectify.db") as live:
        live.execute("update rectify_cases set status = 'verified' where case_id = ?", (case_id,))
    disagreeing = audit(town, "verify", check=False)
    assert disagreeing.returncode == 1, disagreeing.stdout
    assert f"case {case_id}: 案件列表与报表不一致 / the case list and the reports disagree on status" in (
        disagreeing.stdout.replace("\n", "")
    )


async def store_again(url: str, subject: str) -> str:
    """Store the last event of `subject` once more under its own id, as a publish after the duplicate
    window would (here without the `Nats-Msg-Id` header, which the window would have forgotten)."""
    nc = await raw_client(url)
    try:
        js = nc.jetstream()
        last = await js.get_last_msg("LOOKBACK", subject)
        assert last.subject and last.data
        await js.publish(last.subject, last.data)
        return str(json.loads(last.data)["id"])
    finally:
        await nc.close()

"""`lookback report-issue`: report one problem by hand, for any of the 34 items; and the sending of a
problem list (问题清单) that `lookback import issues` does.

Values go to intake as typed: intake checks them as it checks a 问题清单 row, so the command and a
list refuse a report with the same bilingual reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from apps.cli.http import INTAKE_URL, day, request

app = typer.Typer(help="Report problems by hand (上报问题).")

IntakeUrl = Annotated[str, typer.Option(help="Intake service", envvar="LOOKBACK_INTAKE_URL")]


@app.command("report-issue")
def report_issue(
    village_or_unit: Annotated[str, typer.Option("--place", "--village", help="行政村或单位: a village or unit")],
    item: Annotated[int, typer.Option(help="问题条目: item 1–34 of the plan")],
    description: Annotated[str, typer.Option(help="问题描述: what is wrong")],
    found_on: Annotated[
        str,
        typer.Option(
            "--found-on", help="发现日期: 2020-01-12, 2020/01/12, 2020.1.12 or 2020年1月12日; not after today"
        ),
    ],
    household_id: Annotated[str | None, typer.Option("--household", help="户编号 it is about")] = None,
    lead_unit: Annotated[str | None, typer.Option(help="责任单位; default the item's lead unit")] = None,
    person: Annotated[str | None, typer.Option(help="责任人")] = None,
    deadline: Annotated[str | None, typer.Option(help="整改时限 YYYY-MM-DD; default by the item's policy")] = None,
    measures: Annotated[str | None, typer.Option(help="整改措施 planned")] = None,
    api_url: IntakeUrl = INTAKE_URL,
) -> None:
    """Report one issue; prints its id and whether it is new (exit 2 with the reason if refused)."""
    body = {
        "village_or_unit": village_or_unit,
        "item": item,
        "description": description,
        "found_on": day(found_on, "--found-on"),
        "household_id": household_id,
        "lead_unit": lead_unit,
        "person": person,
        "deadline": day(deadline, "--deadline") if deadline else None,
        "measures": measures,
    }
    result = request("POST", f"{api_url}/issues", json={k: v for k, v in body.items() if v is not None}).json()
    print(json.dumps(result, ensure_ascii=False))


def send_problem_list(path: Path, api_url: str = INTAKE_URL) -> dict[str, Any]:
    """One 问题清单 file to intake; its summary, or exit 2 with the reason the file was refused."""
    files = {"file": (path.name, path.read_bytes())}
    summary: dict[str, Any] = request("POST", f"{api_url}/issue-lists", files=files).json()
    return summary

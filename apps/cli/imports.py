"""`lookback import …`: rosters and problem lists go to intake."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from apps.cli.http import INTAKE_URL, auth_headers, console, detail, err, fail, filename, request
from apps.cli.issues import send_problem_list

app = typer.Typer(help="Import rosters and problem lists (导入).", no_args_is_help=True)


def send_roster(
    paths: list[Path], as_of: date, partial: bool, api_url: str, allow_removal: bool = False
) -> dict[str, Any]:
    files = [("files", (p.name, p.read_bytes())) for p in paths]
    data = {"as_of": as_of.isoformat(), "partial": str(partial).lower(), "allow_removal": str(allow_removal).lower()}
    summary: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("导入 importing", total=None)
        with httpx.Client(timeout=None) as client:
            try:
                stream = client.stream("POST", f"{api_url}/imports", files=files, data=data, headers=auth_headers())
                with stream as response:
                    if response.status_code >= 400:
                        response.read()
                        fail(f"{response.status_code}: {detail(response)}")
                    for line in response.iter_lines():
                        if not line:
                            continue
                        msg = json.loads(line)
                        if "summary" in msg:
                            summary = msg["summary"]
                        elif "error" in msg:
                            fail(msg["error"])
                        else:
                            progress.update(task, description=msg["stage"], completed=msg["done"], total=msg["total"])
            except httpx.HTTPError as e:
                fail(f"无法连接 {api_url} / cannot reach {api_url}: {type(e).__name__}")
    return summary


@app.command("roster")
def import_roster(
    paths: Annotated[list[Path], typer.Argument(help="人口明细 and 村级信息: one .xlsx, or CSV files", exists=True)],
    as_of: Annotated[str, typer.Option("--as-of", help="The roster's reference date, YYYY-MM-DD")],
    partial: Annotated[bool, typer.Option(help="The files hold only part of the town: remove no household")] = False,
    allow_removal: Annotated[
        bool,
        typer.Option(
            "--allow-removal",
            help="A full roster may remove more than LOOKBACK_ROSTER_MAX_REMOVAL_SHARE (20 %) of the households",
        ),
    ] = False,
    api_url: Annotated[str, typer.Option(help="Intake service", envvar="LOOKBACK_INTAKE_URL")] = INTAKE_URL,
) -> None:
    """Import a roster; prints accepted and rejected rows (exit 0 when the file was processed).

    A full roster that lacks a required column, has no acceptable row or would remove too many households is
    refused whole: nothing changes, the reason is printed and the exit status is 2.
    """
    try:
        day = date.fromisoformat(as_of)
    except ValueError:
        fail(f"--as-of 日期格式应为 YYYY-MM-DD / --as-of must be YYYY-MM-DD, got {as_of!r}")
        return
    summary = send_roster(paths, day, partial, api_url, allow_removal)
    console.print_json(data=summary)


@app.command("issues")
def import_issues(
    paths: Annotated[list[Path], typer.Argument(help="问题清单 files: .xlsx or CSV", exists=True)],
    api_url: Annotated[str, typer.Option(help="Intake service", envvar="LOOKBACK_INTAKE_URL")] = INTAKE_URL,
) -> None:
    """Import problem lists; prints a JSON list of summaries, one per file (exit 0 when each was processed)."""
    console.print_json(data=[send_problem_list(path, api_url) for path in paths])


@app.command("template")
def template(
    form: Annotated[str, typer.Argument(help="roster (人口明细, 村级信息) or issues (问题清单)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default: the form's own name, here")
    ] = None,
    api_url: Annotated[str, typer.Option(help="Intake service", envvar="LOOKBACK_INTAKE_URL")] = INTAKE_URL,
) -> None:
    """Write a blank form (.xlsx) headed with the columns the import reads; docs/forms.md says what each holds."""
    if form not in ("roster", "issues"):
        fail(f"表格只能是 roster 或 issues / the form is roster or issues, got {form!r}")
    response = request("GET", f"{api_url}/templates/{form}")
    target = output or Path(filename(response.headers.get("content-disposition", ""), f"{form}-template.xlsx"))
    target.write_bytes(response.content)
    err.print(f"已写入 / wrote {target}")

"""`lookback case …`: the rectification workflow from the command line, as the token's user."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from apps.cli.http import RECTIFY_URL, console, day, detail, fail, request, send
from apps.cli.tables import print_table, table
from lookback.contracts.envelope import Envelope

app = typer.Typer(help="Cases (整改台帐): list, show and act on them.", no_args_is_help=True)

ApiUrl = Annotated[str, typer.Option(help="Rectify service", envvar="LOOKBACK_RECTIFY_URL")]
On = Annotated[
    str | None,
    typer.Option(
        help="办理日期 2020-01-12, 2020/01/12, 2020.1.12 or 2020年1月12日 (default: today by the business clock; "
        "never before the case opened or its last step, never after today)"
    ),
]


CaseIds = Annotated[
    list[str] | None, typer.Argument(help="Case ids (or unique prefixes of 4+ hex digits)", show_default=False)
]
IdsFrom = Annotated[
    Path | None,
    typer.Option(
        "--ids-from",
        help="Also act on every case id in this file, one a line ('-': stdin), e.g. from `case list --format json`",
        show_default=False,
    ),
]


def _act(api_url: str, case_id: str, action: str, body: dict[str, Any], on: str | None) -> None:
    if on:
        body["on"] = day(on, "--on")
    _show(request("POST", f"{api_url}/cases/{case_id}/{action}", json=body).json())


def _show(case: dict[str, Any]) -> None:
    console.print(f"{case['case_id']}: {case['status_label']} ({case['status']}), 整改时限 {case['deadline']}")


def _act_on_each(
    api_url: str, case_ids: list[str], ids_from: Path | None, action: str, body: dict[str, Any], on: str | None
) -> None:
    """One case as `_act` does; several one after another, each its own request and event, every one
    reported done or why not (as the workbench's bulk bar does); exit 1 if any was refused."""
    listed = list(dict.fromkeys([*case_ids, *_read_ids(ids_from)]))
    if not listed:
        fail("请给出案件编号或 --ids-from / give case ids or --ids-from")
    if len(listed) == 1:
        _act(api_url, listed[0], action, body, on)
        return
    if on:
        body["on"] = day(on, "--on")
    refused = 0
    for case_id in listed:
        reply = send("POST", f"{api_url}/cases/{case_id}/{action}", json=body)
        if reply.status_code == 200:
            _show(reply.json())
        else:
            refused += 1
            console.print(f"{case_id}: 未办理 / not done ({reply.status_code}): {detail(reply)}", markup=False)
    console.print(f"已办理 {len(listed) - refused} 件，未办理 {refused} 件 / done, not done")
    if refused:
        raise typer.Exit(1)


def _read_ids(source: Path | None) -> list[str]:
    if source is None:
        return []
    text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@app.command("list")
def list_cases(
    village: Annotated[str | None, typer.Option(help="行政村")] = None,
    unit: Annotated[str | None, typer.Option(help="责任单位")] = None,
    status: Annotated[
        str | None,
        typer.Option(help="pending, in_progress, rectified, escalated, county_accepted, verified, dismissed"),
    ] = None,
    overdue: Annotated[bool | None, typer.Option(help="Only overdue (or only not overdue) cases")] = None,
    format: Annotated[str, typer.Option(help="table or json")] = "table",
    api_url: ApiUrl = RECTIFY_URL,
) -> None:
    """Cases the token's user may see."""
    params = {
        k: v
        for k, v in {"village": village, "unit": unit, "status": status, "overdue": overdue}.items()
        if v is not None
    }
    cases = request("GET", f"{api_url}/cases", params=params).json()
    if format == "json":
        print(json.dumps(cases, ensure_ascii=False))
        return
    out = table("案件 case", "行政村", "条目", "责任单位", "状态", "整改时限", "逾期")
    for c in cases:
        out.add_row(
            c["case_id"][:12],
            c["village"],
            str(c["item"]),
            c["lead_unit"],
            c["status_label"],
            c["deadline"],
            "是" if c["overdue"] else "",
        )
    print_table(console, out)


@app.command("show")
def show(case_id: str, api_url: ApiUrl = RECTIFY_URL) -> None:
    """One case as JSON."""
    print(json.dumps(request("GET", f"{api_url}/cases/{case_id}").json(), ensure_ascii=False, indent=1))


@app.command("history")
def history(case_id: str, api_url: ApiUrl = RECTIFY_URL) -> None:
    """Every event of the case (station and auditors): when (UTC+8), who, what in Chinese, and what it changed,
    read as `lookback audit history case` reads the log."""
    from apps.audit.history import entries
    from apps.audit.report import history_table

    rows = request("GET", f"{api_url}/cases/{case_id}/history").json()
    found = entries([(row.pop("seq") or 0, Envelope.model_validate(row)) for row in rows])
    print_table(console, history_table(f"案件 case {found[0].envelope.aggregate_id}", found))


@app.command("assign")
def assign(
    case_ids: CaseIds = None,
    unit: Annotated[str | None, typer.Option(help="责任单位")] = None,
    person: Annotated[str | None, typer.Option(help="责任人")] = None,
    note: str = "",
    on: On = None,
    ids_from: IdsFrom = None,
    api_url: ApiUrl = RECTIFY_URL,
) -> None:
    """分派: set the lead unit and/or the responsible person, of one case or many."""
    _act_on_each(api_url, case_ids or [], ids_from, "assign", {"lead_unit": unit, "person": person, "note": note}, on)


@app.command("start")
def start(
    case_id: str, measures: Annotated[str, typer.Option(help="整改措施")], on: On = None, api_url: ApiUrl = RECTIFY_URL
) -> None:
    """开始整改."""
    _act(api_url, case_id, "start", {"measures": measures}, on)


@app.command("rectified")
def rectified(
    case_id: str, measures: Annotated[str, typer.Option(help="整改措施")], on: On = None, api_url: ApiUrl = RECTIFY_URL
) -> None:
    """已整改待验收: report the work done."""
    _act(api_url, case_id, "rectified", {"measures": measures}, on)


@app.command("verify")
def verify(
    case_id: str,
    passed: Annotated[bool, typer.Option("--passed/--failed", help="销号, or 验收不通过")],
    reason: str = "",
    on: On = None,
    api_url: ApiUrl = RECTIFY_URL,
) -> None:
    """验收: close the case (销号) or send it back (验收不通过, reason required)."""
    _act(api_url, case_id, "verify", {"passed": passed, "reason": reason}, on)


@app.command("escalate")
def escalate(
    county_unit: Annotated[str, typer.Option(help="县级指挥部")],
    reason: Annotated[str, typer.Option(help="上报理由")],
    case_ids: CaseIds = None,
    on: On = None,
    ids_from: IdsFrom = None,
    api_url: ApiUrl = RECTIFY_URL,
) -> None:
    """上报县级, one case or many."""
    _act_on_each(api_url, case_ids or [], ids_from, "escalate", {"county_unit": county_unit, "reason": reason}, on)


@app.command("answer")
def answer(
    case_id: str,
    accepted: Annotated[bool, typer.Option("--accepted/--returned")],
    new_deadline: Annotated[str | None, typer.Option(help="新整改时限, with --accepted")] = None,
    note: str = "",
    entered_for: Annotated[
        str | None,
        typer.Option(help="县级答复人: a station user entering the county's answer from paper names who gave it"),
    ] = None,
    on: On = None,
    api_url: ApiUrl = RECTIFY_URL,
) -> None:
    """县级答复: a county user accepts the escalation (县级已受理, optionally with a new deadline) or returns it;
    the station only enters an answer the county gave on paper (--entered-for)."""
    body = {
        "accepted": accepted,
        "new_deadline": day(new_deadline, "--new-deadline") if new_deadline else None,
        "note": note,
        "entered_for": entered_for,
    }
    _act(api_url, case_id, "answer", body, on)


@app.command("extend")
def extend(
    new_deadline: Annotated[str, typer.Option(help="新整改时限 2020-01-12, 2020/01/12, 2020.1.12 or 2020年1月12日")],
    reason: Annotated[str, typer.Option(help="延期理由")],
    case_ids: CaseIds = None,
    on: On = None,
    ids_from: IdsFrom = None,
    api_url: ApiUrl = RECTIFY_URL,
) -> None:
    """延期: a later deadline, with a reason, for one case or many; the old one stays in the history."""
    body = {"new_deadline": day(new_deadline, "--new-deadline"), "reason": reason}
    _act_on_each(api_url, case_ids or [], ids_from, "extend", body, on)


@app.command("dismiss")
def dismiss(
    case_id: str,
    reason: Annotated[str, typer.Option(help="不属实的理由")],
    on: On = None,
    api_url: ApiUrl = RECTIFY_URL,
) -> None:
    """不属实: close the case as not a real problem."""
    _act(api_url, case_id, "dismiss", {"reason": reason}, on)

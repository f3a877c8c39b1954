"""`lookback report …`: the half-monthly statistics, problem counts, and the forms (问题清单, 整改台帐, 汇总表)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from apps.cli.http import REPORTING_URL, console, err, filename, request
from apps.cli.tables import print_table, table
from lookback.calendar import Period as HalfMonth

app = typer.Typer(
    help="Reports (报表): half-monthly statistics, problem counts, ledger and exports.", no_args_is_help=True
)

Period = Annotated[str, typer.Option(help="YYYY-MM-H1 (1st–15th) or YYYY-MM-H2 (16th–end)")]
KnownAt = Annotated[
    str | None,
    typer.Option(
        "--known-at",
        help="Leave out what was recorded after this instant of the business clock (ISO; no zone = UTC+8)",
    ),
]
ApiUrl = Annotated[str, typer.Option(help="Reporting service", envvar="LOOKBACK_REPORTING_URL")]
Village = Annotated[str | None, typer.Option(help="本村的表: the list or ledger of this village (a cadre's own)")]
Unit = Annotated[str | None, typer.Option(help="本单位的表: the list or ledger of the cases this unit leads")]


class Kind(StrEnum):
    problems = "problems"
    ledger = "ledger"
    summary = "summary"


class Shown(StrEnum):
    table = "table"
    json = "json"


class SheetFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


SheetFormatOption = Annotated[SheetFormat, typer.Option(help="table, json or csv")]


class FileFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


MEASURES = {
    "found": "本期新发现 found",
    "found_cumulative": "累计发现 found, cumulative",
    "cleared_by_data": "本期数据复核消除 cleared by data",
    "rectified": "本期报告整改 rectified",
    "verified": "本期销号 verified",
    "verified_cumulative": "累计销号 verified, cumulative",
    "dismissed_cumulative": "累计不属实 dismissed",
    "escalated_cumulative": "累计上报县级 escalated",
    "open": "期末未销号 open",
    "overdue": "期末逾期 overdue",
    "rectification_rate": "整改率 rectification rate",
}


def _params(period: str, known_at: str | None, **more: str) -> dict[str, str]:
    return {"period": period, **({"known_at": known_at} if known_at else {}), **more}


def _show(value: Any) -> str:
    return "—" if value is None else f"{value:.1%}" if isinstance(value, float) else str(value)


@app.command("semimonthly")
def report_semimonthly(
    period: Period,
    known_at: KnownAt = None,
    format: Annotated[Shown, typer.Option(help="table or json")] = Shown.table,
    api_url: ApiUrl = REPORTING_URL,
) -> None:
    """The half-monthly statistics (半月统计) of one period next to the previous one."""
    report = request("GET", f"{api_url}/reports/semimonthly", params=_params(period, known_at)).json()
    if format is Shown.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True))
        return
    current, previous = HalfMonth.parse(report["period"]), HalfMonth.parse(report["previous"]["period"])
    title = f"{current.label} ({report['first_day']} – {report['last_day']})"
    out = table("指标 measure", current.label, previous.label, title=title)
    for key, label in MEASURES.items():
        out.add_row(label, _show(report["current"][key]), _show(report["previous"][key]))
    print_table(console, out)
    _print_code(report.get("check_code"))


def _print_code(code: str | None) -> None:
    """The 校验码 under a printed report: `lookback audit verify-report CODE` checks it against the log."""
    console.print(f"校验码 check code: {code or '— (尚无 / none yet)'}")


@app.command("problems")
def report_problems(
    by: Annotated[str, typer.Option(help="Group by: rule, village or rule,village")] = "rule,village",
    format: Annotated[Shown, typer.Option(help="json or table")] = Shown.json,
    api_url: ApiUrl = REPORTING_URL,
) -> None:
    """Problems ever flagged, by rule id and village, from the reporting read model."""
    counts = request("GET", f"{api_url}/reports/problems", params={"by": by}).json()
    if format is Shown.json:
        print(json.dumps(counts, ensure_ascii=False, sort_keys=True))
        return
    out = table("key", "count")
    for key, value in sorted(counts.items()):
        out.add_row(key, json.dumps(value, ensure_ascii=False))
    print_table(console, out)


def _fetch(
    kind: Kind, period: str, known_at: str | None, format: str, api_url: str, **scope: str | None
) -> httpx.Response:
    params = _params(period, known_at, format=format, **{k: v for k, v in scope.items() if v is not None})
    return request("GET", f"{api_url}/reports/exports/{kind.value}", params=params)


def _print_sheet(
    kind: Kind, period: str, known_at: str | None, format: SheetFormat, api_url: str, **scope: str | None
) -> None:
    if format is not SheetFormat.table:
        print(_fetch(kind, period, known_at, format.value, api_url, **scope).content.decode("utf-8-sig"), end="")
        return
    sheet = _fetch(kind, period, known_at, "json", api_url, **scope).json()
    out = table(*sheet["columns"], title=sheet["title"])
    for row in sheet["rows"]:
        out.add_row(*(_show(v) for v in row.values()))
    print_table(console, out)
    _print_code(sheet.get("check_code"))


@app.command("ledger")
def report_ledger(
    period: Period,
    known_at: KnownAt = None,
    format: SheetFormatOption = SheetFormat.table,
    village: Village = None,
    unit: Unit = None,
    api_url: ApiUrl = REPORTING_URL,
) -> None:
    """The rectification ledger (整改台帐) as it stood at the end of the period (`export ledger` for a file)."""
    _print_sheet(Kind.ledger, period, known_at, format, api_url, village=village, unit=unit)


@app.command("summary")
def report_summary(
    period: Period,
    known_at: KnownAt = None,
    format: SheetFormatOption = SheetFormat.table,
    api_url: ApiUrl = REPORTING_URL,
) -> None:
    """The town's summary to the county (问题排查情况汇总表): problems found by category and village."""
    _print_sheet(Kind.summary, period, known_at, format, api_url)


@app.command("export")
def report_export(
    kind: Annotated[Kind, typer.Argument(help="problems (问题清单), ledger (整改台帐) or summary (汇总表)")],
    period: Period,
    known_at: KnownAt = None,
    format: Annotated[FileFormat, typer.Option(help="xlsx, csv or json")] = FileFormat.xlsx,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default: the form's own name, here")
    ] = None,
    village: Village = None,
    unit: Unit = None,
    api_url: ApiUrl = REPORTING_URL,
) -> None:
    """Download a form as a file; ID numbers are masked unless your role may export personal data. A cadre
    or unit officer downloads the 问题清单 and 整改台帐 of their own village or unit (--village / --unit)."""
    response = _fetch(kind, period, known_at, format.value, api_url, village=village, unit=unit)
    target = output or Path(filename(response.headers.get("content-disposition", ""), f"{kind.value}.{format.value}"))
    target.write_bytes(response.content)
    err.print(f"已写入 / wrote {target}; 校验码 check code {response.headers.get('lb-check-code', '—')}")

"""`lookback report …`: the half-monthly statistics and the problem counts."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from lookback.cli.http import REPORTING_URL, console, request

app = typer.Typer(help="Reports (报表): half-monthly statistics and problem counts.", no_args_is_help=True)


@app.command("semimonthly")
def report_semimonthly(
    period: Annotated[str, typer.Option(help="YYYY-MM-H1 (1st–15th) or YYYY-MM-H2 (16th–end)")],
    format: Annotated[str, typer.Option(help="json or table")] = "table",
    api_url: Annotated[str, typer.Option(help="Reporting service", envvar="LOOKBACK_REPORTING_URL")] = REPORTING_URL,
) -> None:
    """The half-monthly statistics (半月统计) of one period next to the previous one."""
    report = request("GET", f"{api_url}/reports/semimonthly", params={"period": period}).json()
    if format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"{report['period']} ({report['first_day']} – {report['last_day']})")
    for col in ("指标 measure", report["period"], report["previous"]["period"]):
        table.add_column(col)
    labels = {
        "found": "新发现 found",
        "found_cumulative": "累计发现 cumulative",
        "cleared_by_data": "数据销除 cleared",
        "open": "未整改 open",
        "overdue": "逾期 overdue",
    }
    for key, label in labels.items():
        table.add_row(label, str(report["current"][key]), str(report["previous"][key]))
    console.print(table)


@app.command("problems")
def report_problems(
    by: Annotated[str, typer.Option(help="Group by: rule, village or rule,village")] = "rule,village",
    format: Annotated[str, typer.Option(help="json or table")] = "json",
    api_url: Annotated[str, typer.Option(help="Reporting service", envvar="LOOKBACK_REPORTING_URL")] = REPORTING_URL,
) -> None:
    """Problems ever flagged, by rule id and village, from the reporting read model."""
    counts = request("GET", f"{api_url}/reports/problems", params={"by": by}).json()
    if format == "json":
        print(json.dumps(counts, ensure_ascii=False, sort_keys=True))
        return
    table = Table("key", "count")
    for key, value in sorted(counts.items()):
        table.add_row(key, json.dumps(value, ensure_ascii=False))
    console.print(table)

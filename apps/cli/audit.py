"""`lookback audit …`: rebuild the read models from the log, check the live ones, read one aggregate's history.

These commands read the event log directly over NATS, as the station does: whoever can run them can
read every event. That is why personal data is masked unless `--show-personal-data` is given, and why
that flag is for the station only (there is no token check here: NATS access is the check).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from apps.cli.http import console, err, fail
from lookback.contracts.subjects import STREAM
from lookback.settings import DEFAULT_NATS_PORT

app = typer.Typer(help="Audit the read models against the event log (审计).", no_args_is_help=True)

NatsUrl = Annotated[str, typer.Option(help="NATS with the LOOKBACK stream", envvar="LOOKBACK_NATS_URL")]
DEFAULT_NATS = f"nats://127.0.0.1:{DEFAULT_NATS_PORT}"
Workers = Annotated[int, typer.Option(help="Processes rebuilding at once (the read models are split)", min=1)]
DEFAULT_WORKERS = os.cpu_count() or 1
ShowPersonal = Annotated[
    bool, typer.Option("--show-personal-data", help="Print names, ID numbers and phones in full (station only)")
]


def _authorised(nats_url: str) -> str:
    """`nats_url` as the audit user (the embedded server's, found in the data dir, or `LOOKBACK_NATS_USER`'s),
    for the processes a replay starts; never printed."""
    from apps.natsauth import cli_credentials, with_credentials

    return with_credentials(nats_url, cli_credentials(Path(os.environ.get("LOOKBACK_DATA_DIR", ".lookback"))))


async def _connected(nats_url: str, work: Any) -> Any:
    import nats

    from lookback.messaging import missing_stream

    async def quiet(_error: Exception) -> None:
        """The failure is reported once, below, not as a traceback per attempt."""

    try:
        nc = await nats.connect(
            _authorised(nats_url), name="lookback-audit", max_reconnect_attempts=1, connect_timeout=5, error_cb=quiet
        )
    except (OSError, nats.errors.Error) as e:
        fail(f"无法连接 {nats_url} / cannot reach NATS at {nats_url}: {type(e).__name__}. Is `lookback up` running?")
    try:
        try:
            gone = await missing_stream(nc)
        except nats.errors.Error as e:
            fail(f"NATS 无应答 / NATS at {nats_url} did not answer about the log: {type(e).__name__}")
        if gone:
            fail(f"事件流 {gone} 不存在（已被删除？）/ the stream {gone} does not exist on {nats_url} (deleted?)")
        return await work(nc)
    finally:
        await nc.close()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@app.command()
def replay(
    into: Annotated[str, typer.Option("--into", help="SQLAlchemy URL of a fresh database, e.g. sqlite:///r.db")],
    until: Annotated[
        str | None,
        typer.Option(help="Stop at the first event recorded after this ISO instant (a date alone: 00:00 China time)"),
    ] = None,
    service: Annotated[list[str] | None, typer.Option(help="Only this service's read model (repeat)")] = None,
    batch_size: Annotated[int, typer.Option(help="Events per transaction per read model")] = 1000,
    workers: Workers = DEFAULT_WORKERS,
    nats_url: NatsUrl = DEFAULT_NATS,
) -> None:
    """Rebuild every service's read model from the log into a fresh database the services can use."""
    from apps.audit.projections import by_name
    from apps.audit.replay import NotFresh
    from apps.audit.workers import replay_on_cores
    from lookback.clock import parse_instant

    try:
        projections = by_name(service)
        until_at = parse_instant(until) if until else None
    except ValueError as e:
        fail(str(e))
    with _progress() as progress:
        task = progress.add_task("重建 replaying", total=None, rate="")

        def advance(last: int, stop: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0
            rate = f"{last / elapsed:,.0f} seq/s" if elapsed else ""
            progress.update(task, completed=last, total=stop, rate=rate)

        try:
            result = asyncio.run(
                _connected(
                    nats_url,  # reached once here, so a wrong URL is told before any process starts
                    lambda _: replay_on_cores(
                        _authorised(nats_url),
                        [(p.name, into) for p in projections],
                        workers=workers,
                        until=until_at,
                        batch_size=batch_size,
                        progress=advance,
                    ),
                )
            )
        except NotFresh as e:
            fail(str(e))
    for p in result.projections:
        aside = f", {len(p.set_aside)} set aside" if p.set_aside else ""
        console.print(f"  {p.name:<9} {p.events:>8} events, position {p.position}{aside}")
    if result.stopped_at is not None:
        console.print(f"stopped before seq {result.stopped_at}: recorded after {until_at}")
    console.print(f"replayed {result.read} events in {result.seconds:.1f} s: {result.rate:,.0f} events/s")


@app.command()
def verify(
    db_url: Annotated[
        list[str] | None,
        typer.Option(help="SERVICE=URL of a live read model (repeat), or one URL all four share"),
    ] = None,
    data_dir: Annotated[
        Path, typer.Option(help="Where the services keep their SQLite read models", envvar="LOOKBACK_DATA_DIR")
    ] = Path(".lookback"),
    service: Annotated[list[str] | None, typer.Option(help="Only this service's read model (repeat)")] = None,
    keep: Annotated[bool, typer.Option(help="Keep the rebuilt databases and print where they are")] = False,
    batch_size: Annotated[
        int, typer.Option(help="Events per rebuild transaction; 1 replays event by event (slow; see docs/audit.md)")
    ] = 1000,
    workers: Workers = DEFAULT_WORKERS,
    show_personal_data: ShowPersonal = False,
    nats_url: NatsUrl = DEFAULT_NATS,
) -> None:
    """Check that the live read models equal a rebuild from the log up to the same positions (exit 1 if not)."""
    from apps.audit.projections import by_name
    from apps.audit.report import verify_lines
    from apps.audit.verify import verify as run

    try:
        projections = by_name(service)
    except ValueError as e:
        fail(str(e))
    live = live_urls([p.name for p in projections], db_url or [], data_dir)
    scratch = Path(tempfile.mkdtemp(prefix="lookback-verify-"))
    with err.status("重建并比对 rebuilding and comparing…"):
        checks, details = asyncio.run(
            _connected(nats_url, lambda _: run(_authorised(nats_url), live, projections, scratch, batch_size, workers))
        )
    with err.status("查重复编号、比对案件列表与报表 repeated ids, case list against reports…"):
        repeated, agreement = asyncio.run(_connected(nats_url, lambda nc: _across(nc, live, projections)))
    console.print("positions: " + ", ".join(f"{c.name} {c.position}" for c in checks))
    for line in verify_lines(checks, details, reveal=show_personal_data):
        console.print(line, soft_wrap=True)
    for found in [*repeated, *(agreement.found if agreement else [])]:
        console.print(Text(found.describe(), style="red"), soft_wrap=True)
    if agreement is not None and agreement.compared is None:
        console.print(
            f"case list and reports not compared: rectify at {agreement.positions[0]}, reporting at "
            f"{agreement.positions[1]}, and the log has case events after that (run again when idle)"
        )
    elif agreement is not None:
        console.print(f"case list and reports: {agreement.compared} cases compared")
    if keep:
        console.print(f"rebuilt databases: {scratch} (one per live database: rebuilt-0.db, …)")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    if not all(c.equal for c in checks) or repeated or (agreement and agreement.found):
        console.print("[red]different: the read models do not say what the log says[/red]")
        raise typer.Exit(1)
    console.print("[green]equal: every read model is what the log says, no event id occurs twice[/green]")


async def _across(nc: Any, live: dict[str, str], projections: list[Any]) -> tuple[list[Any], Any]:
    """The checks no single rebuild makes: ids stored twice, and the case list against the reports."""
    from apps.audit.agreement import case_agreement, repeated_ids

    repeated = await repeated_ids(nc)
    durable = {p.name: p.durable for p in projections}
    if "rectify" not in durable or "reporting" not in durable:
        return repeated, None
    urls = (live["rectify"], live["reporting"])
    return repeated, await case_agreement(nc, *urls, (durable["rectify"], durable["reporting"]))


def live_urls(names: list[str], given: list[str], data_dir: Path) -> dict[str, str]:
    """Each service's database: `SERVICE=URL`, else one URL for all, else `<data dir>/<service>.db`."""
    shared = [g for g in given if "=" not in g.split("://")[0]]
    named = dict(g.split("=", 1) for g in given if g not in shared)
    unknown = set(named) - set(names)
    if unknown or len(shared) > 1:
        fail(f"--db-url takes SERVICE=URL for {', '.join(names)}, or one URL they share")
    default = {n: f"sqlite:///{(data_dir / f'{n}.db').resolve()}" for n in names}
    return {n: named.get(n) or (shared[0] if shared else default[n]) for n in names}


@app.command()
def history(
    aggregate: Annotated[str, typer.Argument(help="household, case or problem")],
    aggregate_id: Annotated[
        str, typer.Argument(metavar="ID", help="户编号, or the problem / case id (or a unique prefix of it)")
    ],
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    max_changes: Annotated[int, typer.Option(help="Changes shown per event in the table")] = 30,
    show_personal_data: ShowPersonal = False,
    nats_url: NatsUrl = DEFAULT_NATS,
) -> None:
    """Every event about one household, problem (with its case) or case, in order, with what each changed."""
    from apps.audit.history import history as read
    from apps.audit.report import history_json, history_table

    if aggregate not in ("household", "case", "problem"):
        fail("aggregate must be household, case or problem")
    try:
        entries = asyncio.run(_connected(nats_url, lambda nc: read(nc, aggregate, aggregate_id)))  # type: ignore[arg-type]
    except (ValueError, LookupError) as e:
        fail(str(e))
    if not entries:
        fail(f"无此记录 / no events for {aggregate} {aggregate_id}")
    if output == "json":
        print(json.dumps(history_json(entries, show_personal_data), ensure_ascii=False, indent=1))
        return
    console.print(history_table(f"{aggregate} {aggregate_id}", entries, show_personal_data, max_changes))


Stream = Annotated[str, typer.Option(help="The log, or a copy of it to check (a restored backup)")]
DataDir = Annotated[Path, typer.Option(help="The station's data directory", envvar="LOOKBACK_DATA_DIR")]


@app.command("verify-chain")
def verify_chain(
    keys: Annotated[
        Path | None, typer.Option(help="Folder of the services' public keys (<service>.pub); DATA_DIR/keys if unset")
    ] = None,
    data_dir: DataDir = Path(".lookback"),
    stream: Stream = STREAM,
    nats_url: NatsUrl = DEFAULT_NATS,
) -> None:
    """Check every event's signature and the hash chain of every aggregate: undecodable, unsigned,
    mis-signed, missing, altered or reordered events, and recorded times far from when the server stored
    them, each with its sequence. Exit status 1 when anything is found."""
    from apps.audit.integrity import verify_chain as run
    from lookback.signing import load_public_keys

    folder = keys or data_dir / "keys"
    try:
        trusted = load_public_keys(folder)
    except ValueError as e:
        fail(str(e))
    if not trusted:
        err.print(f"{folder} 中没有公钥 / no public keys in {folder}: no signature can be checked")
    found = asyncio.run(_connected(nats_url, lambda nc: run(nc, trusted, stream)))
    for line in found.lines():
        console.print(line, soft_wrap=True)
    if not found.clean:
        raise typer.Exit(1)


@app.command("verify-report")
def verify_report(
    code: Annotated[str, typer.Argument(help="The 校验码 printed on a report or export, e.g. 365-ABCD-EFGH-JKLM")],
    stream: Stream = STREAM,
    nats_url: NatsUrl = DEFAULT_NATS,
) -> None:
    """Tell whether the log still holds exactly what a report with this 校验码 was made from (exit 1 if not)."""
    from apps.audit.integrity import code_at
    from lookback.logdigest import parse_code, same_code

    try:
        seq, _ = parse_code(code)
    except ValueError as e:
        fail(str(e))
    now = asyncio.run(_connected(nats_url, lambda nc: code_at(nc, seq, stream)))
    if now is None:
        console.print(f"[red]不符：日志没有第 {seq} 条 / different: the log does not reach seq {seq}[/red]")
        raise typer.Exit(1)
    if not same_code(code, now):
        console.print(
            f"[red]不符：日志前 {seq} 条已变 / different: the log up to seq {seq} now gives {now}, not {code}[/red]"
        )
        raise typer.Exit(1)
    console.print(f"[green]相符 / equal: the log up to seq {seq} is exactly what the report was made from[/green]")


@app.command("verify-submissions")
def verify_submissions(stream: Stream = STREAM, nats_url: NatsUrl = DEFAULT_NATS) -> None:
    """Rebuild every submitted form (报送) from the log at its cutoff and compare its sha256 (exit 1 on a mismatch)."""
    from apps.audit.submissions import check_submissions
    from lookback.catalogue import load as load_catalogue

    checks = asyncio.run(_connected(nats_url, lambda nc: check_submissions(nc, load_catalogue(), stream)))
    for c in checks:
        mark = "[green]相符 / equal[/green]" if c.equal else "[red]不符 / different[/red]"
        console.print(f"{mark} seq {c.seq} {c.submission_id} {c.kind} @ {c.cutoff}: {c.found[:16]}")
    wrong = [c for c in checks if not c.equal]
    console.print(f"{len(checks) - len(wrong)}/{len(checks)} 份报表相符 / forms reproduced byte for byte")
    if wrong:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()

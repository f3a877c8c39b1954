"""A log of a million events in minutes, written by the services' own code.

Pushing that many households through the four processes would take about an hour at a few hundred a
second (docs/benchmarks.md). Here one process plays the system instead: the demo town is imported
chunk by chunk with intake's own import diff (`roster_events`), and intake, rules and rectify fold
what was published with their own handlers, on their own scratch databases, publishing what they
derive. A month later each chunk is imported again from the corrected roster, so problems clear by
data and cases move. The log holds what the system would have stored for the same imports; only
where one service's batches fall between another's differs, and no service depends on that (each
judges the events of its subjects in stream order).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nats.aio.client import Client
from rich.progress import TimeRemainingColumn
from sqlalchemy import Engine
from sqlmodel import Session

from apps.audit.projections import Projection, intake, rectify, rules
from apps.audit.reader import stream_head
from apps.audit.subjects import matches_any
from apps.demo import PERSON_COLUMNS, VILLAGE_COLUMNS, correct, generate
from apps.demo.town import DemoTown
from bench.report import bar
from bench.towns import SEED, write_rows
from lookback.catalogue import load as load_catalogue
from lookback.consumer import Delivered
from lookback.contracts.envelope import Envelope
from lookback.messaging import ATOMIC_LIMIT, Publisher, connect, ensure_streams
from lookback.store import make_engine
from services.intake.adapters.sheets import parse_roster
from services.intake.importer import import_id_of, roster_events, sealed

CHUNK = 5_000
"""Households per import: what a township sends at a time, and small enough to hold in memory."""
EVENTS_PER_HOUSEHOLD = 2.2
"""Measured on the demo town (both imports): sizes the town so the log reaches its target near the end."""
FIRST, SECOND = date(2019, 12, 1), date(2020, 1, 1)
FIXED_SHARE = 0.4
"""Households of the second roster that fixed what data can fix."""
ACTOR = "user:station"

Advance = Callable[[int], None]
"""Called with the number of events stored so far."""


@dataclass
class Stage:
    """One service's consumer, run in this process on its own scratch database."""

    projection: Projection
    engine: Engine

    def fold(self, batch: Sequence[Delivered]) -> list[Envelope]:
        mine = [d for d in batch if matches_any(self.projection.filters, d.envelope.subject)]
        if not mine:
            return []
        with Session(self.engine) as session:
            derived = self.projection.handler(session, mine)
            session.commit()
        return derived


@dataclass
class Grower:
    """Publishes in stream order from one task while the handlers work in a thread: the two cores
    share the handlers' CPU and nats-server's fsyncs."""

    nc: Client
    folder: Path
    chunk: int = CHUNK
    keep_files: bool = False
    """Keep each import's files (a test sends them to the real system); a million events' worth is GBs."""
    imports: list[tuple[list[Path], date]] = field(default_factory=list)
    """The files imported, in order, with their as-of date."""
    stages: list[Stage] = field(default_factory=list)
    stored: int = 0
    queue: asyncio.Queue[list[Envelope] | None] = field(default_factory=asyncio.Queue)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        for projection in (intake(), rules(), rectify()):
            engine = make_engine(f"sqlite:///{self.folder / projection.name}.db")
            projection.prepare(engine)
            self.stages.append(Stage(projection, engine))

    async def publisher(self, progress: Advance) -> None:
        publisher = Publisher(self.nc, timeout=60)
        while (batch := await self.queue.get()) is not None:
            for start in range(0, len(batch), ATOMIC_LIMIT):
                await publisher.publish_batch(batch[start : start + ATOMIC_LIMIT])
                self.stored += len(batch[start : start + ATOMIC_LIMIT])
                progress(self.stored)

    def flow(self, envelopes: list[Envelope], first_seq: int) -> tuple[list[list[Envelope]], int]:
        """The batches these events set off, in the order the log stores them: each service folds what
        came before it, and what it derives joins the end of the line."""
        line, out, seq = [envelopes], [], first_seq
        while line:
            batch = line.pop(0)
            out.append(batch)
            delivered = [Delivered(seq + n, env) for n, env in enumerate(batch, 1)]
            seq += len(batch)
            line += [derived for stage in self.stages if (derived := stage.fold(delivered))]
        return out, seq

    async def grow(self, town: DemoTown, target: int, progress: Advance) -> int:
        """Import the town chunk by chunk, each twice (as first sent, then corrected), until `target`."""
        sender = asyncio.create_task(self.publisher(progress))
        seq = 0
        try:
            corrected = correct(town, FIXED_SHARE, SEED)
            pairs = zip(chunks(town, self.chunk), chunks(corrected, self.chunk), strict=True)
            for n, (first, second) in enumerate(pairs):
                for as_of, households, name in ((FIRST, first, "first"), (SECOND, second, "second")):
                    files = self.write_chunk(town, households, n, name)
                    batches, seq = await asyncio.to_thread(self.import_chunk, files, as_of, seq)
                    for batch in batches:
                        await self.queue.put(batch)
                if seq >= target:
                    break
        finally:
            await self.queue.put(None)
            await sender
        for stage in self.stages:
            stage.engine.dispose()
        return self.stored

    def import_chunk(self, files: list[Path], as_of: date, seq: int) -> tuple[list[list[Envelope]], int]:
        """The import as intake takes it when the files are sent with `lookback import roster --partial`:
        same import id, same events."""
        import_id = import_id_of([(path.name, path.read_bytes()) for path in files], as_of, True)
        parsed = parse_roster(files, load_catalogue().villages)
        engine = self.stages[0].engine
        envelopes = [
            s.envelope for s in sealed(engine, list(roster_events(engine, parsed, import_id, as_of, True, ACTOR)))
        ]
        self.imports.append((files, as_of))
        if not self.keep_files:
            for path in files:
                path.unlink()
        return self.flow(envelopes, seq)

    def write_chunk(self, town: DemoTown, households: list[list[dict[str, str]]], n: int, name: str) -> list[Path]:
        """The chunk as the CSV a town would send; the first chunk carries the village sheet too."""
        roster = self.folder / f"{name}-{n}-roster.csv"
        write_csv(roster, PERSON_COLUMNS, (row for rows in households for row in rows))
        if n:
            return [roster]
        villages = self.folder / f"{name}-villages.csv"
        write_csv(villages, VILLAGE_COLUMNS, town.village_rows())
        return [roster, villages]


def chunks(town: DemoTown, size: int) -> Iterator[list[list[dict[str, str]]]]:
    """The town's households, `size` at a time, each as its person rows."""
    households = (list(rows) for _, rows in itertools.groupby(town.persons(), key=lambda row: row["户编号"]))
    while batch := list(itertools.islice(households, size)):
        yield batch


def write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        write_rows(out, columns, rows)


def town_for(events: int) -> DemoTown:
    """A demo town large enough for about `events` events."""
    return generate(max(CHUNK, round(events / EVENTS_PER_HOUSEHOLD)), seed=SEED)


async def grow_to(nats_url: str, events: int, folder: Path) -> None:
    nc = await connect(nats_url, "lookback-bench-logmaker")
    try:
        await ensure_streams(nc)
        head = await stream_head(nc)
        if head >= events:
            return
        with bar(TimeRemainingColumn(), transient=False) as progress:
            wanted = events - head
            task = progress.add_task("生成事件 growing the log", total=wanted)
            await Grower(nc, folder).grow(town_for(wanted), wanted, lambda n: progress.update(task, completed=n))
    finally:
        await nc.close()


def main(argv: list[str] | None = None) -> None:
    """A process of its own, so what growing leaves in memory does not weigh on what is measured after."""
    p = argparse.ArgumentParser(prog="python -m bench.logmaker", description=__doc__.split("\n")[0] if __doc__ else "")
    p.add_argument("--nats-url", required=True)
    p.add_argument("--events", type=int, required=True, help="grow the stream until it holds at least this many")
    p.add_argument("--folder", type=Path, required=True, help="scratch space for the chunks and the services' stores")
    args = p.parse_args(argv)
    asyncio.run(grow_to(args.nats_url, args.events, args.folder))


if __name__ == "__main__":
    main()

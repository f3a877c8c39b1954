"""One roster import: parse, read the roster on record, publish what changed
(`domain/roster_events.py` decides what that is).

The server forgets event ids after its duplicate window (10 minutes), so a retry publishes only
what intake has not folded yet: the diff for households and villages, the rows of this import not
rejected yet.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lookback.catalogue import load as load_catalogue
from lookback.contracts.chain import Draft, Sealed, aggregate_key, link, seal
from lookback.contracts.envelope import Envelope
from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved, Rejection
from lookback.messaging import ATOMIC_LIMIT
from lookback.service import Runtime
from lookback.store import load_heads
from services.intake.adapters.sheets import parse_roster
from services.intake.adapters.tables import KnownHousehold, KnownImport, KnownRejection, KnownVillage
from services.intake.domain.columns import PERSONS
from services.intake.domain.refusal import Refusal, RosterOutcome
from services.intake.domain.roster import ParsedRoster
from services.intake.domain.roster_events import ImportEvents, OnRecord, import_events

Progress = dict[str, Any]
log = logging.getLogger("lookback.intake.importer")


def import_id_of(files: Sequence[tuple[str, bytes]], *context: object) -> str:
    """The same files sent in the same context (as-of date, partial; or the reporter) are the same import."""
    digest = hashlib.sha256("|".join(map(str, context)).encode())
    for name, content in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:20]


async def caught_up(runtime: Runtime, timeout: float = 60) -> None:
    """Wait until intake has folded every event the log holds now, so the diff sees the latest roster.

    Woken by each commit of intake's consumer, never by polling: this wait is on the latency path of
    every `POST /households`."""
    try:
        async with asyncio.timeout(timeout):
            for c in runtime.consumers:
                await c.reached(await c.last_in_log())
    except TimeoutError:
        raise TimeoutError("intake has not caught up with the event log") from None


_UNSAFE = re.compile(r"[^\w-]+")
_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")
_LONGEST = 60


def save_files(runtime: Runtime, files: Sequence[tuple[str, bytes]], import_id: str) -> list[Path]:
    """Keep what the town sent beside the import's summary: nothing a user sent is lost."""
    folder = runtime.settings.data_dir / "imports" / import_id
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, (name, content) in enumerate(files, 1):
        path = folder / upload_name(n, name)
        path.write_bytes(content)
        paths.append(path)
    return paths


def upload_name(n: int, sent: str) -> str:
    """The name the server keeps the n-th file of an import under: its number first, so two files sent
    with one name are both kept; then the sent name's letters (Chinese too) and digits only (no path, no `..`),
    so a reader of the import's folder still knows which file was which; the suffix says how to read it."""
    sent_path = Path(sent.replace("\\", "/")).name
    stem, suffix = Path(sent_path).stem, Path(sent_path).suffix.lower()
    safe = _UNSAFE.sub("_", stem).strip("._")[:_LONGEST]
    suffix = suffix if _SUFFIX.fullmatch(suffix) else ""
    return f"{n:02d}-{safe or 'file'}{suffix}"


async def parse(paths: list[Path]) -> ParsedRoster:
    return await asyncio.to_thread(parse_roster, paths, load_catalogue().villages)


async def plan_import(
    runtime: Runtime, parsed: ParsedRoster, import_id: str, as_of: date, partial: bool, actor: str
) -> ImportEvents:
    """What the import would publish and what it counted, decided before anything is published, so a
    roster can still be refused whole."""
    await caught_up(runtime)
    return roster_events(runtime.engine, parsed, import_id, as_of, partial, actor)


def outcome_of(parsed: ParsedRoster, plan: ImportEvents) -> RosterOutcome:
    """A full roster's outcome: every household on record is in it (changed or unchanged) or removed."""
    counts = plan.counts
    return RosterOutcome(
        headers=parsed.headers,
        persons_read=parsed.rows_read[PERSONS],
        persons_accepted=parsed.persons_accepted,
        households_on_record=counts["households_removed"]
        + counts["households_changed"]
        + counts["households_unchanged"],
        households_removed=counts["households_removed"],
    )


async def publish_import(
    runtime: Runtime, parsed: ParsedRoster, plan: ImportEvents, paths: list[Path], import_id: str, as_of: date
) -> AsyncIterator[Progress]:
    """Build, chain and publish one atomic batch at a time: memory holds one chunk of envelopes (and
    only the few the stream held already, for the summary)."""
    total, done = plan.total, 0
    publisher = runtime.publisher()
    heads: dict[str, str] = {}
    was_on_record: set[str] = set()
    already: list[Envelope] = []
    yield {"stage": "发布 publishing", "done": 0, "total": total, "import_id": import_id}
    for chunk in plan.chunks(ATOMIC_LIMIT):
        recorded = [d.event.aggregate_id() for d in chunk if d.type == HouseholdRecorded.event_type]
        was_on_record |= still_on_record(runtime.engine, recorded)  # each household is in one chunk only
        linked = sealed(runtime.engine, chunk, heads)
        duplicates = await publisher.publish_batch([s.envelope for s in linked], [s.data for s in linked])
        already += [s.envelope for s in linked if s.envelope.id in duplicates]
        done += len(chunk)
        yield {"stage": "发布 publishing", "done": done, "total": total, "import_id": import_id}
    counts = stored_counts(plan.counts, already, was_on_record)
    summary = import_summary(parsed, counts, paths, import_id, as_of, total - len(already), len(already))
    write_reports(paths[0].parent, summary, parsed.rejected)
    yield {"summary": summary}


def record_refusal(
    parsed: ParsedRoster, plan: ImportEvents, paths: list[Path], import_id: str, as_of: date, refusal: Refusal
) -> None:
    """A refused roster is filed like any import, with why it was refused and nothing published."""
    summary = import_summary(parsed, plan.counts, paths, import_id, as_of, 0, 0)
    summary["refused"] = asdict(refusal)
    write_reports(paths[0].parent, summary, parsed.rejected)
    log.warning("roster import %s refused: %s", import_id, refusal.code)


def import_summary(
    parsed: ParsedRoster,
    counts: dict[str, int],
    paths: list[Path],
    import_id: str,
    as_of: date,
    published: int,
    already_stored: int,
) -> dict[str, Any]:
    """`counts` and `published` are what the stream stored; `already_stored` what it held before (duplicates).
    Without `paths` (a household sent as JSON, which files nothing) the summary names no file."""
    summary = {
        "import_id": import_id,
        "as_of": as_of.isoformat(),
        "files": [p.name for p in paths],
        "events_published": published,
        "events_already_stored": already_stored,
        **counts,
        "rejected": rejected_summary(parsed.rejected),
    }
    if paths:
        folder = paths[0].parent
        summary |= {"summary_file": str(folder / "summary.json"), "rejects_file": str(folder / "rejects.csv")}
    return summary


def roster_events(
    engine: Engine, parsed: ParsedRoster, import_id: str, as_of: date, partial: bool, actor: str
) -> ImportEvents:
    """What an import says that the roster on record (intake's read model in `engine`) does not, not yet
    chained (`chained` links each chunk as it is published)."""
    with Session(engine) as session:
        # columns, not ORM objects (10x cheaper at a county's size); a partial file only needs its own households
        query = select(KnownHousehold.household_id, KnownHousehold.fingerprint, KnownHousehold.village).where(
            col(KnownHousehold.removed).is_(False)
        )
        if partial:
            query = query.where(col(KnownHousehold.household_id).in_([h.household_id for h in parsed.households]))
        on_record = session.exec(query).all()
        villages_known = {v.village: v.fingerprint for v in session.exec(select(KnownVillage))}
        seen = session.get(KnownImport, import_id) is not None
        rejected_before = rejected_rows(session, import_id)
    record = OnRecord(list(on_record), villages_known, seen, rejected_before)
    return import_events(parsed, record, import_id, as_of, partial, actor)


def still_on_record(engine: Engine, household_ids: Sequence[str]) -> set[str]:
    """Which of these households the roster on record holds (not removed): a recording of one of them is a change."""
    with Session(engine) as session:
        query = select(KnownHousehold.household_id).where(
            col(KnownHousehold.removed).is_(False), col(KnownHousehold.household_id).in_(household_ids)
        )
        return set(session.exec(query).all())


def stored_counts(counts: dict[str, int], already: Sequence[Envelope], was_on_record: set[str]) -> dict[str, int]:
    """The diff's counts less the events the stream already held (PubAck `duplicate`): a summary says what
    this import stored, not what it sent (a twin import that ran at the same moment stored the rest)."""
    out = dict(counts)
    for env in already:
        if env.type == HouseholdRemoved.event_type:
            out["households_removed"] -= 1
        elif env.type == HouseholdRecorded.event_type:
            out["households_changed" if env.aggregate_id in was_on_record else "households_added"] -= 1
    return out


def chained(engine: Engine, envelopes: Sequence[Envelope], heads: dict[str, str] | None = None) -> list[Envelope]:
    """Link each new event to the last one of its aggregate (tamper evidence): the one in `heads`, which
    carries the chunks published before (and is updated with these), else the last one intake has folded."""
    carried = {} if heads is None else heads
    linked, new = link(envelopes, _heads(engine, {aggregate_key(e) for e in envelopes}, carried))
    carried.update(new)
    return linked


def sealed(engine: Engine, drafts: Sequence[Draft], heads: dict[str, str] | None = None) -> list[Sealed]:
    """`chained` for drafts: each envelope built once, with its final id, and encoded once for publishing."""
    carried = {} if heads is None else heads
    linked, new = seal(drafts, _heads(engine, {d.aggregate_key for d in drafts}, carried))
    carried.update(new)
    return linked


def _heads(engine: Engine, keys: set[str], carried: dict[str, str]) -> dict[str, str]:
    """The chain heads of these aggregates: the carried ones, else the last event intake has folded."""
    with Session(engine) as session:
        known = load_heads(session, keys - carried.keys())
    return known | carried


def rejected_rows(session: Session, import_id: str) -> set[tuple[str, int]]:
    """The rows of an import already rejected in the log: (sheet, row) as intake has folded them."""
    kept = session.exec(select(KnownRejection).where(col(KnownRejection.import_id) == import_id))
    return {(k.sheet, k.row) for k in kept}


def rejected_summary(rejected: Sequence[Rejection]) -> list[dict[str, Any]]:
    """The rejected rows as the summary lists them: where and why, without the cells (personal data)."""
    return [r.model_dump(exclude={"cells"}) for r in rejected]


_IMPORT_ID = re.compile(r"[0-9a-f]{20}")


def read_summary(data_dir: Path, import_id: str) -> dict[str, Any] | None:
    """An import's summary as filed, or None while it runs, or for an id no import has (nor could have:
    only `import_id_of`'s hex digits reach the disk)."""
    if not _IMPORT_ID.fullmatch(import_id):
        return None
    path = data_dir / "imports" / import_id / "summary.json"
    try:
        summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return summary


def write_reports(folder: Path, summary: dict[str, Any], rejected: Sequence[Rejection]) -> None:
    """The summary and the rejected rows beside the files, as a town clerk would file them."""
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    with open(folder / "rejects.csv", "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["表 sheet", "行 row", "列 column", "原因", "reason"])
        for r in rejected:
            writer.writerow([r.sheet, r.row, r.column, r.reason_zh, r.reason_en])

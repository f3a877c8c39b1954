"""The events one roster import publishes: what it says that the roster on record does not.

Event ids are derived from what they say (a household's id and fingerprint, an import's id and a
row number), so an import retried after a crash is stored once, and a retry after the server's
duplicate window publishes only the rows it has not rejected yet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from lookback.clock import start_of_day
from lookback.contracts.chain import Draft
from lookback.contracts.envelope import derived_id
from lookback.contracts.intake import (
    HouseholdRecorded,
    HouseholdRemoved,
    Rejection,
    RosterImported,
    RowRejected,
    VillageRecorded,
)
from services.intake.domain.diff import diff, fingerprint, village_fingerprint
from services.intake.domain.roster import ParsedRoster


@dataclass(frozen=True)
class OnRecord:
    """The roster intake has folded: each household's (id, fingerprint, village), each village's
    fingerprint, whether this import completed before, and the (sheet, row) it rejected already."""

    households: Sequence[tuple[str, str, str]]
    villages: dict[str, str]
    seen: bool
    rejected: set[tuple[str, int]]


@dataclass(frozen=True)
class ImportEvents:
    """What an import would publish, decided before anything is: `counts` and `total` are known at once
    (the refusal needs them), the events are built only as they are iterated (each pass anew), so an
    import publishes chunk by chunk and never holds all of its envelopes (issue 17: 8 GB at 400,000
    households when it did). They come as drafts: each chunk's envelopes are built once its chain heads
    are known (`chain.seal`)."""

    counts: dict[str, int]
    total: int
    build: Callable[[], Iterator[Draft]]

    def __iter__(self) -> Iterator[Draft]:
        return self.build()

    def chunks(self, size: int) -> Iterator[list[Draft]]:
        """The drafts in order, `size` at a time."""
        drafts = iter(self)
        while chunk := list(islice(drafts, size)):
            yield chunk


def import_events(
    parsed: ParsedRoster, record: OnRecord, import_id: str, as_of: date, partial: bool, actor: str
) -> ImportEvents:
    when = start_of_day(as_of)
    correlation = derived_id("import", import_id)

    def wrap(event: Any, *id_parts: object) -> Draft:
        return Draft(event, derived_id(*id_parts), actor, when, correlation)

    on_record, villages_known, seen = record.households, record.villages, record.seen
    drafts = {h.household_id: h for h in parsed.households}
    prints = {hid: fingerprint(as_of, h.cells) for hid, h in drafts.items()}
    change = diff(prints, {hid: print_ for hid, print_, _ in on_record}, full_roster=not partial)
    removed = set(change.removed)
    village_of = {hid: village for hid, _, village in on_record if hid in removed}
    vprints = [(v, village_fingerprint(as_of, v.cells)) for v in parsed.villages]
    villages = [(v, vprint) for v, vprint in vprints if villages_known.get(v.village) != vprint]
    rejected = [r for r in parsed.rejected if (r.sheet, r.row) not in record.rejected]
    rows_read = sum(parsed.rows_read.values())
    counts = {
        "rows_read": rows_read,
        "rows_accepted": rows_read - len(parsed.rejected),
        "rows_rejected": len(parsed.rejected),
        "households_added": len(change.added),
        "households_changed": len(change.changed),
        "households_removed": len(change.removed),
        "households_unchanged": change.unchanged,
    }
    changes = len(villages) + len(change.added) + len(change.changed) + len(change.removed) + len(rejected)
    completed = bool(changes) or not seen

    def build() -> Iterator[Draft]:
        for v, vprint in villages:
            yield wrap(
                VillageRecorded(village=v.village, as_of=as_of, import_id=import_id, row=v.row, cells=v.cells),
                "village",
                v.village,
                vprint,
            )
        for hid in change.added + change.changed:
            h = drafts[hid]
            yield wrap(
                HouseholdRecorded(
                    household_id=hid,
                    village=h.village,
                    as_of=as_of,
                    import_id=import_id,
                    persons=h.persons,
                    fingerprint=prints[hid],
                ),
                "household",
                hid,
                prints[hid],
            )
        for hid in change.removed:
            yield wrap(
                HouseholdRemoved(household_id=hid, village=village_of[hid], as_of=as_of, import_id=import_id),
                "removed",
                hid,
                import_id,
            )
        for r in rejected:
            yield wrap(row_rejected(import_id, r), *rejected_id_parts(import_id, r))
        if completed:
            summary = RosterImported(import_id=import_id, files=[], as_of=as_of, **counts)
            yield wrap(summary, "import-completed", import_id, *counts.values())

    return ImportEvents(counts, changes + completed, build)


def row_rejected(import_id: str, r: Rejection) -> RowRejected:
    return RowRejected(import_id=import_id, **r.model_dump())


def rejected_id_parts(import_id: str, r: Rejection) -> tuple[object, ...]:
    """What a rejected row's event id is derived from: an import rejects a row once, however often it runs."""
    return "rejected", import_id, r.sheet, r.row

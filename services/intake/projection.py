"""Intake folds its own household and import events, so a re-import can be diffed against the log
and a problem list imported again does not reject its bad rows twice. A household's fingerprint is
read from its event (computed again only for events older than that field)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from lookback.consumer import Delivered
from lookback.contracts.chain import aggregate_key, event_hash
from lookback.contracts.envelope import Envelope
from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved, RosterImported, RowRejected, VillageRecorded
from lookback.store import save_heads, upsert
from services.intake.adapters.tables import KnownHousehold, KnownImport, KnownRejection, KnownVillage
from services.intake.domain.diff import fingerprint, village_fingerprint


def fold(session: Session, batch: Sequence[Delivered]) -> list[Envelope]:
    households: dict[str, dict] = {}
    imports: list[dict] = []
    villages: dict[str, dict] = {}
    rejections: list[dict] = []
    heads: dict[str, str] = {}
    for item in batch:
        heads[aggregate_key(item.envelope)] = event_hash(item.envelope)
        event = item.envelope.event()
        match event:
            case HouseholdRecorded():
                households[event.household_id] = {
                    "household_id": event.household_id,
                    "village": event.village,
                    "fingerprint": event.fingerprint or fingerprint(event.as_of, [p.cells for p in event.persons]),
                    "removed": False,
                }
            case HouseholdRemoved():
                households[event.household_id] = {
                    "household_id": event.household_id,
                    "village": event.village,
                    "fingerprint": "",
                    "removed": True,
                }
            case VillageRecorded():
                villages[event.village] = {
                    "village": event.village,
                    "fingerprint": village_fingerprint(event.as_of, event.cells),
                }
            case RosterImported():
                imports.append({"import_id": event.import_id})
            case RowRejected():
                rejections.append({"import_id": event.import_id, "sheet": event.sheet, "row": event.row})
    upsert(session, KnownHousehold, list(households.values()), ["household_id"])
    upsert(session, KnownImport, imports, ["import_id"])
    upsert(session, KnownVillage, list(villages.values()), ["village"])
    upsert(session, KnownRejection, rejections, ["import_id", "sheet", "row"])
    save_heads(session, heads)
    return []

"""Rectify's memory of the digests: the latest one of each owner, for the start page."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from lookback.contracts.digests import DigestComposed
from lookback.store import upsert
from services.rectify.adapters.tables import DigestRow


def keep(session: Session, digests: Iterable[DigestComposed]) -> None:
    rows = [
        {
            "digest": d.aggregate_id(),
            "owner_kind": d.owner_kind,
            "owner": d.owner,
            "day": d.day,
            "body": d.model_dump_json(),
        }
        for d in digests
    ]
    upsert(session, DigestRow, rows, ["digest"])

"""Submissions (报送) in rectify's digests, on a real SQLite store without a broker: `submission.*` events
folded by rectify's handler decide what each owner's digest counts as due; the station counts the
villages and units that have not handed in."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from lookback.catalogue import load
from lookback.clock import start_of_day
from lookback.consumer import Delivered
from lookback.contracts.envelope import derived_id, new_envelope
from lookback.contracts.reporting import (
    SubmissionEvent,
    SubmissionReturned,
    SubmissionSubmitted,
    submission_id,
)
from lookback.store import create_tables, make_engine
from lookback.submissions import lower_orgs
from services.rectify.adapters.tables import TABLES
from services.rectify.digests import day_envelopes
from services.rectify.handlers import make_handler

DAY = date(2020, 1, 17)
"""2019-12-H1 and H2 are late by now, 2020-01-H1 is due tomorrow (three days after the 15th)."""
PERIODS = ("2019-12-H1", "2019-12-H2", "2020-01-H1")
DUE_DAYS = 3
CATALOGUE = load()
VILLAGE, OTHER = CATALOGUE.villages[:2]


def submitted(period: str, village: str) -> SubmissionSubmitted:
    sid = submission_id(period, "village", village)
    return SubmissionSubmitted(submission_id=sid, period=period, org_kind="village", org=village, forms=())


def returned(period: str, village: str) -> SubmissionReturned:
    sid = submission_id(period, "village", village)
    return SubmissionReturned(submission_id=sid, period=period, org_kind="village", org=village, reason="缺表")


class Rectify:
    def __init__(self, tmp_path: Path) -> None:
        self.engine: Engine = make_engine(f"sqlite:///{tmp_path / 'rectify.db'}")
        create_tables(self.engine, *TABLES)
        self.handle = make_handler(CATALOGUE)
        self.seq = 0

    def fold(self, *events: SubmissionEvent) -> None:
        delivered = []
        for event in events:
            self.seq += 1
            env = new_envelope(
                event, actor="test", business_time=start_of_day(DAY), event_id=derived_id("test", self.seq)
            )
            delivered.append(Delivered(self.seq, env))
        with Session(self.engine) as session:
            assert self.handle(session, delivered) == []
            session.commit()

    def digests(self) -> dict[tuple[str, str], dict[str, object]]:
        with Session(self.engine) as session:
            envelopes = day_envelopes(session, DAY, DUE_DAYS)
        return {(e.payload["owner_kind"], e.payload["owner"]): e.payload for e in envelopes}


def test_what_is_handed_in_leaves_the_digest_and_the_station_counts_the_rest(tmp_path: Path) -> None:
    rectify = Rectify(tmp_path)
    owed = len(lower_orgs(CATALOGUE)) * len(PERIODS)
    before = rectify.digests()
    assert before[("village", VILLAGE)]["submissions_due"] == len(PERIODS)
    assert (before[("station", "全镇")]["submissions_due"], before[("station", "全镇")]["lower_submissions_due"]) == (
        len(PERIODS),
        owed,
    )
    assert before[("county", "县级")]["submissions_due"] == 0

    rectify.fold(*(submitted(p, VILLAGE) for p in PERIODS), submitted(PERIODS[0], OTHER))
    after = rectify.digests()
    assert after[("village", VILLAGE)]["submissions_due"] == 0
    assert after[("village", OTHER)]["submissions_due"] == len(PERIODS) - 1
    assert after[("station", "全镇")]["lower_submissions_due"] == owed - len(PERIODS) - 1

    rectify.fold(returned(PERIODS[2], VILLAGE))  # sent back: due again, and due tomorrow
    assert rectify.digests()[("village", VILLAGE)]["submissions_due"] == 1
    assert VILLAGE not in json.dumps(rectify.digests()[("station", "全镇")], ensure_ascii=False)


def test_a_half_month_not_yet_near_its_due_day_is_not_listed(tmp_path: Path) -> None:
    rectify = Rectify(tmp_path)
    rectify.fold(*(submitted(p, VILLAGE) for p in PERIODS[:2]))
    with Session(rectify.engine) as session:
        early = {
            (e.payload["owner_kind"], e.payload["owner"]): e.payload
            for e in day_envelopes(session, date(2020, 1, 16), 10)  # 2020-01-H1 due on the 25th
        }
    assert early[("village", VILLAGE)]["submissions_due"] == 0
    assert early[("village", OTHER)]["submissions_due"] == 2

"""A rebuild routes each stored event to the read models that consume it, publishes nothing, and never
writes over a database that is already someone's read model."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session

from apps.audit.projections import all_projections, by_name
from apps.audit.replay import NotFresh, Rebuild, replay_messages, route
from apps.audit.workers import groups
from lookback.store import get_position

from .stored import delivered, load

HOUSEHOLDS = load("household.recorded.v1.jsonl")


def test_each_read_model_gets_its_own_subjects_and_derived_events_are_only_counted(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    results = {
        r.name: r for r in asyncio.run(replay_messages(delivered(HOUSEHOLDS), [(p, engine) for p in all_projections()]))
    }
    assert results["intake"].events == results["rules"].events == results["reporting"].events == len(HOUSEHOLDS)
    assert results["rectify"].events == 0  # no problem or case events in a log of households only
    assert results["rules"].derived >= 5  # problems flagged, not published: they are in the log already
    assert not any(r.set_aside for r in results.values())
    with Session(engine) as session:
        assert get_position(session, "rules") == len(HOUSEHOLDS)  # as in live operation: the services can resume


def test_a_read_model_stops_at_its_limit(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    [intake] = by_name(["intake"])
    intake.prepare(engine)
    rebuild = Rebuild(intake, engine, limit=3, batch_size=2)
    asyncio.run(route([rebuild], delivered(HOUSEHOLDS)))
    asyncio.run(rebuild.flush())
    assert (rebuild.result.events, rebuild.result.position) == (3, 3)


def test_a_database_that_holds_a_position_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
    targets = [(p, engine) for p in by_name(["intake"])]
    asyncio.run(replay_messages(delivered(HOUSEHOLDS), targets))
    with pytest.raises(NotFresh):
        asyncio.run(replay_messages(delivered(HOUSEHOLDS), targets))


def test_read_models_are_split_by_cost_and_each_is_rebuilt_once() -> None:
    names = ["intake", "rules", "rectify", "reporting"]
    two = groups(names, 2)
    assert sorted(n for g in two for n in g) == sorted(names)
    assert len(two) == 2 and ["intake", "reporting"] in two  # 6.9 against rules and rectify's 7.7
    assert groups(names, 8) == [[n] for n in ["rules", "reporting", "intake", "rectify"]]
    assert groups(names, 1) == [names]

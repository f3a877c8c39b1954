"""The overdue list read from the stored windows is the list folded from the facts, for every period.

The fold (`overdue_cases`) is what the list was before the windows, and stays the answer as known at an
instant: whatever the batching, redeliveries and the order the steps reach the log in, a period's list
must read the same, row for row and in the same order, from the windows as it folds.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lookback_pg import fresh_database
from sqlalchemy import Engine
from sqlmodel import Session

from bench.logmaker import Grower
from bench.reports import grow, load
from lookback.calendar import Period, period_of, periods_between
from lookback.catalogue import load as load_catalogue
from lookback.consumer import Delivered
from lookback.store import make_engine
from services.reporting.adapters import overdue
from services.reporting.adapters.factlog import FactLog
from services.reporting.adapters.tables import prepare
from services.reporting.domain.overdue import overdue_cases, row

from .test_counters import PROBLEMS, campaign, project_in

CATALOGUE = load_catalogue()
LAST = Period.parse("2020-08-H2")


def read(engine: Engine, period: Period) -> list[dict]:
    with Session(engine) as session:
        total, listed = overdue.listed(session, period.last_day)
    assert total == len(listed)
    return [row(each, period.last_day, CATALOGUE) for each in listed]


def assert_windows_agree(engine: Engine) -> int:
    """Every period from the first fact's to after the campaign; returns how many rows were compared."""
    facts = FactLog(engine).facts()
    compared = 0
    for period in periods_between(period_of(min(f.day for f in facts)), LAST):
        folded = overdue_cases(facts, period, CATALOGUE)
        assert read(engine, period) == folded, period.code
        compared += len(folded)
    return compared


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problems=PROBLEMS, interleave=st.booleans(), sizes=st.lists(st.integers(1, 7), min_size=1, max_size=3))
def test_windows_agree_with_the_fold_for_any_campaign_and_batching(
    tmp_path_factory: pytest.TempPathFactory,
    problems: list[tuple[date, int, str, list[tuple[str, int]]]],
    interleave: bool,
    sizes: list[int],
) -> None:
    """Extensions, escalations, verification, dismissal, roster clearings, steps dated out of order."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('overdue') / 'reporting.db'}")
    prepare(engine, "reporting")
    log = campaign(problems, interleave)
    project_in(engine, [Delivered(seq, env) for seq, env in log.envelopes], sizes)
    assert_windows_agree(engine)


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'reporting.db'}")
    prepare(engine, "reporting")
    return engine


def test_windows_agree_with_the_fold_over_a_demo_towns_log(engine: Engine, tmp_path: Path) -> None:
    grow(300, tmp_path / "grow", tmp_path / "log.jsonl")
    project_in(engine, load(tmp_path / "log.jsonl"), (97, 500))
    assert assert_windows_agree(engine) > 100


def test_windows_agree_with_the_fold_over_the_sample_town(engine: Engine, tmp_path: Path, sample_dir: Path) -> None:
    files = [shutil.copy(sample_dir / name, tmp_path / name) for name in ("roster-utf8.csv", "villages-utf8.csv")]
    grower = Grower(None, tmp_path / "grow")  # type: ignore[arg-type]  # no broker: only `flow` is used
    batches, _ = grower.import_chunk([Path(f) for f in files], date(2019, 12, 1), 0)
    delivered = [Delivered(seq, env) for seq, env in enumerate((e for b in batches for e in b), 1)]
    project_in(engine, delivered, (50, 300))
    assert assert_windows_agree(engine) > 0


@pytest.mark.postgres
def test_windows_agree_with_the_fold_on_postgresql() -> None:
    """Villages sort by code point there too, whatever the database's collation."""
    steps = [("extend", 20), ("escalate", 40), ("verify", 50)]
    problems = [
        (date(2019, 12, 1), 3, village, steps[:n]) for n in range(4) for village in ("桃园村", "杨湾村", "Zhang")
    ]
    with fresh_database() as url:
        engine = make_engine(url)
        prepare(engine, "reporting")
        project_in(engine, [Delivered(seq, env) for seq, env in campaign(problems, True).envelopes], (5,))
        assert assert_windows_agree(engine) > 0
        engine.dispose()


def test_the_list_pages_with_its_total(client: TestClient, tokens: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {tokens['station']}"}

    def get(**params: str) -> dict:
        response = client.get("/reports/overdue", params={"period": "2019-12-H2", **params}, headers=headers)
        assert response.status_code == 200
        return response.json()

    whole, folded = get(), get(known_at="2030-01-01")
    assert (whole["total"], [c["case_id"] for c in whole["cases"]]) == (1, ["a"])
    assert folded["cases"] == whole["cases"] and folded["total"] == whole["total"]
    assert get(limit="1")["cases"] == whole["cases"]
    assert get(offset="1") | {"offset": 0, "cases": whole["cases"]} == whole
    assert (
        client.get("/reports/overdue", params={"period": "2019-12-H2", "limit": "0"}, headers=headers).status_code
        == 422
    )

"""The 问题清单 reporting exports is one intake imports again, in each format (issue 14, item 6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lookback.calendar import Period
from lookback.catalogue import load
from services.intake.adapters.problem_lists import read_problem_list
from services.intake.domain.places import town_places
from services.reporting.adapters.writers import to_csv, to_xlsx
from services.reporting.domain.facts import known
from services.reporting.domain.measures import lines
from services.reporting.domain.sheets import Filing, People, problem_list
from services.reporting.domain.state import fold

from .reporting.factories import Log

DAY = date(2020, 1, 15)


@pytest.mark.parametrize(("suffix", "write"), [("xlsx", to_xlsx), ("csv", to_csv)])
def test_the_exported_problem_list_imports_again_row_for_row(tmp_path: Path, suffix: str, write: object) -> None:
    log = Log()
    log.problem("a", date(2019, 12, 1), item=7)
    log.problem("b", date(2019, 12, 2), village="新河村", household="341523002001", item=3)
    filing = Filing(load().town, None, Period.parse("2020-01-H1"), DAY)
    sheet = problem_list(lines(fold(known(log.facts, DAY))), load(), People({}, {}), filing, reveal=False)
    path = tmp_path / f"问题清单.{suffix}"
    path.write_bytes(write(sheet))  # type: ignore[operator]

    parsed = read_problem_list(path, town_places(load()))

    assert parsed.rejected == []
    assert [(i.village, i.item, i.found_on, i.household_id) for i in parsed.issues] == [
        ("桃园村", 7, date(2019, 12, 1), "341523001001"),
        ("新河村", 3, date(2019, 12, 2), "341523002001"),
    ]

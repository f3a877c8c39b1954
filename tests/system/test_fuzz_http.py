"""The HTTP APIs fuzzed from their own OpenAPI documents (schemathesis): no 5xx, no crash.

Every request carries the station's token, so the fuzzer reaches the handlers behind the auth check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from lookback_town import Town

LIMITS = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzzed_town(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Town]:
    town = Town(tmp_path_factory.mktemp("fuzz") / "town")
    town.import_demo(30, seed=51)
    yield town
    town.stop()


def _call(town: Town, service: str, case: Any) -> None:
    response = case.call(
        base_url=town.system.url(service),
        headers={"Authorization": f"Bearer {town.system.station_token()}"},
        timeout=30,
    )
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"


@pytest.mark.parametrize("service", ["intake", "rectify", "reporting"])
def test_no_request_the_schema_allows_gets_a_5xx(fuzzed_town: Town, service: str) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed_town.system.url(service)}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert operations
    for operation in operations:

        @LIMITS
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            _call(fuzzed_town, service, case)

        exercise()


def test_the_fuzzed_town_still_counts(fuzzed_town: Town) -> None:
    """After the fuzzing, the pipeline still answers."""
    fuzzed_town.wait_idle()
    assert fuzzed_town.problems()

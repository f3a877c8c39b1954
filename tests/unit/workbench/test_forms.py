"""The 报告整改完成 form: the location goes with the report only when the person ticked 附上位置 and the
browser filled in numbers; otherwise the report goes without one."""

from __future__ import annotations

from services.workbench.domain.forms import action_body, location

FILLED = {"locate": "on", "lat": "26.5783", "lon": "106.7135", "accuracy_m": "12"}


def test_a_ticked_and_filled_location_goes_with_the_report() -> None:
    body = action_body("rectified", {"measures": " 已维修 ", "expected_seq": "7", **FILLED})
    assert body == {
        "measures": "已维修",
        "location": {"lat": 26.5783, "lon": 106.7135, "accuracy_m": 12.0},
        "expected_seq": 7,
    }


def test_no_location_unless_ticked_and_numbers() -> None:
    assert location({**FILLED, "locate": ""}) is None  # filled, then unticked
    assert location({**FILLED, "lat": ""}) is None  # ticked, the browser refused
    assert location({**FILLED, "lon": "east"}) is None
    assert location({**FILLED, "accuracy_m": ""}) == {"lat": 26.5783, "lon": 106.7135, "accuracy_m": None}

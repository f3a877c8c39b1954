"""我的待办's URL: filters and page survive a round trip, junk does not reach rectify."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from services.workbench.domain import worklist


def test_known_filters_pass_and_blanks_unknowns_and_bad_items_drop() -> None:
    query = {"status": "pending", "village": " 桃园村 ", "unit": "", "item": "x7", "page": "3", "evil": "1"}
    assert worklist.api_params(query) == {"status": "pending", "village": "桃园村", "offset": 100, "limit": 50}


def test_my_work_is_the_open_cases_unless_all_are_asked_for() -> None:
    assert worklist.api_params({})["status"] == "open"
    assert "status" not in worklist.api_params({"status": "all"})


def test_a_link_opens_the_same_list() -> None:
    filters = {"overdue": "true", "item": "12"}
    url = worklist.link(filters, page=2)
    query = dict(parse_qsl(urlsplit(url).query))
    assert (worklist.chosen(query), worklist.page_number(query)) == (filters, 2)
    assert worklist.link({}) == "/work"


def test_pages_round_up_and_never_drop_below_one() -> None:
    assert [worklist.pages(n) for n in (0, 1, 50, 51)] == [1, 1, 1, 2]
    assert worklist.page_number({"page": "0"}) == 1 and worklist.page_number({"page": "-2"}) == 1

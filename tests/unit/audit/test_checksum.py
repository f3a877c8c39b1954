"""Table images: the same rows give the same checksum whatever their order; a changed row is named by its key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Boolean, Column, Connection, Date, Integer, MetaData, String, Table, create_engine, text

from apps.audit.checksum import TableDiff, identity, image, rows_by_key
from apps.audit.report import verify_lines
from apps.audit.verify import Detail, ProjectionCheck, column_changes, without_derive_time

meta = MetaData()
cases = Table(
    "cases",
    meta,
    Column("case_id", String, primary_key=True),
    Column("status", String),
    Column("deadline", Date),
    Column("overdue", Boolean),
)
events = Table(
    "events",
    meta,
    Column("n", Integer, primary_key=True),
    Column("event_id", String, unique=True),
    Column("body", String),
)


@pytest.fixture
def two() -> Iterator[tuple[Connection, Connection]]:
    a, b = create_engine("sqlite://"), create_engine("sqlite://")
    meta.create_all(a)
    meta.create_all(b)
    with a.begin() as ca, b.begin() as cb:
        yield ca, cb


ROWS = [
    {"case_id": "c1", "status": "pending", "deadline": date(2019, 12, 16), "overdue": False},
    {"case_id": "c2", "status": "verified", "deadline": date(2020, 6, 30), "overdue": True},
    {"case_id": "c3", "status": "in_progress", "deadline": date(2019, 12, 31), "overdue": False},
]


def test_the_checksum_does_not_depend_on_row_order(two: tuple[Connection, Connection]) -> None:
    a, b = two
    a.execute(cases.insert(), ROWS)
    b.execute(cases.insert(), list(reversed(ROWS)))
    diff = TableDiff("cases", image(a, cases), image(b, cases))
    assert diff.equal
    assert diff.live.checksum == diff.rebuilt.checksum and diff.live.count == 3


def test_a_changed_row_is_named_by_its_key_and_column(two: tuple[Connection, Connection]) -> None:
    a, b = two
    a.execute(cases.insert(), ROWS)
    b.execute(cases.insert(), [*ROWS[:2], {**ROWS[2], "status": "verified"}, {**ROWS[0], "case_id": "c0"}])
    diff = TableDiff("cases", image(b, cases), image(a, cases))
    assert not diff.equal and diff.live.checksum != diff.rebuilt.checksum
    assert diff.changed == [("c3",)]
    assert diff.only_live == [("c0",)] and diff.only_rebuilt == []
    live, log = rows_by_key(b, cases, {("c3",)}), rows_by_key(a, cases, {("c3",)})
    [change] = column_changes(log[("c3",)], live[("c3",)])
    assert (change.path, change.before, change.after) == ("status", "in_progress", "verified")


def test_a_counter_key_is_compared_by_rank_and_rows_by_their_unique_key(two: tuple[Connection, Connection]) -> None:
    a, b = two
    assert identity(events).key == ("event_id",) and identity(events).counter == "n"
    a.execute(events.insert(), [{"n": 1, "event_id": "e1", "body": "{}"}, {"n": 2, "event_id": "e2", "body": "{}"}])
    # PostgreSQL leaves gaps after a rolled-back batch: the same rows in the same order are equal.
    b.execute(events.insert(), [{"n": 7, "event_id": "e1", "body": "{}"}, {"n": 9, "event_id": "e2", "body": "{}"}])
    assert TableDiff("events", image(a, events), image(b, events)).equal
    b.execute(text("UPDATE events SET n = 10 WHERE event_id = 'e1'"))  # written in another order
    assert TableDiff("events", image(a, events), image(b, events)).changed == [("e1",), ("e2",)]


def test_json_columns_are_diffed_by_path() -> None:
    before = {"body": json.dumps({"type": "case.opened", "payload": {"deadline": "2019-12-16", "item": 9}})}
    after = {"body": json.dumps({"type": "case.opened", "payload": {"deadline": "2020-06-30", "item": 9}})}
    [change] = column_changes(before, after)
    assert (change.path, change.before, change.after) == ("body.payload.deadline", "2019-12-16", "2020-06-30")


def test_only_events_rectify_derived_lose_their_recorded_time() -> None:
    derived = {"body": json.dumps({"actor": "service:rectify", "recorded_time": "t1", "id": "x"})}
    acted = {"body": json.dumps({"actor": "user:station", "recorded_time": "t1", "id": "y"})}
    assert "recorded_time" not in json.loads(without_derive_time(derived)["body"])
    assert without_derive_time(acted) == acted


def test_differences_print_personal_data_masked(two: tuple[Connection, Connection]) -> None:
    a, b = two
    people = Table(
        "rules_person_ids",
        MetaData(),
        Column("subject_key", String, primary_key=True),
        Column("id_number", String),
        Column("row", Integer),
    )
    for conn in two:
        people.create(conn)
    key, number = "person:3415230010010002:342423198106173130", "342423198106173130"
    a.execute(people.insert(), [{"subject_key": key, "id_number": number, "row": 3}])
    b.execute(people.insert(), [{"subject_key": key, "id_number": number, "row": 4}])
    diff = TableDiff("rules_person_ids", image(b, people), image(a, people))
    detail = Detail(
        "rules_person_ids",
        ("subject_key",),
        [(k, column_changes(rows_by_key(a, people, {k})[k], rows_by_key(b, people, {k})[k])) for k in diff.changed],
        [],
        [],
    )
    check = ProjectionCheck("rules", 12, [diff], [])
    shown = "\n".join(line.plain for line in verify_lines([check], {"rules/rules_person_ids": detail}))
    assert "rules_person_ids" in shown and "row: 4 → 3" not in shown and "row: 3 → 4" in shown
    assert number not in shown and "3415230010010002:342" in shown
    revealed = "\n".join(line.plain for line in verify_lines([check], {"rules/rules_person_ids": detail}, reveal=True))
    assert number in revealed

"""What an import publishes against the roster on record, decided without a database."""

from datetime import date

from lookback.contracts.intake import HouseholdRecorded, HouseholdRemoved, RosterImported, RowRejected
from services.intake.domain.diff import fingerprint
from services.intake.domain.roster_events import OnRecord, import_events

from .builders import parse, person

AS_OF = date(2019, 12, 1)
NOTHING = OnRecord(households=[], villages={}, seen=False, rejected=set())


def types(parsed, record: OnRecord, partial: bool = False) -> list[str]:
    return [e.type for e in import_events(parsed, record, "imp", AS_OF, partial, "user:clerk")]


def recorded(parsed) -> OnRecord:
    rows = [(h.household_id, fingerprint(AS_OF, h.cells), h.village) for h in parsed.households]
    rejected = {(r.sheet, r.row) for r in parsed.rejected}
    return OnRecord(households=rows, villages={}, seen=True, rejected=rejected)


def test_a_first_import_records_each_household_and_each_rejected_row_then_its_summary():
    parsed = parse([person(户编号="A"), person(户编号="B", 性别="F")])
    assert types(parsed, NOTHING) == [HouseholdRecorded.event_type, RowRejected.event_type, RosterImported.event_type]


def test_the_same_roster_on_record_publishes_nothing():
    parsed = parse([person(户编号="A"), person(户编号="B")])
    assert types(parsed, recorded(parsed)) == []


def test_a_full_roster_removes_the_households_it_no_longer_lists_and_a_partial_one_does_not():
    before = recorded(parse([person(户编号="A"), person(户编号="B")]))
    only_a = parse([person(户编号="A")])
    assert types(only_a, before) == [HouseholdRemoved.event_type, RosterImported.event_type]
    assert types(only_a, before, partial=True) == []


def test_a_rejected_row_keeps_its_cells_and_reasons_and_the_same_id_on_every_run():
    parsed = parse([person(性别="F")])
    first = list(import_events(parsed, NOTHING, "imp", AS_OF, False, "user:clerk"))
    again = list(import_events(parsed, NOTHING, "imp", AS_OF, False, "user:clerk"))
    rejected = first[0].event
    assert isinstance(rejected, RowRejected)
    assert (rejected.import_id, rejected.column, rejected.cells["性别"]) == ("imp", "性别", "F")
    assert [d.content_id for d in first] == [d.content_id for d in again]

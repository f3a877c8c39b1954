"""A roster import broken off and sent again publishes only what the log lacks: the server deduplicates by
event id for ten minutes only (its duplicate window), and a clerk may send the file again the next day."""

from datetime import date
from pathlib import Path

from sqlmodel import Session

from lookback.consumer import Delivered
from lookback.store import create_tables, make_engine
from services.intake.adapters.tables import TABLES
from services.intake.importer import roster_events, sealed
from services.intake.projection import fold

from .builders import parse, person

AS_OF = date(2019, 12, 1)
SPOUSE = {"与户主关系": "配偶", "姓名": "谭美凤", "证件号码": "341523195311017664"}


def test_a_retry_rejects_no_row_the_broken_import_rejected_already(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    create_tables(engine, *TABLES)
    parsed = parse([person(), person(**SPOUSE, 性别="F"), person(**SPOUSE, 性别="?")])
    assert [r.row for r in parsed.rejected] == [3, 4]
    first = [s.envelope for s in sealed(engine, list(roster_events(engine, parsed, "i1", AS_OF, False, "test")))]
    assert [e.type for e in first] == [
        "household.recorded",
        "import.row_rejected",
        "import.row_rejected",
        "import.completed",
    ]
    with Session(engine) as session:  # the import broke off after its first rejected row was stored
        fold(session, [Delivered(seq, e) for seq, e in enumerate(first[:2], 1)])
        session.commit()

    events = roster_events(engine, parsed, "i1", AS_OF, False, "test")
    again = [s.envelope for s in sealed(engine, list(events))]

    assert [e.type for e in again] == ["import.row_rejected", "import.completed"]
    assert again[0].id == first[2].id  # the row the broken import did not get to
    assert events.counts["rows_rejected"] == 2  # the summary still accounts for every row

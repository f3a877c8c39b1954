"""An import is published chunk by chunk (issue 17): the chunks are bounded, and together they are the
same events, with the same chain, as the import taken whole."""

from datetime import date
from pathlib import Path

from lookback.contracts.chain import seal
from lookback.store import create_tables, make_engine
from services.intake.adapters.tables import TABLES
from services.intake.importer import roster_events, sealed

from .builders import parse, person

AS_OF = date(2019, 12, 1)


def test_chunks_are_bounded_and_chain_as_the_whole_import_does(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'intake.db'}")
    create_tables(engine, *TABLES)
    households = [person(户编号=f"34152300100100{n:02}") for n in range(7)]
    rejected = [person(户编号=f"34152300100199{n:02}", 性别="?") for n in range(3)]
    events = roster_events(engine, parse(households + rejected), "imp", AS_OF, False, "test")
    whole = list(events)
    # 7 households, 3 rejected rows and the summary; the import's own aggregate spans the last chunks
    assert [e.type for e in whole] == ["household.recorded"] * 7 + ["import.row_rejected"] * 3 + ["import.completed"]
    assert events.total == len(whole)

    chunks = list(events.chunks(2))
    assert [len(c) for c in chunks] == [2, 2, 2, 2, 2, 1]
    assert [d.content_id for chunk in chunks for d in chunk] == [d.content_id for d in whole]

    heads: dict[str, str] = {}
    streamed = [s for start in range(0, len(whole), 2) for s in sealed(engine, whole[start : start + 2], heads)]
    at_once, _ = seal(whole, {})
    assert [(s.envelope.id, s.hash) for s in streamed] == [(s.envelope.id, s.hash) for s in at_once]
    assert streamed[-1].envelope.prev_hash is not None  # the summary follows the rejected rows of its import

"""An import is published chunk by chunk (issue 17): the chunks are bounded, and together they are the
same events, with the same chain, as the import taken whole."""

from datetime import date
from pathlib import Path

from lookback.contracts.chain import link
from lookback.store import create_tables, make_engine
from services.intake.adapters.tables import TABLES
from services.intake.importer import chained, roster_events

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

    heads: dict[str, str] = {}
    chunks = [chained(engine, chunk, heads) for chunk in events.chunks(2)]

    assert [len(c) for c in chunks] == [2, 2, 2, 2, 2, 1]
    streamed = [e for chunk in chunks for e in chunk]
    assert [e.id for e in streamed] == [e.id for e in whole]
    # chained as one list, the same events get the same links (each pass stamps its own recorded time)
    assert link([e.model_copy(update={"prev_hash": None}) for e in streamed], {})[0] == streamed
    assert streamed[-1].prev_hash is not None  # the summary follows the rejected rows of its import

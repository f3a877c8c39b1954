"""The 校验码: the digest of the log up to the last fact a report used, kept by reporting as it reads.

The read model is built as the service builds it (the reporting consumer step, through a replay of
stored messages), so what is tested is the code the service prints."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import date
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from nats.aio.msg import Msg
from sqlalchemy import Engine
from sqlmodel import Session, select

from apps.audit.projections import by_name
from apps.audit.replay import replay_messages
from lookback.auth.users import Role, UserStore
from lookback.contracts.subjects import STREAM
from lookback.logdigest import GENESIS, advance, check_code, parse_code, same_code
from lookback.store import LogDigestRow, make_engine
from services.reporting import api, exports
from services.reporting.adapters.factlog import FactLog
from services.reporting.adapters.factlog import check_code as report_code
from services.reporting.domain.facts import known
from tests.unit.audit.stored import as_bodies, delivered

from .factories import Log, noon

LAST_DAY = date(2019, 12, 31)


def campaign() -> Log:
    log = Log()
    log.problem("a", date(2019, 12, 1))
    log.problem("b", date(2019, 12, 20), item=1)
    log.rectify("b", date(2020, 1, 3))
    log.verify("b", date(2020, 1, 5), date(2020, 1, 4), recorded=noon(date(2020, 1, 20)))
    return log


def messages(log: Log) -> list[Msg]:
    return delivered(as_bodies([env for _, env in log.envelopes]))


def rebuilt(msgs: list[Msg], path: Path, batch_size: int) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    asyncio.run(replay_messages(msgs, [(by_name(["reporting"])[0], engine)], batch_size))
    return engine


def folded(msgs: list[Msg], upto: int) -> str:
    state = GENESIS
    for msg in msgs[:upto]:
        state = advance(state, msg.metadata.sequence.stream, msg.subject, msg.data)
    return check_code(STREAM, upto, state)


def test_a_report_code_is_the_log_up_to_its_last_fact_however_the_log_was_batched(tmp_path: Path) -> None:
    log, msgs = campaign(), messages(campaign())
    codes = []
    for size in (1, 3, 1000):
        engine = rebuilt(msgs, tmp_path / f"r{size}.db", size)
        facts = FactLog(engine).facts()
        codes.append((report_code(engine, known(facts, LAST_DAY)), report_code(engine, known(facts, date.max))))
        with Session(engine) as session:
            assert session.exec(select(LogDigestRow.seq)).one() == len(msgs)
    december = max(f.seq for f in known(log.facts, LAST_DAY))
    assert december < len(msgs)
    assert codes == [(folded(msgs, december), folded(msgs, len(msgs)))] * 3


def test_a_changed_earlier_message_changes_the_code_and_a_later_one_does_not() -> None:
    msgs = messages(campaign())
    code = folded(msgs, 3)
    later, earlier = list(msgs), list(msgs)
    later[4] = Msg(None, subject=msgs[4].subject, reply=msgs[4].reply, data=b"{}")  # type: ignore[arg-type]
    earlier[1] = Msg(None, subject=msgs[1].subject, reply=msgs[1].reply, data=b"{}")  # type: ignore[arg-type]
    assert folded(later, 3) == code and folded(earlier, 3) != code


def test_a_code_is_typable_and_read_back_forgivingly() -> None:
    code = check_code(STREAM, 365, GENESIS)
    seq, letters = parse_code(code)
    assert seq == 365 and len(letters) == 12 and code == f"365-{letters[:4]}-{letters[4:8]}-{letters[8:]}"
    assert same_code(code, f" 365 - {letters.lower()} ")
    for bad in ("", "ABCD-EFGH-JKLM", "365-ABCD-EFGH", "365-ABCD-EFGH-JKL1"):
        try:
            parse_code(bad)
        except ValueError as err:
            assert "校验码" in str(err) and "check code" in str(err)
        else:
            raise AssertionError(f"{bad!r} was accepted")


def test_the_report_and_every_export_carry_the_code(tmp_path: Path) -> None:
    log, msgs = campaign(), messages(campaign())
    engine = rebuilt(msgs, tmp_path / "r.db", 1000)
    app = FastAPI()
    for router in (api.router, exports.router):
        app.include_router(router)
    app.state.fact_log = FactLog(engine)
    app.state.users = UserStore(tmp_path / "users.json")
    token = app.state.users.add("xian", Role.COUNTY)
    client = TestClient(app)

    def get(path: str, **params: str) -> bytes:
        response = client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return response.content

    code = json.loads(get("/reports/semimonthly", period="2019-12-H2"))["check_code"]
    assert code == folded(msgs, max(f.seq for f in known(log.facts, LAST_DAY)))
    assert json.loads(get("/reports/exports/ledger", period="2019-12-H2", format="json"))["check_code"] == code
    rows = list(csv.reader(io.StringIO(get("/reports/exports/ledger", period="2019-12-H2", format="csv").decode())))
    assert rows[-1] == ["校验码", code]
    assert _footer(get("/reports/exports/summary", period="2019-12-H2", format="xlsx")) == f"校验码 {code}"


def _footer(xlsx: bytes) -> str:
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    assert ws is not None
    return str(ws.oddFooter.center.text)

"""The thread that reads a roster import's progress lines: the page gets the import's id as soon as the
first line names it, and neither a refusal nor an answer cut short leaves a page waiting or polling."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from services.workbench.adapters.import_runs import ImportRuns, Refused, Started
from services.workbench.adapters.services import ServiceDown

ID = "0123456789abcdef0123"


class FakeIntake:
    """Answers `POST /imports` with `lines`, or with `status` and a JSON body."""

    def __init__(self, lines: list[dict[str, Any]], status: int = 200, body: dict[str, Any] | None = None) -> None:
        self.lines, self.status, self.body = lines, status, body or {}

    @contextmanager
    def stream(self, path: str, **request: Any) -> Iterator[httpx.Response]:
        assert path == "/imports"
        content = (
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in self.lines).encode()
            if self.status == 200
            else json.dumps(self.body).encode()
        )
        yield httpx.Response(self.status, content=content)


def sent(intake: FakeIntake) -> tuple[ImportRuns, Started]:
    """`send`'s thread, run here to its end so that the test reads what it left."""
    runs, started = ImportRuns(), queue.Queue[Started]()
    runs.follow(intake, {}, started)  # type: ignore[arg-type]
    return runs, started.get_nowait()


def test_send_returns_once_the_first_line_names_the_import() -> None:
    assert ImportRuns().send(FakeIntake([step(0), {"summary": {}}])) == ID  # type: ignore[arg-type]


def step(done: int, total: int = 2) -> dict[str, Any]:
    return {"stage": "发布 publishing", "done": done, "total": total, "import_id": ID}


def test_a_finished_import_leaves_nothing_behind_its_summary_is_intakes() -> None:
    runs, started = sent(FakeIntake([step(0), step(2), {"summary": {"import_id": ID}}]))
    assert started == ID and runs.latest(ID) is None


def test_a_refusal_reaches_the_page_with_its_reason() -> None:
    _, started = sent(FakeIntake([], 422, {"detail": "花名册人口明细表缺少必需列：性别 / lacks 性别"}))
    assert started == Refused(422, "花名册人口明细表缺少必需列：性别 / lacks 性别")


def test_an_answer_cut_short_is_an_error_to_show_not_a_bar_to_poll_forever() -> None:
    runs, started = sent(FakeIntake([step(0), step(1)]))
    assert started == ID and "error" in (runs.latest(ID) or {})
    runs, _ = sent(FakeIntake([step(0), {"error": "导入中断 / import stopped: TimeoutError"}]))
    assert runs.latest(ID) == {"error": "导入中断 / import stopped: TimeoutError"}


def test_an_answer_without_a_line_or_an_id_does_not_leave_the_page_waiting() -> None:
    assert isinstance(sent(FakeIntake([]))[1], Refused)
    assert isinstance(sent(FakeIntake([{"error": "导入中断 / import stopped: KeyError"}]))[1], Refused)


def test_intake_not_answering_is_the_page_s_service_down() -> None:
    class Down(FakeIntake):
        @contextmanager
        def stream(self, path: str, **request: Any) -> Iterator[httpx.Response]:
            raise ServiceDown("intake", "ConnectError")
            yield  # pragma: no cover

    with pytest.raises(ServiceDown):
        ImportRuns().send(Down([]))  # type: ignore[arg-type]
    assert isinstance(sent(Down([]))[1], ServiceDown)

"""A village's 书面报告: its type read from the bytes, refusals in both languages, and the 06-10 milestone
counting the villages that filed one (as of a day, for a past report)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date

import pytest

from lookback.catalogue import load as load_catalogue
from lookback.submissions import Org, Submission, evolve
from services.reporting.domain.milestones import milestones
from services.reporting.domain.submissions import file_report
from services.reporting.domain.written import DOCX, ReportRefused, accept, sniff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "media_type"),
    [
        (PDF, "application/pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "application/msword"),
        (_zip("[Content_Types].xml", "word/document.xml"), DOCX),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
    ],
)
def test_the_type_is_read_from_the_bytes(data: bytes, media_type: str) -> None:
    report = accept(data, 1024)
    assert (report.media_type, report.size, report.sha256) == (media_type, len(data), hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",
        _zip("xl/workbook.xml"),  # a spreadsheet is a zip too, but not a report
        b"PK\x03\x04 not really a zip",
        b"GIF89a",
    ],
)
def test_anything_else_is_refused_in_both_languages(data: bytes) -> None:
    assert sniff(data) is None
    with pytest.raises(ReportRefused) as err:
        accept(data, 1024)
    assert err.value.status == 415 and "PDF" in err.value.zh and "Word" in err.value.en


def test_empty_and_too_large_are_refused() -> None:
    with pytest.raises(ReportRefused) as empty:
        accept(b"", 1024)
    assert empty.value.status == 415 and empty.value.zh == "文件为空"
    with pytest.raises(ReportRefused) as large:
        accept(PDF + b"\0" * 2048, 1024)
    assert large.value.status == 413 and "1024" in large.value.en


def test_the_village_reports_milestone_counts_the_villages_that_filed_one() -> None:
    catalogue = load_catalogue()
    first, second = catalogue.villages[:2]
    sub = Submission("2020-05-H2", Org("village", first))
    filed = evolve(sub, file_report(sub, accept(PDF, 1024)), date(2020, 6, 1))
    again = evolve(filed, file_report(filed, accept(PDF + b" ", 1024)), date(2020, 6, 5))
    assert (again.report_filed_on, again.report and again.report.size) == (date(2020, 6, 1), len(PDF) + 1)

    def village_reports(*subs: Submission, as_of: date | None = None) -> dict[str, object]:
        found = {m.key: m for m in milestones(catalogue, subs, as_of=as_of)}["village_reports"]
        return found.view(date(2020, 6, 11), 3)

    done = village_reports(again)
    assert (done["done"], done["expected"], done["standing"]) == (1, len(catalogue.villages), "overdue")
    assert first not in done["missing"] and second in done["missing"]  # type: ignore[operator]
    assert village_reports(again, as_of=date(2020, 5, 31))["done"] == 0  # a past day: filed after it
    assert village_reports(again, as_of=date(2020, 6, 1))["done"] == 1

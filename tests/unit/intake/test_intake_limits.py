"""Uploads and workbooks are measured before anything parses them (issue 12, part 5)."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from bench.zipbomb import write_bomb
from services.intake.domain.limits import (
    MEGABYTE,
    RATIO_GRACE,
    ImportLimits,
    TooLarge,
    check_upload_size,
    check_workbook,
)
from services.intake.uploads import zip_members

from .builders import person

LIMITS = ImportLimits(
    max_removal_share=0.2, upload_bytes=10 * MEGABYTE, workbook_bytes=64 * MEGABYTE, workbook_ratio=100
)


def test_an_upload_up_to_the_cap_passes_and_one_byte_more_is_refused() -> None:
    check_upload_size(LIMITS.upload_bytes, LIMITS)
    with pytest.raises(TooLarge) as refused:
        check_upload_size(LIMITS.upload_bytes + 1, LIMITS)
    assert str(refused.value) == "上传文件超过10 MB的上限 / the upload exceeds the 10 MB limit"


def test_a_real_workbook_passes(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "人口明细"
    rows = [person(户编号=f"34152300100{n:05}") for n in range(2_000)]  # a few MB of sheet XML, highly repetitive
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    book.save(tmp_path / "roster.xlsx")
    members = zip_members((tmp_path / "roster.xlsx").read_bytes())

    assert max(m.file_size for m in members) > RATIO_GRACE
    check_workbook("roster.xlsx", members, LIMITS)


def test_the_sample_workbook_passes(sample_dir: Path) -> None:
    check_workbook("roster.xlsx", zip_members((sample_dir / "roster.xlsx").read_bytes()), LIMITS)


def test_a_bomb_is_refused_by_its_ratio_and_a_large_workbook_by_its_total(tmp_path: Path) -> None:
    members = zip_members(write_bomb(tmp_path / "bomb.xlsx", ["户编号"], 20).read_bytes())

    with pytest.raises(TooLarge) as refused:
        check_workbook("bomb.xlsx", members, LIMITS)
    assert str(refused.value) == (
        "bomb.xlsx的压缩比超过100倍，不像是正常的工作簿 / "
        "bomb.xlsx inflates more than 100 times, which no real workbook does"
    )
    lenient = ImportLimits(0.2, LIMITS.upload_bytes, workbook_bytes=16 * MEGABYTE, workbook_ratio=10_000)
    with pytest.raises(TooLarge) as refused:
        check_workbook("bomb.xlsx", members, lenient)
    assert str(refused.value) == "bomb.xlsx解压后超过16 MB的上限 / bomb.xlsx uncompressed exceeds the 16 MB limit"
    check_workbook("bomb.xlsx", members, ImportLimits(0.2, LIMITS.upload_bytes, 32 * MEGABYTE, 10_000))


def test_what_is_no_zip_has_no_members() -> None:
    assert zip_members(b"\xe6\x88\xb7\xe7\xbc\x96\xe5\x8f\xb7,\n") == []
    assert zip_members(b"PK\x03\x04 truncated") == []


def test_a_directory_that_understates_a_size_gains_nothing() -> None:
    """The caps trust the declared sizes because zipfile never inflates past them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/worksheets/sheet1.xml", b"A" * (8 * MEGABYTE))
    data = bytearray(buffer.getvalue())
    entry = data.rindex(b"PK\x01\x02")
    struct.pack_into("<I", data, entry + 24, 1000)  # the central directory's uncompressed size

    [member] = zip_members(bytes(data))
    assert member.file_size == 1000
    with (
        zipfile.ZipFile(io.BytesIO(bytes(data))) as book,
        book.open(member.name) as f,
        pytest.raises(zipfile.BadZipFile),
    ):
        while f.read(MEGABYTE):
            assert f.tell() <= 1000

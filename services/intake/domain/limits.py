"""How much a single upload may hold, checked before any parser reads it (issue 12, part 5).

A 308 KB workbook holding one 300 MB inline string took intake to 1.5 GB: openpyxl streams a sheet's
rows, but a cell's text and the whole shared-strings part are held in memory. An .xlsx is a zip, and
the zip's central directory declares every member's uncompressed size up front, so a bomb can be
refused from the directory alone. The declared size is also a bound on what is read: Python's
zipfile stops at the declared size and fails the CRC, so a directory that lies gains nothing.
Following Apache POI's `ZipSecureFile`, a member that inflates more than `workbook_ratio` times is
refused too (a real roster's sheet inflates about 9 times), which catches a bomb far below the total cap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.intake.domain.errors import NotImportable

MEGABYTE = 1 << 20
RATIO_GRACE = MEGABYTE  # small members (styles, a short sheet) may compress well without being bombs


class TooLarge(NotImportable):
    """An upload exceeds a configured cap; nothing of it is parsed."""


@dataclass(frozen=True)
class ImportLimits:
    """The caps an import is held to (`IntakeSettings`, `LOOKBACK_*`)."""

    max_removal_share: float
    upload_bytes: int
    workbook_bytes: int
    workbook_ratio: float


@dataclass(frozen=True)
class ZipMember:
    """One member of a zip as its central directory declares it."""

    name: str
    file_size: int
    compress_size: int


def check_upload_size(size: int, limits: ImportLimits) -> None:
    if size > limits.upload_bytes:
        raise TooLarge(
            f"上传文件超过{_mb(limits.upload_bytes)}的上限", f"the upload exceeds the {_mb(limits.upload_bytes)} limit"
        )


def check_workbook(name: str, members: Iterable[ZipMember], limits: ImportLimits) -> None:
    """Refuse a workbook whose parts would inflate past the caps, before openpyxl opens it."""
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_GRACE and member.file_size > limits.workbook_ratio * max(member.compress_size, 1):
            raise TooLarge(
                f"{name}的压缩比超过{limits.workbook_ratio:g}倍，不像是正常的工作簿",
                f"{name} inflates more than {limits.workbook_ratio:g} times, which no real workbook does",
            )
    if total > limits.workbook_bytes:
        raise TooLarge(
            f"{name}解压后超过{_mb(limits.workbook_bytes)}的上限",
            f"{name} uncompressed exceeds the {_mb(limits.workbook_bytes)} limit",
        )


def _mb(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"

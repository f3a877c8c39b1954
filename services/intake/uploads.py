"""Uploaded files read into memory within the caps, and workbooks measured before anything parses them.

Starlette spools a multipart upload to a temporary file, so memory is spent only here: each file is
read no further than what is left of the cap. A workbook's zip directory is read from the bytes
(`domain/limits.py` says why that is enough) whatever the file's name, so the cap does not depend on
how the sheet reader picks its parser; a file that is no zip is left for the sheet reader to judge.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Sequence

from fastapi import HTTPException, UploadFile

from services.intake.domain.limits import ImportLimits, TooLarge, ZipMember, check_upload_size, check_workbook

log = logging.getLogger("lookback.intake.uploads")


async def read_uploads(files: Sequence[UploadFile], limits: ImportLimits) -> list[bytes]:
    """The files' contents; 413 with a bilingual reason when they are over a cap."""
    contents: list[bytes] = []
    left = limits.upload_bytes
    try:
        for f in files:
            content = await f.read(left + 1)
            check_upload_size(limits.upload_bytes - left + len(content), limits)
            left -= len(content)
            check_workbook(f.filename or "", zip_members(content), limits)  # whatever its name says
            contents.append(content)
    except TooLarge as err:
        log.warning("upload of %d file(s) refused: over a cap", len(files))  # file names may hold names
        raise HTTPException(413, str(err)) from err
    return contents


def zip_members(content: bytes) -> list[ZipMember]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return [ZipMember(i.filename, i.file_size, i.compress_size) for i in book.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return []

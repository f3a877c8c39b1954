"""What a village's uploaded 书面报告 must be before reporting stores it: a PDF, a Word document (.docx or
the older .doc) or a photo of the signed paper (JPEG, PNG), at most the size cap.

The type is read from the bytes, never from the file name or the browser's word, and the file is only
ever served back as a download with no-sniff, so no browser renders it as a page of ours. The bytes are
stored as they came: the hash the event names is the hash of what the village handed in.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from lookback.contracts.reporting import ReportType, WrittenReport

DOCX: ReportType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_MAGIC: tuple[tuple[bytes, ReportType], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS: dict[ReportType, str] = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    DOCX: "docx",
    "image/jpeg": "jpg",
    "image/png": "png",
}


class ReportRefused(Exception):
    """The upload is not kept; `status` is the HTTP answer (413 too large, 415 not a report's type)."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.status, self.zh, self.en = status, zh, en


def accept(data: bytes, limit: int) -> WrittenReport:
    """The report the bytes make, or `ReportRefused` saying why not."""
    if len(data) > limit:
        raise ReportRefused(
            413, f"文件过大：不能超过 {limit // (1024 * 1024)} MB", f"the file is too large: at most {limit} bytes"
        )
    if not data:
        raise ReportRefused(415, "文件为空", "the file is empty")
    media_type = sniff(data)
    if media_type is None:
        raise ReportRefused(
            415,
            "书面报告只能是 PDF、Word（doc、docx）文件或照片（JPEG、PNG）",
            "a written report must be a PDF, a Word document (doc, docx) or a photo (JPEG, PNG)",
        )
    return WrittenReport(sha256=hashlib.sha256(data).hexdigest(), media_type=media_type, size=len(data))


def sniff(data: bytes) -> ReportType | None:
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return DOCX if data.startswith(b"PK\x03\x04") and _is_word(data) else None


def _is_word(data: bytes) -> bool:
    """A .docx is a zip holding word/document.xml; any other zip (an .xlsx, an archive) is not a report.
    Only the zip's directory is read, nothing is inflated."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False

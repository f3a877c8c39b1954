"""What a file a service hands out is called on the reader's disk."""

from __future__ import annotations

from urllib.parse import quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def disposition(filename: str, fallback: str) -> str:
    """RFC 6266: browsers take the Chinese name; `fallback` (ASCII) is for clients that cannot."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"

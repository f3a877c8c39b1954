"""Ids as people type them: the full id or any unique prefix of it, as git takes a commit's.

Lists print a short id (`case list` prints 12 hex digits); every command that takes an id takes that
prefix back, and one that fits several ids or none is refused in both languages, naming no more than
the candidates' ids (which hold no personal data).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SHORTEST = 4
CASE_ID = re.compile(r"[0-9a-f]{32}")
CASE_PREFIX = rf"^[0-9a-f]{{{SHORTEST},32}}$"
"""A case id (its problem's id, 32 hex digits) or a prefix of one; checked before it reaches a NATS subject."""
_SHOWN = 5


class UnknownId(LookupError):
    def __init__(self, prefix: str) -> None:
        super().__init__(f"无此编号 {prefix} / no id starts with {prefix}")


class AmbiguousId(LookupError):
    def __init__(self, prefix: str, matches: list[str]) -> None:
        shown = ", ".join(matches[:_SHOWN]) + (" …" if len(matches) > _SHOWN else "")
        super().__init__(
            f"编号 {prefix} 不唯一，请多输入几位 / the id {prefix} fits {len(matches)} ids, type more of it: {shown}"
        )


def resolve(prefix: str, candidates: Iterable[str]) -> str:
    """The one candidate that `prefix` starts (the full id fits itself), else UnknownId or AmbiguousId."""
    prefix = prefix.strip().lower()
    matches = sorted({c for c in candidates if c.startswith(prefix)})
    if not matches:
        raise UnknownId(prefix)
    if prefix in matches:
        return prefix
    if len(matches) > 1:
        raise AmbiguousId(prefix, matches)
    return matches[0]

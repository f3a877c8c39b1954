"""The 校验码 on every report: a short code that says which log a printed report was made from.

A running digest folds every message of the log in stream order (its sequence, subject and stored
bytes), so the digest at sequence N changes if anything at or before N is altered, removed,
inserted or reordered. The code carries N in the clear and 12 base32 characters of a hash over the
stream's name, N and the digest at N: `lookback audit verify-report CODE` reads the log up to N
alone, folds it again and compares. 12 characters are 60 bits: a forged log that matches a given
code by chance would take about 10^18 tries.
"""

from __future__ import annotations

import base64
import hashlib
import re

from lookback.signing import message_digest

GENESIS = bytes(32)
"""The digest of an empty log."""
CHARS = 12
_CODE = re.compile(r"^\s*(\d+)\s*-\s*([A-Za-z2-7\s-]+?)\s*$")


def advance(state: bytes, seq: int, subject: str, data: bytes) -> bytes:
    return fold(state, seq, message_digest(subject, data))


def fold(state: bytes, seq: int, digest: bytes) -> bytes:
    return hashlib.sha256(state + seq.to_bytes(8, "big") + digest).digest()


def check_code(stream: str, seq: int, state: bytes) -> str:
    """`<seq>-XXXX-XXXX-XXXX`, typable from paper: base32 has no 0/1/8/9 to mistake for letters."""
    raw = base64.b32encode(hashlib.sha256(f"{stream}\0{seq}\0".encode() + state).digest()).decode()[:CHARS]
    return f"{seq}-" + "-".join(raw[i : i + 4] for i in range(0, CHARS, 4))


def parse_code(code: str) -> tuple[int, str]:
    """The sequence and the check characters, forgiving case, spaces and dashes."""
    found = _CODE.match(code)
    letters = re.sub(r"[\s-]", "", found.group(2)).upper() if found else ""
    if found is None or len(letters) != CHARS:
        raise ValueError(
            f"校验码格式应为 序号-XXXX-XXXX-XXXX / a check code reads SEQ-XXXX-XXXX-XXXX "
            f"(digits, then {CHARS} letters A–Z and 2–7), got {code!r}"
        )
    return int(found.group(1)), letters


def same_code(a: str, b: str) -> bool:
    return parse_code(a) == parse_code(b)

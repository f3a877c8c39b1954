"""Resident ID numbers (GB 11643-1999), as rules R07A–R07C and the age of R01 read them.

docs/rules.md: a valid number has 18 characters after trimming — 17 ASCII digits and a check
character 0–9 or X —, a real birth date in digits 7–14 and a correct ISO 7064 MOD 11-2 check.
A lower-case `x` is read as `X` unless the town asks for `strict_x`. 15-digit numbers (the old
first-generation cards) are not valid on a 2019 roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import mul

_DIGITS = frozenset("0123456789")
_CHECK_LAST = _DIGITS | {"X", "x"}
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ZERO_SUM = ord("0") * sum(_WEIGHTS)
_CHECK_CHARS = "10X98765432"


def check_char(body: str) -> str:
    """ISO 7064 MOD 11-2 over the first 17 digits; callers pass 17 ASCII digits. Weighted over their
    byte values less the weighted ASCII zeros: the same sum without an `int()` per digit."""
    return _CHECK_CHARS[(sum(map(mul, body.encode(), _WEIGHTS)) - _ZERO_SUM) % 11]


def defect(text: str, *, strict_x: bool = False) -> str | None:
    """Why a number is not valid (a short Chinese reason for R07A), or None when it is.

    Only the kind of defect is named, never the number itself: it is personal data.
    """
    return _check(text.strip(), strict_x)[0]


def _check(number: str, strict_x: bool) -> tuple[str | None, date | None]:
    """The defect of a trimmed number, and the birth date it carries when it has none."""
    if len(number) != 18:
        return f"长度为{len(number)}位，不是18位", None
    body, last = number[:17], number[17]
    if not set(body) <= _DIGITS or last not in _CHECK_LAST:
        return "含有数字和校验码X以外的字符", None
    if last == "x" and strict_x:
        return "校验码为小写x", None
    birth = _birth(body)
    if birth is None:
        return "出生日期不是真实日期", None
    if check_char(body) != last.upper():
        return "校验码错误", None
    return None, birth


@dataclass(frozen=True)
class Reading:
    """What one check of a number yields: its defect (R07A), or the birth date (R01's fallback age)
    and sex (R07B) that only a valid number carries."""

    defect: str | None
    birth: date | None
    sex: str | None


def read(text: str, *, strict_x: bool = False) -> Reading:
    number = text.strip()
    found, birth = _check(number, strict_x)
    if found is not None:
        return Reading(found, None, None)
    return Reading(None, birth, "男" if int(number[16]) % 2 else "女")


def normalise(text: str) -> str:
    """The form R07C compares: trimmed, check character upper-cased, whatever the setting."""
    number = text.strip()
    return number[:-1] + number[-1:].upper()


def _birth(body: str) -> date | None:
    digits = body[6:14]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None

"""Personal data in audit output: masked unless the station asks for it explicitly.

What is personal is the roster's personal columns (intake's `PERSONAL`: 姓名, 证件号码, 联系电话,
帮扶责任人) and the fields and columns that carry them elsewhere: a problem's `person_id_number` and
`person`, rules' ID-number index, reporting's 户主 name, and person subject keys
(`person:<户编号>:<证件号码>`). A masked value keeps enough to tell two values apart in a diff
(first and last characters), never enough to read it.
"""

from __future__ import annotations

from typing import Any

from services.intake.domain.columns import PERSONAL

PERSONAL_FIELDS = PERSONAL | {"person", "person_id_number", "head_name", "id_number", "normalised_id"}
SUBJECT_KEYS = frozenset({"subject_key"})
PERSON_KEY = "person:"


def mask(text: str) -> str:
    """张三 → 张*, 13812345678 → 138******78, an 18-character ID number → 110*************34."""
    if len(text) <= 1:
        return "*" * len(text)
    if len(text) <= 6:
        return text[0] + "*" * (len(text) - 1)
    return text[:3] + "*" * (len(text) - 5) + text[-2:]


def mask_subject_key(key: str) -> str:
    """`person:<household>:<ID number>[#n]` keeps the household and the suffix, masks the number."""
    if not key.startswith(PERSON_KEY):
        return key
    head, _, number = key.rpartition(":")
    number, hash_, suffix = number.partition("#")
    return f"{head}:{mask(number)}{hash_}{suffix}"


def mask_field(name: str, value: Any) -> Any:
    """A value as it may be shown, given the field or column it sits in."""
    if not isinstance(value, str):
        return value
    if name in PERSONAL_FIELDS:
        return mask(value)
    if name in SUBJECT_KEYS:
        return mask_subject_key(value)
    return value


def mask_tree(value: Any, name: str = "") -> Any:
    """A JSON value with every personal field masked, however deep (a household's persons' cells)."""
    if isinstance(value, dict):
        return {k: mask_tree(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_tree(v, name) for v in value]
    return mask_field(name, value)

"""Passwords of the people who sign in to the workbench, hashed with argon2id.

Unlike tokens (256 random bits, `users.hash_token`), a password is chosen by a person and can be guessed,
so it gets a slow, salted hash: argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _HASHER.hash("lookback/auth/no-such-user")


class WeakPassword(ValueError):
    """The message is bilingual and safe to show: it never repeats the password."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"密码至少 {MIN_LENGTH} 位 / a password needs at least {MIN_LENGTH} characters")
    if password.strip() != password:
        raise WeakPassword("密码首尾不能有空格 / a password may not start or end with a space")


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def matches(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False

"""Sessions of people signed in to the workbench, in the workbench's own database.

The cookie holds a random secret; only its hash is stored (like tokens), with the person's name, the
CSRF token of the session's forms and the end of the session. The services never read this table:
the workbench signs a short-lived assertion for each call it makes for the person
(`lookback.auth.assertions`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlmodel import Field, Session, SQLModel

from lookback.auth.users import User, UserStore, hash_token
from lookback.clock import utcnow


class SessionRow(SQLModel, table=True):
    __tablename__ = "workbench_sessions"

    secret_hash: str = Field(primary_key=True)
    name: str = Field(index=True)
    csrf: str
    expires_at: datetime = Field(description="UTC; the session ends then whatever the person does")


@dataclass(frozen=True)
class SignedIn:
    user: User
    csrf: str
    expires_at: datetime


def expires_at(signed_in_at: datetime, lifetime: timedelta) -> datetime:
    """A fixed lifetime from sign-in: a lost phone's session ends within a working day, used or not."""
    return signed_in_at + lifetime


def is_live(expiry: datetime, at: datetime) -> bool:
    return at < expiry


def _aware(instant: datetime) -> datetime:
    # SQLite gives back naive datetimes; they were written as UTC.
    return instant if instant.tzinfo else instant.replace(tzinfo=utcnow().tzinfo)


class SessionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open(self, user: User, lifetime: timedelta) -> tuple[str, SignedIn]:
        """A new session; the secret is returned once (it goes into the cookie) and kept only hashed."""
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        expiry = expires_at(utcnow(), lifetime)
        with Session(self.engine) as session:
            session.add(SessionRow(secret_hash=hash_token(secret), name=user.name, csrf=csrf, expires_at=expiry))
            session.commit()
        return secret, SignedIn(user, csrf, expiry)

    def find(self, secret: str, users: UserStore) -> SignedIn | None:
        """The live session of this secret, for a user who still exists (a removed user's sessions die)."""
        with Session(self.engine) as session:
            row = session.get(SessionRow, hash_token(secret))
        if row is None or not is_live(_aware(row.expires_at), utcnow()):
            return None
        user = users.get(row.name)
        if user is None:
            return None
        return SignedIn(user, row.csrf, _aware(row.expires_at))

    def close(self, secret: str) -> None:
        self._delete(SessionRow.secret_hash == hash_token(secret))

    def close_all(self, name: str) -> None:
        """Every session of a person, e.g. after their password changed."""
        self._delete(SessionRow.name == name)

    def purge_expired(self) -> None:
        self._delete(SessionRow.expires_at <= utcnow())  # type: ignore[arg-type]

    def _delete(self, condition: object) -> None:
        with Session(self.engine) as session:
            session.execute(delete(SessionRow).where(condition))  # type: ignore[arg-type]
            session.commit()

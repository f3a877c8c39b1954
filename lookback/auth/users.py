"""Users of the HTTP APIs and their tokens, kept in one JSON file that holds only token hashes.

The file is `LOOKBACK_USERS_FILE`, else `users.json` in the data directory (`LOOKBACK_DATA_DIR`, default
`.lookback`), so `lookback up` and the services it starts find the same file. `lookback users add` writes
it, and it may equally be written by hand (or by configuration management) as:

```json
{
  "users": [
    {"name": "zhan", "role": "station", "token_hash": "<64 hex digits>"},
    {"name": "li", "role": "village", "village": "石门村", "token_hash": "<64 hex digits>"},
    {"name": "chen", "role": "unit", "unit": "县教育局", "token_hash": "<64 hex digits>"}
  ]
}
```

`role` is one of station, village, unit, county, auditor; a village cadre needs `village`, a unit officer
`unit`, and no other role may have either. A person who signs in to the workbench also has a
`password_hash` (argon2, `lookback.auth.passwords`), or a `setup_hash` until they choose a password through
the one-time setup link `lookback users add` printed. `"disabled": true` turns a user away everywhere
(token, password, open sessions) while keeping the name, so the log's `user:NAME` actors stay explained.
A plaintext `token` is refused rather than hashed on load: the file would then keep a live secret at rest.
Hash a token you generated yourself with standard tools:

    printf '%s' "$TOKEN" | openssl dgst -sha256 -hmac 'lookback/auth/token/v1'

Nothing here logs, and error messages point at entries by position (`users[2]`), never by name or token.
Two `lookback users` commands run at the same moment may lose one's change; user management is a
station task done by hand, so that is not worth a lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from lookback.auth import passwords
from lookback.catalogue import Catalogue

TOKEN_KEY = b"lookback/auth/token/v1"
_NAME = re.compile(r"[\w.\-]{1,64}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class UserError(ValueError):
    """Bad input or a bad users file; the message is bilingual and safe to show."""


class Role(StrEnum):
    STATION = "station"  # 扶贫工作站
    VILLAGE = "village"  # 村干部
    UNIT = "unit"  # 责任单位
    COUNTY = "county"  # 县扶贫局
    AUDITOR = "auditor"  # 审计


class User(BaseModel):
    """An authenticated caller; it carries no token or hash, so it can be passed around freely."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: Role
    village: str | None = None
    unit: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        # Names end up in event actors and CLI tables; no spaces or control characters to confuse either.
        if not _NAME.fullmatch(name):
            raise ValueError("用户名须为 1-64 个字母、数字、汉字或 . _ - / name must be 1-64 letters, digits, . _ -")
        return name

    @field_validator("village", "unit")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    @model_validator(mode="after")
    def _scope_fits_role(self) -> User:
        # A cadre without a village would silently see nothing; a station user with a village would look
        # restricted while the policy ignores it. Both are configuration mistakes, so refuse them.
        if (self.role is Role.VILLAGE) != (self.village is not None):
            raise ValueError("村干部须且仅村干部可指定村 / village cadres, and only they, need a village (--village)")
        if (self.role is Role.UNIT) != (self.unit is not None):
            raise ValueError("责任单位人员须且仅其可指定单位 / unit officers, and only they, need a unit (--unit)")
        return self

    @property
    def actor(self) -> str:
        """The `actor` of the events this user causes, in the `service:…`/`user:…` form the services use."""
        return f"user:{self.name}"


class _Record(User):
    token_hash: str
    password_hash: str | None = None
    setup_hash: str | None = None
    disabled: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_plaintext(cls, data: Any) -> Any:
        if isinstance(data, dict) and "token" in data:
            raise ValueError("不接受明文令牌 / plaintext token not accepted: write token_hash (lookback.auth.users)")
        return data

    @field_validator("token_hash")
    @classmethod
    def _hex(cls, digest: str) -> str:
        if not _HEX64.fullmatch(digest):
            raise ValueError("token_hash 须为 64 位小写十六进制 / token_hash must be 64 lowercase hex digits")
        return digest

    def user(self) -> User:
        return User(name=self.name, role=self.role, village=self.village, unit=self.unit)


class Account(NamedTuple):
    """A user as the station manages them: whether they may sign in, and whether they chose a password."""

    user: User
    disabled: bool
    has_password: bool


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    users: list[_Record] = []


def hash_token(token: str) -> str:
    """HMAC-SHA256 of the token under a fixed, public key.

    Tokens are `secrets.token_urlsafe(32)`: 256 random bits. Slow password hashes (bcrypt, scrypt,
    argon2) exist to make guessing low-entropy passwords expensive; nobody can guess 2**256 values, so
    slowness would only add latency to every request. One SHA-256 is enough for a leaked file to be
    useless. The key is not a secret: it separates this hash from a plain SHA-256 of the same string used
    anywhere else, names the scheme's version, and lets operators compute hashes with openssl.
    `verify` still compares with `hmac.compare_digest`: learning a stored hash byte by byte from response
    times would not reveal its token, but there is no reason to leak it either.
    """
    return hmac.new(TOKEN_KEY, token.encode(), hashlib.sha256).hexdigest()


def default_users_file() -> Path:
    if explicit := os.environ.get("LOOKBACK_USERS_FILE"):
        return Path(explicit)
    # LOOKBACK_DATA_DIR as ServiceSettings reads it, without validating every other service setting here.
    return Path(os.environ.get("LOOKBACK_DATA_DIR") or ".lookback") / "users.json"


def _explain(err: ValidationError) -> str:
    # str(err) would quote the input, which may be a token or a name; only locations and reasons go out.
    parts = []
    for e in err.errors(include_input=False, include_url=False, include_context=False):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".")
        reason = e["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {reason}" if where else reason)
    return "; ".join(parts)


def make_user(name: str, role: Role, village: str | None = None, unit: str | None = None) -> User:
    """A validated user, with validation errors turned into a `UserError` that is safe to print."""
    try:
        return User(name=name, role=role, village=village, unit=unit)
    except ValidationError as err:
        raise UserError(_explain(err)) from None


def check_known_scope(catalogue: Catalogue, user: User) -> User:
    """A village or unit the town's catalogue lacks would scope a person to nothing; refuse it by name."""
    if user.village and user.village not in catalogue.villages:
        villages = "、".join(catalogue.villages)
        raise UserError(f"本镇没有这个行政村，可选：{villages} / the town has no such village")
    if user.unit and user.unit not in catalogue.units():
        units = "、".join(sorted(catalogue.units()))
        raise UserError(f"本镇没有这个责任单位，可选：{units} / the town has no such unit")
    return user


class UserStore:
    """The users file, re-read only when it changed so a request costs one `stat`, not a JSON parse.

    A file that turns invalid while services run makes `verify` raise instead of trusting the last good
    copy: that copy may still hold a user who was just removed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: tuple[tuple[int, int, int] | None, list[_Record]] = (None, [])

    def verify(self, token: str) -> User | None:
        digest = hash_token(token)
        found = None
        for record in self._records():  # no early exit: the time taken does not depend on which user matched
            if hmac.compare_digest(record.token_hash, digest):
                found = record
        return found.user() if found and not found.disabled else None

    def users(self) -> list[User]:
        return [r.user() for r in self._records()]

    def accounts(self) -> list[Account]:
        return [Account(r.user(), r.disabled, r.password_hash is not None) for r in self._records()]

    def get(self, name: str) -> User | None:
        """The user who may act now: a disabled one is as good as unknown to every caller."""
        return next((r.user() for r in self._records() if r.name == name and not r.disabled), None)

    def check_password(self, name: str, password: str) -> User | None:
        """The user if the password is theirs; an unknown name costs a hash too, so timing tells no names."""
        record = next((r for r in self._records() if r.name == name), None)
        stored = record.password_hash if record else None
        return record.user() if passwords.matches(stored, password) and record and not record.disabled else None

    def set_password(self, name: str, password: str) -> None:
        """Set (or change) a password; any unused setup link of the user stops working."""
        try:
            digest = passwords.hash_password(password)
        except passwords.WeakPassword as err:
            raise UserError(str(err)) from None
        self._update(name, {"password_hash": digest, "setup_hash": None})

    def setup_code(self, name: str) -> str:
        """A one-time code for the user to choose a password with; only its hash is kept."""
        code = secrets.token_urlsafe(24)
        self._update(name, {"setup_hash": hash_token(code)})
        return code

    def reset_password(self, name: str) -> str:
        """Forget the password (a lost or leaked one stops working now) and return a new setup code."""
        code = secrets.token_urlsafe(24)
        self._update(name, {"password_hash": None, "setup_hash": hash_token(code)})
        return code

    def redeem_setup(self, code: str, password: str) -> User:
        """Set the password of the user whose setup code this is; the code works once."""
        digest = hash_token(code)
        record = next((r for r in self._records() if r.setup_hash and hmac.compare_digest(r.setup_hash, digest)), None)
        if record is None or record.disabled:
            raise UserError("设置链接无效或已使用 / the setup link is invalid or was used already")
        self.set_password(record.name, password)
        return record.user()

    def add(self, name: str, role: Role, village: str | None = None, unit: str | None = None) -> str:
        """Create a user and return its token; only the hash is kept, so this is the one time it is seen."""
        user = make_user(name, role, village, unit)
        records = self._records()
        if any(r.name == name for r in records):
            raise UserError("用户名已存在 / a user with this name already exists")
        token = secrets.token_urlsafe(32)
        self._write([*records, _Record(**user.model_dump(), token_hash=hash_token(token))])
        return token

    def rotate(self, name: str) -> str:
        """Give a user a new token; the old one stops working as soon as the services see the file change."""
        records = self._records()
        index = self._index(records, name)
        token = secrets.token_urlsafe(32)
        records[index] = records[index].model_copy(update={"token_hash": hash_token(token)})
        self._write(records)
        return token

    def set_scope(self, name: str, catalogue: Catalogue, village: str | None = None, unit: str | None = None) -> User:
        """Move a cadre to another village or an officer to another unit of the town; the role stays."""
        records = self._records()
        index = self._index(records, name)
        user = check_known_scope(catalogue, make_user(name, records[index].role, village, unit))
        records[index] = records[index].model_copy(update={"village": user.village, "unit": user.unit})
        self._write(records)
        return user

    def set_disabled(self, name: str, disabled: bool) -> None:
        """Turn a user away (or back in) without removing them: the name stays in the file and in the log."""
        self._update(name, {"disabled": disabled})

    def _update(self, name: str, fields: dict[str, str | bool | None]) -> None:
        records = self._records()
        index = self._index(records, name)
        records[index] = records[index].model_copy(update=fields)
        self._write(records)

    def remove(self, name: str) -> None:
        records = self._records()
        del records[self._index(records, name)]
        self._write(records)

    @staticmethod
    def _index(records: list[_Record], name: str) -> int:
        for i, record in enumerate(records):
            if record.name == name:
                return i
        raise UserError("没有该用户 / no such user")

    def _records(self) -> list[_Record]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return []
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached_key, records = self._cache
        if key != cached_key:
            records = self._parse(self.path.read_bytes())
            self._cache = (key, records)
        return list(records)

    def _parse(self, raw: bytes) -> list[_Record]:
        prefix = f"用户文件有误 / invalid users file {self.path}"
        try:
            records = _File.model_validate(json.loads(raw)).users
        except ValidationError as err:
            raise UserError(f"{prefix}: {_explain(err)}") from None
        except ValueError as err:  # JSON syntax or encoding; these messages give positions, not content
            raise UserError(f"{prefix}: {err}") from None
        for field in ("name", "token_hash"):
            seen: dict[str, int] = {}
            for i, record in enumerate(records):
                first = seen.setdefault(getattr(record, field), i)
                if first != i:
                    raise UserError(f"{prefix}: users[{i}].{field} 与 users[{first}] 重复 / repeats users[{first}]")
        return records

    def _write(self, records: list[_Record]) -> None:
        # Write a private temporary file and rename it over the old one, so a service never reads half a
        # file and the rename gives a new inode that its cache notices.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = _File(users=records).model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".users-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

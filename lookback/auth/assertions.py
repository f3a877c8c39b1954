"""How the workbench calls the services on behalf of a signed-in person: a short-lived assertion
("this request is by <name>, until <time>"), signed with a key that only the workbench and the
services read, sent as the bearer credential.

The services then keep the one permission check (`lookback.auth.fastapi.current_user` accepts an
assertion where a token does not match) and events name the person, not the workbench. The
services need no session table: each keeps its own database (deploy/postgres), so a session
store shared with the workbench would be a coupling the deployment does not have. Assertions live
60 seconds and are minted per call, so signing out (the workbench drops its session) ends them
within a minute; the key is `LOOKBACK_WORKBENCH_KEY_FILE`, else `workbench.key` in the data
directory, made by `lookback up` (mode 0600). Without a key file only tokens are accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from lookback.clock import utcnow

PREFIX = "lbs1."
LIFETIME = timedelta(seconds=60)
KEY_FILE = "workbench.key"


def key_file() -> Path:
    if explicit := os.environ.get("LOOKBACK_WORKBENCH_KEY_FILE"):
        return Path(explicit)
    return Path(os.environ.get("LOOKBACK_DATA_DIR") or ".lookback") / KEY_FILE


def read_key(path: Path | None = None) -> bytes | None:
    try:
        key = (path or key_file()).read_text().strip().encode()
    except FileNotFoundError:
        return None
    return key or None


def make_key(path: Path) -> None:
    """A new random key, readable by its owner only; an existing key is kept (sessions stay valid)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(secrets.token_urlsafe(32))


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def sign(name: str, key: bytes, at: datetime | None = None) -> str:
    expires = int(((at or utcnow()) + LIFETIME).timestamp())
    body = base64.urlsafe_b64encode(json.dumps({"sub": name, "exp": expires}).encode()).decode()
    return f"{PREFIX}{body}.{_mac(key, body)}"


def verify(credential: str, key: bytes, at: datetime | None = None) -> str | None:
    """The name the assertion is for, if the signature holds and it has not expired; else None."""
    if not credential.startswith(PREFIX):
        return None
    body, _, mac = credential.removeprefix(PREFIX).rpartition(".")
    if not body or not hmac.compare_digest(_mac(key, body), mac):
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(body))
        name, expires = str(claims["sub"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    return name if (at or utcnow()).timestamp() < expires else None

"""The users of the embedded event log: who may connect to the nats-server `lookback up` runs, and what each may do.

The same model as deploy/nats/accounts.conf: each service publishes only the subjects of the events it owns;
no service may delete, purge or edit a stream, nor delete a consumer (the services' ordered consumers are
ephemeral, so a service allowed to delete consumers could delete another's); `audit` reads and never writes;
`admin` may do anything and is used by no service. There is no anonymous user.

Passwords are random, made once per data dir and kept there, one file per user (0600, in a 0700 folder), so a
restart resumes with the same ones and the CLI finds the audit user's. The server's config holds only their
bcrypt hashes.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import bcrypt

from lookback.contracts.subjects import (
    DEAD_LETTER_PREFIX,
    DEAD_LETTER_STREAM,
    EVIDENCE_BUCKET,
    PREFIX,
    REPORTS_BUCKET,
    STREAM,
    object_stream,
)
from lookback.settings import NatsCredentials, ServiceSettings

# The subjects of the events each service writes (lookback/contracts: the aggregate types it owns).
OWNED = {
    "intake": ("household", "village", "import", "issue"),
    "rules": ("problem",),
    "rectify": ("case", "digest"),
    "reporting": ("submission",),
}
AUDIT = "audit"
ADMIN = "admin"
USERS = (*OWNED, AUDIT, ADMIN)
# The server checks the hash on every connect (measured: 25 ms at cost 6, 485 ms at 10, 1.4 s at the default 12).
# The passwords are 192 random bits: the hash keeps them out of the config; stretching adds nothing against guessing.
BCRYPT_COST = 6

# Reading the log: stream info, ordered (ephemeral) consumers and their info, direct and plain message gets,
# the replies to the server's flow control.
READ = (
    "$JS.API.INFO",
    "$JS.API.STREAM.NAMES",
    *(f"$JS.API.STREAM.INFO.{s}" for s in (STREAM, DEAD_LETTER_STREAM)),
    *(f"$JS.API.CONSUMER.CREATE.{s}{t}" for s in (STREAM, DEAD_LETTER_STREAM) for t in ("", ".>")),
    *(f"$JS.API.CONSUMER.INFO.{s}.*" for s in (STREAM, DEAD_LETTER_STREAM)),
    *(f"$JS.API.DIRECT.GET.{s}{t}" for s in (STREAM, DEAD_LETTER_STREAM) for t in ("", ".>")),
    *(f"$JS.API.STREAM.MSG.GET.{s}" for s in (STREAM, DEAD_LETTER_STREAM)),
    "$JS.FC.>",
)
# The auditor reads every stream, not only the log: `verify-chain --stream` and `verify-report --stream` check a
# restored backup or a copy beside the live log. Still only reads.
AUDIT_READ = (
    "$JS.API.INFO",
    "$JS.API.STREAM.NAMES",
    "$JS.API.STREAM.INFO.*",
    "$JS.API.CONSUMER.CREATE.*",
    "$JS.API.CONSUMER.CREATE.*.>",
    "$JS.API.CONSUMER.INFO.*.*",
    "$JS.API.DIRECT.GET.*",
    "$JS.API.DIRECT.GET.*.>",
    "$JS.API.STREAM.MSG.GET.*",
    "$JS.FC.>",
)
# A service also creates the two streams when they are missing (never any other), and dead-letters.
SERVICE = (*READ, *(f"$JS.API.STREAM.CREATE.{s}" for s in (STREAM, DEAD_LETTER_STREAM)), f"{DEAD_LETTER_PREFIX}.>")
# Durable pull consumers a service works a queue with (rectify's digest sender): next messages and acks, of
# its own consumers only.
QUEUES = {"rectify": ("digest-sender",)}
REPLIES = {"allow": ["_INBOX.>"]}
# Rectify writes 整改佐证 into the evidence bucket and reads it back, reporting the villages' 书面报告 into the
# reports bucket: each creates its bucket's stream when missing, puts objects (chunks, then metadata) and gets
# them (metadata by message get, chunks by an ordered consumer). Neither may purge (an object replaced, a put
# broken off) nor delete: the buckets are content-addressed, nothing in them is ever replaced, and only the admin
# removes anything. The auditor's reads of every stream cover the buckets.


def store_rights(bucket: str) -> tuple[str, ...]:
    stream = object_stream(bucket)
    return (
        f"$O.{bucket}.C.>",
        f"$O.{bucket}.M.>",
        f"$JS.API.STREAM.INFO.{stream}",
        f"$JS.API.STREAM.CREATE.{stream}",
        f"$JS.API.STREAM.MSG.GET.{stream}",
        f"$JS.API.CONSUMER.CREATE.{stream}",
        f"$JS.API.CONSUMER.CREATE.{stream}.>",
        f"$JS.API.CONSUMER.INFO.{stream}.*",
    )


STORES = {"rectify": store_rights(EVIDENCE_BUCKET), "reporting": store_rights(REPORTS_BUCKET)}


def permissions(user: str) -> dict[str, object] | None:
    """What `user` may publish and subscribe to; None for the admin, who may do anything."""
    if user == ADMIN:
        return None
    if user == AUDIT:
        return {"publish": {"allow": list(AUDIT_READ)}, "subscribe": REPLIES}
    owned = [f"{PREFIX}.{aggregate}.>" for aggregate in OWNED[user]]
    queues = [
        f"{api}.{STREAM}.{name}{tail}"
        for name in QUEUES.get(user, ())
        for api, tail in (("$JS.API.CONSUMER.MSG.NEXT", ""), ("$JS.ACK", ".>"))
    ]
    return {"publish": {"allow": owned + list(SERVICE) + list(STORES.get(user, ())) + queues}, "subscribe": REPLIES}


@dataclass(frozen=True)
class NatsUsers:
    """The users' passwords, kept in `folder`: made on first use, read back after."""

    folder: Path

    def password(self, user: str) -> str:
        path = self.folder / user
        if path.exists():
            return path.read_text().strip()
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(password)
        return password

    def credentials(self, user: str) -> NatsCredentials:
        return NatsCredentials(user, self.password(user))

    def url(self, servers: str, user: str) -> str:
        """`servers` (one URL or a comma-separated list) with `user`'s credentials written into each."""
        return with_credentials(servers, self.credentials(user))

    def authorization(self) -> str:
        """The server's `authorization` block: every user with its bcrypt hash and permissions."""
        entries = []
        for user in USERS:
            hashed = bcrypt.hashpw(self.password(user).encode(), bcrypt.gensalt(BCRYPT_COST)).decode()
            entry: dict[str, object] = {"user": user, "password": hashed}
            granted = permissions(user)
            if granted is not None:
                entry["permissions"] = granted
            entries.append(entry)
        return f"authorization {json.dumps({'users': entries}, indent=1)}\n"


def credentials_folder(nats_dir: Path) -> Path:
    """Where a nats-server run by the runner from `nats_dir` keeps its users' passwords."""
    return nats_dir / "credentials"


def cli_credentials(data_dir: Path, user: str = AUDIT) -> NatsCredentials | None:
    """The CLI's NATS user: `LOOKBACK_NATS_USER`/`LOOKBACK_NATS_PASSWORD` if set, else `user` of the embedded
    server `lookback up` runs for `data_dir`, else none (a NATS without authentication)."""
    given = ServiceSettings().nats_credentials()
    if given is not None:
        return given
    path = credentials_folder(data_dir / "nats") / user
    return NatsCredentials(user, path.read_text().strip()) if path.exists() else None


def with_credentials(servers: str, credentials: NatsCredentials | None) -> str:
    if credentials is None:
        return servers
    auth = f"{quote(credentials.user, safe='')}:{quote(credentials.password, safe='')}@"
    parts = []
    for server in servers.split(","):
        url = urlsplit(server.strip())
        parts.append(urlunsplit(url._replace(netloc=auth + url.netloc.rpartition("@")[2])))
    return ",".join(parts)

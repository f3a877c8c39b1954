"""The services' signing keys: one Ed25519 key pair per service that appends to the log.

`lookback up` makes them on first start in `DATA_DIR/keys/` (the private key 0600, the public key
beside it for the auditor) and never replaces one: a key that changed would make the auditor distrust
every event signed before. A deployment makes them once with `lookback keys init` and hands each
service only its own private key (docs/operations.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lookback.signing import private_pem, public_pem

SIGNERS = ("intake", "rules", "rectify", "reporting")
"""The services that append events (reporting only its submissions)."""


def ensure_keys(folder: Path, services: Iterable[str] = SIGNERS) -> list[str]:
    """Make the key pairs that are missing; returns the services it made one for."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name in services:
        private = folder / f"{name}.key"
        if private.exists():
            continue
        key = Ed25519PrivateKey.generate()
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(private_pem(key))
        (folder / f"{name}.pub").write_bytes(public_pem(key.public_key()))
        made.append(name)
    return made

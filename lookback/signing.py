"""Tamper evidence that needs a key: every service signs what it appends with its own Ed25519 key.

The hash chain (contracts/chain.py) is public arithmetic: whoever reads the code can forge an event
naming the right predecessor. A signature needs the appending service's private key, which stays with
that service; the auditor holds only the public keys. One signature per atomic batch, over the digests
of its messages in order, keeps the cost per batch, not per event. What is signed is the message as
stored (subject and bytes), so a signature still checks years later, whatever the code then decodes.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNER = "Lb-Signer"
"""Header: the key id (the service's name) that signed the batch."""
SIGNATURE = "Lb-Signature"
"""Header on a batch's last message: the signature over the whole batch."""
BATCH = "Lb-Batch"
"""Header on every message of a signed atomic batch: the batch's id."""
SIGNED_PREFIX = b"lookback-batch-v1\0"


def message_digest(subject: str, data: bytes) -> bytes:
    return hashlib.sha256(subject.encode() + b"\0" + data).digest()


def signed_bytes(batch: str, digests: Sequence[bytes]) -> bytes:
    """A single event is a batch of one with no id."""
    return SIGNED_PREFIX + batch.encode() + b"\0" + b"".join(digests)


@dataclass(frozen=True)
class Signer:
    key_id: str
    key: Ed25519PrivateKey

    def headers(self, batch: str, digests: Sequence[bytes]) -> dict[str, str]:
        signature = self.key.sign(signed_bytes(batch, digests))
        return {SIGNER: self.key_id, SIGNATURE: base64.b64encode(signature).decode()}


def private_pem(key: Ed25519PrivateKey) -> bytes:
    pkcs8 = serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.PEM, pkcs8, serialization.NoEncryption())


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_signer(path: Path, key_id: str) -> Signer:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"签名私钥不是 Ed25519 / the signing key {path} is not an Ed25519 private key")
    return Signer(key_id, key)


def load_public_keys(folder: Path) -> dict[str, Ed25519PublicKey]:
    """`<key id>.pub` files, PEM: the keys the auditor trusts."""
    keys: dict[str, Ed25519PublicKey] = {}
    for path in sorted(folder.glob("*.pub")) if folder.is_dir() else []:
        key = serialization.load_pem_public_key(path.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"公钥不是 Ed25519 / the public key {path} is not an Ed25519 key")
        keys[path.stem] = key
    return keys


KINDS = {
    "unsigned": "未签名 / unsigned",
    "mis-signed": "签名不符 / signature does not match",
    "unknown signer": "签名者未知 / signed by a key the auditor does not know",
}


@dataclass(frozen=True)
class Finding:
    kind: str  # a key of KINDS
    seqs: tuple[int, ...]
    signer: str | None = None

    def describe(self) -> str:
        by = f" (key {self.signer})" if self.signer else ""
        return f"seq {_ranges(self.seqs)}: {KINDS[self.kind]}{by}"


def _ranges(seqs: Sequence[int]) -> str:
    runs: list[list[int]] = []
    for seq in seqs:
        if runs and seq == runs[-1][1] + 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


@dataclass
class SignatureCheck:
    """Checks the signatures of a log fed in stream order.

    Unsigned messages before the first signed one are the log's past from before signing ("legacy"),
    counted but not reported: once services sign, nothing unsigned may follow. A batch whose messages
    never reach a signed last message is unsigned; a missing, altered or reordered message of a signed
    batch makes its signature fail."""

    keys: Mapping[str, Ed25519PublicKey]
    signed: int = 0
    legacy: int = 0
    findings: list[Finding] = field(default_factory=list)
    open: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)

    def feed(self, seq: int, subject: str, data: bytes, headers: Mapping[str, str] | None) -> None:
        headers = headers or {}
        batch = headers.get(BATCH, "")
        member = (seq, message_digest(subject, data))
        if SIGNATURE not in headers:
            if batch:
                self.open.setdefault(batch, []).append(member)
            elif self.signed or self.findings:
                self.findings.append(Finding("unsigned", (seq,)))
            else:
                self.legacy += 1
            return
        members = [*self.open.pop(batch, []), member] if batch else [member]
        self._verify(batch, members, headers.get(SIGNER, ""), headers[SIGNATURE])

    def _verify(self, batch: str, members: list[tuple[int, bytes]], signer: str, signature: str) -> None:
        seqs = tuple(seq for seq, _ in members)
        key = self.keys.get(signer)
        if key is None:
            self.findings.append(Finding("unknown signer", seqs, signer or None))
            return
        try:
            key.verify(base64.b64decode(signature), signed_bytes(batch, [d for _, d in members]))
        except (InvalidSignature, ValueError):
            self.findings.append(Finding("mis-signed", seqs, signer))
            return
        self.signed += len(members)

    def finish(self) -> list[Finding]:
        """Batches still open at the end of the log were never signed."""
        for members in self.open.values():
            self.findings.append(Finding("unsigned", tuple(seq for seq, _ in members)))
        self.open.clear()
        self.findings.sort(key=lambda f: f.seqs)
        return self.findings

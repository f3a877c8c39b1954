"""What the log says about itself: its chains and signatures (`verify-chain`) and a report's 校验码 (`verify-report`).

Both read the messages as stored, never a read model, and take every message as it comes: one that
does not decode is a finding with its sequence, not a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from nats.aio.client import Client
from nats.aio.msg import Msg

from apps.audit.reader import read_log, stream_head
from lookback.consumer import Undecodable, decode
from lookback.contracts.chain import ChainCheck
from lookback.contracts.subjects import PREFIX, STREAM
from lookback.logdigest import GENESIS, advance, check_code
from lookback.signing import SignatureCheck

WHOLE_LOG = [f"{PREFIX}.>"]


@dataclass
class Integrity:
    keys: Mapping[str, Ed25519PublicKey]
    chain: ChainCheck = field(default_factory=ChainCheck)
    signatures: SignatureCheck = field(init=False)
    undecodable: list[tuple[int, str]] = field(default_factory=list)
    missing: list[tuple[int, int]] = field(default_factory=list)
    last: int = 0

    def __post_init__(self) -> None:
        self.signatures = SignatureCheck(self.keys)

    def feed(self, msg: Msg) -> None:
        seq = msg.metadata.sequence.stream
        self._gap_before(seq)
        self.signatures.feed(seq, msg.subject, msg.data, msg.headers)
        item = decode(msg)
        if isinstance(item, Undecodable):
            self.undecodable.append((seq, item.reason))
        else:
            self.chain.feed(seq, item.envelope, msg.metadata.timestamp)

    def _gap_before(self, seq: int) -> None:
        if seq > self.last + 1:
            self.missing.append((self.last + 1, seq - 1))
        self.last = max(self.last, seq)

    def finish(self, head: int) -> None:
        self._gap_before(head + 1)
        self.signatures.finish()

    @property
    def clean(self) -> bool:
        return not (
            self.chain.breaks or self.chain.misdated or self.signatures.findings or self.undecodable or self.missing
        )

    def lines(self) -> list[str]:
        out = [found.describe() for found in self.chain.breaks]
        out += [
            f"seq {seq} ({aggregate}): 记录时间与存储时间不符 / recorded time far from when it was stored"
            for seq, aggregate in self.chain.misdated
        ]
        out += [f"seq {seq}: 无法解码 / undecodable ({reason})" for seq, reason in self.undecodable]
        out += [f"seq {a}{'' if a == b else f'–{b}'}: 缺失 / missing from the log" for a, b in self.missing]
        out += [found.describe() for found in self.signatures.findings]
        sig = self.signatures
        out.append(
            f"{self.chain.count} events, {len(self.chain.heads)} aggregates, {len(self.chain.breaks)} broken links, "
            f"{len(self.chain.misdated)} misdated, {len(self.undecodable)} undecodable, "
            f"{sum(b - a + 1 for a, b in self.missing)} missing; "
            f"{sig.signed} signed, {sig.legacy} unsigned legacy (before signing began), "
            f"{len(sig.findings)} signature findings"
        )
        return out


async def verify_chain(nc: Client, keys: Mapping[str, Ed25519PublicKey], stream: str = STREAM) -> Integrity:
    found = Integrity(keys)
    head = await stream_head(nc, stream)

    async def sink(batch: list[Msg]) -> bool:
        for msg in batch:
            found.feed(msg)
        return True

    await read_log(nc, WHOLE_LOG, sink, stop=head, stream=stream)
    found.finish(head)
    return found


async def code_at(nc: Client, seq: int, stream: str = STREAM) -> str | None:
    """The 校验码 the log gives now for its first `seq` messages; None if it does not reach that far."""
    if await stream_head(nc, stream) < seq:
        return None
    state = GENESIS

    async def sink(batch: list[Msg]) -> bool:
        nonlocal state
        for msg in batch:
            state = advance(state, msg.metadata.sequence.stream, msg.subject, msg.data)
        return True

    await read_log(nc, WHOLE_LOG, sink, stop=seq, stream=stream)
    return check_code(STREAM, seq, state)

"""`verify-chain`'s reading of stored messages: legacy fixtures, undecodable and missing messages."""

from __future__ import annotations

from nats.aio.msg import Msg

from apps.audit.integrity import Integrity
from lookback.contracts.subjects import STREAM

from .stored import delivered, load

V0, V1 = "household.recorded.v0.jsonl", "household.recorded.v1.jsonl"


def fed(msgs: list[Msg], head: int) -> Integrity:
    found = Integrity({})
    for msg in msgs:
        found.feed(msg)
    found.finish(head)
    return found


def test_events_from_before_signing_verify_as_unsigned_legacy() -> None:
    for name in (V0, V1):
        found = fed(delivered(load(name)), 8)
        assert found.clean, found.lines()
        assert (found.signatures.legacy, found.signatures.signed, found.chain.count) == (8, 0, 8)
        assert "8 unsigned legacy" in found.lines()[-1]


def test_an_undecodable_and_a_missing_message_are_reported_with_their_sequences() -> None:
    msgs = delivered(load(V1))
    reply = f"$JS.ACK.{STREAM}.audit.1.4.4.1575250200000000000.4"
    msgs[3] = Msg(None, subject="lb.case.x.dismissed", reply=reply, data=b"{not json")  # type: ignore[arg-type]
    del msgs[5]
    found = fed(msgs, 9)
    lines = "\n".join(found.lines())
    assert not found.clean
    assert found.undecodable == [(4, "ValidationError")] and "seq 4: 无法解码 / undecodable" in lines
    assert found.missing == [(6, 6), (9, 9)] and "seq 6: 缺失 / missing" in lines and "seq 9:" in lines

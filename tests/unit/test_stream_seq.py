"""The consumers read each message's stream sequence from its reply subject themselves; it must be the
number nats-py's `Msg.metadata` reads, with and without a JetStream domain."""

from __future__ import annotations

import pytest
from nats.aio.msg import Msg

from lookback.tail import stream_seq

REPLIES = [
    "$JS.ACK.LOOKBACK.aD0f3WeW.1.28268.28268.1796234192722018332.0",
    "$JS.ACK.LOOKBACK.rules.3.7.5.1796234192722018332.12",
    "$JS.ACK.hub.ACCHASH.LOOKBACK.rules.1.4096.17.1796234192722018332.3.rAnd0m",
    "$JS.ACK._.ACCHASH.LOOKBACK.rules.1.81.2.1796234192722018332.0",
]


@pytest.mark.parametrize("reply", REPLIES)
def test_the_stream_sequence_is_the_one_nats_py_reads(reply: str) -> None:
    msg = Msg(None, subject="lb.household.1.recorded", reply=reply)  # type: ignore[arg-type]
    assert stream_seq(msg) == msg.metadata.sequence.stream

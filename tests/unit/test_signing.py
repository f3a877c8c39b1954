"""Signatures per batch: what `SignatureCheck` accepts, and what it reports with which sequences."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lookback.signing import BATCH, SignatureCheck, Signer, message_digest

RULES = Signer("rules", Ed25519PrivateKey.generate())
KEYS = {"rules": RULES.key.public_key()}
Message = tuple[str, bytes, dict[str, str]]


def batch(bodies: list[bytes], batch_id: str = "b1", signer: Signer = RULES) -> list[Message]:
    subjects = [f"lb.problem.p{n}.flagged" for n in range(len(bodies))]
    signed = signer.headers(batch_id, [message_digest(s, b) for s, b in zip(subjects, bodies, strict=True)])
    headers = [{BATCH: batch_id} for _ in bodies]
    headers[-1] |= signed
    return list(zip(subjects, bodies, headers, strict=True))


def single(body: bytes, signer: Signer = RULES) -> Message:
    subject = "lb.case.c.opened"
    return subject, body, signer.headers("", [message_digest(subject, body)])


def checked(*messages: Message) -> SignatureCheck:
    check = SignatureCheck(KEYS)
    for seq, (subject, data, headers) in enumerate(messages, 1):
        check.feed(seq, subject, data, headers)
    check.finish()
    return check


def kinds(check: SignatureCheck) -> list[tuple[str, tuple[int, ...]]]:
    return [(f.kind, f.seqs) for f in check.findings]


def test_signed_batches_and_single_events_verify() -> None:
    check = checked(*batch([b"a", b"b", b"c"]), single(b"d"), *batch([b"e", b"f"], "b2"))
    assert (check.signed, kinds(check)) == (6, [])


def test_an_altered_or_reordered_member_fails_the_whole_batch() -> None:
    altered = batch([b"a", b"b", b"c"])
    altered[1] = (altered[1][0], b"B", altered[1][2])
    assert kinds(checked(*altered)) == [("mis-signed", (1, 2, 3))]
    swapped = batch([b"a", b"b", b"c"])
    swapped[0], swapped[1] = swapped[1], swapped[0]
    assert kinds(checked(*swapped)) == [("mis-signed", (1, 2, 3))]
    dropped = batch([b"a", b"b", b"c"])
    del dropped[1]
    assert kinds(checked(*dropped)) == [("mis-signed", (1, 2))]


def test_a_forger_key_or_an_unknown_key_is_reported() -> None:
    forger = Signer("rules", Ed25519PrivateKey.generate())
    stranger = Signer("mallory", Ed25519PrivateKey.generate())
    check = checked(single(b"a"), single(b"b", forger), single(b"c", stranger))
    assert kinds(check) == [("mis-signed", (2,)), ("unknown signer", (3,))]
    assert "seq 3: 签名者未知" in check.findings[1].describe() and "mallory" in check.findings[1].describe()


def test_unsigned_before_signing_began_is_legacy_and_after_it_a_finding() -> None:
    plain: Message = ("lb.case.c.dismissed", b"x", {})
    check = checked(plain, plain, single(b"a"), plain)
    assert (check.legacy, check.signed, kinds(check)) == (2, 1, [("unsigned", (4,))])


def test_a_batch_never_signed_is_unsigned_with_every_sequence() -> None:
    members = [(s, b, {BATCH: "b9"}) for s, b, _ in batch([b"a", b"b"], "b9")]
    assert kinds(checked(single(b"z"), *members)) == [("unsigned", (2, 3))]

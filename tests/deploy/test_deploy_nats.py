"""deploy/nats: the configs pass nats-server's config test, and a real server enforces the users'
permissions: each service publishes only its own subjects, nobody connects anonymously.

Servers here listen on free loopback ports (never 127.0.0.1:4222) with JetStream in a temporary
directory; the cluster test uses the fixed loopback ports of deploy/nats/cluster/n*.conf.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import secrets
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from apps.natsauth import USERS, permissions
from lookback import objectstore
from lookback.contracts.envelope import Envelope
from lookback.contracts.rectify import Evidence
from lookback.contracts.subjects import EVIDENCE_BUCKET, EVIDENCE_STREAM, REPORTS_BUCKET
from lookback.messaging import DeadLetter, Publisher, ensure_streams, stream_config
from services.rectify.adapters import evidence

from .deploy_support import CLUSTER_CONFS, DEPLOY, NATS_CONF, NATS_USERS, cluster_ports, nats_env, nats_server_binary

pytestmark = pytest.mark.system
FORBIDDEN_PORT = 4222


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    assert port != FORBIDDEN_PORT
    return port


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_healthy(monitor_port: int, proc: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"nats-server exited with {proc.returncode}:\n{log.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{monitor_port}/healthz", timeout=1) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"nats-server on monitor port {monitor_port} not healthy:\n{log.read_text()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Server:
    port: int
    passwords: dict[str, str]

    def url(self, user: str | None = None) -> str:
        auth = f"{user}:{self.passwords[user]}@" if user else ""
        return f"nats://{auth}127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """deploy/nats/nats-server.conf as it is, on a free loopback port with a temporary store."""
    root = tmp_path_factory.mktemp("nats")
    passwords = {u: secrets.token_hex(16) for u in NATS_USERS}
    port, monitor = free_port(), free_port()
    log = root / "nats.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                nats_server_binary(),
                "-c",
                str(NATS_CONF),
                "-a",
                "127.0.0.1",
                "-p",
                str(port),
                "-m",
                str(monitor),
                "-sd",
                str(root / "store"),
            ],
            env=nats_env(passwords),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(monitor, proc, log)
        yield Server(port, passwords)
    finally:
        stop(proc)


class Errors:
    """Collects the asynchronous errors a connection reports (permission violations arrive so)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def record(self, err: Exception) -> None:
        self.seen.append(str(err))

    def violations(self, subject: str) -> list[str]:
        # nats-py reports the server's -ERR in lower case
        return [e for e in self.seen if "permissions violation" in e.lower() and subject.lower() in e.lower()]


@contextlib.asynccontextmanager
async def connected(url: str) -> AsyncIterator[tuple[Client, Errors]]:
    errors = Errors()
    nc = await nats.connect(url, error_cb=errors.record, allow_reconnect=False, connect_timeout=5)
    try:
        yield nc, errors
    finally:
        await nc.close()


async def settle(nc: Client) -> None:
    await nc.flush(timeout=5)
    await asyncio.sleep(0.3)  # the server's -ERR for a refused publish follows the PONG closely


def envelope(event_type: str, aggregate_id: str) -> Envelope:
    now = datetime.now(UTC)
    aggregate_type = event_type.partition(".")[0]
    return Envelope(
        id=uuid.uuid4(),
        type=event_type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        business_time=now,
        recorded_time=now,
        actor="deploy-test",
        payload={},
    )


# --- config test mode ---------------------------------------------------------------------------


@pytest.mark.parametrize("conf", [NATS_CONF, *CLUSTER_CONFS], ids=lambda p: p.name)
def test_config_test_mode(conf: Path) -> None:
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(conf)], env=nats_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is valid" in result.stdout + result.stderr


def test_config_refuses_to_start_without_a_password() -> None:
    env = nats_env()
    del env["RULES_PASSWORD"]
    result = subprocess.run(
        [nats_server_binary(), "-t", "-c", str(NATS_CONF)], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "RULES_PASSWORD" in result.stdout + result.stderr


def settings_lines(conf: Path) -> str:
    return "\n".join(line for line in conf.read_text().splitlines() if not line.lstrip().startswith("#"))


def test_config_keeps_events_durable_and_has_no_anonymous_user() -> None:
    accounts = settings_lines(DEPLOY / "nats" / "accounts.conf")
    for conf in (NATS_CONF, *CLUSTER_CONFS):
        text = settings_lines(conf)
        assert "sync_interval: always" in text, conf
        assert "store_dir" not in text, f"{conf}: store_dir belongs on the command line (-sd)"
        assert "no_auth_user" not in text, conf
    assert "no_auth_user" not in accounts
    for user in NATS_USERS:
        assert f"password: ${user.upper()}_PASSWORD" in accounts


def test_nats_entrypoint_exports_passwords_from_secret_files(tmp_path: Path) -> None:
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    for user in NATS_USERS:
        (secrets_dir / f"nats_{user}_password").write_text(f"{user}-pw\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nats-server").symlink_to(nats_server_binary())
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "SECRETS_DIR": str(secrets_dir)}
    result = subprocess.run(
        ["sh", str(DEPLOY / "nats" / "entrypoint.sh"), "-t", "-c", str(NATS_CONF)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (secrets_dir / "nats_rectify_password").unlink()
    result = subprocess.run(
        ["sh", str(DEPLOY / "nats" / "entrypoint.sh"), "-t", "-c", str(NATS_CONF)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 78
    assert "nats_rectify_password" in result.stderr


# --- permissions on a running server -------------------------------------------------------------


async def test_rules_may_not_publish_household_events(server: Server) -> None:
    async with connected(server.url("admin")) as (admin, _), connected(server.url("rules")) as (rules, errors):
        seen = await admin.subscribe("lb.>")
        await admin.flush()
        await rules.publish("lb.household.x.recorded", b"{}")
        await settle(rules)
        assert errors.violations("lb.household.x.recorded"), errors.seen
        await rules.publish("lb.problem.x.flagged", b"{}")
        await settle(rules)
        assert not errors.violations("lb.problem.x.flagged"), errors.seen
        msg = await seen.next_msg(timeout=5)
        assert msg.subject == "lb.problem.x.flagged"  # the refused household event never arrived
        assert rules.is_connected


async def test_anonymous_and_wrong_password_are_refused(server: Server) -> None:
    for url in (server.url(), f"nats://rules:{'0' * 32}@127.0.0.1:{server.port}"):
        errors = Errors()
        with pytest.raises(Exception):  # noqa: B017 - nats-py raises NoServersError or an auth error
            await nats.connect(
                url, error_cb=errors.record, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=5
            )
        assert any("authorization violation" in e.lower() for e in errors.seen), errors.seen


@pytest.mark.parametrize(
    ("user", "allowed", "refused"),
    [
        (
            "intake",
            [
                "lb.household.h1.recorded",
                "lb.village.v1.registered",
                "lb.import.i1.started",
                "lb.issue.s1.reported",
                "lbdlq.intake",
            ],
            ["lb.problem.p1.flagged", "lb.case.c1.opened"],
        ),
        ("rules", ["lb.problem.p1.flagged", "lbdlq.rules"], ["lb.household.h1.recorded", "lb.case.c1.opened"]),
        ("rectify", ["lb.case.c1.opened", "lbdlq.rectify"], ["lb.problem.p1.flagged", "lb.village.v1.registered"]),
        (
            "reporting",
            ["lb.submission.s1.submitted", "lbdlq.reporting"],
            ["lb.case.c1.opened", "lb.household.h1.recorded", "lb.issue.s1.reported"],
        ),
    ],
)
async def test_each_service_publishes_only_its_own_subjects(
    server: Server, user: str, allowed: list[str], refused: list[str]
) -> None:
    async with connected(server.url(user)) as (nc, errors):
        for subject in allowed + refused:
            await nc.publish(subject, b"{}")
        await settle(nc)
        for subject in allowed:
            assert not errors.violations(subject), (user, subject, errors.seen)
        for subject in refused:
            assert errors.violations(subject), (user, subject, errors.seen)
        # and no service may listen to the log outside JetStream
        await nc.subscribe("lb.>")
        await settle(nc)
        assert any("subscription" in e.lower() and "lb.>" in e for e in errors.seen), errors.seen


async def test_services_can_do_their_jetstream_work(server: Server) -> None:
    """What the services really do: create the streams, publish atomic batches and single events,
    dead-letter, tail the log with an ordered consumer; and what they may not: delete the log."""
    async with connected(server.url("rules")) as (rules, rules_errors):
        await ensure_streams(rules)
        publisher = Publisher(rules, timeout=2)
        await publisher.publish_batch([envelope("problem.flagged", "p1"), envelope("problem.flagged", "p2")])
        ack = await publisher.publish(envelope("problem.flagged", "p3"))
        assert ack.seq >= 3 and not ack.duplicate
        await publisher.publish_dead_letter(DeadLetter("rules", 7, "lb.household.h9.recorded", "ValueError", b"{}"))
        with pytest.raises(Exception):  # noqa: B017 - refused: no ack comes back, the request times out
            await publisher.publish(envelope("household.recorded", "h1"))
        with pytest.raises(Exception):  # noqa: B017 - refused by permissions: times out
            await rules.jetstream(timeout=2).delete_stream("LOOKBACK")
        with pytest.raises(Exception):  # noqa: B017 - no service deletes a consumer, its own or another's
            await rules.jetstream(timeout=2).delete_consumer("LOOKBACK", "someone-elses")
        with pytest.raises(Exception):  # noqa: B017 - nor creates a stream but the two of the log
            await rules.jetstream(timeout=2).add_stream(name="OTHER", subjects=["other.>"])
        await settle(rules)
        for api in ("STREAM.DELETE.LOOKBACK", "CONSUMER.DELETE.LOOKBACK.someone-elses", "STREAM.CREATE.OTHER"):
            assert rules_errors.violations(f"$JS.API.{api}"), (api, rules_errors.seen)

    async with connected(server.url("admin")) as (admin, _):
        info = await admin.jetstream().stream_info("LOOKBACK")
        assert info.state.messages == 3
        assert info.config.deny_delete and info.config.deny_purge
        assert (await admin.jetstream().stream_info("LOOKBACK_DLQ")).state.messages == 1

    async with connected(server.url("reporting")) as (reporting, errors):
        got: list[str] = []
        done = asyncio.Event()

        async def on_msg(msg: Msg) -> None:
            got.append(msg.subject)
            if len(got) == 3:
                done.set()

        config = ConsumerConfig(
            filter_subjects=["lb.>"], deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=1
        )
        sub = await reporting.jetstream().subscribe(
            "lb.>", stream="LOOKBACK", cb=on_msg, ordered_consumer=True, config=config
        )
        await asyncio.wait_for(done.wait(), timeout=10)
        assert sorted(got) == ["lb.problem.p1.flagged", "lb.problem.p2.flagged", "lb.problem.p3.flagged"]
        consumer = await sub.consumer_info()
        assert consumer.num_pending == 0
        await sub.unsubscribe()
        assert errors.seen == []


async def test_the_audit_user_reads_and_writes_nothing(server: Server) -> None:
    async with connected(server.url("rules")) as (rules, _):
        await ensure_streams(rules)
        await Publisher(rules, timeout=2).publish(envelope("problem.flagged", "audited"))
    async with connected(server.url("audit")) as (nc, errors):
        js = nc.jetstream(timeout=2)
        total = (await js.stream_info("LOOKBACK")).state.messages
        sub = await js.subscribe("lb.>", stream="LOOKBACK", ordered_consumer=True)
        read = [(await sub.next_msg(timeout=10)).subject for _ in range(total)]
        assert "lb.problem.audited.flagged" in read
        for subject in ("lb.case.c1.verified", "lbdlq.audit"):
            await nc.publish(subject, b"{}")
        with pytest.raises(Exception):  # noqa: B017 - refused by permissions: times out
            await js.delete_stream("LOOKBACK")
        await settle(nc)
        for subject in ("lb.case.c1.verified", "lbdlq.audit", "$JS.API.STREAM.DELETE.LOOKBACK"):
            assert errors.violations(subject), (subject, errors.seen)


async def test_rectify_writes_and_reads_the_evidence_bucket_and_nobody_but_admin_deletes(server: Server) -> None:
    photo = Evidence(sha256=hashlib.sha256(b"jpeg bytes").hexdigest(), media_type="image/jpeg", size=10)
    async with connected(server.url("rectify")) as (rectify, errors):
        store = await evidence.bucket(rectify)
        await evidence.put(store, b"jpeg bytes", photo)
        await evidence.put(store, b"jpeg bytes", photo)  # the same bytes again: stored once
        assert await evidence.read(store, photo.sha256) == b"jpeg bytes"
        assert await evidence.find(store, photo.sha256) == photo
        js = rectify.jetstream(timeout=2)
        with pytest.raises(Exception):  # noqa: B017 - refused by permissions: times out
            await js.purge_stream(EVIDENCE_STREAM)
        with pytest.raises(Exception):  # noqa: B017
            await js.delete_object_store(EVIDENCE_BUCKET)
        await settle(rectify)
        for api in (f"STREAM.PURGE.{EVIDENCE_STREAM}", f"STREAM.DELETE.{EVIDENCE_STREAM}"):
            assert errors.violations(f"$JS.API.{api}"), (api, errors.seen)
    async with connected(server.url("audit")) as (audit, errors):
        store = await audit.jetstream(timeout=2).object_store(EVIDENCE_BUCKET)
        assert await evidence.read(store, photo.sha256) == b"jpeg bytes"
        await audit.publish(f"$O.{EVIDENCE_BUCKET}.C.x", b"forged")
        await settle(audit)
        assert errors.violations(f"$O.{EVIDENCE_BUCKET}.C.x"), errors.seen
    async with connected(server.url("reporting")) as (reporting, errors):
        await reporting.publish(f"$O.{EVIDENCE_BUCKET}.M.x", b"{}")
        await settle(reporting)
        assert errors.violations(f"$O.{EVIDENCE_BUCKET}.M.x"), errors.seen
    async with connected(server.url("admin")) as (admin, _):
        assert (await admin.jetstream().stream_info(EVIDENCE_STREAM)).state.messages == 2  # one chunk, one meta


async def test_reporting_writes_the_reports_bucket_and_rectify_may_not(server: Server) -> None:
    pdf = b"%PDF-1.4 report"
    digest = hashlib.sha256(pdf).hexdigest()
    async with connected(server.url("reporting")) as (reporting, _):
        store = await objectstore.bucket(reporting, REPORTS_BUCKET)
        await objectstore.put(store, pdf, digest, "application/pdf")
        assert await objectstore.read(store, digest) == pdf
    async with connected(server.url("audit")) as (audit, _):
        assert await objectstore.read(await audit.jetstream(timeout=2).object_store(REPORTS_BUCKET), digest) == pdf
    async with connected(server.url("rectify")) as (rectify, errors):
        await rectify.publish(f"$O.{REPORTS_BUCKET}.C.x", b"forged")
        await settle(rectify)
        assert errors.violations(f"$O.{REPORTS_BUCKET}.C.x"), errors.seen


def allowed_publishes(conf: Path) -> dict[str, list[str]]:
    """Each user's `publish: { allow: [...] }` in an accounts config."""
    found = {}
    for block in re.split(r"\buser:\s*", settings_lines(conf))[1:]:
        user = block.split()[0].strip(",")
        allow = re.search(r"publish:\s*\{\s*allow:\s*\[(.*?)\]", block, re.S)
        found[user] = re.findall(r'"([^"]+)"', allow.group(1)) if allow else []
    return found


def test_deploy_grants_what_the_embedded_server_grants() -> None:
    """One permission model: deploy/nats/accounts.conf lists, user by user, what apps/natsauth.py gives the
    nats-server of `lookback up`; the admin has no limits in either."""
    granted = allowed_publishes(DEPLOY / "nats" / "accounts.conf")
    assert set(granted) == set(USERS)
    for user in USERS:
        expected = permissions(user)
        if expected is None:
            assert granted[user] == [], user
        else:
            assert granted[user] == expected["publish"]["allow"], user  # type: ignore[index]


# --- three-node cluster --------------------------------------------------------------------------


def test_three_node_cluster_forms_and_keeps_three_replicas(tmp_path: Path) -> None:
    ports = [cluster_ports(conf) for conf in CLUSTER_CONFS]
    busy = [p for group in ports for p in group if port_in_use(p)]
    if busy:
        pytest.skip(f"loopback ports of deploy/nats/cluster are in use: {busy}")
    passwords = {u: secrets.token_hex(16) for u in NATS_USERS}
    procs = []
    try:
        for conf in CLUSTER_CONFS:
            log = tmp_path / f"{conf.stem}.log"
            with open(log, "wb") as out:
                procs.append(
                    (
                        subprocess.Popen(
                            [nats_server_binary(), "-c", str(conf), "-sd", str(tmp_path / conf.stem)],
                            env=nats_env(passwords),
                            stdout=out,
                            stderr=subprocess.STDOUT,
                        ),
                        log,
                    )
                )
        for (proc, log), (_, _, monitor) in zip(procs, ports, strict=True):
            wait_healthy(monitor, proc, log, timeout=60)

        async def check() -> None:
            url = f"nats://rules:{passwords['rules']}@127.0.0.1:{ports[1][0]}"
            async with connected(url) as (nc, _):
                await ensure_streams(nc, replicas=3)
                await Publisher(nc, timeout=10).publish_batch(
                    [envelope("problem.flagged", "p1"), envelope("problem.flagged", "p2")]
                )
                info = await nc.jetstream().stream_info("LOOKBACK")
                assert info.config.num_replicas == 3
                assert info.state.messages == 2
                assert info.cluster is not None and len(info.cluster.replicas or []) == 2
                assert stream_config(3).num_replicas == 3

        asyncio.run(check())
    finally:
        for proc, _ in procs:
            stop(proc)

"""The embedded event log is closed (issue 12, part 3): nobody connects without a password, each service
writes only its own events and may not delete the log, the audit user only reads, and a deleted stream is
told by every `/healthz` and by `lookback audit verify`, never hidden behind an "ok" or a traceback."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import nats
import pytest
from lookback_nats import connected_as
from lookback_town import Town

from apps.natsauth import OWNED
from apps.runner import NatsServer, free_port, wait_for
from lookback.contracts.subjects import STREAM
from lookback.messaging import ensure_streams

# For each service: a subject of its own events, and one of another service's events.
OWN_AND_FOREIGN = {
    "intake": ("lb.household.h1.recorded", "lb.problem.p1.flagged"),
    "rules": ("lb.problem.p1.flagged", "lb.household.h1.recorded"),
    "rectify": ("lb.case.c1.opened", "lb.problem.p1.flagged"),
    "reporting": ("lb.submission.s1.submitted", "lb.case.c1.verified"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    nats_server = NatsServer(tmp_path_factory.mktemp("closed") / "nats", free_port())
    nats_server.start()

    async def streams() -> None:
        async with connected_as(nats_server, "admin") as (nc, _):
            await ensure_streams(nc)

    asyncio.run(streams())
    yield nats_server
    nats_server.stop()


async def messages(server: NatsServer, subject: str) -> int:
    async with connected_as(server, "admin") as (nc, _):
        info = await nc.jetstream().stream_info(STREAM, subjects_filter=subject)
        return sum((info.state.subjects or {}).values())


def test_every_service_has_a_user_in_the_table() -> None:
    assert set(OWN_AND_FOREIGN) == set(OWNED)


async def test_anonymous_and_wrong_passwords_are_refused(server: NatsServer) -> None:
    wrong = server.url_as("rules").replace(server.users.password("rules"), "0" * 32)
    for url in (server.url, wrong):
        errors: list[str] = []

        async def record(err: Exception, seen: list[str] = errors) -> None:
            seen.append(str(err))

        with pytest.raises(nats.errors.Error):
            await nats.connect(url, error_cb=record, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=5)
        assert any("authorization violation" in e.lower() for e in errors), errors


def test_passwords_are_kept_owner_only_and_the_config_holds_only_hashes(server: NatsServer) -> None:
    folder = server.users.folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    conf = (server.data_dir / "nats.conf").read_text()
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert path.read_text().strip() not in conf
    assert stat.S_IMODE((server.data_dir / "nats.conf").stat().st_mode) == 0o600
    assert conf.count('"password": "$2b$') == len(list(folder.iterdir()))


@pytest.mark.parametrize("service", list(OWN_AND_FOREIGN))
async def test_a_service_writes_only_its_own_events_and_cannot_delete_the_log(server: NatsServer, service: str) -> None:
    own, foreign = OWN_AND_FOREIGN[service]
    before = await messages(server, foreign)
    async with connected_as(server, service) as (nc, refused):
        js = nc.jetstream(timeout=2)
        if own is not None:
            ack = await js.publish(own, b"{}")  # acknowledged: stored
            assert ack.stream == STREAM
        await nc.publish(foreign, b"{}")
        await refused.wait(foreign)
        for attempt, api in (
            (js.delete_stream(STREAM), f"$JS.API.STREAM.DELETE.{STREAM}"),
            (js.purge_stream(STREAM), f"$JS.API.STREAM.PURGE.{STREAM}"),
            (js.delete_consumer(STREAM, "someone-elses"), f"$JS.API.CONSUMER.DELETE.{STREAM}.someone-elses"),
        ):
            with pytest.raises(nats.errors.TimeoutError):  # the server drops the request: no answer comes
                await attempt
            await refused.wait(api)
        assert nc.is_connected
    assert await messages(server, foreign) == before
    async with connected_as(server, "admin") as (admin, _):
        assert (await admin.jetstream().stream_info(STREAM)).config.deny_delete


async def test_the_audit_user_reads_the_log_and_writes_nothing(server: NatsServer) -> None:
    async with connected_as(server, "rules") as (rules, _):
        await rules.jetstream().publish("lb.problem.audit1.flagged", b"{}")
    async with connected_as(server, "audit") as (nc, refused):
        js = nc.jetstream(timeout=2)
        total = (await js.stream_info(STREAM)).state.messages
        assert total >= 1
        sub = await js.subscribe("lb.>", stream=STREAM, ordered_consumer=True)
        read = [await sub.next_msg(timeout=10) for _ in range(total)]
        assert "lb.problem.audit1.flagged" in {m.subject for m in read}
        for subject in ("lb.case.c9.verified", "lb.problem.p9.flagged", "lbdlq.audit"):
            await nc.publish(subject, b"{}")
            await refused.wait(subject)
        with pytest.raises(nats.errors.TimeoutError):
            await js.add_stream(name="MINE", subjects=["mine.>"])
        await refused.wait("$JS.API.STREAM.CREATE.MINE")
    assert await messages(server, "lb.case.c9.verified") == 0


def health(town: Town, service: str) -> httpx.Response:
    return httpx.get(f"{town.system.url(service)}/healthz", timeout=10)


def test_a_deleted_stream_fails_every_healthz_and_audit_verify_says_so(tmp_path: Path) -> None:
    town = Town(tmp_path / "town")
    try:
        assert all(health(town, s).json()["status"] == "ok" for s in town.system.services)

        async def delete() -> None:
            async with connected_as(town.nats, "admin") as (nc, _):
                await nc.jetstream().delete_stream(STREAM)  # deny_delete does not stop this: permissions do

        asyncio.run(delete())
        for service in town.system.services:
            wait_for(lambda s=service: health(town, s).status_code == 503, 60, f"{service} still says ok")
            body = health(town, service).json()
            assert body["status"] == "failing"
            assert body["reason"] == f"stream {STREAM} does not exist", body

        result = town.cli("audit", "verify", check=False)
        assert result.returncode != 0
        assert "Traceback" not in result.stdout + result.stderr
        assert f"the stream {STREAM} does not exist" in " ".join(result.stderr.split()), result.stderr
    finally:
        town.stop()

"""The digest sender: every composed digest POSTed once to the town's webhook, retried until it answers 2xx.

Senders share one durable pull consumer (`digest-sender`, explicit acks), so of two rectify processes one
gets each digest. A digest is acked only after the webhook took it and `digest.sent` is in the log; the
sender looks for that event before it posts, so a restart after the post and the record sends nothing
twice, and a stopping rectify finishes the digest in hand. (A crash between the post and the record sends
once more: the robot cannot be asked what it has.)
A failed post is NAKed with a growing delay, counted in `lookback_digest_send_failures_total`, and stays
in `lookback_digests_pending` until it goes through: never dropped. Labels carry the format only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from prometheus_client import Counter, Gauge
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from lookback.contracts.chain import event_hash, link
from lookback.contracts.digests import DigestComposed, DigestSent, WebhookFormat
from lookback.contracts.envelope import Envelope, derived_id, new_envelope
from lookback.contracts.subjects import PREFIX, STREAM
from lookback.messaging import ConcurrencyConflict
from lookback.service import Runtime
from services.rectify.domain.robots import message

log = logging.getLogger("lookback.rectify.sender")
ACTOR = "service:rectify"
DURABLE = "digest-sender"
COMPOSED = f"{PREFIX}.digest.*.composed"
FAILURES = Counter("lookback_digest_send_failures", "Digest webhook posts that failed (retried)", ["format"])
SENT = Counter("lookback_digests_sent", "Digests the webhook took", ["format"])
PENDING = Gauge("lookback_digests_pending", "Digests composed and not yet sent", ["format"])


class DigestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOOKBACK_DIGEST_", extra="ignore")

    webhook_url: str | None = Field(None, description="The town's group robot (one URL; the owner is in the text)")
    format: WebhookFormat = Field("json", description="wecom (企业微信), dingtalk (钉钉) or json")
    link_base: str = Field("http://127.0.0.1:18005", description="The workbench's address as people open it")
    retry_seconds: float = Field(5.0, description="First retry delay; doubles per failed delivery up to 10 min")


def retry_delay(settings: DigestSettings, deliveries: int) -> float:
    return float(min(settings.retry_seconds * 2 ** max(0, deliveries - 1), 600.0))


def accepted(fmt: WebhookFormat, reply: httpx.Response) -> bool:
    """企业微信 and 钉钉 answer 200 with a non-zero `errcode` when they refuse a message."""
    if not reply.is_success:
        return False
    if fmt == "json":
        return True
    try:
        body: Any = reply.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("errcode", 0) == 0


async def send(runtime: Runtime) -> None:
    """Runs in every rectify process whose town set `LOOKBACK_DIGEST_WEBHOOK_URL`; without one, digests are
    only on the start page."""
    settings = DigestSettings()
    if not settings.webhook_url:
        return
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the URL, and so the robot's key
    for metric in (FAILURES, SENT, PENDING):
        metric.labels(settings.format)  # exported at 0 from the start, so a rate or an alert sees the series
    js = runtime.broker.connection.jetstream()
    config = ConsumerConfig(
        ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL, ack_wait=60, max_deliver=-1
    )
    sub = await js.pull_subscribe(COMPOSED, durable=DURABLE, stream=STREAM, config=config)
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            while True:
                await _round(runtime, settings, http, sub)
    finally:
        # a pull subscription left open holds the connection's drain at shutdown until it times out
        await sub.unsubscribe()


async def _round(
    runtime: Runtime, settings: DigestSettings, http: httpx.AsyncClient, sub: JetStreamContext.PullSubscription
) -> None:
    try:
        msgs = await sub.fetch(1, timeout=2)
    except TimeoutError:
        msgs = []
    except Exception:
        log.exception("fetching digests failed; retrying")
        await asyncio.sleep(1)
        return
    for msg in msgs:
        delivery = asyncio.ensure_future(_deliver(runtime, settings, http, msg))
        try:
            await asyncio.shield(delivery)
        except asyncio.CancelledError:
            # rectify is stopping: finish the digest in hand (post, record, ack) first, or a restart would post it again
            await asyncio.gather(delivery, return_exceptions=True)
            raise
        except Exception:
            # e.g. NATS failed while recording `digest.sent`: unacked, the digest comes back after `ack_wait`
            log.exception("delivering a digest failed; it will be redelivered")
    try:
        info = await sub.consumer_info()
        PENDING.labels(settings.format).set((info.num_pending or 0) + (info.num_ack_pending or 0))
    except Exception:
        log.warning("reading the sender's consumer failed", exc_info=True)


async def _deliver(runtime: Runtime, settings: DigestSettings, http: httpx.AsyncClient, msg: Msg) -> None:
    env = Envelope.model_validate_json(msg.data)
    digest = env.payload_as(DigestComposed)
    key = env.aggregate_id
    if await _sent(runtime, key):
        await msg.ack()
        return
    try:
        reply = await http.post(str(settings.webhook_url), json=message(digest, settings.format, settings.link_base))
        ok = accepted(settings.format, reply)
        why = f"HTTP {reply.status_code}"
    except httpx.HTTPError as err:
        ok, why = False, type(err).__name__
    deliveries = msg.metadata.num_delivered
    if not ok:
        log.warning("the digest webhook refused or failed (%s); retrying", why)  # never the URL: it holds the key
        FAILURES.labels(settings.format).inc()
        await msg.nak(delay=retry_delay(settings, deliveries))
        return
    record = new_envelope(
        DigestSent(digest=key, format=settings.format, attempts=deliveries),
        actor=ACTOR,
        business_time=env.business_time,
        caused_by=env,
        event_id=derived_id("digest-sent", key),
    )
    (sent,), _ = link([record], {f"digest/{key}": event_hash(env)})
    try:
        await runtime.publisher().publish(sent, expected_last_seq=msg.metadata.sequence.stream)
    except ConcurrencyConflict:
        log.info("digest already recorded as sent by another sender")
    SENT.labels(settings.format).inc()
    await msg.ack()


async def _sent(runtime: Runtime, key: str) -> bool:
    try:
        await runtime.broker.connection.jetstream().get_last_msg(STREAM, f"{PREFIX}.digest.{key}.sent", direct=True)
    except NotFoundError:
        return False
    return True

"""Digests against a local HTTP receiver (a 钉钉-style robot in the test): two rectify processes compose
and send, the business clock moves over days with a sender restarted in between, and each owner gets
exactly one message a day, none with a roster name, ID number or phone, the station's counting the
submissions (报送) due as rectify folded them from reporting's events; a receiver that refuses the first
requests gets them again, once each, and /metrics counts the refusals."""

from __future__ import annotations

import asyncio
import csv
import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from lookback_log import count_in_log
from lookback_town import Town

from apps.runner import Service, free_port, wait_for
from lookback.catalogue import load as load_catalogue
from lookback.submissions import lower_orgs
from services.intake.domain.columns import PERSONAL
from services.rectify.domain.digest import town_owners

DAYS = ("2020-01-12", "2020-01-24", "2020-01-25")
OWNERS = len(town_owners(load_catalogue()))
LOWER = len(lower_orgs(load_catalogue()))


class Receiver:
    """Records every body POSTed to it; answers 500 to the next `refuse` requests."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.refused = 0
        self.refuse = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    refuse = receiver.refuse > 0
                    if refuse:
                        receiver.refuse -= 1
                        receiver.refused += 1
                    else:
                        receiver.bodies.append(body)
                self.send_response(500 if refuse else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"errcode": 0, "errmsg": "ok"}).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/robot/send"

    def titles(self) -> Counter[str]:
        with self.lock:
            return Counter(b["markdown"]["title"] for b in self.bodies)

    def of_day(self, day: str) -> int:
        return sum(n for title, n in self.titles().items() if day in title)


class Digests:
    def __init__(self, town: Town, receiver: Receiver, personal: set[str]) -> None:
        self.town, self.receiver, self.personal = town, receiver, personal

    @property
    def senders(self) -> list[Service]:
        return [self.town.system.services["rectify"], self.town.system.services["rectify-2"]]

    def move_clock(self, day: str, *which: Service) -> None:
        for service in which:
            service.stop()
            service.env["LOOKBACK_NOW"] = day
            service.start()
        for service in which:
            wait_for(service.healthy, 60, f"{service.name} did not come back")

    def station_text(self, day: str) -> str:
        title = f"全镇 今日提醒（{day}）"
        return str(next(b for b in self.receiver.bodies if b["markdown"]["title"] == title)["markdown"]["text"])

    def sent_in_log(self) -> int:
        return asyncio.run(count_in_log(self.town.nats.url_as("admin"), "lb.digest.*.sent"))

    def metric(self, name: str) -> float | None:
        """The sum over both senders; None until each exports it."""
        values = [
            float(line.split()[-1])
            for service in self.senders
            for line in httpx.get(f"{service.url}/metrics", timeout=10).text.splitlines()
            if line.startswith(f'{name}{{format="dingtalk"}}')
        ]
        return sum(values) if len(values) == len(self.senders) else None

    def settle(self, sent: int) -> None:
        """Wait until the log holds `sent` digest.sent events and neither sender has anything pending."""
        wait_for(lambda: self.sent_in_log() >= sent, 120, "digests were not all sent")
        wait_for(lambda: self.metric("lookback_digests_pending") == 0, 60, "a sender still has digests pending")


@pytest.fixture(scope="module")
def digests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Digests]:
    receiver = Receiver()
    root = tmp_path_factory.mktemp("digests") / "town"
    env = {
        "LOOKBACK_NOW": DAYS[0],
        "LOOKBACK_DIGEST_WEBHOOK_URL": receiver.url,
        "LOOKBACK_DIGEST_FORMAT": "dingtalk",
        "LOOKBACK_DIGEST_RETRY_SECONDS": "0.2",
    }
    town = Town(root, env=env)
    try:
        first = town.system.services["rectify"]
        # a second rectify with its own store: it folds every case too, composes the same digests and shares the sender
        second = Service(
            "rectify",
            free_port(),
            first.env | {"LOOKBACK_DB_URL": f"sqlite:///{root / 'rectify-2.db'}"},
            root / "r2.log",
        )
        second.start()
        town.system.services["rectify-2"] = second
        wait_for(second.healthy, 60, "the second rectify did not start")
        roster, _ = town.import_demo(40, seed=16)
        with roster.open(encoding="utf-8") as f:
            personal = {row[c] for row in csv.DictReader(f) for c in PERSONAL if row.get(c)}
        yield Digests(town, receiver, personal)
    finally:
        town.stop()
        receiver.server.shutdown()


def test_one_message_per_owner_per_day_across_a_restart_and_two_replicas(digests: Digests) -> None:
    digests.settle(OWNERS)  # the first day's, composed when the town started
    # 01-12: the station's summaries of 2019-12-H1 and H2 are late, and so are every village's and unit's
    assert "待报送：2 件" in digests.station_text(DAYS[0])
    assert f"村和单位未报送：{2 * LOWER} 件" in digests.station_text(DAYS[0])
    for period in ("2019-12-H1", "2019-12-H2"):
        reply = digests.town.call("POST", "reporting", "/submissions", params={"period": period})
        assert reply.status_code == 200, reply.text
    one, two = digests.senders
    digests.move_clock(DAYS[1], one)
    digests.move_clock(DAYS[1], two)  # the other sender restarts while the second day's digests go out
    digests.settle(2 * OWNERS)

    titles = digests.receiver.titles()
    assert set(titles.values()) == {1}, [t for t, n in titles.items() if n > 1]
    assert (digests.receiver.of_day(DAYS[0]), digests.receiver.of_day(DAYS[1])) == (OWNERS, OWNERS)
    assert digests.sent_in_log() == 2 * OWNERS
    text = json.dumps(digests.receiver.bodies, ensure_ascii=False)
    assert digests.personal and not [p for p in digests.personal if p in text]
    station = digests.station_text(DAYS[1])
    assert "三日内到期：0 件" not in station  # the 01-26 deadlines are two days off
    # handed in: only 2020-01-H1's summary (due 01-18) is still late; the villages and units owe three each
    assert "待报送：1 件" in station and f"村和单位未报送：{3 * LOWER} 件" in station


def test_a_refusing_receiver_gets_each_digest_again_until_it_takes_it(digests: Digests) -> None:
    before = digests.metric("lookback_digest_send_failures_total")
    assert before is not None
    digests.receiver.refuse = 3
    digests.move_clock(DAYS[2], digests.senders[0])  # it composes the third day; both send
    digests.settle(3 * OWNERS)

    assert digests.receiver.refused == 3
    assert digests.receiver.of_day(DAYS[2]) == OWNERS
    assert set(digests.receiver.titles().values()) == {1}
    assert digests.metric("lookback_digest_send_failures_total") == before + 3

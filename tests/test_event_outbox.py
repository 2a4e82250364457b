"""Every kiosk event reaches the backoffice exactly once: network cut, answers lost, backoffice
killed, kiosk killed — against a real `balie backoffice serve` process over real HTTP."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.backoffice_client import BackofficeClient, BackofficeRejected
from kiosk.event_delivery import EventDelivery
from kiosk.outbox import Outbox
from tests.live_backoffice import ROOT, CuttableProxy, LiveBackoffice


@pytest.fixture
def backoffice(tmp_path: Path) -> Iterator[LiveBackoffice]:
    service = LiveBackoffice(tmp_path)
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def token(backoffice: LiveBackoffice) -> str:
    client = BackofficeClient(backoffice.url)
    try:
        return client.enroll(backoffice.enrollment_code(), "kiosk-test", "0.1.0").token
    finally:
        client.close()


class CountingClient(BackofficeClient):
    """Tallies what the backoffice answered, to prove the test hit the path it is about."""

    duplicates = 0
    failures = 0

    def send_events(self, events):  # type: ignore[no-untyped-def]
        try:
            receipt = super().send_events(events)
        except Exception:
            self.failures += 1
            raise
        self.duplicates += len(receipt.duplicates)
        return receipt


def hex_ids(ids: list[str]) -> list[str]:
    return [event_id.replace("-", "") for event_id in ids]


def wait_until_empty(outbox: Outbox, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(outbox) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(outbox) == 0, f"{len(outbox)} events still waiting"


def test_outbox_keeps_events_in_order_and_forgets_acknowledged_ones(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    first = outbox.add("session_started", session_id="s1")
    second = outbox.add("ticket_issued", {"number": "A001", "topic": "A"}, session_id="s1")
    assert [event.id for event in outbox.pending()] == [first, second]
    outbox.acknowledge([first])
    assert [event.type for event in outbox.pending()] == ["ticket_issued"]
    outbox.close()
    reopened = Outbox(tmp_path / "outbox.db")  # a restarted kiosk finds what was not delivered
    assert [(e.id, dict(e.data)) for e in reopened.pending()] == [(second, {"number": "A001", "topic": "A"})]
    with pytest.raises(ValueError, match="unknown event type"):
        reopened.add("lunch_break")
    reopened.close()


def test_network_cut_and_lost_answers_still_store_each_event_once(
    tmp_path: Path, backoffice: LiveBackoffice, token: str
) -> None:
    proxy = CuttableProxy(backoffice.port)
    outbox = Outbox(tmp_path / "outbox.db")
    client = CountingClient(proxy.url, token, timeout=2)
    delivery = EventDelivery(outbox, client, batch=20, first_pause=0.05, longest_pause=0.3)
    delivery.start()
    added: list[str] = []
    try:
        for round_ in range(6):
            for _ in range(25):
                added.append(outbox.add("task_done", {"task": "ticket", "round": round_}))
                delivery.deliver_soon()
            if round_ % 3 == 0:
                proxy.cut()  # the network goes down mid-traffic
                time.sleep(0.3)
                proxy.mend()
            elif round_ % 3 == 1:
                proxy.lose_answers = True  # stored, but the kiosk never hears it
                delivery.deliver_soon()
                time.sleep(0.4)
                proxy.lose_answers = False
        delivery.deliver_soon()
        wait_until_empty(outbox)
    finally:
        delivery.stop()
        client.close()
        proxy.close()
        outbox.close()
    stored = backoffice.event_ids()
    assert Counter(stored) == Counter(hex_ids(added)), "every event exactly once"
    assert client.failures > 0, "the network was cut while events were on their way"
    assert client.duplicates > 0, "answers were lost, so some events were sent again"


def test_backoffice_killed_and_restarted_loses_nothing(tmp_path: Path, backoffice: LiveBackoffice, token: str) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    client = CountingClient(backoffice.url, token, timeout=2)
    delivery = EventDelivery(outbox, client, batch=10, first_pause=0.05, longest_pause=0.5)
    delivery.start()
    added: list[str] = []
    chance = random.Random(5)
    try:
        for _ in range(3):
            for _ in range(40):
                added.append(outbox.add("session_ended", {"reason": "done"}))
                delivery.deliver_soon()
                if chance.random() < 0.05:
                    time.sleep(0.01)
            time.sleep(chance.uniform(0.0, 0.2))
            backoffice.kill()  # at a random point of delivery
            added.append(outbox.add("feedback", {"score": 4}))  # events keep coming while it is down
            delivery.deliver_soon()
            time.sleep(0.2)
            backoffice.start()
            delivery.deliver_soon()
        wait_until_empty(outbox)
    finally:
        delivery.stop()
        client.close()
        outbox.close()
    assert Counter(backoffice.event_ids()) == Counter(hex_ids(added))
    assert client.failures > 0, "deliveries failed while the backoffice was down"


KIOSK_SCRIPT = """
import sys, time
from pathlib import Path
from kiosk.backoffice_client import BackofficeClient
from kiosk.event_delivery import EventDelivery
from kiosk.outbox import Outbox

outbox = Outbox(Path(sys.argv[1]))
client = BackofficeClient(sys.argv[2], sys.argv[3], timeout=2)
delivery = EventDelivery(outbox, client, batch=7, first_pause=0.02, longest_pause=0.2)
delivery.start()
for number in range(int(sys.argv[4])):
    event_id = outbox.add("ticket_issued", {"number": number})
    print(event_id, flush=True)  # only after add() returned: this one must arrive
    delivery.deliver_soon()
    time.sleep(0.002)
while len(outbox):
    time.sleep(0.02)
delivery.stop()
print("drained", flush=True)
"""


def test_kiosk_killed_at_random_points_loses_nothing(tmp_path: Path, backoffice: LiveBackoffice, token: str) -> None:
    """The kiosk process is SIGKILLed mid-work three times; a last run drains the outbox."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outbox_path = tmp_path / "outbox.db"
    promised: list[str] = []
    chance = random.Random(11)
    for run in range(4):
        kiosk = subprocess.Popen(
            [sys.executable, "-c", KIOSK_SCRIPT, str(outbox_path), backoffice.url, token, "120" if run < 3 else "5"],
            stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert kiosk.stdout is not None
        lines: list[str] = []
        if run < 3:
            deadline = time.monotonic() + chance.uniform(0.3, 0.9)
            while time.monotonic() < deadline:
                line = kiosk.stdout.readline()
                if not line:
                    break
                lines.append(line.strip())
            kiosk.send_signal(signal.SIGKILL)
            rest, _ = kiosk.communicate(timeout=10)
        else:
            rest, _ = kiosk.communicate(timeout=60)
            assert "drained" in rest
        lines += rest.split()
        promised += [line for line in lines if line != "drained"]
    stored = Counter(backoffice.event_ids())
    assert all(count == 1 for count in stored.values()), "no event stored twice"
    missing = set(hex_ids(promised)) - set(stored)
    assert not missing, f"{len(missing)} events the kiosk had written never arrived"


def test_revoked_or_unknown_device_is_refused(backoffice: LiveBackoffice) -> None:
    client = BackofficeClient(backoffice.url, "bd1.00000000-0000-0000-0000-000000000000.nothing")
    try:
        with pytest.raises(BackofficeRejected) as refused:
            client.send_events([])
        assert refused.value.status == 401
    finally:
        client.close()

"""Card events: the state tracker, polling over the simulated reader, and SCardGetStatusChange on pcscd."""

from __future__ import annotations

import signal
import threading

from drivers.cardreader.monitor import CardEvent, CardMonitor, PollingCardMonitor, StateTracker
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.cardreader.virtual_card import CONTACTLESS_ATR, BlankCard
from tests.drivers.conftest import VPCD_READER, wait_until

OTHER_ATR = bytes.fromhex("3B8A80018031F873F741E08290007F")


class Recorder:
    """Collects events from the monitor thread; `wait_for` blocks until a kind shows up."""

    def __init__(self) -> None:
        self.events: list[CardEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: CardEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    @property
    def kinds(self) -> list[str]:
        with self._changed:
            return [event.kind for event in self.events]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 8.0) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.kinds.count(kind) >= count, timeout)


def test_tracker_reports_changes_in_a_followable_order():
    tracker = StateTracker()
    assert tracker.observe(True) == []
    assert tracker.observe(True, "R", CONTACTLESS_ATR) == [
        CardEvent("reader_found", "R"),
        CardEvent("inserted", "R", CONTACTLESS_ATR),
    ]
    assert tracker.observe(True, "R", CONTACTLESS_ATR) == []
    assert [e.kind for e in tracker.observe(True, "R", OTHER_ATR)] == ["removed", "inserted"]
    assert tracker.observe(False) == [
        CardEvent("removed", "R", OTHER_ATR),
        CardEvent("reader_lost", "R"),
        CardEvent("service_lost", ""),
    ]
    assert tracker.observe(False) == []
    assert [e.kind for e in tracker.observe(True, "R", None)] == ["service_back", "reader_found"]
    assert [e.kind for e in tracker.observe(True, None, None)] == ["reader_lost"]


def test_tracker_reports_a_service_down_at_start():
    assert [e.kind for e in StateTracker().observe(False)] == ["service_lost"]


def test_polling_monitor_over_the_simulated_reader():
    reader = SimulatedCardReader(name="Sim", card=None)
    events = Recorder()
    monitor = PollingCardMonitor(reader, events, interval=0.01)
    monitor.start()
    try:
        assert events.wait_for("reader_found")
        reader.insert(BlankCard())
        assert events.wait_for("inserted")
        reader.unplug()
        assert events.wait_for("reader_lost")
        reader.plug_in()
        assert events.wait_for("inserted", 2)
        reader.remove()
        assert events.wait_for("removed", 2)
    finally:
        monitor.stop()
    assert not monitor.running
    assert events.kinds == ["reader_found", "inserted", "removed", "reader_lost", "reader_found", "inserted", "removed"]
    assert events.events[1] == CardEvent("inserted", "Sim", CONTACTLESS_ATR)


def test_a_failing_listener_does_not_stop_the_monitor():
    calls: list[str] = []

    def listener(event: CardEvent) -> None:
        calls.append(event.kind)
        raise RuntimeError("listener bug")

    reader = SimulatedCardReader(card=BlankCard())
    monitor = PollingCardMonitor(reader, listener, interval=0.01)
    monitor.start()
    try:
        assert wait_until(lambda: "inserted" in calls)
        reader.remove()
        assert wait_until(lambda: "removed" in calls)
    finally:
        monitor.stop()


def test_card_monitor_sees_the_bridge_insert_and_remove(bridge):
    events = Recorder()
    monitor = CardMonitor("Virtual PCD 00 00", events, poll_seconds=0.2)
    monitor.start()
    try:
        assert events.wait_for("reader_found")
        bridge.insert(BlankCard())
        assert events.wait_for("inserted")
        bridge.remove()
        assert events.wait_for("removed")
    finally:
        monitor.stop()
    assert events.events[:3] == [
        CardEvent("reader_found", VPCD_READER),
        CardEvent("inserted", VPCD_READER, CONTACTLESS_ATR),
        CardEvent("removed", VPCD_READER, CONTACTLESS_ATR),
    ]


def test_card_monitor_survives_pcscd_being_killed_and_restarted(pcscd, bridge):
    events = Recorder()
    monitor = CardMonitor(VPCD_READER, events, poll_seconds=0.2)
    bridge.insert(BlankCard())
    monitor.start()
    try:
        assert events.wait_for("inserted")
        pcscd.stop(signal.SIGKILL)  # a crash: no orderly goodbye to the clients
        assert events.wait_for("service_lost")
        pcscd.start()
        assert events.wait_for("service_back")
        assert events.wait_for("inserted", 2)  # the bridge reconnected to the new vpcd
    finally:
        monitor.stop()
        if not pcscd.running:
            pcscd.start()
    assert events.kinds[:4] == ["reader_found", "inserted", "removed", "reader_lost"]
    assert events.kinds[4:] == ["service_lost", "service_back", "reader_found", "inserted"]


def test_stop_returns_promptly_while_no_reader_matches(running_pcscd):
    import time

    events = Recorder()
    monitor = CardMonitor("Nothing like this", events)
    monitor.start()
    try:
        assert wait_until(lambda: monitor.running)
        time.sleep(0.1)
    finally:
        started = time.monotonic()
        monitor.stop()
    assert time.monotonic() - started < 1.0

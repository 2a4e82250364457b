"""A citizen's scanned document reaches the backoffice: "received" only once it is confirmed there, and a
cut network costs a wait, not the document. The embedded default and a remote backoffice, real HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from drivers.camera.scenes import Placement, document_page
from kiosk.config import default_config, parse_config
from kiosk.ui.app import Kiosk, open_shell
from kiosk.ui.screens.scan import ScanScreen
from tests.conftest import FakeClock
from tests.live_backoffice import CuttableProxy, LiveBackoffice
from tests.live_counter import documents, enroll, rows, submitted_events
from tests.ui.conftest import find, tap

STARTED = "SELECT session_id FROM events WHERE type = 'session_started'"


def scan_one_page(qtbot: QtBot, kiosk: Kiosk, seed: int) -> ScanScreen:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_scan"))
    screen = kiosk.window.current_screen
    assert isinstance(screen, ScanScreen)
    camera = kiosk.drivers.camera
    camera.hold_up(document_page(seed=seed), Placement(scale=0.75, tilt_x_deg=8, rotate_deg=3))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.review_page, timeout=20_000)
    camera.hold_up(None)  # type: ignore[attr-defined]
    tap(qtbot, find(kiosk, "scanUse"))
    return screen


def start(qtbot: QtBot, kiosk: Kiosk) -> Kiosk:
    kiosk.window.show()
    qtbot.waitExposed(kiosk.window)
    qtbot.waitUntil(lambda: kiosk.reporting is not None and bool(kiosk.controller.health), timeout=60_000)
    return kiosk


def test_the_document_is_received_only_when_the_backoffice_has_it_whole(
    qtbot: QtBot, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALIE_DATA", str(tmp_path))  # the embedded default: no backoffice in the config
    kiosk = start(qtbot, open_shell(default_config(), clock=clock).complete(health_interval=3600, reporting=True))
    try:
        scan_one_page(qtbot, kiosk, seed=3)
        tap(qtbot, find(kiosk, "scanSend"))
        qtbot.waitUntil(lambda: find(kiosk, "scanDoneTitle").text() == "Uw document is ontvangen", timeout=20_000)
        assert find(kiosk, "scanDoneDetails").text() == "1 pagina ontvangen."
        reference = find(kiosk, "scanDoneReference").text().removeprefix("Kenmerk: ")
        assert find(kiosk, "scanDone").isEnabled()

        database = tmp_path / "backoffice.db"
        [stored] = documents(database)
        assert reference == "SCAN-" + stored.id[:6].upper(), "the reference finds the document"
        assert stored.status == "received" and stored.content is not None and stored.content.startswith(b"%PDF")
        assert hashlib.sha256(stored.content).hexdigest() == stored.sha256 and len(stored.content) == stored.size
        # One event for it, stored by the backoffice, in the citizen's session (as the kiosk's own events).
        assert submitted_events(database) == [(stored.id, stored.session_id)]
        qtbot.waitUntil(lambda: (stored.session_id,) in rows(database, STARTED), timeout=30_000)
        simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
        assert simulator.wait_for_receipts(1, timeout=5)
        texts = [line.text for line in simulator.receipts[0].lines]
        assert "Document ontvangen" in texts and reference in texts
        assert kiosk.window.context.documents is not None and kiosk.window.context.documents.waiting() == 0
    finally:
        kiosk.close()


@pytest.fixture
def backoffice(tmp_path: Path) -> Iterator[LiveBackoffice]:
    service = LiveBackoffice(tmp_path)
    service.start()
    try:
        yield service
    finally:
        service.stop()


def test_a_cut_network_costs_a_wait_not_the_document(
    qtbot: QtBot, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backoffice: LiveBackoffice
) -> None:
    monkeypatch.setenv("BALIE_DATA", str(tmp_path))
    proxy = CuttableProxy(backoffice.port)
    config = parse_config(
        {
            "queue": {"prefix": "S"},
            "backoffice": {
                "url": proxy.url,
                "token": enroll(backoffice, "kiosk-scan"),
                "outbox": str(tmp_path / "outbox.db"),
            },
        }
    )
    kiosk = start(qtbot, open_shell(config, clock=clock).complete(health_interval=3600, reporting=True))
    try:
        screen = scan_one_page(qtbot, kiosk, seed=5)
        proxy.cut()  # the network goes down as the citizen taps "send"
        screen.patience.setInterval(1500)
        tap(qtbot, find(kiosk, "scanSend"))
        assert find(kiosk, "scanDoneTitle").text() == "Uw document wordt verstuurd…"
        qtbot.waitUntil(lambda: find(kiosk, "scanDoneTitle").text() == "Uw document is nog niet verstuurd")
        assert find(kiosk, "scanDone").isEnabled(), "the citizen may go; the kiosk keeps trying"
        reference = find(kiosk, "scanDoneReference").text().removeprefix("Kenmerk: ")
        tap(qtbot, find(kiosk, "scanDone"))
        tap(qtbot, find(kiosk, "goodbyeNext"))  # the session is over, the document still on its way
        documents_service = kiosk.window.context.documents
        assert documents_service is not None and documents_service.waiting() == 1
        assert documents(backoffice.database) == []

        proxy.mend()
        qtbot.waitUntil(lambda: documents_service.waiting() == 0, timeout=90_000)
        [stored] = documents(backoffice.database)
        assert reference == "SCAN-" + stored.id[:6].upper()
        assert stored.status == "received" and stored.content is not None
        assert hashlib.sha256(stored.content).hexdigest() == stored.sha256
        assert [event for event, _ in submitted_events(backoffice.database)] == [stored.id], "delivered once"
    finally:
        kiosk.close()
        proxy.close()

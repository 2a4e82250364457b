"""The counter device against a real backoffice (`balie backoffice serve` on loopback): it shows a pairing
code, a caseworker enters it on the desk page, and the desk page's requests reach the citizen's screen
and come back answered: a summary confirmed by a tap, the virtual ID card read through its chip, a
signature drawn on the pad, a receipt on the simulated printer; when the caseworker closes the visit
(`done` on the desk page), the backoffice tells the device and everything about the citizen is wiped."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from drivers.cardreader.emrtd.factory import VirtualDocument, build_virtual_document
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.registry import build_all
from kiosk.config import BackofficeSettings, Role, default_config
from kiosk.ui.counter.app import Counter, build_counter
from tests.live_backoffice import LiveBackoffice
from tests.live_counter import LOCATION, enroll, rows
from tests.ui.conftest import tap
from tests.ui.counter_device import shoot, shows, visible
from tests.ui.test_display_end_to_end import Caseworker, take_ticket


class DeskPage:
    """The desk page's counter panel: its same-origin WebSocket with the caseworker's session cookie."""

    def __init__(self, ws: ClientConnection, desk_id: int) -> None:
        self.ws = ws
        self.received: list[dict[str, Any]] = []
        self.send({"type": "watch", "desk_id": desk_id})

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def poll(self) -> None:
        try:
            while True:
                self.received.append(json.loads(self.ws.recv(timeout=0)))
        except (TimeoutError, ConnectionClosed):
            return

    def arrived(self, qtbot: QtBot, kind: str, timeout: float = 15) -> dict[str, Any]:
        """The newest message of `kind`, read between turns of Qt's event loop."""

        def found() -> bool:
            self.poll()
            return any(m.get("type") == kind for m in self.received)

        qtbot.waitUntil(found, timeout=round(timeout * 1000))
        return [m for m in self.received if m.get("type") == kind][-1]


@pytest.fixture
def backoffice(tmp_path: Path) -> Iterator[LiveBackoffice]:
    live = LiveBackoffice(tmp_path)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def caseworker(backoffice: LiveBackoffice, tmp_path: Path) -> Iterator[Caseworker]:
    colleague = Caseworker(backoffice, "carla", tmp_path)
    yield colleague
    colleague.close()


@pytest.fixture
def id_card() -> VirtualDocument:
    return build_virtual_document("id-card", access="pace")


@pytest.fixture
def counter(qtbot: QtBot, backoffice: LiveBackoffice, id_card: VirtualDocument) -> Iterator[Counter]:
    token = enroll(backoffice, "balie-3-scherm")
    config = default_config()
    config = dataclasses.replace(
        config,
        device=dataclasses.replace(config.device, role=Role.COUNTER, location=LOCATION),
        backoffice=BackofficeSettings(url=backoffice.url, token=token),
    )
    reader = SimulatedCardReader()
    reader.insert(id_card.chip)
    drivers = dataclasses.replace(build_all(config.hardware.choices()), cardreader=reader)
    built = build_counter(config, drivers=drivers, backoff=(0.2, 0.5))
    built.window.show()
    qtbot.waitExposed(built.window)
    yield built
    built.close()


def label_text(counter: Counter, name: str) -> str:
    widget = visible(counter, name)
    assert isinstance(widget, QLabel)
    return widget.text()


def test_paired_at_the_desk_the_device_serves_the_caseworkers_requests(
    qtbot: QtBot, backoffice: LiveBackoffice, caseworker: Caseworker, counter: Counter, id_card: VirtualDocument
) -> None:
    [(location_id,)] = rows(backoffice.database, "SELECT id FROM locations WHERE name = ?", LOCATION)
    caseworker.act("desks", {"location_id": location_id, "name": "3", "topics": "A"})
    [(desk_id,)] = rows(backoffice.database, "SELECT id FROM desks WHERE name = '3'")
    caseworker.act("sign-in", {"desk_id": desk_id})
    kiosk_token = enroll(backoffice, "kiosk-hal")
    take_ticket(backoffice, kiosk_token, "A", "nl")
    caseworker.act("call-next")

    qtbot.waitUntil(lambda: shows(counter, "pairingCode"), timeout=15_000)
    code = label_text(counter, "pairingCode")
    shoot(counter, "live-pairing")
    answer = caseworker.http.post("/console/counter/api/pair", json={"desk_id": desk_id, "code": code})
    assert answer.status_code == 200, answer.text
    qtbot.waitUntil(lambda: label_text(counter, "welcomeStatus") == "De medewerker helpt u.", timeout=10_000)
    assert not shows(counter, "pairingCode")

    cookie = caseworker.http.cookies["balie_session"]
    url = backoffice.url.replace("http://", "ws://") + "/console/counter/ws?lang=en"
    headers = {"Cookie": f"balie_session={cookie}", "Origin": backoffice.url}
    with connect(url, additional_headers=headers, max_size=None) as ws:
        page = DeskPage(ws, desk_id)
        qtbot.waitUntil(
            lambda: (
                page.poll() is None
                and any(m.get("type") == "counter_state" and m.get("state") == "online" for m in page.received)
            ),
            timeout=10_000,
        )
        lines = [{"label": "Nieuw adres", "value": "Markt 1, Voorbeeld"}]
        page.send({"type": "summary", "id": "s1", "title": "Uw verhuizing", "lines": lines})
        qtbot.waitUntil(lambda: shows(counter, "summaryCorrect"), timeout=10_000)
        tap(qtbot, visible(counter, "summaryCorrect"))
        assert page.arrived(qtbot, "summary_answer")["correct"] is True

        page.send({"type": "identify", "id": "i1", "can": id_card.specimen.can})
        identity = page.arrived(qtbot, "identity", timeout=30)
        assert identity["document"]["document_number"] == id_card.specimen.access_key.document_number

        simulator = counter.drivers.printer.simulator  # type: ignore[attr-defined]
        pad_request = {"type": "signature", "id": "g1", "purpose": "Aanvraag identiteitskaart"}
        page.send(pad_request)
        qtbot.waitUntil(lambda: shows(counter, "signaturePad"), timeout=10_000)
        pad = visible(counter, "signaturePad")
        qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(100, 120))
        qtbot.mouseMove(pad, QPoint(220, 200))
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(320, 110))
        tap(qtbot, visible(counter, "signatureDone"))
        tap(qtbot, visible(counter, "signatureSend"))
        signature = page.arrived(qtbot, "signature")
        assert signature["svg"].startswith("<svg") and len(signature["strokes"]) == 1
        assert base64.b64decode(signature["png_base64"]).startswith(b"\x89PNG")

        page.send({"type": "print", "id": "p1", "receipt": {"title": "Afspraak", "lines": ["Dinsdag 10:00"]}})
        assert page.arrived(qtbot, "printed")["ok"] is True
        assert simulator.wait_for_receipts(1, timeout=5)
        assert "Dinsdag 10:00" in [line.text for line in simulator.receipts[-1].lines]

        page.send({"type": "summary", "id": "s2", "title": "Nog één ding", "lines": lines})
        qtbot.waitUntil(lambda: shows(counter, "summaryCorrect"), timeout=10_000)
        page.send({"type": "feedback", "id": "f1"})
        qtbot.waitUntil(lambda: shows(counter, "feedback_4"), timeout=10_000)
        tap(qtbot, visible(counter, "feedback_4"))
        tap(qtbot, visible(counter, "wellbeing_good"))
        assert page.arrived(qtbot, "feedback")["how_did_it_go"] == 4

        caseworker.act("done", {"outcome": "address change taken"})  # the backoffice tells the device to wipe
        qtbot.waitUntil(lambda: shows(counter, "welcomeGreeting"), timeout=10_000)
        assert counter.window.step is None
        assert not any("Markt 1" in w.text() for w in counter.window.findChildren(QLabel))

    # The visit is in the citizen's contact history, under the keys of the identity read at the desk.
    contacts = rows(
        backoffice.database, "SELECT channel, feedback, waited_seconds, service_seconds, citizen_key FROM contacts"
    )
    assert contacts, "no contact was recorded for the visit"
    channel, feedback, waited, served, key = contacts[0]
    assert channel == "counter" and waited is not None and served is not None and key
    assert json.loads(str(feedback))["how_did_it_go"] == 4

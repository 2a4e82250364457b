"""A citizen hands in a two-page document by holding the pages up to the (simulated) camera."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from drivers.camera.scenes import Placement, document_page
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.scan import ScanScreen
from tests.ui.conftest import find, tap


def scan_screen(kiosk: Kiosk) -> ScanScreen:
    screen = kiosk.window.current_screen
    assert isinstance(screen, ScanScreen)
    return screen


def hold_up_page(qtbot: QtBot, kiosk: Kiosk, seed: int) -> None:
    screen = scan_screen(kiosk)
    camera = kiosk.drivers.camera
    camera.hold_up(document_page(seed=seed), Placement(scale=0.75, tilt_x_deg=8, rotate_deg=3))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.review_page, timeout=20_000)
    camera.hold_up(None)  # type: ignore[attr-defined]


def test_two_pages_wait_for_a_backoffice_and_the_citizen_is_told_honestly(qtbot: QtBot, kiosk: Kiosk) -> None:
    """No backoffice at all (reporting off): the document is never called received, and not lost either.
    Delivery itself is tested against a real backoffice in test_scan_upload.py."""
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_scan"))
    screen = scan_screen(kiosk)
    assert find(kiosk, "scanCounter").text() == "Pagina 1"
    assert not find(kiosk, "scanSend").isEnabled(), "nothing to send yet"

    hold_up_page(qtbot, kiosk, seed=1)
    assert not screen.preview.pixmap().isNull(), "the citizen sees the flattened page"
    tap(qtbot, find(kiosk, "scanRetry"))  # not happy with it: again
    hold_up_page(qtbot, kiosk, seed=1)
    tap(qtbot, find(kiosk, "scanUse"))
    assert find(kiosk, "scanCounter").text() == "Pagina 2"
    hold_up_page(qtbot, kiosk, seed=2)
    tap(qtbot, find(kiosk, "scanUse"))
    screen.patience.setInterval(300)  # a citizen's patience, shortened
    tap(qtbot, find(kiosk, "scanSend"))

    assert find(kiosk, "scanDoneTitle").text() == "Uw document wordt verstuurd…"
    assert not find(kiosk, "scanDone").isEnabled() and not find(kiosk, "scanMore").isEnabled()
    qtbot.waitUntil(lambda: find(kiosk, "scanDoneTitle").text() == "Uw document is nog niet verstuurd", timeout=5000)
    assert "geef het dan af aan de balie" in find(kiosk, "scanDoneDetails").text().lower()
    reference = find(kiosk, "scanDoneReference").text()
    assert reference.startswith("Kenmerk: SCAN-")
    documents = kiosk.window.context.documents
    assert documents is not None and documents.waiting() == 1
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    assert simulator.receipts == [], "no 'received' on paper for what was not received"

    # The session ends; the document stays in memory, still trying, until delivered or the kiosk stops.
    tap(qtbot, find(kiosk, "scanDone"))
    tap(qtbot, find(kiosk, "goodbyeNext"))
    assert documents.waiting() == 1


def test_camera_advice_is_read_aloud_when_asked(qtbot: QtBot, kiosk: Kiosk) -> None:
    tap(qtbot, find(kiosk, "accessibilityButton"))
    tap(qtbot, find(kiosk, "speechToggle"))
    tap(qtbot, find(kiosk, "welcomeDone"))
    tap(qtbot, find(kiosk, "tile_scan"))
    camera = kiosk.drivers.camera
    camera.hold_up(document_page(seed=4), Placement(scale=0.35))  # type: ignore[attr-defined]
    spoken = kiosk.drivers.speech
    qtbot.waitUntil(lambda: any(u.text == "Houd het dichterbij" for u in spoken.utterances), timeout=10_000)

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


def test_two_pages_become_one_pdf_in_the_outbox_and_a_receipt(qtbot: QtBot, kiosk: Kiosk) -> None:
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
    tap(qtbot, find(kiosk, "scanSend"))

    outbox = kiosk.window.context.outbox
    assert outbox is not None and len(outbox) == 1
    receipt = outbox.receipts()[0]
    assert receipt.pages == 2
    assert receipt.reference in find(kiosk, "scanDoneDetails").text()
    assert "2 pagina's ontvangen" in find(kiosk, "scanDoneDetails").text()
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    assert simulator.wait_for_receipts(1, timeout=5)
    texts = [line.text for line in simulator.receipts[0].lines]
    assert "2 pagina's ontvangen" in texts and receipt.reference in texts

    # The session ends: the documents go with it (until the backoffice collects them).
    tap(qtbot, find(kiosk, "scanDone"))
    tap(qtbot, find(kiosk, "goodbyeNext"))
    assert len(outbox) == 0


def test_camera_advice_is_read_aloud_when_asked(qtbot: QtBot, kiosk: Kiosk) -> None:
    tap(qtbot, find(kiosk, "accessibilityButton"))
    tap(qtbot, find(kiosk, "speechToggle"))
    tap(qtbot, find(kiosk, "welcomeDone"))
    tap(qtbot, find(kiosk, "tile_scan"))
    camera = kiosk.drivers.camera
    camera.hold_up(document_page(seed=4), Placement(scale=0.35))  # type: ignore[attr-defined]
    spoken = kiosk.drivers.speech
    qtbot.waitUntil(lambda: any(u.text == "Houd het dichterbij" for u in spoken.utterances), timeout=10_000)

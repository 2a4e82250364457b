"""The call screens' tallest pages fit on the portrait screen, with large text too, and nothing is cut off.

Views only (no call): each page is put on screen as the call would put it there.
"""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QCoreApplication, QPoint
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.session import CallRecord, Phase
from kiosk.ui.app import Kiosk
from kiosk.ui.remote_feed import BACKGROUND, FittedView
from kiosk.ui.screens.call import CallScreen
from kiosk.ui.screens.call_feedback import AfterCallScreen
from tests.ui.call_kiosk import SHOTS
from tests.ui.conftest import find, tap


def fully_on_screen(kiosk: Kiosk, root: QWidget) -> list[str]:
    """Controls of `root` that are visible but not wholly inside the window."""
    window = kiosk.window.rect()
    outside = []
    for control in root.findChildren(QAbstractButton) + root.findChildren(QLineEdit):
        if not control.isVisible():
            continue
        top_left = control.mapTo(kiosk.window, QPoint(0, 0))
        bottom_right = control.mapTo(kiosk.window, QPoint(control.width() - 1, control.height() - 1))
        if not (window.contains(top_left) and window.contains(bottom_right)):
            outside.append(control.objectName())
    return outside


@pytest.mark.parametrize("large_text", [False, True])
def test_the_tallest_call_pages_fit(qtbot: QtBot, kiosk: Kiosk, large_text: bool) -> None:
    SHOTS.mkdir(exist_ok=True)
    tap(qtbot, find(kiosk, "startButton"))
    kiosk.machine.set_preferences(large_text=large_text)
    size = "large" if large_text else "standard"
    window = kiosk.window

    call = window.screen_for(Phase.IN_CALL)
    assert isinstance(call, CallScreen)
    window.help_bar.hide()  # as the controller does on the line
    window.show_screen(call)
    call.identity_panel.begin()
    call._show_page(call.identity_panel)
    call.identity_panel._open_mrz()
    call.identity_panel._show_problem(call.identity_panel.mrz_problem, "Type the document number.")
    QCoreApplication.processEvents()
    window.grab().save(str(SHOTS / f"16-mrz-{size}.png"), "PNG")
    assert window.height() == 1920, "the page does not push the window past the screen"
    assert fully_on_screen(kiosk, call) == []
    keys = [find(kiosk, f"key_{char}") for char in "1QAZ"]
    for upper, lower in itertools.pairwise(keys):
        assert upper.geometry().bottom() < lower.geometry().top(), "keys do not overlap"
    assert keys[0].height() >= 64

    window.help_bar.show()
    after = window.screen_for(Phase.AFTER_CALL)
    assert isinstance(after, AfterCallScreen)
    citizen = kiosk.machine.citizen
    assert citizen is not None
    for reason, answered in (("closed", False), ("network", True), ("caseworker", True)):
        citizen.call = CallRecord(call_id="call-9", answered=answered, end_reason=reason)
        window.show_screen(call)  # the phase before
        window.show_screen(after)
        QCoreApplication.processEvents()
        window.grab().save(str(SHOTS / f"17-after-{reason}-{size}.png"), "PNG")
        assert window.height() == 1920
        assert fully_on_screen(kiosk, after) == [], reason
    citizen.call = None


def test_the_caseworkers_picture_fitted_to_its_view_is_painted_centred_with_bands(qtbot: QtBot) -> None:
    """The fast path (a copy, no scaling in Qt) puts the picture where the scaling path would."""
    view = FittedView("callFittedView")
    qtbot.addWidget(view)
    view.resize(400, 500)
    view.show()
    qtbot.waitExposed(view)
    picture = QImage(400, 300, QImage.Format.Format_RGB32)
    picture.fill(QColor("#ff0000"))
    view.show_image(picture)
    shot = view.grab().toImage()
    assert shot.pixelColor(200, 250).name() == "#ff0000"  # the middle
    assert shot.pixelColor(200, 101).name() == "#ff0000" and shot.pixelColor(200, 398).name() == "#ff0000"
    assert shot.pixelColor(200, 98).name() == BACKGROUND.name() == shot.pixelColor(200, 402).name()
    view.set_message("Een moment")  # the overlay: painted as any camera view paints
    assert view.grab().toImage().pixelColor(200, 395).name() != "#ff0000"

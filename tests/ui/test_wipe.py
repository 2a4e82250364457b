"""Ending a session wipes the citizen: nothing typed or read is left in the UI or the app's data."""

from __future__ import annotations

import gc
import secrets
import types

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from kiosk.ui.app import Kiosk
from kiosk.ui.screens.attract import AttractScreen
from tests.conftest import FakeClock
from tests.ui.conftest import find, tap

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def widget_strings(widget: QWidget) -> list[str]:
    strings = [
        widget.accessibleName(),
        widget.accessibleDescription(),
        widget.toolTip(),
        widget.whatsThis(),
        widget.windowTitle(),
        widget.statusTip(),
    ]
    if isinstance(widget, QLabel | QAbstractButton):
        strings.append(widget.text())
    if isinstance(widget, QLineEdit):
        strings += [widget.text(), widget.placeholderText(), widget.displayText()]
    return strings


def ui_contains(needle: str) -> list[str]:
    found = []
    for widget in QApplication.allWidgets():
        for text in widget_strings(widget):
            if needle.upper() in text.upper():
                found.append(f"{type(widget).__name__} {widget.objectName()!r}: {text!r}")
    return found


def fields_with_undo_history() -> list[str]:
    """The undo history would bring typed text back: a fresh field has none."""
    return [w.objectName() for w in QApplication.allWidgets() if isinstance(w, QLineEdit) and w.isUndoAvailable()]


SKIP_TYPES = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType, types.CodeType, types.FrameType)


def app_values(kiosk: Kiosk, *, leave_out: tuple[object, ...] = ()) -> list[str | bytes]:
    """Every str and bytes the running kiosk can reach from its own parts (not modules or code)."""
    seen = {id(obj) for obj in leave_out}
    stack: list[object] = [kiosk]
    found: list[str | bytes] = []
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str | bytes):
            found.append(obj)
        elif not isinstance(obj, (*SKIP_TYPES, int, float)):
            stack.extend(gc.get_referents(obj))
    return found


def app_strings(kiosk: Kiosk, *, leave_out: tuple[object, ...] = ()) -> list[str]:
    return [value for value in app_values(kiosk, leave_out=leave_out) if isinstance(value, str)]


def test_session_end_wipes_typed_and_read_data(qtbot: QtBot, kiosk: Kiosk, clock: FakeClock) -> None:
    # A code nobody else could produce, built at run time so no module constant holds it.
    typed = "".join(secrets.choice(ALPHABET) for _ in range(8))

    tap(qtbot, find(kiosk, "accessibilityButton"))
    tap(qtbot, find(kiosk, "speechToggle"))
    tap(qtbot, find(kiosk, "welcomeDone"))
    tap(qtbot, find(kiosk, "tile_checkin"))
    tap(qtbot, find(kiosk, "typeCode"))  # type instead of showing the QR code
    for char in typed:
        tap(qtbot, find(kiosk, f"key_{char}"))
    tap(qtbot, find(kiosk, "checkinSubmit"))
    qtbot.waitUntil(lambda: "We kunnen deze code niet vinden" in find(kiosk, "checkinProblem").text(), timeout=5000)
    assert ui_contains(typed), "the typed code is on screen during the session"
    assert fields_with_undo_history() == ["codeField"]

    field = find(kiosk, "codeField")
    assert isinstance(field, QLineEdit)
    field.clear()
    for char in "K7Q29XZD":
        tap(qtbot, find(kiosk, f"key_{char}"))
    tap(qtbot, find(kiosk, "checkinSubmit"))
    qtbot.waitUntil(lambda: "Fenna" in find(kiosk, "checkinGreeting").text(), timeout=5000)
    greeting = find(kiosk, "checkinGreeting").text()
    assert "Fenna" in greeting
    during = app_strings(kiosk, leave_out=(kiosk.window.context.appointments,))
    assert "Fenna" in during, "the search reaches the session's data (the check-in result)"

    # The citizen walks away: idle warning, no answer, session over.
    settings = kiosk.machine._settings
    clock.advance(settings.idle_seconds)
    kiosk.controller.tick()
    clock.advance(settings.warning_seconds)
    kiosk.controller.tick()
    assert isinstance(kiosk.window.current_screen, AttractScreen)

    def deleted_screens_gone() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return not ui_contains(typed) and not ui_contains("Fenna")

    qtbot.waitUntil(deleted_screens_gone, timeout=3000)
    gc.collect()
    assert ui_contains(typed) == []
    assert ui_contains("K7Q29XZD") == []
    assert ui_contains("Fenna") == []
    assert fields_with_undo_history() == []
    # The appointment book is the service's data, not the session's: leave it out of the search.
    session_data = app_strings(kiosk, leave_out=(kiosk.window.context.appointments,))
    assert [text for text in session_data if typed in text or "Fenna" in text or text == greeting] == []
    assert kiosk.machine.citizen is None
    assert kiosk.drivers.speech.utterances == []
    # A new citizen starts with the standard screen, not the previous one's choices.
    tap(qtbot, find(kiosk, "startButton"))
    assert kiosk.machine.citizen is not None and kiosk.machine.citizen.speech is False


def test_session_end_wipes_the_identity_read_from_the_chip(qtbot: QtBot, kiosk: Kiosk, clock: FakeClock) -> None:
    from drivers.cardreader.emrtd.factory import build_virtual_document
    from kiosk.identity import VerifiedIdentity
    from kiosk.ui.screens.identify import IdentifyScreen

    document = build_virtual_document("passport")
    reader = kiosk.drivers.cardreader
    reader.insert(document.chip)  # type: ignore[attr-defined]
    key = document.specimen.access_key
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_identify"))
    tap(qtbot, find(kiosk, "chooseMrz"))
    for char in key.document_number:
        tap(qtbot, find(kiosk, f"key_{char}"))
    tap(qtbot, find(kiosk, "birthDateField"))
    for digit in "14031985" + "13032031":
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    tap(qtbot, find(kiosk, "mrzSubmit"))
    screen = kiosk.window.current_screen
    assert isinstance(screen, IdentifyScreen)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.confirm_page, timeout=15_000)
    tap(qtbot, find(kiosk, "identifyYes"))
    assert kiosk.machine.citizen is not None
    identity = kiosk.machine.citizen.identity
    assert isinstance(identity, VerifiedIdentity) and identity.photo is not None
    photo = identity.photo
    assert ui_contains(key.document_number), "the typed number is on screen during the task"
    tap(qtbot, find(kiosk, "identifiedMenu"))  # on to another task: the identity stays for it
    during = app_values(kiosk, leave_out=(reader,))
    assert "ANNA MARIA" in during and photo in during
    del identity

    settings = kiosk.machine._settings
    clock.advance(settings.idle_seconds)
    kiosk.controller.tick()
    clock.advance(settings.warning_seconds)
    kiosk.controller.tick()
    assert isinstance(kiosk.window.current_screen, AttractScreen)

    def deleted_screens_gone() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return not ui_contains(key.document_number) and not ui_contains("Anna Maria")

    qtbot.waitUntil(deleted_screens_gone, timeout=3000)
    gc.collect()
    assert kiosk.machine.citizen is None
    for text in (key.document_number, "Anna Maria", "14-03-1985", "13-03-2031", "Tester"):
        assert ui_contains(text) == [], text
    # The chip on the reader is the document's, not the kiosk's: leave the reader out of the search.
    after = app_values(kiosk, leave_out=(reader,))
    assert [v for v in after if isinstance(v, str) and ("ANNA" in v or key.document_number in v)] == []
    assert photo not in after, "the chip photo is gone with the session"

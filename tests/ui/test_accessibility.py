"""Accessibility infrastructure: names, touch target sizes, themes, speech, translations."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QStackedWidget
from pytestqt.qtbot import QtBot

from kiosk.config import KioskConfig, default_config, parse_config
from kiosk.i18n import LOCALE_DIR
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.base import Screen
from tests.ui.conftest import find, tap

ROOT = Path(__file__).resolve().parents[2]
MIN_TARGET_PX = 48  # ≈ 9 mm on a typical kiosk screen


def pages_of(screen: Screen) -> Iterator[int]:
    """Show each page of a screen's page stacks in turn (a task has several steps)."""
    stacks = screen.findChildren(QStackedWidget)
    if not stacks:
        yield 0
        return
    for stack in stacks:
        for index in range(stack.count()):
            stack.setCurrentIndex(index)
            yield index
        stack.setCurrentIndex(0)


def controls(screen: Screen) -> list[QAbstractButton | QLineEdit]:
    return [w for w in screen.findChildren(QAbstractButton) + screen.findChildren(QLineEdit)]


def test_every_control_has_a_name_and_a_large_target(qtbot: QtBot, kiosk: Kiosk) -> None:
    tap(qtbot, find(kiosk, "startButton"))  # a session, so every screen can be shown
    kiosk.window.prebuild()
    checked = 0
    for screen in kiosk.window.screens():
        kiosk.window.stack.setCurrentWidget(screen)
        for _ in pages_of(screen):
            QCoreApplication.processEvents()
            for control in [*controls(screen), kiosk.window.help_button]:
                if not control.isVisible():
                    continue
                name = f"{type(screen).__name__}.{control.objectName()}"
                assert control.accessibleName().strip(), f"{name} has no accessible name"
                assert control.width() >= MIN_TARGET_PX and control.height() >= MIN_TARGET_PX, (
                    f"{name} is {control.width()}x{control.height()} px"
                )
                checked += 1
    assert checked > 50


def clipped_text(control: QAbstractButton) -> bool:
    """A one-line button label wider than the button (labels inside tiles wrap instead)."""
    text = control.text()
    if not text:
        return False
    padding = 4 if control.property("role") == "key" else 20
    needed = control.fontMetrics().horizontalAdvance(text) + 2 * padding
    if not control.icon().isNull():
        needed += control.iconSize().width() + 8
    return needed > control.width()


@pytest.mark.parametrize("large_text", [False, True])
def test_no_control_cuts_off_its_text(qtbot: QtBot, kiosk: Kiosk, large_text: bool) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    kiosk.machine.set_preferences(large_text=large_text)
    kiosk.window.prebuild()
    clipped = []
    for screen in kiosk.window.screens():
        kiosk.window.stack.setCurrentWidget(screen)
        QCoreApplication.processEvents()
        for control in [*screen.findChildren(QAbstractButton), kiosk.window.help_button]:
            if control.isVisible() and clipped_text(control):
                clipped.append(f"{type(screen).__name__}.{control.objectName()}: {control.text()!r}")
    assert clipped == [], "\n".join(clipped)


def test_high_contrast_and_large_text_switch_per_session(qtbot: QtBot, kiosk: Kiosk) -> None:
    window = kiosk.window
    standard_font = find(kiosk, "attractTitle").font().pixelSize()
    tap(qtbot, find(kiosk, "accessibilityButton"))
    tap(qtbot, find(kiosk, "highContrastToggle"))
    assert kiosk.controller.theme.high_contrast
    assert "background: #000000" in window.styleSheet()
    tap(qtbot, find(kiosk, "largeTextToggle"))
    tap(qtbot, find(kiosk, "welcomeDone"))
    assert find(kiosk, "menuTitle").font().pixelSize() > standard_font * 1.3
    tap(qtbot, find(kiosk, "stopButton"))
    tap(qtbot, find(kiosk, "goodbyeNext"))
    assert not kiosk.controller.theme.high_contrast and not kiosk.controller.theme.large_text
    assert "background: #000000" not in window.styleSheet()


def test_screens_announce_themselves_in_speech_mode(qtbot: QtBot, kiosk: Kiosk) -> None:
    speech = kiosk.drivers.speech
    tap(qtbot, find(kiosk, "startButton"))
    assert speech.utterances == [], "silent unless the citizen asks for speech"
    tap(qtbot, find(kiosk, "settingsButton"))
    tap(qtbot, find(kiosk, "speechToggle"))
    tap(qtbot, find(kiosk, "welcomeDone"))
    last = speech.utterances[-1]
    assert last.language == "nl"
    assert last.text.startswith("Waarmee kunnen we u helpen? U kunt kiezen uit: Ik heb een afspraak")
    tap(qtbot, find(kiosk, "talkToPerson"))
    assert "Een medewerker helpt u graag aan de balie." in speech.utterances[-1].text


@pytest.fixture
def config() -> KioskConfig:
    # The printer is absent in this kiosk.
    return parse_config({"hardware": {"printer": {"driver": "none"}}})


def test_task_whose_device_is_missing_is_explained(qtbot: QtBot, kiosk: Kiosk, monkeypatch) -> None:
    import dataclasses

    from kiosk import tasks

    needs_printer = dataclasses.replace(tasks.TASKS["checkin"], needs=("printer",))
    monkeypatch.setitem(tasks.TASKS, "checkin", needs_printer)
    kiosk.controller.on_health(kiosk.drivers.health())
    tap(qtbot, find(kiosk, "startButton"))
    tile = find(kiosk, "tile_checkin")
    assert not tile.isEnabled()
    assert "Dit kan nu niet: de printer werkt niet." in find(kiosk, "tileNote_checkin").text()
    assert find(kiosk, "tile_opening_hours").isEnabled()


def used_msgids() -> set[str]:
    """Every msgid the code asks for: t.text("…") and N_("…")."""
    found = set()
    for path in (ROOT / "kiosk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            func = node.func
            is_text = isinstance(func, ast.Attribute) and func.attr == "text"
            is_mark = isinstance(func, ast.Name) and func.id == "N_"
            if (is_text or is_mark) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def test_dutch_catalogue_is_complete_and_keeps_placeholders() -> None:
    msgids = used_msgids()
    assert len(msgids) > 40
    catalogue = {e.msgid: e.msgstr for e in polib.pofile(str(LOCALE_DIR / "nl.po"))}
    missing = sorted(m for m in msgids if not catalogue.get(m))
    assert missing == [], f"untranslated: {missing}"
    unused = sorted(set(catalogue) - msgids)
    assert unused == [], f"catalogue entries no code uses: {unused}"
    import string

    for msgid, msgstr in catalogue.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(msgid) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(msgstr) if f}, msgid


def test_default_config_offers_dutch_first() -> None:
    assert default_config().device.languages[0] == "nl"

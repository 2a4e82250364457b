"""The kiosk window: one screen at a time, the "talk to a person" bar, the idle overlay.

The window only shows things; the controller decides what to show from the session
machine's state.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from drivers.health import Health
from kiosk.i18n import Translator
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton
from kiosk.ui.screens.base import Screen, ScreenContext, set_pictogram
from kiosk.ui.theme import Theme

if TYPE_CHECKING:
    from kiosk.ui.idle_overlay import IdleOverlay

# "module:class", imported when a screen is first made: the first frame needs only attract.
PHASE_SCREENS: dict[Phase, str] = {
    Phase.ATTRACT: "kiosk.ui.screens.attract:AttractScreen",
    Phase.WELCOME: "kiosk.ui.screens.welcome:WelcomeScreen",
    Phase.MENU: "kiosk.ui.screens.menu:MenuScreen",
    Phase.HELP: "kiosk.ui.screens.help:HelpScreen",
    Phase.CALLING: "kiosk.ui.screens.call_waiting:WaitingScreen",
    Phase.IN_CALL: "kiosk.ui.screens.call:CallScreen",
    Phase.AFTER_CALL: "kiosk.ui.screens.call_feedback:AfterCallScreen",
    Phase.GOODBYE: "kiosk.ui.screens.goodbye:GoodbyeScreen",
    Phase.MAINTENANCE_PIN: "kiosk.ui.screens.maintenance:MaintenancePinScreen",
    Phase.MAINTENANCE: "kiosk.ui.screens.maintenance:MaintenanceScreen",
}
TASK_SCREENS: dict[str, str] = {
    "checkin": "kiosk.ui.screens.checkin:CheckinScreen",
    "ticket": "kiosk.ui.screens.ticket:TicketScreen",
    "scan": "kiosk.ui.screens.scan:ScanScreen",
    "identify": "kiosk.ui.screens.identify:IdentifyScreen",
    "opening_hours": "kiosk.ui.screens.opening_hours:OpeningHoursScreen",
}


def _screen_class(path: str) -> type[Screen]:
    module, _, name = path.partition(":")
    screen_class = getattr(importlib.import_module(module), name)
    if not (isinstance(screen_class, type) and issubclass(screen_class, Screen)):
        raise TypeError(f"{path} is not a screen")
    return screen_class


class KioskWindow(QWidget):
    first_frame_painted = Signal()

    def __init__(self, context: ScreenContext) -> None:
        super().__init__()
        self.setObjectName("KioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Balie")
        self.context = context
        self.stack = QStackedWidget()
        self.help_button = KioskButton("help", object_name="talkToPerson")
        self.help_button.setMinimumHeight(110)
        help_bar = self.help_bar = QWidget()
        help_bar.setObjectName("HelpBar")
        help_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bar = QHBoxLayout(help_bar)
        bar.setContentsMargins(40, 20, 40, 20)
        bar.addWidget(self.help_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(help_bar)
        self._overlay: IdleOverlay | None = None
        self.translator = Translator.for_language(context.machine.language)
        self.health: dict[str, Health] = {}
        self._screens: dict[Phase | str, Screen] = {}
        self._first_frame_painted = False

    # -- screens -------------------------------------------------------------------
    # Screens are made when first shown (the first frame needs only the attract screen)
    # and thrown away whole when what they hold must be forgotten.

    def screen_for(self, phase: Phase, task_id: str | None = None) -> Screen:
        key: Phase | str = task_id if phase is Phase.TASK and task_id is not None else phase
        screen = self._screens.get(key)
        if screen is None:
            path = PHASE_SCREENS[key] if isinstance(key, Phase) else TASK_SCREENS[key]
            screen = _screen_class(path)(self.context)
            screen.update_health(self.health)
            screen.retranslate(self.translator)
            self._screens[key] = screen
            self.stack.addWidget(screen)
        return screen

    def prebuild(self) -> None:
        """Make the screens not yet made, in idle time, so the citizen's taps stay quick."""
        for phase in PHASE_SCREENS:
            self.screen_for(phase)
        for task_id in self.context.config.device.tasks:
            self.screen_for(Phase.TASK, task_id)

    def forget_screens(self, *, tasks_only: bool = False) -> None:
        """Delete screens (all, or the task screens): nothing a citizen entered survives in them."""
        for key in [k for k in self._screens if not (tasks_only and isinstance(k, Phase))]:
            screen = self._screens.pop(key)
            screen.wipe()
            self.stack.removeWidget(screen)
            screen.setParent(None)
            screen.deleteLater()

    def screens(self) -> list[Screen]:
        return list(self._screens.values())

    def show_screen(self, screen: Screen) -> None:
        self.stack.setCurrentWidget(screen)
        target = screen.first_focus()
        if target is not None and not (self._overlay and self._overlay.isVisible()):
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    @property
    def overlay(self) -> IdleOverlay:
        """The idle warning, made when first needed (not for the first frame)."""
        if self._overlay is None:
            from kiosk.ui import idle_overlay

            self._overlay = idle_overlay.IdleOverlay(self)
            self._overlay.setGeometry(self.rect())
        return self._overlay

    # -- language, theme, health ---------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        self.translator = t
        self.help_button.set_label(t.text("Talk to a person"))
        for screen in self.screens():
            screen.retranslate(t)

    def apply_theme(self, theme: Theme) -> None:
        self.context.theme = theme
        self.setStyleSheet(theme.style_sheet())
        set_pictogram(self.help_button, "person.svg", theme.palette.help_text, 64)
        for screen in self.screens():
            screen.apply_theme(theme)

    def update_health(self, health: dict[str, Health]) -> None:
        self.health = health
        self.context.health = health
        for screen in self.screens():
            screen.update_health(health)

    # -- keyboard and layout -------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrow keys move like Tab, for navigation keypads that have no Tab key."""
        if event.key() in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.focusNextChild()
        elif event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.focusPreviousChild()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._first_frame_painted:
            # The first frame is on screen: the rest of start-up may follow.
            self._first_frame_painted = True
            # Not from inside the paint: the listeners do real work.
            QTimer.singleShot(0, self.first_frame_painted.emit)

    def resizeEvent(self, event: QResizeEvent) -> None:
        if self._overlay is not None:
            self._overlay.setGeometry(self.rect())
        super().resizeEvent(event)

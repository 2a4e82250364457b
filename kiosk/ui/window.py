"""The kiosk window: one screen at a time, the "talk to a person" bar, the idle overlay.

The window only shows things; the controller decides what to show from the session
machine's state.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton
from kiosk.ui.idle_overlay import IdleOverlay
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.base import Screen, ScreenContext, set_pictogram
from kiosk.ui.screens.checkin import CheckinScreen
from kiosk.ui.screens.goodbye import GoodbyeScreen
from kiosk.ui.screens.help import HelpScreen
from kiosk.ui.screens.menu import MenuScreen
from kiosk.ui.screens.opening_hours import OpeningHoursScreen
from kiosk.ui.screens.welcome import WelcomeScreen
from kiosk.ui.theme import Theme

PHASE_SCREENS: dict[Phase, type[Screen]] = {
    Phase.ATTRACT: AttractScreen,
    Phase.WELCOME: WelcomeScreen,
    Phase.MENU: MenuScreen,
    Phase.HELP: HelpScreen,
    Phase.GOODBYE: GoodbyeScreen,
}
TASK_SCREENS: dict[str, type[Screen]] = {
    "checkin": CheckinScreen,
    "opening_hours": OpeningHoursScreen,
}


class KioskWindow(QWidget):
    def __init__(self, context: ScreenContext) -> None:
        super().__init__()
        self.setObjectName("KioskWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setWindowTitle("Balie")
        self.context = context
        self.stack = QStackedWidget()
        self.help_button = KioskButton("help", object_name="talkToPerson")
        self.help_button.setMinimumHeight(110)
        help_bar = QWidget(objectName="HelpBar")
        help_bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bar = QHBoxLayout(help_bar)
        bar.setContentsMargins(40, 20, 40, 20)
        bar.addWidget(self.help_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(help_bar)
        self.overlay = IdleOverlay(self)
        self.phase_screens: dict[Phase, Screen] = {}
        self.task_screens: dict[str, Screen] = {}
        self.build_screens()

    # -- screens -------------------------------------------------------------------
    def build_screens(self) -> None:
        for phase, screen_class in PHASE_SCREENS.items():
            self._replace_phase_screen(phase, screen_class(self.context))
        for task_id in self.context.config.device.tasks:
            self.rebuild_task_screen(task_id)

    def _replace_phase_screen(self, phase: Phase, screen: Screen) -> None:
        old = self.phase_screens.get(phase)
        self.phase_screens[phase] = screen
        self._swap(old, screen)

    def rebuild_task_screen(self, task_id: str) -> None:
        """A fresh screen for a task: nothing a previous citizen entered can survive in it."""
        old = self.task_screens.get(task_id)
        self.task_screens[task_id] = TASK_SCREENS[task_id](self.context)
        self._swap(old, self.task_screens[task_id])

    def _swap(self, old: Screen | None, new: Screen) -> None:
        index = self.stack.indexOf(old) if old is not None else -1
        if index >= 0:
            self.stack.insertWidget(index, new)
        else:
            self.stack.addWidget(new)
        if old is not None:
            if self.stack.currentWidget() is old:
                self.stack.setCurrentWidget(new)
            old.wipe()
            self.stack.removeWidget(old)
            old.setParent(None)
            old.deleteLater()

    def screens(self) -> list[Screen]:
        return [*self.phase_screens.values(), *self.task_screens.values()]

    def screen_for(self, phase: Phase, task_id: str | None) -> Screen:
        if phase is Phase.TASK and task_id is not None:
            return self.task_screens[task_id]
        return self.phase_screens[phase]

    def show_screen(self, screen: Screen) -> None:
        self.stack.setCurrentWidget(screen)
        target = screen.first_focus()
        if target is not None and not self.overlay.isVisible():
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def current_screen(self) -> Screen:
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    # -- language and theme --------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        self.help_button.set_label(t.text("Talk to a person"))
        for screen in self.screens():
            screen.retranslate(t)

    def apply_theme(self, theme: Theme) -> None:
        self.context.theme = theme
        self.setStyleSheet(theme.style_sheet())
        set_pictogram(self.help_button, "person.svg", theme.palette.help_text, 64)
        for screen in self.screens():
            screen.apply_theme(theme)

    # -- keyboard and layout -------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrow keys move like Tab, for navigation keypads that have no Tab key."""
        if event.key() in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            self.focusNextChild()
        elif event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            self.focusPreviousChild()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QEvent) -> None:
        self.overlay.setGeometry(self.rect())
        super().resizeEvent(event)

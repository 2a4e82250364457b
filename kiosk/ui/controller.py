"""Binds the Qt-free session machine to the window, the clock, speech and device health.

How a tap becomes a state change: a screen's button calls a SessionMachine method;
the machine checks its transition table, changes phase and notifies this controller;
the controller shows the phase's screen, applies the citizen's language and theme,
speaks the announcement and re-arms the one timer that lets time pass. When a session
ends, every screen is rebuilt and the speech driver told to forget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget

from drivers.health import Health
from drivers.registry import DriverSet
from kiosk.i18n import Translator
from kiosk.maintenance import CornerTaps
from kiosk.session import ATTENDED, MAINTAINING, Change, Phase, SessionMachine
from kiosk.ui.theme import Theme
from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)

INPUT_EVENTS = frozenset(
    {QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress, QEvent.Type.Wheel}
)
SPOKEN_COUNTDOWN = frozenset({10, 5})  # besides the first warning, said aloud at these seconds


class HealthWatcher(QObject):
    """Asks every driver how it is, on its own thread; the UI hears it as a signal."""

    changed = Signal(dict)

    def __init__(self, drivers: DriverSet, interval: float = 15.0) -> None:
        super().__init__()
        self._drivers = drivers
        self._interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-watcher", daemon=True)
        self._last: dict[str, Health] | None = None

    def start(self) -> None:
        self._thread.start()

    def poll_now(self) -> None:
        """Ask again at once (after a print job, when paper may have run out)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            health = self._drivers.health()
            if health != self._last:
                for device, now in health.items():
                    if self._last is None or self._last.get(device) != now:
                        # For the technician; a device's health never holds personal data.
                        log.info("%s: %s%s", device, now.state, f" ({now.reason})" if now.reason else "")
                self._last = health
                self.changed.emit(health)
            self._wake.wait(self._interval)
            self._wake.clear()


class KioskController(QObject):
    def __init__(
        self,
        machine: SessionMachine,
        window: KioskWindow,
        drivers: DriverSet,
        clock: Callable[[], float] = time.monotonic,
        start_theme: Theme | None = None,
    ) -> None:
        super().__init__()
        self.machine = machine
        self.window = window
        self.drivers = drivers
        self._clock = clock
        self.health: dict[str, Health] = {}
        self.translator = window.translator
        self.theme = start_theme or window.context.theme
        self._start_theme = self.theme
        self._last_spoken_second: int | None = None
        self._shut_down = False
        self._corner = CornerTaps(clock)
        self._last_press: tuple[int, QPoint] | None = None

        self.deadline_timer = QTimer(self)
        self.deadline_timer.setSingleShot(True)
        self.deadline_timer.timeout.connect(self.tick)
        self.countdown_timer = QTimer(self)
        self.countdown_timer.setInterval(1000)
        self.countdown_timer.timeout.connect(self.tick)

        window.context.speak = self._say
        window.overlay.still_here.clicked.connect(machine.touch)
        window.overlay.stop_button.clicked.connect(machine.finish)
        window.help_button.clicked.connect(machine.talk_to_person)
        machine.subscribe(self._on_change)
        app = QApplication.instance()
        assert app is not None, "the kiosk runs inside a Qt application"
        self._app = app
        app.installEventFilter(self)

        if window.current_screen is not window.screen_for(machine.phase):
            window.show_screen(window.screen_for(machine.phase))

    # -- time ---------------------------------------------------------------------
    def tick(self) -> None:
        """Let the machine see the time, then wake again when it next has work."""
        self.machine.tick()
        self._update_countdown()
        self._arm()

    def _arm(self) -> None:
        deadline = self.machine.next_deadline()
        if deadline is None:
            self.deadline_timer.stop()
            return
        self.deadline_timer.start(max(0, int((deadline - self._clock()) * 1000) + 1))

    # -- input --------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        phase = self.machine.phase
        if event.type() in INPUT_EVENTS and (phase in ATTENDED or phase in MAINTAINING):
            self.machine.touch()
            self._arm()
        elif phase is Phase.ATTRACT and event.type() == QEvent.Type.MouseButtonPress:
            return self._corner_press(watched, event)
        return False

    def _corner_press(self, watched: QObject, event: QEvent) -> bool:
        """The hidden gesture (kiosk.maintenance): count each press once, in window coordinates."""
        if not (isinstance(watched, QWidget) and isinstance(event, QMouseEvent)):
            return False
        if watched.window() is not self.window:
            return False
        press = (event.timestamp(), event.globalPosition().toPoint())
        if press == self._last_press:
            return False  # the same press, handed on to a parent widget
        self._last_press = press
        point = watched.mapTo(self.window, event.position().toPoint())
        if self._corner.tap(point.x(), point.y()) and self.machine.maintenance_gesture():
            log.info("maintenance: PIN asked after the corner gesture")
            return True  # the fifth tap is not also a tap on the attract screen
        return False

    # -- state changes --------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        machine, window = self.machine, self.window
        if change.session_ended:
            self._wipe()
        elif change.task_left:
            window.forget_screens(tasks_only=True)
        citizen = machine.citizen
        start = self._start_theme
        theme = Theme.for_preferences(
            high_contrast=start.high_contrast or bool(citizen and citizen.high_contrast),
            large_text=start.large_text or bool(citizen and citizen.large_text),
        ).with_base(start.base_px)
        if theme != self.theme:
            self.theme = theme
            window.apply_theme(theme)
        translator = Translator.for_language(machine.language)
        if translator.language != self.translator.language or change.session_ended:
            self.translator = translator
            window.retranslate(translator)
        else:
            self._sync_settings()
        if change.previous is not change.phase:
            # On the line with a caseworker, "talk to a person" is what is happening already.
            # The technician's screens are no place to call from either.
            window.help_bar.setHidden(change.phase in (Phase.CALLING, Phase.IN_CALL) or change.phase in MAINTAINING)
            screen = window.screen_for(change.phase, citizen.task_id if citizen else None)
            window.show_screen(screen)
            self._announce(screen.announcement(self.translator))
        self._update_countdown()
        self._arm()

    def _sync_settings(self) -> None:
        for screen in self.window.screens():
            screen.refresh()

    def _wipe(self) -> None:
        """The session ended: rebuild every screen and let speech forget what it said."""
        self.drivers.speech.stop()
        self.window.overlay.hide()
        self.window.forget_screens()
        self._last_spoken_second = None
        QTimer.singleShot(0, self.window.prebuild)

    # -- idle warning ----------------------------------------------------------------
    def _update_countdown(self) -> None:
        overlay = self.window.overlay
        seconds = self.machine.warning_seconds_left()
        if seconds is None:
            self.countdown_timer.stop()
            if overlay.isVisible():
                overlay.hide()
                self.window.show_screen(self.window.current_screen)
            self._last_spoken_second = None
            return
        overlay.retranslate(self.translator, seconds)
        if not overlay.isVisible():
            overlay.setGeometry(self.window.rect())
            overlay.show()
            overlay.raise_()
            overlay.still_here.setFocus()
            self.countdown_timer.start()
        if self._last_spoken_second is None:
            # Always spoken, not only in speech mode: someone who cannot read it must hear it.
            self._say(f"{overlay.question.text()} {overlay.explanation.text()}")
            self._last_spoken_second = seconds
        elif seconds in SPOKEN_COUNTDOWN and seconds != self._last_spoken_second:
            self._say(self.translator.text("{seconds} seconds", seconds=seconds))
            self._last_spoken_second = seconds

    # -- speech and health ---------------------------------------------------------
    def _announce(self, text: str) -> None:
        citizen = self.machine.citizen
        if citizen is not None and citizen.speech and text:
            self._say(text)

    def _say(self, text: str) -> None:
        self.drivers.speech.say(text, self.translator.language)

    def on_health(self, health: dict[str, Health]) -> None:
        if self._shut_down:
            return  # a report that was on its way while the kiosk closed
        self.health = health
        self.machine.maintenance.history.record(health, self._clock())
        self.window.update_health(health)

    def shutdown(self) -> None:
        self._shut_down = True
        self.deadline_timer.stop()
        self.countdown_timer.stop()
        self._app.removeEventFilter(self)

"""Start the kiosk: Qt application, drivers, session machine, window, controller.

All devices are built here, once, and passed in: no hidden singletons. Tests build
the same parts through `build_kiosk`, so they exercise the path a citizen uses.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import KioskConfig, Orientation
from kiosk.ui.theme import ThemeName

if TYPE_CHECKING:  # keeps Qt out of this module's import (start-up time is benchmarked)
    from drivers.registry import DriverSet
    from kiosk.session import SessionMachine
    from kiosk.ui.controller import HealthWatcher, KioskController
    from kiosk.ui.window import KioskWindow

WINDOW_SIZES = {Orientation.PORTRAIT: (1080, 1920), Orientation.LANDSCAPE: (1920, 1080)}


@dataclass(frozen=True)
class LaunchOptions:
    windowed: bool = False
    screenshot: Path | None = None
    theme: ThemeName = ThemeName.STANDARD
    language: str | None = None


@dataclass
class Kiosk:
    """The running parts, so that they can be shut down in order."""

    window: KioskWindow
    controller: KioskController
    machine: SessionMachine
    drivers: DriverSet
    watcher: HealthWatcher

    def close(self) -> None:
        import shiboken6

        self.watcher.stop()
        self.controller.shutdown()
        self.window.close()
        shiboken6.delete(self.window)  # now, not at some later event loop turn
        self.drivers.close()


def build_kiosk(
    config: KioskConfig,
    *,
    theme: ThemeName = ThemeName.STANDARD,
    clock: Callable[[], float] = time.monotonic,
    drivers: DriverSet | None = None,
    health_interval: float = 15.0,
) -> Kiosk:
    from PySide6.QtGui import QFontDatabase

    from assets import ASSETS_DIR
    from drivers.registry import build_all
    from kiosk.appointments import LocalAppointments
    from kiosk.session import SessionMachine
    from kiosk.ui.controller import HealthWatcher, KioskController
    from kiosk.ui.screens.base import ScreenContext
    from kiosk.ui.theme import Theme
    from kiosk.ui.window import KioskWindow

    for font in sorted((ASSETS_DIR / "fonts").glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(font))
    drivers = drivers or build_all(config.hardware.choices())
    appointments_file = Path(config.appointments.file) if config.appointments.file else None
    appointments = LocalAppointments.from_file(appointments_file)
    machine = SessionMachine(config.session, config.device.languages, clock=clock)
    width, height = WINDOW_SIZES[config.device.orientation]
    base = Theme.named(theme).with_base(round(min(width, height) / 34))
    context = ScreenContext(config=config, machine=machine, drivers=drivers, appointments=appointments, theme=base)
    window = KioskWindow(context)
    window.resize(width, height)
    controller = KioskController(machine, window, drivers, clock=clock, start_theme=base)
    watcher = HealthWatcher(drivers, interval=health_interval)
    watcher.changed.connect(controller.on_health)
    watcher.start()
    return Kiosk(window, controller, machine, drivers, watcher)


def run_kiosk(config: KioskConfig, options: LaunchOptions) -> int:
    if options.screenshot is not None and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.i18n import Translator

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Balie")
    kiosk = build_kiosk(config, theme=options.theme)
    if options.language:
        kiosk.window.retranslate(Translator.for_language(options.language))
    if options.windowed or options.screenshot is not None:
        kiosk.window.show()
    else:
        kiosk.window.showFullScreen()

    if options.screenshot is not None:
        target = options.screenshot

        def capture() -> None:
            # Runs after the first paint has been processed by the event loop.
            ok = kiosk.window.grab().save(str(target), "PNG")
            app.exit(0 if ok else 1)

        QTimer.singleShot(0, capture)
    try:
        return app.exec()
    finally:
        kiosk.close()

"""What every role of the appliance (kiosk, display, counter) does around its window when started
by `balie kiosk`: the Qt application, systemd's keep-alives, full screen or a screenshot.

One place, so a hung display is restarted by the watchdog exactly as a hung kiosk is, and
`--screenshot` works the same for every role.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

FONT_FAMILY = "DejaVu Sans"  # wide coverage (Latin, Cyrillic, Arabic, Turkish) and clear at a distance

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from kiosk.watchdog import SystemdNotifier


@dataclass
class Launch:
    """The running application and its keep-alive timer; `finish()` once the event loop has ended."""

    app: QApplication
    notifier: SystemdNotifier
    keep_alive: QTimer

    def present(self, window: QWidget, *, windowed: bool, screenshot: Path | None) -> None:
        """Full screen on the appliance; a plain window for development; with `screenshot`, the first
        frame saved to that file and the application ended (exit 0, or 1 when the file was not written)."""
        from PySide6.QtCore import QTimer

        if windowed or screenshot is not None:
            window.show()
        else:
            window.showFullScreen()
        if screenshot is None:
            return
        target = screenshot

        def capture() -> None:
            # Runs after the window is shown; grab() renders the first frame.
            frame = window.grab()
            if os.environ.get("BALIE_STARTUP_PROBE"):  # benchmarks/startup.py reads this line
                print(f"first-frame {time.time():.6f}", file=sys.stderr, flush=True)
            ok = frame.save(str(target), "PNG")
            self.app.exit(0 if ok else 1)

        QTimer.singleShot(0, capture)

    def finish(self) -> None:
        self.keep_alive.stop()
        self.notifier.stopping()
        self.notifier.close()


def start_application(*, screenshot: Path | None) -> Launch:
    """The QApplication (offscreen when only a screenshot is wanted and there is no display) with
    systemd's keep-alives running from its event loop."""
    if screenshot is not None and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.watchdog import SystemdNotifier

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Balie")
    # Keep-alives for systemd's WatchdogSec come from this thread's event loop: a hung UI stops them.
    notifier = SystemdNotifier.from_environment()
    keep_alive = QTimer()
    if notifier.ping_interval is not None:
        keep_alive.timeout.connect(notifier.ping)
        keep_alive.start(max(1, round(notifier.ping_interval * 1000)))
    return Launch(app, notifier, keep_alive)


def load_bundled_font() -> None:
    """DejaVu Sans from assets/fonts when the system has none: every role looks the same on any machine."""
    from PySide6.QtGui import QFontDatabase

    from assets import ASSETS_DIR

    if not QFontDatabase.hasFamily(FONT_FAMILY):
        for font in sorted((ASSETS_DIR / "fonts").glob("*.ttf")):
            QFontDatabase.addApplicationFont(str(font))

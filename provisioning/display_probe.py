"""Measure the screens as Qt sees them, for the self-test; run as `python -m provisioning.display_probe`.

A child process, so the self-test itself never loads Qt (it runs headless over SSH as
well) and a display that hangs on connect costs a timeout, not the self-test. Prints one
JSON object: the platform, the primary screen and every screen, in device pixels (what
the panel has, whatever scaling is set).
"""

from __future__ import annotations

import json
import sys


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])
    screens = []
    for screen in app.screens():
        size = screen.size()
        ratio = screen.devicePixelRatio()
        screens.append(
            {
                "name": screen.name(),
                "model": screen.model(),
                "width": round(size.width() * ratio),
                "height": round(size.height() * ratio),
                "refresh_hz": round(screen.refreshRate(), 1),
            }
        )
    primary = app.primaryScreen()
    index = app.screens().index(primary) if primary in app.screens() else 0
    if not screens:
        print("no screens", file=sys.stderr)
        return 1
    print(json.dumps({"platform": app.platformName(), "primary": screens[index], "screens": screens}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Live preview frame rate and UI-thread latency while the kiosk decodes QR codes.

Builds the real kiosk (offscreen) with a simulated 1280×720 camera at 30 fps, opens the
QR check-in, holds up a code that is not an appointment (so decoding never stops), and
for --seconds measures: frames painted in the preview per second (target ≥ 20), frames
analysed per second, and how late a 10 ms UI-thread timer fires (the UI stays responsive
when this stays small). Baseline in the same run: the same measurement with the camera
page closed (UI thread idle).

Run: .venv/bin/python benchmarks/camera_preview.py [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

from drivers.camera.scenes import Placement, phone_with_qr
from kiosk.config import parse_config
from kiosk.ui.app import build_kiosk
from kiosk.ui.screens.checkin import CheckinScreen

TICK_MS = 10


def timer_lateness(app: QApplication, seconds: float) -> list[float]:
    """Milliseconds each 10 ms tick arrived late: what a citizen's tap would wait."""
    late: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = clock.elapsed()
    timer = QTimer()
    timer.setInterval(TICK_MS)

    def tick() -> None:
        nonlocal last
        now = clock.elapsed()
        late.append(max(0.0, now - last - TICK_MS))
        last = now

    timer.timeout.connect(tick)
    timer.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    return late


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    config = parse_config(
        {"hardware": {"camera": {"driver": "simulated", "options": {"width": 1280, "height": 720, "fps": 30.0}}}}
    )
    kiosk = build_kiosk(config)
    kiosk.window.show()
    try:
        idle = timer_lateness(app, min(3.0, args.seconds))
        kiosk.machine.start()
        kiosk.machine.choose_task("checkin")
        screen = kiosk.window.current_screen
        assert isinstance(screen, CheckinScreen) and screen.scanner is not None
        kiosk.drivers.camera.hold_up(phone_with_qr("https://www.example.org/nieuws"), Placement(scale=0.7))  # type: ignore[attr-defined]
        timer_lateness(app, 1.0)  # let the feed settle
        shown, analysed = screen.scanner.view.frames_shown, screen.scanner.feed.analyses
        busy = timer_lateness(app, args.seconds)
        fps = (screen.scanner.view.frames_shown - shown) / args.seconds
        analyses = (screen.scanner.feed.analyses - analysed) / args.seconds
    finally:
        kiosk.close()

    def summary(values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        return f"mean {statistics.mean(values):5.1f} ms, 95th {p95:5.1f} ms, worst {max(values):5.1f} ms"

    print(f"preview frames painted      : {fps:5.1f} per second (target >= 20) {'OK' if fps >= 20 else 'UNDER'}")
    print(f"frames analysed (QR decode) : {analyses:5.1f} per second")
    print(f"UI timer lateness, idle     : {summary(idle)}")
    print(f"UI timer lateness, decoding : {summary(busy)}")


if __name__ == "__main__":
    main()

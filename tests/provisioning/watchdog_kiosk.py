"""The real kiosk (`run_kiosk`, embedded default) with one fault switch: a file that hangs its UI.

Run as a program by the watchdog tests. When HANG_FILE appears, the Qt main thread deletes it
and blocks, as a stuck call on the UI thread would; every other thread goes on. Each start
and each hang is written to LOG_FILE, so a test can see a restart.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from kiosk.config import default_config
from kiosk.ui.app import LaunchOptions, run_kiosk


def main() -> int:
    hang_file, log_file = Path(sys.argv[1]), Path(sys.argv[2])
    app = QApplication(sys.argv[:1])
    with log_file.open("a", encoding="utf-8") as log:
        log.write(f"started {os.getpid()}\n")

    def maybe_hang() -> None:
        if hang_file.exists():
            hang_file.unlink()
            with log_file.open("a", encoding="utf-8") as log:
                log.write(f"hanging {os.getpid()}\n")
            time.sleep(3600)  # the fault itself: the main loop stops here

    switch = QTimer()
    switch.timeout.connect(maybe_hang)
    switch.start(50)
    code = run_kiosk(default_config(), LaunchOptions(windowed=True))
    del app
    return code


if __name__ == "__main__":
    sys.exit(main())

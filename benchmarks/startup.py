"""Start-up and idle cost of `balie kiosk`, against a bare PySide6 window in the same run.

Prints, for N runs each: time from process start to the first rendered frame saved as
PNG (median), the ratio kiosk/bare (target ≤ 1.5×), and the kiosk's CPU use while it
idles on the attract screen (target < 2 % of one core). Run:
    .venv/bin/python benchmarks/startup.py [--runs 7] [--idle-seconds 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE_WINDOW = """
import sys
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
window = QLabel("Hallo")
window.resize(1080, 1920)
window.show()
def capture():
    frame = window.grab()
    print(f"first-frame {time.time():.6f}", file=sys.stderr, flush=True)
    frame.save(sys.argv[1], "PNG")
    app.quit()
QTimer.singleShot(0, capture)
app.exec()
"""


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["BALIE_STARTUP_PROBE"] = "1"
    # An installed kiosk runs from compiled bytecode; measure that, not recompiling every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_to_first_frame(command: list[str]) -> float:
    """Wall time from just before the process is started to its first frame being rendered.

    Both programs print "first-frame <epoch seconds>" when the frame is grabbed, before
    PNG encoding, whose cost depends on the picture rather than on start-up.
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "frame.png"
        started = time.time()
        result = subprocess.run(
            [*command, str(out)], check=True, env=environment(), cwd=ROOT, capture_output=True, text=True
        )
        stamps = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("first-frame ")]
        if not stamps or not out.exists():
            raise RuntimeError(f"{command} rendered no frame: {result.stderr[-500:]}")
        return float(stamps[0]) - started


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def idle_cpu(seconds: float) -> float:
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "kiosk", "--windowed"],
        env=environment(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # let start-up finish before measuring the idle state
        before, started = cpu_seconds(process.pid), time.monotonic()
        time.sleep(seconds)
        used, elapsed = cpu_seconds(process.pid) - before, time.monotonic() - started
        return 100 * used / elapsed
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--idle-seconds", type=float, default=30)
    args = parser.parse_args()

    bare_cmd = [sys.executable, "-c", BARE_WINDOW]
    kiosk_cmd = [sys.executable, "-m", "kiosk.cli", "kiosk", "--screenshot"]
    time_to_first_frame(bare_cmd)  # warm the file cache for both
    time_to_first_frame(kiosk_cmd)
    bare, kiosk = [], []
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        bare.append(time_to_first_frame(bare_cmd))
        kiosk.append(time_to_first_frame(kiosk_cmd))
    bare_median, kiosk_median = statistics.median(bare), statistics.median(kiosk)
    print(f"first frame, bare PySide6 window : {bare_median * 1000:7.0f} ms (median of {args.runs})")
    print(f"first frame, balie kiosk         : {kiosk_median * 1000:7.0f} ms (median of {args.runs})")
    print(f"fastest run, bare / kiosk        : {min(bare) * 1000:7.0f} ms / {min(kiosk) * 1000:.0f} ms")
    ratio = kiosk_median / bare_median
    print(f"ratio kiosk / bare               : {ratio:7.2f}x  (target <= 1.5x) {'OK' if ratio <= 1.5 else 'OVER'}")
    cpu = idle_cpu(args.idle_seconds)
    print(
        f"idle CPU on attract, {args.idle_seconds:.0f} s        : {cpu:7.2f} % of one core "
        f"(target < 2 %) {'OK' if cpu < 2 else 'OVER'}"
    )


if __name__ == "__main__":
    main()

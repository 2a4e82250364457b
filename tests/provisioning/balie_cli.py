"""Run `balie …` as the technician does: a separate process, its output and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def balie(*args: str, stdin: str | None = None, env: dict[str, str] | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args],
        input=stdin, capture_output=True, text=True, timeout=timeout, env=environment, cwd=ROOT,
    )  # fmt: skip

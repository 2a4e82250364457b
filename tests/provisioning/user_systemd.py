"""A private `systemd --user` for tests that need a real service manager.

These machines are not booted with systemd, and systemd refuses to run a user instance
unless /run/systemd/system exists. In a mount namespace of its own (`unshare -m`, root only)
a tmpfs over /run/systemd gives it that, without touching the machine; systemctl and
systemd-run reach it through $XDG_RUNTIME_DIR/systemd/private. Where that cannot work the
fixture says why and the test is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

SYSTEMD = Path("/lib/systemd/systemd")
START_SCRIPT = "mount -t tmpfs tmpfs /run/systemd && mkdir /run/systemd/system && exec {systemd} --user"


class UserSystemdUnavailable(Exception):
    pass


class UserSystemd:
    def __init__(self, runtime_dir: Path) -> None:
        self.runtime_dir = runtime_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.log = runtime_dir.parent / "systemd-user.log"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime_dir)}

    def start(self) -> None:
        missing = [tool for tool in ("unshare", "systemctl", "systemd-run") if shutil.which(tool) is None]
        if missing or not SYSTEMD.exists():
            raise UserSystemdUnavailable(f"not installed: {', '.join(missing) or SYSTEMD}")
        if os.geteuid() != 0:
            raise UserSystemdUnavailable("a private user manager needs a mount namespace, which needs root here")
        self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["unshare", "-m", "sh", "-c", START_SCRIPT.format(systemd=SYSTEMD)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        private = self.runtime_dir / "systemd" / "private"
        deadline = time.monotonic() + 15
        while not private.exists():  # another process creates it: there is nothing to wait on but the file
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise UserSystemdUnavailable(f"systemd --user did not start: {self.log.read_text(errors='replace')}")
            time.sleep(0.05)

    def systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["systemctl", "--user", *args], env=self.env, capture_output=True, text=True, timeout=30)

    def show(self, unit: str, prop: str) -> str:
        return self.systemctl("show", "-p", prop, "--value", unit).stdout.strip()

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["systemd-run", "--user", *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

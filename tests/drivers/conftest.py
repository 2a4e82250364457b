"""A running pcscd with vsmartcard's vpcd readers, for tests of the real PC/SC path.

The fixture starts `pcscd -f` itself (the test machines have no systemd) and stops it at the end
of the session; a pcscd that is already running is reused and never stopped. Missing pcscd or
vpcd is a failure with the fix, not a skip: CI installs both (provisioning/setup-debian.sh).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from drivers.cardreader.vpcd import VpcdBridge

VPCD_READER = "Virtual PCD 00 00"
VPCD_READER_2 = "Virtual PCD 00 01"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
RUN_DIR = Path("/run/pcscd")
INSTALL_HINT = "install them with provisioning/setup-debian.sh (apt-get install pcscd vsmartcard-vpcd)"


def wait_until(condition: Callable[[], bool], timeout: float = 5.0, interval: float = 0.02) -> bool:
    """Poll `condition` until it holds; False when `timeout` passed first."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def card_in_reader(reader: str = VPCD_READER) -> bool:
    """Whether pcscd currently reports a card in `reader` (False without pcscd or reader)."""
    from smartcard import scard

    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return False
    try:
        hresult, states = scard.SCardGetStatusChange(context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        return hresult == scard.SCARD_S_SUCCESS and bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(context)


def _readers() -> list[str]:
    from drivers.cardreader.pcsc import list_readers

    return list_readers()


class Pcscd:
    """The pcscd the tests talk to; `owned` when the tests started it and may stop it."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.owned = False

    @property
    def running(self) -> bool:
        return VPCD_READER in _readers()

    def start(self) -> None:
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        if not os.path.exists(binary):
            pytest.fail(f"pcscd is not installed: {INSTALL_HINT}")
        if not VPCD_DRIVER.exists():
            pytest.fail(f"the vpcd driver ({VPCD_DRIVER}) is not installed: {INSTALL_HINT}")
        _remove_stale_files()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([binary, "--foreground"], stdout=log, stderr=subprocess.STDOUT)
        self.owned = True
        if not wait_until(lambda: self.running, timeout=10):
            self.stop()
            pytest.fail(f"pcscd started but '{VPCD_READER}' never appeared; see {self.log_path}")

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Stop our pcscd (SIGKILL to simulate a crash) and wait until the service is gone."""
        if not self.owned:
            pytest.skip("pcscd was already running system-wide: the tests do not stop it")
        if self.process is not None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        assert wait_until(lambda: not self.running, timeout=5)


def _remove_stale_files() -> None:
    """A killed pcscd leaves its socket and pid file behind, and a new one refuses to start beside them."""
    pid_file = RUN_DIR / "pcscd.pid"
    try:
        pid = int(pid_file.read_text().strip() or 0)
    except (OSError, ValueError):
        return
    if pid <= 0:
        return
    try:
        os.kill(pid, 0)
        return  # alive: not stale
    except ProcessLookupError:
        pass
    except PermissionError:
        return
    for name in ("pcscd.comm", "pcscd.pid"):
        (RUN_DIR / name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    service = Pcscd(tmp_path_factory.mktemp("pcscd") / "pcscd.log")
    if not service.running:
        service.start()
    try:
        yield service
    finally:
        if service.owned and service.process is not None:
            service.stop()


@pytest.fixture
def running_pcscd(pcscd: Pcscd) -> Pcscd:
    """pcscd, started again if an earlier test stopped it."""
    if not pcscd.running:
        pcscd.start()
    return pcscd


@pytest.fixture
def bridge(running_pcscd: Pcscd) -> Iterator[VpcdBridge]:
    """A started VpcdBridge on "Virtual PCD 00 00", without a card until the test inserts one.

    pcscd notices a card leaving only at its next presence poll (≈ 0.4 s), and until then it
    would send APDUs to the closed connection: so each test starts and ends with an empty reader.
    """
    from drivers.cardreader.vpcd import VpcdBridge

    assert wait_until(lambda: not card_in_reader()), "a card from an earlier test is still in the reader"
    bridge = VpcdBridge()
    bridge.start()
    try:
        yield bridge
    finally:
        bridge.stop()
        assert wait_until(lambda: not card_in_reader() or not running_pcscd.running)

"""The systemd watchdog path: the kiosk's main loop keeps systemd informed, and a hung loop stops it.

Three levels: the notifier's datagrams; the real kiosk against a fake NOTIFY_SOCKET (a
blocked main loop must fall silent while the process lives on); and, where a private
`systemd --user` can run, a real transient unit with WatchdogSec that restarts a hung kiosk.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.watchdog import SystemdNotifier
from tests.provisioning.user_systemd import UserSystemd, UserSystemdUnavailable

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("watchdog_kiosk.py")


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[socket.socket]:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(tmp_path / "notify"))
    try:
        yield listener
    finally:
        listener.close()


def receive(listener: socket.socket, timeout: float) -> str | None:
    listener.settimeout(timeout)
    try:
        return listener.recv(4096).decode()
    except TimeoutError:
        return None


def test_messages_reach_the_socket_and_the_environment_is_cleared(notify_socket: socket.socket) -> None:
    environ = {"NOTIFY_SOCKET": notify_socket.getsockname(), "WATCHDOG_USEC": "3000000", "LANG": "nl_NL.UTF-8"}
    notifier = SystemdNotifier.from_environment(environ)
    try:
        assert environ == {"LANG": "nl_NL.UTF-8"}  # espeak-ng and other children must not inherit it
        assert notifier.ping_interval == 1.5
        assert notifier.ready() and notifier.ping() and notifier.stopping()
        assert receive(notify_socket, 1) == "READY=1\nSTATUS=Kiosk running"
        assert receive(notify_socket, 1) == "WATCHDOG=1"
        assert receive(notify_socket, 1) == "STOPPING=1"
    finally:
        notifier.close()


def test_an_abstract_socket_name_is_used_as_systemd_gives_it() -> None:
    name = f"balie-test-{os.getpid()}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind("\0" + name)
    notifier = SystemdNotifier(f"@{name}", 2_000_000)
    try:
        assert notifier.ping()
        assert receive(listener, 1) == "WATCHDOG=1"
    finally:
        notifier.close()
        listener.close()


def test_without_systemd_nothing_is_sent_and_nothing_fails(tmp_path: Path) -> None:
    quiet = SystemdNotifier.from_environment({})
    assert not quiet.enabled and quiet.ping_interval is None and not quiet.ping()
    gone = SystemdNotifier(str(tmp_path / "nobody-listens"), 1_000_000)
    assert not gone.ping()  # logged, not raised: a lost keep-alive costs a restart at most
    gone.close()


def test_a_watchdog_meant_for_another_process_is_ignored(notify_socket: socket.socket) -> None:
    environ = {"NOTIFY_SOCKET": notify_socket.getsockname(), "WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "1"}
    notifier = SystemdNotifier.from_environment(environ)
    assert notifier.enabled and notifier.ping_interval is None  # sd_watchdog_enabled(3): not ours to feed
    notifier.close()


def start_harness(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (tmp_path / "kiosk.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, str(HARNESS), str(tmp_path / "hang"), str(tmp_path / "starts.log")],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
                 "BALIE_DATA": str(tmp_path / "data"), **env},
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip


@pytest.mark.slow
def test_a_blocked_main_loop_stops_the_keep_alives(tmp_path: Path, notify_socket: socket.socket) -> None:
    interval = 0.2  # WATCHDOG_USEC 400 ms: a keep-alive every 200 ms
    kiosk = start_harness(tmp_path, {"NOTIFY_SOCKET": notify_socket.getsockname(), "WATCHDOG_USEC": "400000"})
    try:
        messages: list[str] = []
        deadline = time.monotonic() + 90
        while "READY=1\nSTATUS=Kiosk running" not in messages:
            assert time.monotonic() < deadline and kiosk.poll() is None, (tmp_path / "kiosk.log").read_text()
            message = receive(notify_socket, 5)
            if message is not None:
                messages.append(message)
        # Right after READY the kiosk builds its other screens in idle time, which on a busy machine can
        # hold the loop for a second or two: that is what WatchdogSec's margin (30 s in the unit) is for.
        pings = [receive(notify_socket, 10) for _ in range(5)]
        assert pings == ["WATCHDOG=1"] * 5, "a running main loop keeps the watchdog fed"

        (tmp_path / "hang").touch()
        last = None
        for _ in range(100):  # the pings already on their way, then silence
            last = receive(notify_socket, 10 * interval)
            if last is None:
                break
        assert last is None, "keep-alives went on while the main loop was blocked"
        assert receive(notify_socket, 15 * interval) is None  # 3 s: fifteen missed keep-alives
        assert kiosk.poll() is None, "the kiosk must hang, not exit: only the watchdog can tell"
        assert "hanging" in (tmp_path / "starts.log").read_text()
    finally:
        kiosk.kill()
        kiosk.wait(timeout=30)


@pytest.fixture
def user_systemd(tmp_path: Path) -> Iterator[UserSystemd]:
    manager = UserSystemd(tmp_path / "runtime")
    try:
        manager.start()
    except UserSystemdUnavailable as reason:
        pytest.skip(f"no user systemd for a real watchdog test: {reason}")
    try:
        yield manager
    finally:
        manager.stop()


@pytest.mark.slow
def test_systemd_restarts_a_hung_kiosk(tmp_path: Path, user_systemd: UserSystemd) -> None:
    unit = "balie-watchdog-test.service"
    log = tmp_path / "starts.log"
    # The properties balie-kiosk.service has (provisioning/system_files), with a shorter watchdog: still
    # long enough that the kiosk's own start-up on a busy machine does not trip it.
    started = user_systemd.run(
        "--unit", unit, "--collect",
        "-p", "Type=notify", "-p", "NotifyAccess=all", "-p", "WatchdogSec=8",
        "-p", "Restart=always", "-p", "RestartSec=200ms", "-p", "TimeoutStartSec=90", "-p", "LimitCORE=0",
        "--setenv", f"PYTHONPATH={ROOT}", "--setenv", "QT_QPA_PLATFORM=offscreen",
        "--setenv", f"BALIE_DATA={tmp_path / 'data'}", "--working-directory", str(ROOT),
        sys.executable, str(HARNESS), str(tmp_path / "hang"), str(log),
    )  # fmt: skip
    try:
        # systemd-run returns once the start job is done: for Type=notify, when READY=1 came.
        assert started.returncode == 0, started.stderr
        assert user_systemd.show(unit, "ActiveState") == "active"
        assert user_systemd.show(unit, "NRestarts") == "0"
        first = user_systemd.show(unit, "MainPID")

        (tmp_path / "hang").touch()
        deadline = time.monotonic() + 90
        while not (
            user_systemd.show(unit, "NRestarts") == "1"
            and user_systemd.show(unit, "ActiveState") == "active"
            and user_systemd.show(unit, "SubState") == "running"
        ):
            assert time.monotonic() < deadline, user_systemd.systemctl("status", unit).stdout
            time.sleep(0.2)  # a real service manager on its own clock: nothing to wait on but its state
        lines = log.read_text().splitlines()
        assert lines[:2] == [f"started {first}", f"hanging {first}"]
        assert lines[2].startswith("started ") and lines[2] != lines[0]
    finally:
        user_systemd.systemctl("stop", unit)

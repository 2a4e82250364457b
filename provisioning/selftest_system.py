"""The self-test's checks of what surrounds the devices: config, backoffice, clock, disk, display.

The backoffice is asked with the device's own credential through the kiosk's client, with a
heartbeat carrying the health the device checks just measured: that proves the URL, the
network, TLS and the token at once, refreshes the fleet view, and the answer's `server_time`
gives the clock check something to compare with. Without a configured backoffice (the
embedded default) nothing is started: the kiosk runs its own on loopback, so there is
nothing remote to reach, and the clock check asks the kernel instead whether NTP keeps the
clock in time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from provisioning.selftest import (
    CLOCK_FAILURE_SECONDS,
    CLOCK_WARNING_SECONDS,
    CheckResult,
    SelftestContext,
    failed,
    ok,
    warning,
)

TIME_ERROR = 5  # adjtimex(2): "clock not synchronized"
MIN_FREE_BYTES = 200 * 1024**2  # the outbox, the embedded backoffice's SQLite and a day of logs
LOW_FREE_BYTES = 1024**3
MIN_SCREEN = (1024, 768)  # below this the kiosk's 64 px targets and 160 px tiles no longer fit


def check_config(context: SelftestContext) -> CheckResult:
    if context.config_path is None:
        return ok("config", "embedded default (no --config): every device simulated, demo appointments")
    path = context.config_path
    if context.config.backoffice.token:
        mode = path.stat().st_mode & 0o777
        if mode & 0o004:
            return warning(
                "config",
                f"{path} holds the backoffice token and every user can read it (mode {mode:04o}): chmod 600 it",
            )
    return ok("config", f"{path} is valid")


# -- backoffice and clock ------------------------------------------------------------------------------


def check_backoffice(context: SelftestContext) -> CheckResult:
    from kiosk import __version__
    from kiosk.backoffice_client import BackofficeClient, BackofficeError, BackofficeRejected
    from kiosk.heartbeat import health_report

    settings = context.config.backoffice
    if not settings.url:
        return ok(
            "backoffice",
            f"embedded: no [backoffice] url, the kiosk serves its own on 127.0.0.1 (data in {data_folder(context)})",
        )
    client = BackofficeClient(settings.url, settings.token, timeout=10.0)
    try:
        sent = context.now()
        began = time.monotonic()
        reply = client.heartbeat_reply(__version__, _machine_uptime(), health_report(context.health))
        round_trip = time.monotonic() - began
    except BackofficeRejected as error:
        context.backoffice_problem = "refused"
        if error.status == 401:
            return failed(
                "backoffice",
                f"{settings.url} refused this device's credential ({error.detail}): "
                "enroll again with `balie provision enroll`",
            )
        return failed("backoffice", f"{settings.url} refused the heartbeat: {error}")
    except BackofficeError as error:
        context.backoffice_problem = "unreachable"
        return failed("backoffice", f"{settings.url}: {error} (check the network and [backoffice] url)")
    finally:
        client.close()
    if reply.server_time is not None:
        midpoint = sent.timestamp() + round_trip / 2  # the moment the backoffice most likely read its clock
        context.clock_offset = reply.server_time.timestamp() - midpoint
        context.clock_uncertainty = round_trip / 2
    return ok("backoffice", f"{settings.url} accepts this device ({round_trip * 1000:.0f} ms)")


def check_clock(context: SelftestContext) -> CheckResult:
    offset = context.clock_offset
    if offset is not None:
        ahead = "behind" if offset > 0 else "ahead of"
        figures = f"this machine is {abs(offset):.1f} s {ahead} the backoffice (±{context.clock_uncertainty:.2f} s)"
        if abs(offset) > CLOCK_FAILURE_SECONDS:
            return failed("clock", f"{figures}: set the time and enable NTP (timedatectl set-ntp true)")
        if abs(offset) > CLOCK_WARNING_SECONDS:
            return warning("clock", f"{figures}: check NTP (timedatectl timesync-status)")
        return ok("clock", figures)
    why = {
        "": "no backoffice to compare with",
        "unreachable": "not compared: the backoffice did not answer",
        "refused": "not compared: the backoffice refused the device",
    }[context.backoffice_problem]
    state = context.clock_state()
    if state is None:
        return warning("clock", f"{why}; cannot tell whether NTP keeps the clock in time")
    if state == TIME_ERROR:
        return warning("clock", f"{why}; the system clock is not synchronised (timedatectl set-ntp true)")
    return ok("clock", f"{why}; the system clock is synchronised (NTP)")


def kernel_clock_state() -> int | None:
    """adjtimex(2) with no changes asked: the kernel's clock state, or None where it cannot be asked."""
    name = ctypes.util.find_library("c")
    if not sys.platform.startswith("linux") or name is None:
        return None
    try:
        adjtimex = ctypes.CDLL(name, use_errno=True).adjtimex
    except (OSError, AttributeError):
        return None
    buffer = ctypes.create_string_buffer(512)  # struct timex is 208 bytes on 64-bit; modes = 0 reads only
    state = int(adjtimex(buffer))
    return None if state < 0 else state


def _machine_uptime() -> int:
    try:
        return int(float(Path("/proc/uptime").read_text().split()[0]))
    except (OSError, ValueError, IndexError):
        return 0


# -- disk --------------------------------------------------------------------------------------------


def data_folder(context: SelftestContext) -> Path:
    if context.data_dir is not None:
        return context.data_dir
    from backoffice.settings import data_dir_from

    return data_dir_from(context.environ)


def check_disk(context: SelftestContext) -> CheckResult:
    folder = data_folder(context)
    existing = folder
    try:
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
    except PermissionError:  # a folder on the way is closed to this user, e.g. another user's home
        return failed("disk", f"no permission to reach {folder}: run this as the kiosk user, or set BALIE_DATA")
    if not existing.is_dir():
        return failed("disk", f"{folder} cannot be made: {existing} is a file, not a folder (check BALIE_DATA)")
    usage = shutil.disk_usage(existing)
    figures = f"{_size(usage.free)} free of {_size(usage.total)} for {folder}"
    if folder.exists():
        try:
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as error:
            return failed("disk", f"{figures}, but it cannot be written ({error.strerror}): fix its owner")
    elif not os.access(existing, os.W_OK | os.X_OK):
        return failed("disk", f"{figures}, but {folder} does not exist and cannot be made in {existing}")
    if usage.free < MIN_FREE_BYTES:
        return failed("disk", f"{figures}: less than {_size(MIN_FREE_BYTES)}, the outbox may not fit")
    if usage.free < LOW_FREE_BYTES:
        return warning("disk", f"{figures}: less than {_size(LOW_FREE_BYTES)} left")
    return ok("disk", figures)


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit in ("B", "KB") else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"  # pragma: no cover - the loop returns at GB


# -- display -----------------------------------------------------------------------------------------


def display_platform(environ: Mapping[str, str]) -> str | None:
    """The Qt platform the kiosk would show on here, or None without a display."""
    if environ.get("WAYLAND_DISPLAY"):
        return "wayland"
    if environ.get("DISPLAY"):
        return "xcb"
    return None


def run_display_probe(environ: Mapping[str, str]) -> tuple[int, str, str]:
    """`python -m provisioning.display_probe` with the platform chosen from the environment."""
    env = dict(environ)
    env["QT_QPA_PLATFORM"] = display_platform(environ) or "offscreen"
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "provisioning.display_probe"],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return 124, "", "no answer from the display within 30 s"
    return done.returncode, done.stdout, done.stderr


def check_display(context: SelftestContext) -> CheckResult:
    platform = display_platform(context.environ)
    if platform is None:
        return warning(
            "display",
            "no display here (DISPLAY and WAYLAND_DISPLAY are not set): run the self-test in the kiosk's session "
            "to measure the screen",
        )
    where = context.environ.get("WAYLAND_DISPLAY") or context.environ.get("DISPLAY")
    code, out, err = (context.display_probe or run_display_probe)(context.environ)
    if code != 0:
        lines = [line.strip() for line in err.splitlines() if line.strip()]
        reason = next((line for line in lines if "connect to display" in line), lines[0] if lines else "no reason")
        return failed("display", f"cannot open the display {where} ({platform}): {reason}")
    screen = json.loads(out)["primary"]
    width, height = int(screen["width"]), int(screen["height"])
    shape = "portrait" if height > width else "landscape"
    figures = f"{screen.get('name') or where} {width}x{height} {shape}"
    wanted = context.config.device.orientation.value
    if shape != wanted:
        return warning(
            "display",
            f"{figures}, but the config says {wanted}: rotate the screen (lockdown --rotate) or set device.orientation",
        )
    if min(width, height) < min(MIN_SCREEN) or max(width, height) < max(MIN_SCREEN):
        return warning("display", f"{figures}: smaller than {MIN_SCREEN[0]}x{MIN_SCREEN[1]}, tiles will not fit")
    return ok("display", figures)

"""`balie provision lockdown`: turn a Debian machine into a kiosk appliance.

What it does is one `LockdownPlan` — files to write (from provisioning/system_files) and shell
steps to run, each with the reason — so `--dry-run --out DIR` shows exactly what an install
would do: the files under DIR at their target paths, and DIR/lockdown.sh, which copies them
into place and runs the steps (a technician can read it, or run it). Every step can run
again without harm, so lockdown can be repeated after an upgrade.

The appliance: an unprivileged user `balie`; the kiosk in the cage Wayland compositor on
tty1, started at boot by systemd without a desktop, restarted when it crashes (`Restart=`)
and when it hangs (`WatchdogSec=`, fed from the Qt main loop, kiosk/watchdog.py); no VT
switching, Ctrl+Alt+Del or SysRq from the keyboard; the config and the app read-only for
the kiosk user; the camera, card reader, printer port and sound for it through groups and
udev; a bounded journal; a console that never blanks.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).with_name("system_files")
UNIT = "balie-kiosk.service"
DATA_DIR = Path("/var/lib/balie")
# Groups that own the devices on Debian: cameras and the screen, GPU render nodes, input
# devices, serial ports, sound cards. A group missing on this machine is skipped.
DEVICE_GROUPS = ("video", "render", "input", "dialout", "audio")
PACKAGES = (
    "cage",  # the Wayland kiosk compositor: one fullscreen application, no desktop
    "pcscd",  # the PC/SC service for the card reader
    "libpam-systemd",  # pam_systemd.so: the logind session cage needs
    "dbus",  # logind talks over D-Bus
    "libwayland-client0",  # Qt's Wayland platform plugin
    "libwayland-cursor0",
    "libwayland-egl1",
)
PRIVATE_HOMES = ("/home", "/root", "/run/user")  # ProtectHome=yes hides these from the kiosk


class LockdownError(Exception):
    """Lockdown cannot go ahead as asked; the message says what to do."""


@dataclass(frozen=True, slots=True)
class PlannedFile:
    path: str  # absolute path on the target machine
    content: str
    mode: int


@dataclass(frozen=True, slots=True)
class Step:
    command: str  # one line of POSIX shell
    why: str


@dataclass(frozen=True, slots=True)
class LockdownPlan:
    files: tuple[PlannedFile, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class LockdownOptions:
    app_dir: Path  # the Balie installation (the folder with .venv)
    balie: Path  # its `balie` command
    config: Path = Path("/etc/balie/kiosk.toml")  # where the kiosk reads its config
    source_config: Path | None = None  # a config to install there first
    user: str = "balie"
    tty: str = "tty1"
    rotate: int = 0  # degrees clockwise: a screen mounted in portrait on a landscape panel
    watchdog_seconds: int = 30


def check_options(options: LockdownOptions) -> None:
    """What must hold for the unit to work, said before anything is written."""
    if not re.fullmatch(r"[a-z_][a-z0-9_-]{0,31}", options.user):
        raise LockdownError(f"--user '{options.user}' is not a valid user name (lower case, e.g. balie)")
    if options.user == "root":
        raise LockdownError("the kiosk must not run as root: choose another --user")
    if not re.fullmatch(r"tty[1-9][0-9]?", options.tty):
        raise LockdownError(f"--tty '{options.tty}' must be a virtual console such as tty1")
    if options.rotate not in (0, 90, 180, 270):
        raise LockdownError("--rotate must be 0, 90, 180 or 270")
    if not 5 <= options.watchdog_seconds <= 600:
        raise LockdownError("--watchdog must be from 5 to 600 seconds")
    if not options.config.is_absolute():
        raise LockdownError(f"--config {options.config} must be an absolute path")
    for private in PRIVATE_HOMES:
        if options.app_dir == Path(private) or Path(private) in options.app_dir.parents:
            raise LockdownError(
                f"Balie is installed in {options.app_dir}, which the kiosk user cannot reach (the unit hides "
                f"{private}): install it under /opt, e.g. git clone … /opt/balie && /opt/balie/provisioning/"
                "setup-debian.sh, and run lockdown from there"
            )


def _fill(template: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    return re.sub(r"@([a-z_]+)@", lambda match: values[match[1]], text)


def plan(options: LockdownOptions) -> LockdownPlan:
    check_options(options)
    user, config, app = options.user, str(options.config), str(options.app_dir)
    flags = "-d " + "-r " * (options.rotate // 90)
    values = {
        "user": user,
        "tty": options.tty,
        "config": config,
        "balie": str(options.balie),
        "app_dir": app,
        "cage_flags": flags,
        "watchdog": str(options.watchdog_seconds),
    }
    files = (
        PlannedFile(f"/etc/systemd/system/{UNIT}", _fill("balie-kiosk.service", values), 0o644),
        PlannedFile("/etc/pam.d/balie-kiosk", _fill("pam-balie-kiosk", values), 0o644),
        PlannedFile("/etc/systemd/journald.conf.d/balie.conf", _fill("journald-balie.conf", values), 0o644),
        PlannedFile("/etc/udev/rules.d/70-balie.rules", _fill("udev-balie.rules", values), 0o644),
        PlannedFile("/etc/polkit-1/rules.d/60-balie-pcscd.rules", _fill("polkit-balie-pcscd.rules", values), 0o644),
        PlannedFile("/etc/default/grub.d/balie.cfg", _fill("grub-balie.cfg", values), 0o644),
        PlannedFile("/etc/sysctl.d/90-balie.conf", _fill("sysctl-balie.conf", values), 0o644),
    )
    q = shlex.quote
    config_dir = str(options.config.parent)
    if options.source_config is not None and options.source_config != options.config:
        place_config = Step(
            f"install -o root -g {q(user)} -m 0640 {q(str(options.source_config))} {q(config)}",
            "the config in place: readable by the kiosk (it holds the backoffice token), writable by root only",
        )
    else:
        place_config = Step(
            f"chown root:{q(user)} {q(config)} && chmod 0640 {q(config)}",
            "the config readable by the kiosk (it holds the backoffice token), writable by root only",
        )
    steps = (
        Step(
            "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends " + " ".join(PACKAGES),
            "the kiosk compositor, the PC/SC service, a logind session and Qt's Wayland libraries",
        ),
        Step(
            f"getent passwd {q(user)} >/dev/null || useradd --system --user-group --home-dir {DATA_DIR} "
            f"--no-create-home --shell /usr/sbin/nologin {q(user)}",
            "a dedicated user without a password or a shell: the kiosk never runs as root",
        ),
        Step(
            f'for group in {" ".join(DEVICE_GROUPS)}; do getent group "$group" >/dev/null && '
            f'usermod -a -G "$group" {q(user)}; done; true',
            "the kiosk user may use the camera, screen, input, serial printer and sound (udev gives the groups)",
        ),
        Step(f"install -d -o root -g {q(user)} -m 0750 {q(config_dir)}", "the config folder, read-only for the kiosk"),
        place_config,
        Step(f"install -d -o {q(user)} -g {q(user)} -m 0700 {DATA_DIR}", "the kiosk's data: outbox, own backoffice"),
        Step(
            f"chmod -R o-w,o+rX {q(app)}",
            "the app readable by the kiosk user and writable by nobody but its owner",
        ),
        Step("systemctl daemon-reload", "systemd reads the new unit"),
        Step(
            "udevadm control --reload-rules && udevadm trigger --subsystem-match=video4linux "
            "--subsystem-match=tty --subsystem-match=sound",
            "device permissions apply to what is plugged in now",
        ),
        Step("systemctl restart systemd-journald", "the journal limits apply"),
        Step("sysctl --system >/dev/null", "SysRq off now, not only after a reboot"),
        Step(
            "if command -v update-grub >/dev/null 2>&1; then update-grub; fi",
            "consoleblank=0 on the kernel command line from the next boot",
        ),
        Step("systemctl mask ctrl-alt-del.target", "Ctrl+Alt+Del does not reboot the kiosk"),
        Step("systemctl enable pcscd.socket", "the PC/SC service starts when the kiosk asks for a reader"),
        Step(
            "timedatectl set-ntp true || echo 'no NTP service: apt-get install systemd-timesyncd' >&2",
            "a clock that stays right (appointments, ticket times, TLS)",
        ),
        Step("systemctl set-default graphical.target", "boot into the kiosk, not a text console"),
        Step(f"systemctl enable {UNIT}", "the kiosk starts at every boot"),
    )
    return LockdownPlan(files, steps)


def script(plan: LockdownPlan) -> str:
    """The plan as a shell script beside the files: install them, then the steps."""
    lines = [
        "#!/bin/sh",
        "# What `balie provision lockdown` does on this machine: run as root from this folder's copy,",
        "# or read it. The files beside this script are installed at the same paths under /.",
        "set -eu",
        'here=$(cd "$(dirname "$0")" && pwd)',
        "",
    ]
    for planned in plan.files:  # fixed paths without spaces or quotes
        lines.append(f'install -D -o root -g root -m {planned.mode:04o} "$here{planned.path}" {planned.path}')
    for step in plan.steps:
        lines += ["", f"# {step.why}", step.command]
    lines += ["", "echo 'locked down: reboot to start the kiosk (or: systemctl start balie-kiosk)'", ""]
    return "\n".join(lines)


def write_dry_run(plan: LockdownPlan, out: Path) -> list[Path]:
    """Every file at its target path under `out`, and `out`/lockdown.sh; nothing outside `out`."""
    written = []
    for planned in plan.files:
        target = out / planned.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(planned.content, encoding="utf-8")
        target.chmod(planned.mode)
        written.append(target)
    runner = out / "lockdown.sh"
    runner.write_text(script(plan), encoding="utf-8")
    runner.chmod(0o755)
    written.append(runner)
    return written


Runner = Callable[[str], "subprocess.CompletedProcess[str]"]


def run_shell(command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=900)


def install(
    plan: LockdownPlan,
    root: Path = Path("/"),
    run: Runner = run_shell,
    progress: Callable[[str], None] = print,
) -> None:
    """Write the files under `root` (root-owned, their modes) and run the steps in order.

    Stops at the first step that fails, with its command and what it said: the steps are safe
    to repeat, so the technician fixes the cause and runs lockdown again.
    """
    total = len(plan.files) + len(plan.steps)
    for index, planned in enumerate(plan.files, start=1):
        target = root / planned.path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.balie-new")
        temporary.write_text(planned.content, encoding="utf-8")
        temporary.chmod(planned.mode)
        os.replace(temporary, target)
        progress(f"[{index:>2}/{total}] wrote {planned.path}")
    for index, step in enumerate(plan.steps, start=len(plan.files) + 1):
        progress(f"[{index:>2}/{total}] {step.why}")
        done = run(step.command)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise LockdownError(f"step failed: {step.command}: {said[-1] if said else f'exit {done.returncode}'}")


def unreadable_parents(path: Path) -> list[Path]:
    """Folders above `path` that other users cannot enter: the kiosk user could not reach the app."""
    blocked = []
    for parent in [path, *path.parents]:
        try:
            mode = parent.stat().st_mode
        except OSError:
            continue
        if not mode & stat.S_IXOTH:
            blocked.append(parent)
    return blocked


def installed_app() -> tuple[Path, Path]:
    """This installation: the folder holding `kiosk/`, and the `balie` command beside the running Python."""
    import sys

    app = Path(__file__).resolve().parent.parent
    balie = Path(sys.executable).parent / "balie"
    return app, balie

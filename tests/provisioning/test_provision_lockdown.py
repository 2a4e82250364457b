"""`balie provision lockdown`: the dry run's files checked by the tools that will read them
(systemd-analyze for the unit, journald's own key list, PAM's module folder, XKB's option list),
the install order against a scratch root, and the refusals."""

from __future__ import annotations

import configparser
import glob
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from provisioning import lockdown
from tests.provisioning.balie_cli import ROOT, balie

FILES = {
    "etc/systemd/system/balie-kiosk.service",
    "etc/pam.d/balie-kiosk",
    "etc/systemd/journald.conf.d/balie.conf",
    "etc/udev/rules.d/70-balie.rules",
    "etc/polkit-1/rules.d/60-balie-pcscd.rules",
    "etc/default/grub.d/balie.cfg",
    "etc/sysctl.d/90-balie.conf",
    "lockdown.sh",
}
INSTALL_HINT = "install it with provisioning/setup-debian.sh --test"


@pytest.fixture
def dry_run(tmp_path: Path) -> Path:
    config = tmp_path / "kiosk.toml"
    assert balie("provision", "init", "--config", str(config), "--location", "Stadhuis").returncode == 0
    out = tmp_path / "out"
    run = balie("provision", "lockdown", "--dry-run", "--out", str(out), "--config", str(config), "--rotate", "90")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == f"nothing installed; to install: sudo {out / 'lockdown.sh'} " + (
        "(or run lockdown without --dry-run)"
    )
    return out


def unit(out: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(out / "etc/systemd/system/balie-kiosk.service")
    return parser


def written(out: Path) -> set[str]:
    return {str(path.relative_to(out)) for path in out.rglob("*") if path.is_file()}


def test_the_dry_run_writes_every_file_under_out_and_nothing_else(dry_run: Path) -> None:
    assert written(dry_run) == FILES
    assert stat.S_IMODE((dry_run / "lockdown.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((dry_run / "etc/pam.d/balie-kiosk").stat().st_mode) == 0o644


def test_systemd_accepts_the_unit_without_a_single_warning(dry_run: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail(f"systemd-analyze is not installed: {INSTALL_HINT}")
    if not Path("/usr/bin/cage").exists():
        pytest.fail(f"cage is not installed (systemd-analyze checks ExecStart's program): {INSTALL_HINT}")
    service = dry_run / "etc/systemd/system/balie-kiosk.service"
    result = subprocess.run([analyze, "verify", str(service)], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")

    # The check has teeth: systemd-analyze exits 0 on a misspelt key, so its words are what count.
    broken = dry_run / "broken.service"
    broken.write_text(service.read_text().replace("WatchdogSec=", "WatchdogSecs="))
    result = subprocess.run([analyze, "verify", str(broken)], capture_output=True, text=True, timeout=60)
    assert "Unknown key 'WatchdogSecs'" in result.stderr


def test_the_unit_restarts_crashes_and_hangs_and_keeps_the_keyboard_in(dry_run: Path) -> None:
    service = unit(dry_run)["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "all"  # the kiosk is cage's child
    assert service["WatchdogSec"] == "30" and service["Restart"] == "always"
    assert unit(dry_run)["Unit"]["StartLimitIntervalSec"] == "0"
    assert service["User"] == "balie" and service["PAMName"] == "balie-kiosk"
    balie_command = Path(sys.executable).parent / "balie"
    assert service["ExecStart"] == f"/usr/bin/cage -d -r -- {balie_command} kiosk --config /etc/balie/kiosk.toml"
    assert " -s " not in service["ExecStart"]  # cage switches VTs only when given -s
    assert "XKB_DEFAULT_OPTIONS=srvrkeys:none" in (dry_run / "etc/systemd/system/balie-kiosk.service").read_text()
    assert service["ProtectSystem"] == "full" and service["NoNewPrivileges"] == "yes"


def test_the_other_files_use_only_what_their_readers_know(dry_run: Path) -> None:
    journald = configparser.ConfigParser()
    journald.optionxform = str  # type: ignore[assignment,method-assign]
    journald.read(dry_run / "etc/systemd/journald.conf.d/balie.conf")
    shipped = Path("/etc/systemd/journald.conf")  # Debian lists every key, commented out with its default
    if shipped.exists():
        known = {line.lstrip("#").split("=")[0] for line in shipped.read_text().splitlines() if "=" in line}
        assert set(journald["Journal"]) <= known, set(journald["Journal"]) - known
    assert journald["Journal"]["SystemMaxUse"] == "200M"

    pam = (dry_run / "etc/pam.d/balie-kiosk").read_text()
    modules = {line.split()[2] for line in pam.splitlines() if line and not line.startswith("#")}
    assert modules == {"pam_unix.so", "pam_systemd.so"}
    for module in modules:
        assert glob.glob(f"/lib/*/security/{module}") + glob.glob(f"/usr/lib/*/security/{module}"), module

    evdev = Path("/usr/share/X11/xkb/rules/evdev.lst")
    if evdev.exists():
        assert "  srvrkeys:none " in evdev.read_text()
    rules = (dry_run / "etc/udev/rules.d/70-balie.rules").read_text()
    assert 'SUBSYSTEM=="video4linux", GROUP="video"' in rules and 'GROUP="dialout"' in rules
    assert 'subject.user == "balie"' in (dry_run / "etc/polkit-1/rules.d/60-balie-pcscd.rules").read_text()
    assert "kernel.sysrq = 0" in (dry_run / "etc/sysctl.d/90-balie.conf").read_text()
    assert "consoleblank=0" in (dry_run / "etc/default/grub.d/balie.cfg").read_text()


def test_the_script_installs_the_files_then_runs_every_step(dry_run: Path, tmp_path: Path) -> None:
    script = (dry_run / "lockdown.sh").read_text()
    assert subprocess.run(["sh", "-n", str(dry_run / "lockdown.sh")], capture_output=True).returncode == 0
    assert script.index("install -D -o root -g root -m 0644") < script.index("systemctl daemon-reload")
    for command in (
        "useradd --system --user-group --home-dir /var/lib/balie --no-create-home --shell /usr/sbin/nologin balie",
        f"install -o root -g balie -m 0640 {tmp_path / 'kiosk.toml'} /etc/balie/kiosk.toml",
        "systemctl mask ctrl-alt-del.target",
        "systemctl enable balie-kiosk.service",
        "apt-get install -y --no-install-recommends cage pcscd",
        f"chmod -R o-w,o+rX {ROOT}",
    ):
        assert command in script, command
    assert script.index("systemctl daemon-reload") < script.index("systemctl enable balie-kiosk.service")


def test_install_writes_the_files_then_runs_the_steps_and_stops_at_a_failure(tmp_path: Path) -> None:
    app, balie_command = lockdown.installed_app()
    plan = lockdown.plan(lockdown.LockdownOptions(app_dir=app, balie=balie_command))
    ran: list[str] = []

    def run(command: str) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        failing = command.startswith("systemctl restart systemd-journald")
        said = "Failed to restart: Unit masked." if failing else ""
        return subprocess.CompletedProcess(command, 1 if failing else 0, "", said)

    lines: list[str] = []
    with pytest.raises(lockdown.LockdownError) as refused:
        lockdown.install(plan, root=tmp_path, run=run, progress=lines.append)
    assert str(refused.value) == "step failed: systemctl restart systemd-journald: Failed to restart: Unit masked."
    assert written(tmp_path) == FILES - {"lockdown.sh"}
    assert ran == [step.command for step in plan.steps][: len(ran)] and ran[-1].startswith("systemctl restart")
    assert lines[0] == f"[ 1/{len(plan.files) + len(plan.steps)}] wrote /etc/systemd/system/balie-kiosk.service"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--dry-run"], "--dry-run and --out DIR go together"),
        (["--config", "/nowhere/kiosk.toml"],
         "/nowhere/kiosk.toml does not exist: write it with `balie provision init --config /nowhere/kiosk.toml`"),
        (["--user", "root"], "the kiosk must not run as root: choose another --user"),
        (["--tty", "pts/1"], "--tty 'pts/1' must be a virtual console such as tty1"),
    ],
)  # fmt: skip
def test_refusals_are_one_line(tmp_path: Path, args: list[str], line: str) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("")
    run = balie("provision", "lockdown", "--config", str(config), *(["--dry-run", "--out", str(tmp_path / "o")]
                if "--dry-run" not in args else []), *args)  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"balie provision: {line}"]


def test_a_bad_config_is_not_installed(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("[device]\nrole = 'kiosk'\nlocaton = 'x'\n")
    run = balie("provision", "lockdown", "--config", str(config), "--dry-run", "--out", str(tmp_path / "o"))
    assert run.returncode == 2 and "fix the config first" in run.stderr and "device.locaton: unknown key" in run.stderr
    assert not (tmp_path / "o").exists()


def test_without_root_nothing_is_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert main(["provision", "lockdown", "--config", str(config)]) == 1
    assert capsys.readouterr().err.strip() == (
        "balie provision: lockdown changes the system: run it as root (sudo), or see it first with --dry-run --out DIR"
    )


def test_an_app_in_a_home_folder_is_refused_with_the_fix() -> None:
    with pytest.raises(lockdown.LockdownError, match="install it under /opt"):
        lockdown.plan(lockdown.LockdownOptions(app_dir=Path("/home/technicus/balie"), balie=Path("/x/balie")))

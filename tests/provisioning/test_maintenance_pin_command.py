"""`balie provision maintenance-pin`: the PIN's hash into the config, everything else left as it was."""

from __future__ import annotations

import fcntl
import os
import select
import stat
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.maintenance import verify_pin
from tests.provisioning.balie_cli import ROOT, balie

ENROLLED = """\
# Stadhuis Zwolle, kiosk 2 (by the entrance)
[device]
location = "Stadhuis Zwolle"  # shown on the welcome screen

[maintenance]
# closes quickly: the kiosk stands in a busy hall
idle_seconds = 30

[opening_hours]
saturday = "closed"
"""


def config_file(tmp_path: Path, text: str, mode: int) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def set_pin(path: Path, pin: str) -> subprocess.CompletedProcess[str]:
    return balie("provision", "maintenance-pin", "--config", str(path), "--pin-stdin", stdin=pin + "\n")


def test_the_hash_goes_into_maintenance_and_the_rest_of_the_file_stays(tmp_path: Path) -> None:
    path = config_file(tmp_path, ENROLLED, 0o600)
    run = set_pin(path, "2580")
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"maintenance PIN set in {path}: it opens the maintenance screen after the kiosk restarts"
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = path.read_text(encoding="utf-8").splitlines()
    hash_line = written.pop(written.index("[maintenance]") + 1)
    assert written == ENROLLED.splitlines()  # comments, order and every other key as they were
    config = load_config(path)
    assert hash_line == f'pin_hash = "{config.maintenance.pin_hash}"'
    assert verify_pin("2580", config.maintenance.pin_hash) and not verify_pin("2581", config.maintenance.pin_hash)
    assert config.maintenance.idle_seconds == 30

    again = set_pin(path, "97531")  # a second time replaces the hash, not adds one
    assert again.returncode == 0, again.stderr
    text = path.read_text(encoding="utf-8")
    assert text.count("pin_hash") == 1 and verify_pin("97531", load_config(path).maintenance.pin_hash)


def test_a_config_without_maintenance_gets_the_table_and_keeps_its_mode(tmp_path: Path) -> None:
    path = config_file(tmp_path, '[device]\nlocation = "Bibliotheek Oost"\n', 0o644)
    run = set_pin(path, "80264")
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text(encoding="utf-8").startswith('[device]\nlocation = "Bibliotheek Oost"\n\n[maintenance]\n')
    assert verify_pin("80264", load_config(path).maintenance.pin_hash)


@pytest.mark.parametrize(
    ("pin", "line"),
    [
        ("1111", "one digit throughout (such as 0000) is the first thing anyone tries"),
        ("1234", "a run of digits (such as 1234 or 4321) is the first thing anyone tries"),
        ("876543", "a run of digits (such as 1234 or 4321) is the first thing anyone tries"),
        ("258", "a PIN is 4 to 8 digits, not 3"),
        ("258025802", "a PIN is 4 to 8 digits, not 9"),
        ("25a8", "a PIN is digits only (4 to 8)"),
        ("", "a PIN is digits only (4 to 8)"),
    ],
)
def test_a_weak_or_malformed_pin_is_refused_and_nothing_changes(tmp_path: Path, pin: str, line: str) -> None:
    path = config_file(tmp_path, ENROLLED, 0o600)
    run = set_pin(path, pin)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"balie provision: {line}; nothing changed"]
    assert path.read_text(encoding="utf-8") == ENROLLED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kiosk.toml"]  # no temporary file left


def test_a_missing_or_broken_config_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    run = set_pin(missing, "2580")
    assert (run.returncode, run.stderr.splitlines()) == (
        2,
        [f"balie provision: {missing} does not exist: write it first with `balie provision init --config {missing}`"],
    )
    broken = config_file(tmp_path, "[maintenance]\nidel_seconds = 30\n", 0o644)
    run = set_pin(broken, "2580")
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        f"balie provision: fix the config first: {broken}, line 2: maintenance.idel_seconds: unknown key "
        "(did you mean 'idle_seconds'?)"
    ]


def _on_a_terminal(path: Path, answers: list[str]) -> tuple[int, str, str]:
    """Run the command with a real pseudo-terminal as its controlling terminal, as over SSH:
    getpass reads from /dev/tty, never from a pipe. Answers each prompt as it appears."""
    master, slave = os.openpty()

    def take_terminal() -> None:  # the child's own session, with the pty as its terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "provision", "maintenance-pin", "--config", str(path)],
        stdin=slave, stdout=slave, stderr=subprocess.PIPE, cwd=ROOT, start_new_session=True,
        preexec_fn=take_terminal, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    os.close(slave)
    screen = b""
    try:
        for asked, answer in enumerate(answers, start=1):
            # Answer only once the prompt is shown: getpass flushes what was typed before it asks.
            while screen.count(b": ") < asked:
                ready, _, _ = select.select([master], [], [], 30)
                assert ready, f"no prompt; the screen shows {screen!r}"
                screen += os.read(master, 1024)
            os.write(master, answer.encode() + b"\n")
        _, stderr = process.communicate(timeout=60)
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 1024)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return process.returncode, screen.decode(), stderr.decode()


def test_asked_twice_on_the_terminal_without_echo(tmp_path: Path) -> None:
    path = config_file(tmp_path, ENROLLED, 0o600)
    code, screen, stderr = _on_a_terminal(path, ["36925", "36925"])
    assert code == 0, stderr
    assert "New maintenance PIN (4-8 digits):" in screen and "The same PIN again:" in screen
    assert "36925" not in screen  # never echoed
    assert verify_pin("36925", load_config(path).maintenance.pin_hash)


def test_two_different_answers_change_nothing(tmp_path: Path) -> None:
    path = config_file(tmp_path, ENROLLED, 0o600)
    code, _, stderr = _on_a_terminal(path, ["36925", "36952"])
    assert (code, stderr.splitlines()) == (2, ["balie provision: the two PINs differ; nothing changed"])
    assert path.read_text(encoding="utf-8") == ENROLLED

"""Bad input to every command a technician runs: one line on stderr naming the fix, a non-zero exit.

Each case runs the real `balie` command as a separate process against a real mistake: a config
file with a typo, a device name that matches nothing, a serial port another program holds with
an exclusive lock, a TCP port nobody listens on, a device node this user may not open. Root opens
any file, so the permission cases run the command as the unprivileged user `nobody` (setpriv),
as the kiosk user would be on a fresh machine.
"""

from __future__ import annotations

import os
import pty
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import serial  # type: ignore[import-untyped]
from PIL import Image

from tests.drivers import conftest as pcsc_fixtures
from tests.provisioning.balie_cli import ROOT

# The session's pcscd with vpcd's virtual readers (tests/drivers/conftest.py), for a reader
# name that matches none of the readers that are there.
pcscd = pcsc_fixtures.pcscd
running_pcscd = pcsc_fixtures.running_pcscd

TOKEN = "bd1.0b8f2d4e-3c1a-4f6b-9e2d-7a5c8b1e0f3d.c2VjcmV0LXNlY3JldC1zZWNyZXQ"
DETECT_CAMERAS = "(is it plugged in? `balie provision detect` lists the cameras)"
IN_USE = "is in use by another program (close it, or stop the kiosk: systemctl stop balie-kiosk)"
DIALOUT = "(add the kiosk user to the dialout group: `balie provision lockdown` does this)"
VIDEO = "(add the kiosk user to the video group: `balie provision lockdown` does this)"
CAN_RUN_AS_NOBODY = os.geteuid() == 0 and shutil.which("setpriv") is not None


@dataclass
class Bench:
    """A folder every user can read (the configs) with a data folder every user can write."""

    folder: Path

    def config(self, name: str, text: str, mode: int = 0o644) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
        return path

    def run(self, *args: str, as_nobody: bool = False, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",  # nobody cannot write __pycache__ in the tree
            "QT_QPA_PLATFORM": "offscreen",
            "BALIE_DATA": str(self.folder / "data"),
            "HOME": str(self.folder),
        }
        command = [sys.executable, "-m", "kiosk.cli", *args]
        if as_nobody:
            command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


@pytest.fixture
def bench() -> Iterator[Bench]:
    folder = Path(tempfile.mkdtemp(prefix="balie-bad-input-"))  # not under pytest's 0700 folder: nobody reads it
    folder.chmod(0o755)
    (folder / "data").mkdir(mode=0o777)
    (folder / "data").chmod(0o777)
    try:
        yield Bench(folder)
    finally:
        shutil.rmtree(folder)


@pytest.fixture
def held_port() -> Iterator[str]:
    """A serial port (a pty) that another program has open with an exclusive lock, as a running
    kiosk holds its printer."""
    controller, device = pty.openpty()
    path = os.ttyname(device)
    holder = serial.Serial(path, exclusive=True)
    try:
        yield path
    finally:
        holder.close()
        os.close(device)
        os.close(controller)


@pytest.fixture
def closed_node() -> Iterator[str]:
    """A device node (a pty standing in for /dev/ttyUSB0 or /dev/video0) only root may open."""
    controller, device = pty.openpty()
    path = os.ttyname(device)
    os.chmod(path, 0)
    try:
        yield path
    finally:
        os.close(device)
        os.close(controller)


@pytest.fixture
def refusing_address() -> str:
    """socket://127.0.0.1:PORT where nothing listens: a network printer that is off."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    return f"socket://127.0.0.1:{port}"


def one_line(run: subprocess.CompletedProcess[str]) -> str:
    """The single stderr line; fails on a traceback or more lines."""
    assert "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


# -- a config with a typo, for every command that reads one ---------------------------------------------

TYPOS = {
    "unknown driver": (
        '[hardware.printer]\ndriver = "simulatd"\n',
        "line 2: hardware.printer.driver: unknown printer driver 'simulatd' "
        "(did you mean 'simulated'? available: escpos, simulated, none)",
    ),
    "unknown table": (
        '# kiosk 2\n[hardwre.printer]\ndriver = "simulated"\n',
        "line 2: hardwre: unknown key (did you mean 'hardware'?)",
    ),
    "unknown key": (
        '[device]\nlocation = "Stadhuis"\n\n[hardware.printer]\ndrvier = "escpos"\n',
        "line 5: hardware.printer.drvier: unknown key (did you mean 'driver'?)",
    ),
    "unknown option": (
        '[hardware.camera]\ndriver = "opencv"\noptions.sorce = "/dev/video0"\n',
        "line 3: hardware.camera.options.sorce: unknown option "
        "(did you mean 'source'? options: source, width, height, fps, open_timeout, read_timeout)",
    ),
    "wrong type": (
        '[session]\nidle_seconds = "sixty"\n',
        "line 2: session.idle_seconds: must be a whole number, not 'sixty' (text)",
    ),
    "wrong choice": (
        '[device]\nrole = "kiosc"\n',
        "line 2: device.role: must be one of 'kiosk', 'counter', 'display', not 'kiosc' (did you mean 'kiosk'?)",
    ),
    "toml syntax": (
        '[device]\nlocation = "Stadhuis"\nrole = kiosk\n',
        'line 3: not valid TOML at column 8: invalid value (text goes in double quotes, e.g. role = "kiosk")',
    ),
}


def _pdf(bench: Bench) -> Path:
    path = bench.folder / "letter.pdf"
    page = Image.new("L", (200, 280), 255)
    page.paste(0, (20, 20, 180, 60))  # a black bar: a blank page is refused before the printer is asked
    page.save(path)
    return path


COMMANDS = {
    "kiosk": (["kiosk", "--config", "{config}", "--screenshot", "{folder}/first.png"], "balie: config error: "),
    "selftest": (["provision", "selftest", "--config", "{config}"], "balie: config error: "),
    "lockdown": (
        ["provision", "lockdown", "--config", "{config}", "--dry-run", "--out", "{folder}/out"],
        "balie provision: fix the config first: ",
    ),
    "enroll": (
        ["provision", "enroll", "--config", "{config}", "--backoffice", "http://127.0.0.1:9", "--code", "ABCD-EFGH"],
        "balie provision: fix the config first: ",
    ),
    "maintenance-pin": (
        ["provision", "maintenance-pin", "--config", "{config}", "--pin-stdin"],
        "balie provision: fix the config first: ",
    ),
    "printer pdf": (["printer", "pdf", "{pdf}", "--config", "{config}", "--out", "{folder}"], "balie: config error: "),
    "call": (["call", "--config", "{config}"], "balie call: "),
}


@pytest.mark.parametrize("typo", TYPOS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_config_with_a_typo_is_one_line_with_its_line_number(bench: Bench, command: str, typo: str) -> None:
    text, told = TYPOS[typo]
    config = bench.config("kiosk.toml", text)
    words, prefix = COMMANDS[command]
    args = [word.format(config=config, folder=bench.folder, pdf=_pdf(bench)) for word in words]
    run = bench.run(*args, stdin="2580\n")
    assert run.returncode == 2
    assert one_line(run) == f"{prefix}{config}, {told}"
    assert config.read_text(encoding="utf-8") == text  # nothing wrote into a file it could not read


def test_a_config_only_root_may_read_names_the_fix(bench: Bench) -> None:
    if not CAN_RUN_AS_NOBODY:
        pytest.skip("needs root and setpriv to run as another user")
    config = bench.config("kiosk.toml", "[device]\nlocation = 'Stadhuis'\n", mode=0o600)
    run = bench.run("provision", "selftest", "--config", str(config), as_nobody=True)
    assert run.returncode == 2
    assert one_line(run) == (
        f"balie: config error: {config}: no permission to read it (run this as root, or as the kiosk user)"
    )


# -- unknown hardware --------------------------------------------------------------------------------------


def test_a_camera_index_or_node_that_is_not_there(bench: Bench) -> None:
    for source in ("97", "/dev/video97"):
        if Path(f"/dev/video{source.removeprefix('/dev/video')}").exists():
            pytest.skip(f"this machine has camera {source}")
        run = bench.run("camera", "snapshot", "--source", source, "--out", str(bench.folder / "a.png"))
        assert run.returncode == 1
        assert one_line(run) == f"balie: camera {source} does not exist {DETECT_CAMERAS}"
    config = bench.config("kiosk.toml", '[hardware.camera]\ndriver = "opencv"\noptions.source = "/dev/video97"\n')
    selftest = bench.run("provision", "selftest", "--config", str(config))
    assert selftest.returncode == 1
    assert one_line(selftest) == f"balie provision: camera failed: Camera /dev/video97 does not exist {DETECT_CAMERAS}"
    enrolled = bench.config(
        "call.toml",
        f'[backoffice]\nurl = "http://127.0.0.1:9"\ntoken = "{TOKEN}"\n'
        '[hardware.camera]\ndriver = "opencv"\noptions.source = "97"\n',
    )
    call = bench.run("call", "--config", str(enrolled))
    assert (call.returncode, call.stdout) == (1, "")  # said before any call is placed
    assert one_line(call) == f"balie call: camera: Camera 97 does not exist {DETECT_CAMERAS}"


def test_a_printer_port_that_is_not_there(bench: Bench) -> None:
    missing = "/dev/ttyUSB97"
    if Path(missing).exists():
        pytest.skip(f"this machine has {missing}")
    run = bench.run("printer", "status", "--port", missing)
    assert run.returncode == 1
    assert one_line(run) == (
        f"balie: printer port {missing} does not exist "
        "(is the printer plugged in? `balie provision detect` lists the serial ports)"
    )


def test_a_printer_host_that_is_not_known(bench: Bench) -> None:
    run = bench.run("printer", "status", "--port", "socket://printer.invalid:9100")
    assert run.returncode == 1
    assert one_line(run) == "balie: printer host printer.invalid is not known (check the name, or give its IP address)"


def test_a_reader_name_that_matches_no_reader(bench: Bench, running_pcscd: object) -> None:
    run = bench.run("chip", "read", "--reader", "Omnikey 5422", "--can", "123456")
    assert run.returncode == 4
    assert one_line(run) == (
        "No card reader found matching 'Omnikey 5422' "
        "(`balie chip readers` lists the readers; --reader takes part of a name)"
    )
    config = bench.config("kiosk.toml", '[hardware.cardreader]\ndriver = "pcsc"\noptions.reader = "Omnikey*"\n')
    selftest = bench.run("provision", "selftest", "--config", str(config))
    assert selftest.returncode == 1
    assert one_line(selftest) == (
        "balie provision: cardreader failed: No card reader found matching 'Omnikey*' "
        "(plug it in; `balie provision detect` lists the readers pcscd sees)"
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["provision", "init", "--config", "{folder}/k.toml", "--speech", "espek"],
         "balie provision init: argument --speech: invalid choice: 'espek' "
         "(did you mean 'espeak'? choose from 'simulated', 'none', 'espeak')"),
        (["provision", "init", "--config", "{folder}/k.toml", "--role", "dispaly"],
         "balie provision init: argument --role: invalid choice: 'dispaly' "
         "(did you mean 'display'? choose from 'kiosk', 'counter', 'display')"),
        (["provison", "selftest"],
         "balie: argument COMMAND: invalid choice: 'provison' (did you mean 'provision'? "
         "choose from 'kiosk', 'printer', 'camera', 'chip', 'provision', 'backoffice', 'call')"),
        (["provision", "detect", "--subnet", "300.1.1.0/24"],
         "balie provision: '300.1.1.0/24' is not a subnet such as 192.168.1.0/24"),
        (["printer", "status"],
         "balie printer status: the following arguments are required: --port (see balie printer status --help)"),
    ],
)  # fmt: skip
def test_a_mistyped_name_or_flag_is_one_line(bench: Bench, args: list[str], line: str) -> None:
    run = bench.run(*(arg.format(folder=bench.folder) for arg in args))
    assert run.returncode == 2
    assert one_line(run) == line
    assert not (bench.folder / "k.toml").exists()


# -- a port in use -----------------------------------------------------------------------------------------


def test_a_serial_port_held_by_another_program(bench: Bench, held_port: str) -> None:
    status = bench.run("printer", "status", "--port", held_port)
    assert status.returncode == 1
    assert one_line(status) == f"balie: printer port {held_port} {IN_USE}"
    ticket = bench.run("printer", "ticket", "--port", held_port, "--number", "A001", "--topic", "Paspoort")
    assert ticket.returncode == 1
    assert one_line(ticket) == f"balie: printer port {held_port} {IN_USE}"
    config = bench.config("kiosk.toml", f'[hardware.printer]\ndriver = "escpos"\noptions.port = "{held_port}"\n')
    pdf = bench.run("printer", "pdf", str(_pdf(bench)), "--config", str(config))
    assert pdf.returncode == 1
    assert one_line(pdf) == f"balie: printer port {held_port} {IN_USE}"
    selftest = bench.run("provision", "selftest", "--config", str(config))
    assert selftest.returncode == 1
    assert one_line(selftest) == f"balie provision: printer failed: Printer port {held_port} {IN_USE}"


def test_a_network_printer_that_refuses(bench: Bench, refusing_address: str) -> None:
    refused = (
        "does not accept a connection (is it on, and is this its address? "
        "`balie provision detect --address HOST` looks for it)"
    )
    status = bench.run("printer", "status", "--port", refusing_address)
    assert status.returncode == 1
    assert one_line(status) == f"balie: printer at {refusing_address} {refused}"
    config = bench.config("kiosk.toml", f'[hardware.printer]\ndriver = "escpos"\noptions.port = "{refusing_address}"\n')
    selftest = bench.run("provision", "selftest", "--config", str(config))
    assert selftest.returncode == 1
    assert one_line(selftest) == f"balie provision: printer failed: Printer at {refusing_address} {refused}"


# -- no permission on a device node ------------------------------------------------------------------------


@pytest.mark.skipif(not CAN_RUN_AS_NOBODY, reason="needs root and setpriv to run as another user")
def test_a_printer_port_closed_to_the_kiosk_user(bench: Bench, closed_node: str) -> None:
    status = bench.run("printer", "status", "--port", closed_node, as_nobody=True)
    assert status.returncode == 1
    assert one_line(status) == f"balie: no permission to open printer port {closed_node} {DIALOUT}"
    config = bench.config("kiosk.toml", f'[hardware.printer]\ndriver = "escpos"\noptions.port = "{closed_node}"\n')
    selftest = bench.run("provision", "selftest", "--config", str(config), as_nobody=True)
    assert selftest.returncode == 1
    assert (
        one_line(selftest)
        == f"balie provision: printer failed: No permission to open printer port {closed_node} {DIALOUT}"
    )


@pytest.mark.skipif(not CAN_RUN_AS_NOBODY, reason="needs root and setpriv to run as another user")
def test_a_camera_node_closed_to_the_kiosk_user(bench: Bench, closed_node: str) -> None:
    snapshot = bench.run(
        "camera", "snapshot", "--source", closed_node, "--out", str(bench.folder / "a.png"), as_nobody=True
    )
    assert snapshot.returncode == 1
    assert one_line(snapshot) == f"balie: no permission on camera {closed_node} {VIDEO}"
    config = bench.config("kiosk.toml", f'[hardware.camera]\ndriver = "opencv"\noptions.source = "{closed_node}"\n')
    selftest = bench.run("provision", "selftest", "--config", str(config), as_nobody=True)
    assert selftest.returncode == 1
    assert one_line(selftest) == f"balie provision: camera failed: No permission on camera {closed_node} {VIDEO}"


@pytest.mark.skipif(Path("/proc/asound/pcm").exists(), reason="this machine has sound cards")
def test_a_sound_device_on_a_machine_without_sound_cards(bench: Bench) -> None:
    hint = "(plug it in; `arecord -l` and `aplay -l` list the sound cards; the kiosk user needs group audio)"
    microphone = bench.config("mic.toml", '[hardware.microphone]\ndriver = "pyav"\n')
    run = bench.run("provision", "selftest", "--config", str(microphone))
    assert run.returncode == 1
    assert one_line(run) == f"balie provision: microphone failed: default: No microphone found {hint}"
    speaker = bench.config("speaker.toml", '[hardware.audio_output]\ndriver = "pyav"\noptions.device = "hw:9"\n')
    run = bench.run("provision", "selftest", "--config", str(speaker))
    assert run.returncode == 1
    assert one_line(run) == f"balie provision: audio_output failed: hw:9: No speaker found {hint}"


def test_init_writes_a_config_for_a_device_not_yet_plugged_in_and_says_so(bench: Bench) -> None:
    if Path("/dev/video97").exists():
        pytest.skip("this machine has /dev/video97")
    config = bench.folder / "kiosk.toml"
    run = bench.run("provision", "init", "--config", str(config), "--camera", "97")
    assert run.returncode == 0  # on the bench, before the camera is plugged in, the config is still wanted
    assert one_line(run) == (
        "balie provision: note: camera /dev/video97 is not attached now (`balie provision detect` lists what is)"
    )
    assert config.exists()


def test_init_says_when_a_reader_name_matches_none_of_the_readers(bench: Bench, running_pcscd: object) -> None:
    config = bench.folder / "kiosk.toml"
    run = bench.run("provision", "init", "--config", str(config), "--reader", "Omnikey")
    assert run.returncode == 0
    assert one_line(run) == (
        "balie provision: note: card reader 'Omnikey' is not attached now (`balie provision detect` lists what is)"
    )
    matching = bench.run("provision", "init", "--config", str(config), "--force", "--reader", "virtual pcd")
    assert (matching.returncode, matching.stderr) == (0, "")  # vpcd's "Virtual PCD 00 00" is there

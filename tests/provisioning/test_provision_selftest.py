"""`balie provision selftest`: the JSON contract, init → selftest passing, and each fault failing
with the line that names it — through the kiosk's own drivers and simulators, a real backoffice
process, and a real X server for the display."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import tomllib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.config import default_config, load_config, parse_config
from provisioning import selftest, selftest_system
from provisioning.selftest import SelftestContext, Status
from provisioning.selftest_devices import check_camera, check_printer
from tests.live_backoffice import LiveBackoffice, free_port
from tests.provisioning.balie_cli import balie

CHECKS = ["config", "camera", "cardreader", "printer", "speech", "microphone", "audio_output",
          "backoffice", "clock", "disk", "display"]  # fmt: skip
FAKE_TOKEN = f"bd1.{uuid.uuid4()}.c2VjcmV0"


def checked(progress: str) -> str:
    """The check's name in a progress line such as "[ 3/11] printer      ok      (0.1 s)"."""
    return progress.split("]", 1)[1].split()[0]


def config_with(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def context_for(text: str, tmp_path: Path, **kwargs: object) -> SelftestContext:
    config = parse_config(tomllib.loads(text)) if text else default_config()
    kwargs.setdefault("environ", {})
    kwargs.setdefault("data_dir", tmp_path / "data")
    return SelftestContext(config, **kwargs)  # type: ignore[arg-type]


def results(context: SelftestContext) -> dict[str, tuple[Status, str]]:
    report = selftest.run_selftest(context)
    return {check.name: (check.status, check.detail) for check in report.checks}


# -- the contract ------------------------------------------------------------------------------------


def test_the_embedded_default_prints_one_json_object_and_passes(tmp_path: Path) -> None:
    run = balie("provision", "selftest", "--json", env={"BALIE_DATA": str(tmp_path / "data")})
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)  # exactly one JSON document on stdout, nothing else
    assert report["passed"] is True
    assert [check["name"] for check in report["checks"]] == CHECKS
    for check in report["checks"]:
        assert set(check) == {"name", "status", "detail"}
        assert check["status"] in ("ok", "warning", "failed") and check["detail"]
    assert {check["name"]: check["status"] for check in report["checks"]}["backoffice"] == "ok"
    assert [checked(line) for line in run.stderr.splitlines()] == CHECKS  # progress, one line per check


def test_init_then_selftest_passes_with_a_progress_line_per_check_and_a_table(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    assert balie("provision", "init", "--config", str(config), "--location", "Stadhuis").returncode == 0
    run = balie("provision", "selftest", "--config", str(config), "--print-test",
                env={"BALIE_DATA": str(tmp_path / "data")})  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert [checked(line) for line in lines[:11]] == CHECKS
    assert lines[11] == ""
    assert lines[12].split() == ["check", "status", "detail"]
    rows = {line.split()[0]: line for line in lines[14:25]}
    assert "simulated: paper ok, cover closed, online; test ticket printed" in rows["printer"]
    assert f"{config} is valid" in rows["config"]
    assert lines[-1].startswith("selftest passed: 11 checks")


@pytest.mark.parametrize(
    ("hardware", "name", "line"),
    [
        ("[hardware.camera]\ndriver = 'simulated'\noptions = { present = false }",
         "camera", "Camera not connected (`balie provision detect` lists cameras)"),
        ("[hardware.cardreader]\ndriver = 'simulated'\noptions = { present = false }",
         "cardreader", "Card reader not connected"),
        ("[hardware.printer]\ndriver = 'simulated'\noptions = { paper = 'out' }",
         "printer", "simulated: paper out, cover closed, offline: Paper is out"),
        ("[backoffice]\nurl = 'http://127.0.0.1:{port}'\ntoken = '{token}'",
         "backoffice", "http://127.0.0.1:{port}: no answer from the backoffice (ConnectError) "
                       "(check the network and [backoffice] url)"),
    ],
)  # fmt: skip
def test_each_fault_fails_the_selftest_with_its_line(tmp_path: Path, hardware: str, name: str, line: str) -> None:
    port = str(free_port())
    config = config_with(tmp_path, hardware.replace("{port}", port).replace("{token}", FAKE_TOKEN))
    run = balie("provision", "selftest", "--config", str(config), "--json", env={"BALIE_DATA": str(tmp_path)})
    assert run.returncode == 1, run.stderr
    checks = {check["name"]: check for check in json.loads(run.stdout)["checks"]}
    assert checks[name]["status"] == "failed"
    assert checks[name]["detail"] == line.replace("{port}", port)
    assert [n for n, c in checks.items() if c["status"] == "failed"] == [name]


def test_a_config_with_a_typo_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = config_with(tmp_path, "[hardware.printer]\ndriver = 'epson'\n")
    run = balie("provision", "selftest", "--config", str(config), "--json")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.splitlines() == [
        f"balie: config error: {config}, line 2: hardware.printer.driver: unknown printer driver 'epson' "
        "(available: escpos, simulated, none)"
    ]


# -- devices, in process -------------------------------------------------------------------------------


def picture(tmp_path: Path, name: str, image: np.ndarray) -> Path:
    path = tmp_path / name
    Image.fromarray(image).save(path)
    return path


def test_a_covered_lens_fails_and_a_blurred_one_warns(tmp_path: Path) -> None:
    black = picture(tmp_path, "black.png", np.zeros((480, 640, 3), np.uint8))
    grey = picture(tmp_path, "grey.png", np.full((480, 640, 3), 120, np.uint8))
    for source, status, advice in (
        (black, Status.FAILED, "the picture is black: uncover the lens or check the camera"),
        (grey, Status.WARNING, "blurred: clean the lens or set the focus"),
    ):
        context = context_for(f"[hardware.camera]\ndriver = 'simulated'\noptions = {{ source = '{source}' }}", tmp_path)
        try:
            result = check_camera(context)
        finally:
            context.close()
        assert result.status is status and result.detail.endswith(advice), result


def test_an_absent_camera_device_names_itself(tmp_path: Path) -> None:
    context = context_for("[hardware.camera]\ndriver = 'opencv'\noptions = { source = '/dev/video57' }", tmp_path)
    try:
        result = check_camera(context)
    finally:
        context.close()
    assert result.status is Status.FAILED
    assert result.detail.startswith("Camera /dev/video57")


def test_paper_low_is_a_warning_and_the_test_ticket_comes_out(tmp_path: Path) -> None:
    context = context_for("[hardware.printer]\ndriver = 'simulated'\noptions = { paper = 'low' }", tmp_path,
                          print_test=True)  # fmt: skip
    try:
        result = check_printer(context)
        simulator = context.driver("printer").simulator
        assert simulator.wait_for_receipts(1, timeout=5), "the test ticket never reached the printer"
    finally:
        context.close()
    assert result.status is Status.WARNING
    assert result.detail == "simulated: paper low, cover closed, online; test ticket printed: Paper is running low"


@pytest.fixture
def silent_printer() -> Iterator[int]:
    """A network printer that takes the connection and never answers a status request."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_faults_across_devices_in_one_run(tmp_path: Path, silent_printer: int) -> None:
    text = f"""
[device]
tasks = ["identify", "opening_hours"]
[hardware.camera]
driver = "none"
[hardware.cardreader]
driver = "pcsc"
options = {{ reader = "No Such Reader 9000" }}
[hardware.printer]
driver = "escpos"
options = {{ port = "socket://127.0.0.1:{silent_printer}", timeout = 0.2 }}
[hardware.speech]
driver = "none"
[hardware.microphone]
driver = "simulated"
options = {{ frequency = 0.0 }}
[hardware.audio_output]
driver = "simulated"
options = {{ present = false }}
"""
    found = results(context_for(text, tmp_path))
    assert found["camera"] == (Status.OK, 'not configured (driver "none")')  # scan is not on the menu
    status, detail = found["cardreader"]
    assert status is Status.FAILED
    assert detail in (  # which one depends on whether pcscd runs on this machine now
        "No card reader found matching 'No Such Reader 9000' (plug it in; `balie provision detect` lists the "
        "readers pcscd sees)",
        "PC/SC service not running (apt-get install pcscd; systemctl enable --now pcscd.socket)",
    )
    assert found["printer"] == (Status.FAILED, "Printer does not answer")
    assert found["speech"][0] is Status.WARNING and "citizens who cannot read the screen" in found["speech"][1]
    assert found["microphone"] == (Status.WARNING, "simulated: 0.5 s of sound, level silence: silent, is it "
                                   "muted or unplugged?")  # fmt: skip
    assert found["audio_output"] == (Status.FAILED, "simulated: Speaker not connected")


def test_a_needed_device_switched_off_warns(tmp_path: Path) -> None:
    found = results(context_for('[device]\ntasks = ["scan"]\n[hardware.camera]\ndriver = "none"\n', tmp_path))
    assert found["camera"] == (
        Status.WARNING,
        'not configured (driver "none"), but scan on the menu needs it: that task is not offered',
    )


@pytest.mark.skipif(not __import__("shutil").which("espeak-ng"), reason="espeak-ng is not installed")
def test_a_missing_espeak_voice_fails(tmp_path: Path) -> None:
    text = "[hardware.speech]\ndriver = 'espeak'\noptions = { voices = { nl = 'xx-none', en = 'en' } }\n"
    found = results(context_for(text, tmp_path))
    assert found["speech"] == (
        Status.FAILED, "espeak-ng has no voice for nl (xx-none): check [hardware.speech] voices"
    )  # fmt: skip


# -- backoffice and clock, against a real backoffice process -------------------------------------------


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    service = LiveBackoffice(tmp_path_factory.mktemp("backoffice"))
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="module")
def enrolled_config(backoffice: LiveBackoffice, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = tmp_path_factory.mktemp("device") / "kiosk.toml"
    assert balie("provision", "init", "--config", str(config)).returncode == 0
    run = balie("provision", "enroll", "--backoffice", backoffice.url, "--code", backoffice.enrollment_code(),
                "--config", str(config))  # fmt: skip
    assert run.returncode == 0, run.stderr
    return config


def test_an_enrolled_device_reaches_its_backoffice_and_the_clocks_agree(enrolled_config: Path, tmp_path: Path) -> None:
    run = balie("provision", "selftest", "--config", str(enrolled_config), "--json",
                env={"BALIE_DATA": str(tmp_path)})  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    checks = {check["name"]: check for check in json.loads(run.stdout)["checks"]}
    assert checks["backoffice"]["status"] == "ok"
    assert "accepts this device" in checks["backoffice"]["detail"]
    assert checks["clock"]["status"] == "ok" and "the backoffice (±" in checks["clock"]["detail"]


@pytest.mark.parametrize(
    ("skew", "status", "words"),
    [
        (timedelta(seconds=-10), Status.FAILED, "s behind the backoffice"),
        (timedelta(seconds=3), Status.WARNING, "s ahead of the backoffice"),
        (timedelta(0), Status.OK, "s behind the backoffice"),
    ],
)
def test_clock_skew_is_measured_against_the_backoffice(
    enrolled_config: Path, tmp_path: Path, skew: timedelta, status: Status, words: str
) -> None:
    config = load_config(enrolled_config)
    context = SelftestContext(config, enrolled_config, environ={}, data_dir=tmp_path,
                              now=lambda: datetime.now(UTC) + skew)  # fmt: skip
    assert selftest_system.check_backoffice(context).status is Status.OK
    result = selftest_system.check_clock(context)
    assert result.status is status, result
    assert words in result.detail or (skew == timedelta(0) and "ahead of the backoffice" in result.detail)
    assert context.clock_offset is not None and abs(context.clock_offset + skew.total_seconds()) < 1.0


def test_a_refused_credential_says_enroll_again(backoffice: LiveBackoffice, tmp_path: Path) -> None:
    config = parse_config({"backoffice": {"url": backoffice.url, "token": FAKE_TOKEN}})
    context = SelftestContext(config, None, environ={}, data_dir=tmp_path, clock_state=lambda: 0)
    result = selftest_system.check_backoffice(context)
    assert result.status is Status.FAILED
    assert result.detail.startswith(f"{backoffice.url} refused this device's credential (")
    assert result.detail.endswith("): enroll again with `balie provision enroll`")
    assert selftest_system.check_clock(context) == selftest.ok(
        "clock", "not compared: the backoffice refused the device; the system clock is synchronised (NTP)"
    )


def test_without_a_backoffice_the_kernel_says_whether_ntp_keeps_time(tmp_path: Path) -> None:
    for state, status in ((0, Status.OK), (5, Status.WARNING), (None, Status.WARNING)):
        context = context_for("", tmp_path, clock_state=lambda state=state: state)
        assert selftest_system.check_clock(context).status is status


# -- disk --------------------------------------------------------------------------------------------


def test_the_data_folder_must_be_writable_and_roomy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = selftest_system.check_disk(context_for("", tmp_path, data_dir=blocker / "data"))
    assert result.status is Status.FAILED and "is a file, not a folder" in result.detail
    assert selftest_system.check_disk(context_for("", tmp_path)).status is Status.OK  # made on first start
    monkeypatch.setattr(selftest_system, "MIN_FREE_BYTES", 1 << 62)
    result = selftest_system.check_disk(context_for("", tmp_path, data_dir=tmp_path))
    assert result.status is Status.FAILED and "the outbox may not fit" in result.detail


def test_a_world_readable_token_is_a_warning(tmp_path: Path) -> None:
    path = config_with(tmp_path, f"[backoffice]\nurl = 'https://balie.example.nl'\ntoken = '{FAKE_TOKEN}'\n")
    path.chmod(0o644)
    context = SelftestContext(load_config(path), path, environ={})
    result = selftest_system.check_config(context)
    assert result.status is Status.WARNING and "chmod 600" in result.detail


# -- display, on a real X server ---------------------------------------------------------------------


class Xvfb:
    def __init__(self, size: str) -> None:
        reader, writer = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(writer), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
            pass_fds=(writer,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(writer)
        number = b""
        with os.fdopen(reader, "rb") as ready:  # Xvfb writes its display number once it accepts clients
            number = ready.readline()
        self.display = f":{number.decode().strip()}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.mark.skipif(not __import__("shutil").which("Xvfb"), reason="Xvfb is not installed (apt-get install xvfb)")
@pytest.mark.parametrize(
    ("size", "orientation", "status", "words"),
    [
        ("1080x1920", "portrait", Status.OK, "1080x1920 portrait"),
        ("1920x1080", "portrait", Status.WARNING, "1920x1080 landscape, but the config says portrait"),
        ("800x600", "landscape", Status.WARNING, "smaller than 1024x768"),
    ],
)
def test_the_screen_is_measured_on_the_display(
    tmp_path: Path, size: str, orientation: str, status: Status, words: str
) -> None:
    server = Xvfb(size)
    try:
        context = context_for(f"[device]\norientation = '{orientation}'\n", tmp_path,
                              environ={**os.environ, "DISPLAY": server.display})  # fmt: skip
        result = selftest_system.check_display(context)
    finally:
        server.stop()
    assert result.status is status and words in result.detail, result


def test_a_display_that_does_not_answer_fails_and_none_at_all_warns(tmp_path: Path) -> None:
    gone = context_for("", tmp_path, environ={**os.environ, "DISPLAY": ":97"})
    result = selftest_system.check_display(gone)
    assert result.status is Status.FAILED and result.detail.startswith("cannot open the display :97 (xcb): ")
    headless = context_for("", tmp_path, environ={})
    assert selftest_system.check_display(headless).status is Status.WARNING


def test_the_selftest_reaches_the_fleet_page_and_an_unreachable_backoffice_is_one_line(
    backoffice: LiveBackoffice, enrolled_config: Path, tmp_path: Path
) -> None:
    run = balie("provision", "selftest", "--config", str(enrolled_config), env={"BALIE_DATA": str(tmp_path)})
    assert run.returncode == 0, run.stdout + run.stderr
    with sqlite3.connect(backoffice.database) as db:
        stored = db.execute("SELECT last_selftest FROM devices WHERE last_selftest IS NOT NULL").fetchall()
    assert len(stored) == 1
    report = json.loads(stored[0][0])
    assert report["passed"] is True and {check["name"] for check in report["checks"]} >= {"camera", "backoffice"}
    assert "config" not in report  # a path on the device is not the backoffice's business

    gone = tmp_path / "gone.toml"
    port = free_port()
    gone.write_text(enrolled_config.read_text().replace(backoffice.url, f"http://127.0.0.1:{port}"))
    run = balie("provision", "selftest", "--config", str(gone), "--json", env={"BALIE_DATA": str(tmp_path)})
    assert run.returncode == 1
    json.loads(run.stdout)  # stdout stays one JSON object
    said = [line for line in run.stderr.splitlines() if "did not reach the backoffice" in line]
    assert len(said) == 1 and said[0].endswith("run the self-test again when it is reachable")

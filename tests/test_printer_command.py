"""`balie printer ticket|status`: the technician's commands against the simulator on a real pty."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.printer.serial_link import PLUGGED_IN
from drivers.printer.wire_simulator import WirePrinterSimulator

ROOT = Path(__file__).resolve().parent.parent
URL = "https://balie.example.nl/wachtrij/A042"


def balie(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def simulator() -> Iterator[WirePrinterSimulator]:
    with WirePrinterSimulator() as printer:
        yield printer


def test_ticket_prints_number_accented_topic_qr_and_cut(simulator: WirePrinterSimulator) -> None:
    result = balie(
        "printer", "ticket", "--port", simulator.port, "--number", "A042",
        "--topic", "Paspoort ophalen (één keer, €0)", "--qr", URL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ticket A042 printed"
    assert simulator.wait_for_receipts(1, timeout=5)
    receipt = simulator.receipts[0]
    texts = [line.text for line in receipt.lines]
    assert "A042" in texts
    assert "Paspoort ophalen (één keer, €0)" in texts
    number = next(line for line in receipt.lines if line.text == "A042")
    assert (number.width, number.height) == (4, 4)
    image = cv2.imdecode(np.frombuffer(receipt.png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert cv2.QRCodeDetector().detectAndDecode(image)[0] == URL
    assert receipt.cuts == [True]


def test_ticket_with_logo_and_header(simulator: WirePrinterSimulator, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    cv2.imwrite(str(logo), np.full((60, 200), 30, np.uint8))
    result = balie(
        "printer", "ticket", "--port", simulator.port, "--number", "D003", "--topic", "Andere vraag",
        "--logo", str(logo), "--header", "Gemeente Voorbeeld",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert simulator.wait_for_receipts(1, timeout=5)
    receipt = simulator.receipts[0]
    assert receipt.images == 1
    assert [line.text for line in receipt.lines][:2] == ["Gemeente Voorbeeld", "Uw nummer"]


def test_ticket_with_raster_qr_for_printers_without_native_qr(simulator: WirePrinterSimulator) -> None:
    result = balie(
        "printer", "ticket", "--port", simulator.port, "--number", "B007", "--topic", "Rijbewijs",
        "--qr", URL, "--raster-qr", "--paper", "58",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert simulator.wait_for_receipts(1, timeout=5)
    receipt = simulator.receipts[0]
    assert receipt.qr_codes == [] and receipt.images >= 1
    image = cv2.imdecode(np.frombuffer(receipt.png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert cv2.QRCodeDetector().detectAndDecode(image)[0] == URL


@pytest.mark.parametrize(
    ("fault", "line"),
    [
        ("out", "balie: printer out of paper"),
        ("cover", "balie: printer cover open"),
        ("offline", "balie: printer offline"),
    ],
)
def test_ticket_refused_with_one_line_naming_the_problem(
    simulator: WirePrinterSimulator, fault: str, line: str
) -> None:
    {"out": lambda: simulator.set_paper("out"), "cover": simulator.open_cover, "offline": simulator.go_offline}[fault]()
    result = balie("printer", "ticket", "--port", simulator.port, "--number", "A001", "--topic", "Rijbewijs")
    assert result.returncode == 1
    assert result.stderr.strip() == line
    assert "Traceback" not in result.stderr
    assert simulator.receipts == []


def test_status(simulator: WirePrinterSimulator) -> None:
    assert balie("printer", "status", "--port", simulator.port).stdout.strip() == "printer ok"
    simulator.set_paper("low")
    low = balie("printer", "status", "--port", simulator.port)
    assert (low.returncode, low.stdout.strip()) == (0, "printer paper low")
    simulator.set_paper("out")
    out = balie("printer", "status", "--port", simulator.port)
    assert (out.returncode, out.stdout.strip()) == (1, "printer out of paper")


def test_silent_printer_times_out_with_a_clear_line(simulator: WirePrinterSimulator) -> None:
    simulator.mute(True)
    started = time.monotonic()
    result = balie("printer", "status", "--port", simulator.port, "--timeout", "0.5")
    assert result.returncode == 1
    assert result.stderr.strip() == "balie: printer does not answer"
    assert time.monotonic() - started < 15


def test_garbage_status_reply(simulator: WirePrinterSimulator) -> None:
    simulator.answer_garbage(True)
    result = balie("printer", "status", "--port", simulator.port)
    assert result.returncode == 1
    assert "makes no sense" in result.stderr and "Traceback" not in result.stderr


def test_missing_port_and_too_long_qr(simulator: WirePrinterSimulator, tmp_path: Path) -> None:
    missing = balie("printer", "status", "--port", "/dev/ttyUSB97")
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"balie: printer port /dev/ttyUSB97 does not exist {PLUGGED_IN}"
    too_long = balie(
        "printer", "ticket", "--port", simulator.port, "--number", "A001", "--topic", "Rijbewijs", "--qr", "x" * 3000
    )
    assert too_long.returncode == 1
    assert too_long.stderr.strip().startswith("balie: QR code payload too long")
    assert simulator.receipts == []


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root to run as another user")
def test_permission_denied_names_the_dialout_group(simulator: WirePrinterSimulator) -> None:
    """Run as an unprivileged user against a port only root may open, as on a fresh kiosk."""
    os.chmod(simulator.port, 0o600)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "kiosk.cli", "printer", "status", "--port", simulator.port]
    as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    result = subprocess.run(as_nobody, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    if "Permission denied" in result.stderr and "python" in result.stderr.lower():
        pytest.skip("the unprivileged user cannot run this Python")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"balie: no permission to open printer port {simulator.port} (add the kiosk user to the dialout group: "
        "`balie provision lockdown` does this)"
    )

"""`balie provision detect`: the report and the proposed [hardware], from fakes at the driver boundary
and, for the network, a real listener standing in for a printer's raw print port."""

from __future__ import annotations

import socket
import tomllib
from collections.abc import Iterator

import pytest

from drivers.camera.detect import CameraProblem, PixelFormat, V4l2Camera
from drivers.cardreader.detect import ReaderInfo, ReaderScan
from drivers.printer.detect import NetworkPrinter, SerialPort
from kiosk.config import parse_config
from provisioning import detect
from tests.provisioning.balie_cli import balie

C920 = V4l2Camera(
    "/dev/video0", "HD Pro Webcam C920", "uvcvideo", "usb-0000:00:14.0-2",
    (PixelFormat("MJPG", "Motion-JPEG", ((1920, 1080), (1280, 720), (640, 480))),
     PixelFormat("YUYV", "YUYV 4:2:2", ((640, 480),))),
)  # fmt: skip
DUAL_READER = (
    ReaderInfo("ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 00", None),
    ReaderInfo("ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 01", bytes.fromhex("3B8F8001804F0CA0")),
)
ADAPTER = SerialPort("/dev/ttyUSB0", "USB-Serial Controller", 0x067B, 0x2303, "Prolific Technology Inc.",
                     "USB-Serial Controller")  # fmt: skip
BUILTIN = SerialPort("/dev/ttyS0", "", accessible=False)
NO_VIDEO_GROUP = "no permission (the user is not in the 'video' group)"


def kiosk_pc() -> detect.Detection:
    return detect.detect_local(
        cameras=lambda: ([C920], [CameraProblem("/dev/video2", NO_VIDEO_GROUP)]),
        readers=lambda: ReaderScan(DUAL_READER),
        serial_ports=lambda: [ADAPTER, BUILTIN],
    )


def test_the_report_names_what_is_attached_in_a_technicians_terms() -> None:
    lines = detect.report(kiosk_pc())
    assert lines[:10] == [
        "cameras (V4L2)",
        "  /dev/video0  HD Pro Webcam C920 (uvcvideo, usb-0000:00:14.0-2)  "
        "MJPG: 1920x1080, 1280x720, 640x480; YUYV: 640x480",
        "  /dev/video2  no permission (the user is not in the 'video' group)",
        "card readers (PC/SC)",
        "  ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 00  no card",
        "  ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 01  card: 3B 8F 80 01 80 4F 0C A0",
        "serial ports",
        "  /dev/ttyUSB0  USB-serial 067b:2303 Prolific Technology Inc. USB-Serial Controller",
        "  /dev/ttyS0  built-in  no permission (the user is not in the 'dialout' group)",
        "network printers: not scanned (add --subnet 192.168.1.0/24 or --address HOST)",
    ]


def test_the_proposal_uses_the_webcam_the_contactless_slot_and_the_usb_adapter() -> None:
    text = detect.proposed_section(kiosk_pc())
    hardware = parse_config(tomllib.loads(text)).hardware
    assert hardware.camera.driver == "opencv"
    assert hardware.camera.options == {"source": "/dev/video0", "width": 1280, "height": 720}
    assert hardware.cardreader.options == {"reader": "ACS ACR1252 Dual Reader [[]ACR1252 Dual Reader PICC] *"}
    assert hardware.printer.options == {"port": "/dev/ttyUSB0", "baudrate": 115200}
    assert "# /dev/ttyUSB0: USB-serial 067b:2303 USB-Serial Controller\n# check a printer is on it" in text
    assert "# HD Pro Webcam C920 at /dev/video0" in text


def test_with_nothing_attached_every_device_is_none_and_says_why() -> None:
    bare = detect.detect_local(lambda: ([], []), lambda: ReaderScan((), "PC/SC service not running"), lambda: [])
    lines = detect.report(bare)
    assert "  none found: PC/SC service not running (apt-get install pcscd; systemctl start pcscd)" in lines
    text = detect.proposed_section(bare)
    hardware = parse_config(tomllib.loads(text)).hardware
    assert (hardware.camera.driver, hardware.cardreader.driver, hardware.printer.driver) == ("none",) * 3
    assert "# no card reader found (PC/SC service not running): Identify is not offered" in text


def test_a_network_printer_is_preferred_over_a_serial_port() -> None:
    from dataclasses import replace

    found = replace(kiosk_pc(), network_printers=[NetworkPrinter("192.168.1.20", 9100)], network_scope="TCP 9100")
    hardware = parse_config(tomllib.loads(detect.proposed_section(found))).hardware
    assert hardware.printer.options == {"port": "socket://192.168.1.20:9100"}
    assert "  socket://192.168.1.20:9100" in detect.report(found)


@pytest.fixture
def printer_port() -> Iterator[int]:
    """A listener standing in for a network printer's raw print port."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_detect_finds_a_printer_on_the_network(printer_port: int) -> None:
    run = balie("provision", "detect", "--subnet", "127.0.0.0/30", "--address", "localhost",
                "--port", str(printer_port))  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    at = lines.index(f"network printers (TCP {printer_port} on 127.0.0.0/30 and localhost: 2 addresses)")
    assert lines[at + 1] == f"  socket://127.0.0.1:{printer_port}"
    proposal = run.stdout.split("proposed [hardware] section (check it, then put it in the config):\n")[1]
    hardware = parse_config(tomllib.loads(proposal)).hardware
    assert hardware.printer.options == {"port": f"socket://127.0.0.1:{printer_port}"}


@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (["--subnet", "192.168.1.0/33"], "'192.168.1.0/33' is not a subnet such as 192.168.1.0/24"),
        (["--subnet", "10.0.0.0/8"], "10.0.0.0/8 has 16777216 addresses; scan at most a /20 (4096)"),
        (["--address", "10.0.0.1", "--port", "0"], "--port must be from 1 to 65535"),
    ],
)
def test_bad_scan_requests_are_one_line(flags: list[str], line: str) -> None:
    run = balie("provision", "detect", *flags)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"balie provision: {line}"]

"""EscPosPrinter.print end to end: against the in-memory printer, over a pty, and from config."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers import registry
from drivers.health import HealthState
from drivers.options import DriverConfigError
from drivers.printer.document import Align, Cut, Document, DocumentError, QrCode, Text
from drivers.printer.encoder import encode
from drivers.printer.escpos import EscPosPrinter, PrinterNotAnswering
from drivers.printer.profile import PrinterProfile
from drivers.printer.protocol import PrinterError, PrinterPortError, PrinterStatus
from drivers.printer.serial_link import FLOW_CONTROLS, PLUGGED_IN
from drivers.printer.simulated_line import SimulatedLinePrinter
from drivers.printer.simulator import SimulatedPrinter, SimulatedPrinterDriver
from drivers.printer.status import STATUS_REQUESTS
from drivers.unavailable import UnavailablePrinter

ROOT = Path(__file__).resolve().parents[2]
TICKET = Document(
    (
        Text("Gemeente Voorbeeld", align=Align.CENTER, bold=True),
        Text("A042", align=Align.CENTER, size=4),
        QrCode("https://example.org/t/A042"),
        Text("Café €5"),
        Cut(),
    )
)
PROFILE = PrinterProfile.for_paper(58, native_qr=False)


@pytest.fixture
def endpoint() -> SimulatedPrinter:
    return SimulatedPrinter()


@pytest.fixture
def printer(endpoint) -> EscPosPrinter:
    return EscPosPrinter(endpoint, PROFILE, 0.05, after_job_timeout=0.05)


# -- against the in-memory printer ------------------------------------------------------------


def test_print_sends_the_encoded_job_and_returns_the_status(printer, endpoint):
    assert printer.profile is PROFILE
    assert printer.print(TICKET) == PrinterStatus(online=True)
    assert endpoint.received == encode(TICKET, PROFILE)


def test_paper_out_refuses_and_prints_nothing(printer, endpoint):
    endpoint.set_paper("out")
    with pytest.raises(PrinterError, match=r"^Paper is out$"):
        printer.print(TICKET)
    assert endpoint.received == b""


def test_paper_low_prints_and_says_so(printer, endpoint):
    endpoint.set_paper("low")
    status = printer.print(TICKET)
    assert status.paper_near_end and status.online
    assert endpoint.received == encode(TICKET, PROFILE)


def test_cover_open_refuses(printer, endpoint):
    endpoint.open_cover()
    with pytest.raises(PrinterError, match=r"^Printer cover is open$"):
        printer.print(TICKET)
    assert endpoint.received == b""


def test_a_bad_document_fails_before_the_printer_is_asked(endpoint):
    endpoint.unplug()  # asking it first would raise PrinterNotAnswering instead
    printer = EscPosPrinter(endpoint, PROFILE, 0.05)
    with pytest.raises(DocumentError, match="QR code payload too long"):
        printer.print(Document((QrCode("x" * 3000),)))


class JobSpoiler(SimulatedPrinter):
    """Breaks in a chosen way as soon as print data (not a status request) arrives."""

    def __init__(self, spoil: str) -> None:
        super().__init__()
        self.spoil = spoil

    def write(self, data: bytes) -> None:
        super().write(data)
        if data not in STATUS_REQUESTS:
            if self.spoil == "unplug":
                self.unplug()
            else:
                self.set_paper("out")


def test_a_printer_that_stops_answering_after_the_job():
    endpoint = JobSpoiler("unplug")
    printer = EscPosPrinter(endpoint, PROFILE, 0.05, after_job_timeout=0.05)
    with pytest.raises(PrinterNotAnswering, match=r"^Printer does not answer$"):
        printer.print(TICKET)
    assert endpoint.received == encode(TICKET, PROFILE)


def test_paper_running_out_during_the_job_is_reported():
    endpoint = JobSpoiler("paper")
    printer = EscPosPrinter(endpoint, PROFILE, 0.05, after_job_timeout=0.05)
    with pytest.raises(PrinterError, match=r"^Paper is out$"):
        printer.print(TICKET)


def test_the_rasterizer_reaches_the_encoder(printer, endpoint):
    class Solid:
        def rasterize(self, text, width_dots):
            from drivers.printer.document import Raster

            return Raster(8, 1, b"\xff", Align.LEFT)

    printer.print(Document((Text("مرحبا"),)), Solid())
    assert endpoint.received == b"\x1b@\x1dv0\x00\x01\x00\x01\x00\xff"


def test_simulated_driver_keeps_its_signature_and_takes_a_profile():
    endpoint = SimulatedPrinter()
    assert SimulatedPrinterDriver(endpoint, timeout=0.05).profile == PrinterProfile()
    driver = SimulatedPrinterDriver(endpoint, 0.05, profile=PROFILE)
    assert driver.profile is PROFILE
    driver.print(TICKET)
    assert endpoint.received == encode(TICKET, PROFILE)


def test_unavailable_printer_refuses_to_print():
    printer = UnavailablePrinter("No printer configured")
    assert printer.profile == PrinterProfile()
    with pytest.raises(PrinterError, match=r"^No printer configured$"):
        printer.print(TICKET)


# -- over a real tty, built from config ---------------------------------------------------------


class PtyPrinter:
    """The far end of a pty: answers every DLE EOT n with "all fine" and keeps the rest."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.port = os.ttyname(self.slave)
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                pending += os.read(self.master, 4096)
            except OSError:
                return
            while True:  # a request may arrive in pieces
                found = min((pending.find(r) for r in STATUS_REQUESTS if r in pending), default=-1)
                if found < 0:
                    break
                self.received += pending[:found]
                pending = pending[found + 3 :]
                os.write(self.master, b"\x12")
            keep = 2 if pending.endswith(b"\x10\x04") else 1 if pending.endswith(b"\x10") else 0
            self.received += pending[: len(pending) - keep]
            pending = pending[len(pending) - keep :]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def pty_printer() -> Iterator[PtyPrinter]:
    far_end = PtyPrinter()
    yield far_end
    far_end.close()


def test_the_escpos_driver_prints_over_a_tty(pty_printer):
    printer = registry.build("printer", "escpos", {"port": pty_printer.port, "paper_mm": 58, "native_qr": False})
    assert isinstance(printer, EscPosPrinter)
    try:
        assert printer.health().state is HealthState.OK
        assert printer.print(TICKET) == PrinterStatus(online=True)
        assert bytes(pty_printer.received) == encode(TICKET, PrinterProfile.for_paper(58, native_qr=False))
    finally:
        printer.close()


def test_the_escpos_driver_builds_without_its_port_and_says_why(tmp_path):
    missing = str(tmp_path / "ttyUSB9")
    printer = registry.build("printer", "escpos", {"port": missing})
    assert isinstance(printer, EscPosPrinter)
    health = printer.health()
    assert (health.state, health.reason) == (HealthState.FAILED, f"Printer port {missing} does not exist {PLUGGED_IN}")
    with pytest.raises(PrinterPortError):
        printer.print(TICKET)


def test_escpos_options_reach_the_profile():
    options = {"port": "loop://", "code_pages": ["pc857", "pc858"], "paper_mm": 58, "native_qr": False}
    printer = registry.build("printer", "escpos", options)
    assert isinstance(printer, EscPosPrinter)
    assert printer.profile == PrinterProfile(58, 384, ("pc857", "pc858"), native_qr=False)
    assert printer.timeout == 0.5
    printer.close()


def test_escpos_defaults():
    assert registry.check("printer", "escpos", {"port": "/dev/ttyUSB0"}) == {
        "port": "/dev/ttyUSB0",
        "baudrate": 115200,
        "flow": "none",
        "paper_mm": 80,
        "code_pages": ("pc858", "pc857", "pc866"),
        "native_qr": True,
        "timeout": 0.5,
    }


def test_simulated_printer_profile_options():
    printer = registry.build("printer", "simulated", {"paper_mm": 58, "native_qr": False})
    try:
        assert isinstance(printer, SimulatedLinePrinter)
        assert printer.profile == PrinterProfile.for_paper(58, native_qr=False)
    finally:
        printer.close()


@pytest.mark.parametrize(
    ("options", "key", "message"),
    [
        ({}, "port", "is required: a serial port or URL such as '/dev/ttyUSB0' or 'socket://192.168.1.20:9100'"),
        (
            {"port": ""},
            "port",
            "must be a serial port or URL such as '/dev/ttyUSB0' or 'socket://192.168.1.20:9100', not empty",
        ),
        ({"port": "x", "baudrate": 12345}, "baudrate", "must be one of 9600, 19200, 38400, 57600, 115200, not 12345"),
        ({"port": "x", "paper_mm": 70}, "paper_mm", "must be one of 58, 80, not 70"),
        (
            {"port": "x", "flow": "rts"},
            "flow",
            "must be one of 'none', 'rtscts', 'xonxoff', 'dsrdtr', not 'rts' (text) (did you mean 'rtscts'?)",
        ),
        (
            {"port": "x", "code_pages": "pc858"},
            "code_pages",
            "must be a list such as ['pc858', 'pc857', 'pc866'], not 'pc858' (text)",
        ),
        ({"port": "x", "code_pages": []}, "code_pages", "must name at least one code page"),
        (
            {"port": "x", "code_pages": ["pc999"]},
            "code_pages",
            "unknown code page 'pc999' (known: pc437, pc850, pc860, pc863, pc865, pc857, pc866, pc852, pc858, wpc1252)",
        ),
        ({"port": "x", "code_pages": ["pc858", "pc858"]}, "code_pages", "names code page 'pc858' twice"),
        ({"port": "x", "code_pages": [858]}, "code_pages", "must hold code page names, not 858"),
        ({"port": "x", "timeout": 0}, "timeout", "must be a number from 0.05 to 10, not 0"),
    ],
)
def test_escpos_options_are_checked(options, key, message):
    with pytest.raises(DriverConfigError) as caught:
        registry.check("printer", "escpos", options)
    assert (caught.value.key, caught.value.message) == (key, message)


def test_flow_choices_match_the_link():
    from drivers.printer import factories

    assert factories.FLOW_CONTROLS == FLOW_CONTROLS


def test_checking_the_escpos_config_opens_nothing_and_loads_no_serial_code():
    code = (
        "import sys\n"
        "import drivers.registry as registry\n"
        "registry.check('printer', 'escpos', {'port': '/dev/ttyUSB9', 'code_pages': ['pc858']})\n"
        "loaded = [m for m in ('serial', 'qrcode', 'drivers.printer.serial_link', 'drivers.printer.escpos',"
        " 'drivers.printer.encoder') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "registry.build('printer', 'escpos', {'port': '/dev/ttyUSB9'})\n"
        "assert 'qrcode' not in sys.modules, 'qrcode is loaded only for a QR code'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr

"""The serial link over real ports: pyserial's loopback, a pseudo-terminal pair and a TCP socket."""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.printer.protocol import PrinterDisconnected, PrinterNotTakingData, PrinterPortError
from drivers.printer.serial_link import FLOW_CONTROLS, SerialLink

EVERY_BYTE = bytes(range(256))  # XON/XOFF, CR/LF, DLE and ESC must all pass untouched


class Pty:
    """A pseudo-terminal pair: the link opens the slave by name, the test is the printer on the master."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.name = os.ttyname(self.slave)

    def read_exactly(self, n: int, timeout: float = 5.0) -> bytes:
        received = bytearray()
        deadline = time.monotonic() + timeout
        while len(received) < n:
            ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            received += os.read(self.master, n - len(received))
        return bytes(received)

    def close_master(self) -> None:
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def close(self) -> None:
        self.close_master()
        os.close(self.slave)


@pytest.fixture
def pty() -> Iterator[Pty]:
    pair = Pty()
    yield pair
    pair.close()


@pytest.fixture
def links() -> Iterator[list[SerialLink]]:
    """Every link a test opens is closed after it, pass or fail."""
    opened: list[SerialLink] = []
    yield opened
    for link in opened:
        link.close()


def make(links: list[SerialLink], port: str, **options: object) -> SerialLink:
    link = SerialLink(port, **options)  # type: ignore[arg-type]
    links.append(link)
    return link


# -- bytes travel ---------------------------------------------------------------------------


@pytest.mark.parametrize("flow", FLOW_CONTROLS)
def test_loopback_returns_what_was_written(links, flow):
    link = make(links, "loop://", flow=flow)
    link.write(b"\x10\x04\x01ticket")
    assert link.read(9, timeout=1.0) == b"\x10\x04\x01ticket"
    assert link.read(1, timeout=0.01) == b""


def test_reset_input_buffer_drops_unread_bytes(links):
    link = make(links, "loop://")
    link.write(b"stale")
    link.reset_input_buffer()
    assert link.read(5, timeout=0.01) == b""


def test_bytes_arrive_byte_exact_over_a_pty(links, pty):
    link = make(links, pty.name)
    assert not link.is_open  # opened on first use
    link.write(EVERY_BYTE * 4)
    assert link.is_open
    assert pty.read_exactly(1024) == EVERY_BYTE * 4


def test_answers_come_back_over_a_pty(links, pty):
    link = make(links, pty.name)
    link.open()
    os.write(pty.master, b"\x12\x12")
    assert link.read(1, timeout=2.0) == b"\x12"
    assert link.read(5, timeout=0.05) == b"\x12"  # fewer than asked when the time is up
    assert link.read(1, timeout=0.0) == b""


def test_bytes_arrive_over_a_tcp_socket(links):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        link = make(links, f"socket://127.0.0.1:{port}")
        link.open()
        connection, _ = server.accept()
        with connection:
            link.write(EVERY_BYTE)
            received = bytearray()
            while len(received) < len(EVERY_BYTE):
                received += connection.recv(4096)
            assert bytes(received) == EVERY_BYTE
            connection.sendall(b"\x12")
            assert link.read(1, timeout=2.0) == b"\x12"


# -- plain reasons ----------------------------------------------------------------------------


def test_a_missing_port_is_named(links, tmp_path):
    missing = str(tmp_path / "ttyUSB9")
    link = make(links, missing)
    with pytest.raises(PrinterPortError, match=rf"^Printer port {missing} does not exist \(is the printer plugged in"):
        link.open()
    with pytest.raises(PrinterPortError, match="does not exist"):
        link.write(b"x")  # every use tries again, and says why it cannot
    assert not link.is_open


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens any file: permission checks do not apply")
def test_no_permission_names_the_dialout_group(links, tmp_path):
    port = tmp_path / "ttyS0"
    port.touch()
    port.chmod(0)
    with pytest.raises(PrinterPortError) as caught:
        make(links, str(port)).open()
    assert str(caught.value) == (
        f"No permission to open printer port {port} (add the kiosk user to the dialout group: "
        "`balie provision lockdown` does this)"
    )


@pytest.mark.parametrize("kind", ["directory", "file"])
def test_a_path_that_is_not_a_serial_port(links, tmp_path, kind):
    port: Path = tmp_path / "printer"
    if kind == "directory":
        port.mkdir()
    else:
        port.write_bytes(b"")
    with pytest.raises(PrinterPortError, match=rf"^Printer port {port} is not a serial port$"):
        make(links, str(port)).open()


def test_an_unknown_url_scheme(links):
    with pytest.raises(PrinterPortError, match=r"^Printer port usb://printer cannot be used: "):
        make(links, "usb://printer").open()


def test_a_network_printer_that_refuses(links):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    refused = rf"^Printer at socket://127.0.0.1:{port} does not accept a connection \(is it on"
    with pytest.raises(PrinterPortError, match=refused):
        make(links, f"socket://127.0.0.1:{port}").open()


def test_unknown_flow_control_is_refused():
    with pytest.raises(ValueError, match="flow control must be one of none, rtscts, xonxoff, dsrdtr"):
        SerialLink("loop://", flow="cts")  # type: ignore[arg-type]


def test_writing_after_the_far_end_hung_up(links, pty):
    link = make(links, pty.name)
    link.open()
    pty.close_master()
    with pytest.raises(PrinterDisconnected, match=r"^Printer disconnected$"):
        link.write(b"ticket")
    assert not link.is_open  # the next use opens the port again


def test_reading_after_the_far_end_hung_up(links, pty):
    link = make(links, pty.name)
    link.open()
    pty.close_master()
    with pytest.raises(PrinterDisconnected, match=r"^Printer disconnected$"):
        link.read(1, timeout=1.0)


def test_a_printer_that_takes_no_data(links, pty):
    """Nobody reads the master: the pty's buffer fills up like a printer holding RTS low."""
    link = make(links, pty.name, write_timeout=0.2)
    with pytest.raises(PrinterNotTakingData, match=r"^Printer does not take data \(flow control\?\)$"):
        link.write(bytes(1 << 20))


def test_close_twice_and_from_another_thread(links, pty):
    link = make(links, pty.name)
    link.open()
    closer = threading.Thread(target=link.close)
    closer.start()
    closer.join()
    link.close()
    assert not link.is_open

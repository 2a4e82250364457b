"""The printer cable: a pyserial port, by device path or URL, as a `PrinterLink`.

`serial.serial_for_url` takes "/dev/ttyUSB0", a pty such as "/dev/pts/3" (the printer
simulator) and "socket://192.168.1.20:9100" (a network printer's raw port) alike, so the
driver above never knows which it has. The port opens on first use and again after it
broke, so a printer switched on after the kiosk, or unplugged and plugged back in, comes
back by itself; until then every call fails with a plain reason. pyserial's and the OS's
errors become the typed errors of drivers.printer.protocol here, and nowhere else.
"""

from __future__ import annotations

import contextlib
import errno
from typing import Any, Literal, get_args

import serial  # type: ignore[import-untyped]

from drivers.printer.protocol import (
    PrinterDisconnected,
    PrinterError,
    PrinterNotTakingData,
    PrinterPortError,
)

Flow = Literal["none", "rtscts", "xonxoff", "dsrdtr"]
FLOW_CONTROLS: tuple[str, ...] = get_args(Flow)

DISCONNECTED = "Printer disconnected"
NOT_TAKING_DATA = "Printer does not take data (flow control?)"
WRITE_CHUNK_BYTES = 4096  # 0.36 s at 115200 baud, 4.3 s at 9600: each well inside the write timeout

PLUGGED_IN = "(is the printer plugged in? `balie provision detect` lists the serial ports)"
_NO_CONNECTION = {errno.ECONNREFUSED, errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH}


class SerialLink:
    """Implements `drivers.printer.escpos.PrinterLink`; one caller at a time (the driver locks)."""

    def __init__(self, port: str, baudrate: int = 115200, flow: Flow = "none", write_timeout: float = 5.0) -> None:
        if flow not in FLOW_CONTROLS:
            raise ValueError(f"flow control must be one of {', '.join(FLOW_CONTROLS)}, not {flow!r}")
        self.port = port
        self.baudrate = baudrate
        self.flow = flow
        self.write_timeout = write_timeout
        self._serial: Any = None  # a pyserial port object while open
        self._read_timeout: float | None = None

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        """Open the port now (the other methods do it when needed); raises PrinterPortError."""
        if self._serial is not None:
            return
        try:
            self._serial = serial.serial_for_url(
                self.port,
                baudrate=self.baudrate,
                rtscts=self.flow == "rtscts",
                xonxoff=self.flow == "xonxoff",
                dsrdtr=self.flow == "dsrdtr",
                timeout=0,
                write_timeout=self.write_timeout,
                # A device path is locked (flock) for as long as it is open: a second program
                # writing into the same printer would interleave two tickets, so it is told
                # "in use" instead. URLs (socket://) have no lock to take.
                **({} if "://" in self.port else {"exclusive": True}),
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise _open_error(self.port, exc) from None
        self._read_timeout = 0.0

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            with contextlib.suppress(serial.SerialException, OSError):  # a port that is gone is closed enough
                port.close()

    def write(self, data: bytes) -> None:
        """All of `data`, or PrinterNotTakingData after `write_timeout` seconds held off.

        Written in chunks, so the timeout means "no progress for that long": a printed PDF page
        (80 kB of raster) takes 7 s at 115200 baud, and a printer taking it steadily is not stuck.
        """
        port = self._opened()
        try:
            for start in range(0, len(data), WRITE_CHUNK_BYTES):
                port.write(bytes(data[start : start + WRITE_CHUNK_BYTES]))
        except serial.SerialTimeoutException:
            self._discard_output(port)
            raise PrinterNotTakingData(NOT_TAKING_DATA) from None
        except (serial.SerialException, OSError):
            self.close()
            raise PrinterDisconnected(DISCONNECTED) from None

    def read(self, n: int, timeout: float = 0.0) -> bytes:
        """Up to `n` bytes, waiting at most `timeout` seconds for them."""
        port = self._opened()
        try:
            if timeout != self._read_timeout:  # reconfigures the port: only when it changes
                port.timeout = timeout
                self._read_timeout = timeout
            return bytes(port.read(n))
        except (serial.SerialException, OSError):
            self.close()
            raise PrinterDisconnected(DISCONNECTED) from None

    def reset_input_buffer(self) -> None:
        port = self._opened()
        try:
            port.reset_input_buffer()
        except (serial.SerialException, OSError):
            self.close()
            raise PrinterDisconnected(DISCONNECTED) from None

    def _opened(self) -> Any:
        self.open()
        return self._serial

    def _discard_output(self, port: Any) -> None:
        """Drop the rest of a job that timed out, so the next job does not start mid-ticket."""
        try:
            port.reset_output_buffer()
        except (serial.SerialException, OSError):
            self.close()


def _open_error(port: str, exc: BaseException) -> PrinterError:
    """The reason a technician can act on, from pyserial's "could not open port" family."""
    code = _errno(exc)
    if code == errno.ENOENT:
        return PrinterPortError(f"Printer port {port} does not exist {PLUGGED_IN}")
    if code in (errno.EACCES, errno.EPERM):
        return PrinterPortError(
            f"No permission to open printer port {port} (add the kiosk user to the dialout group: "
            "`balie provision lockdown` does this)"
        )
    if code in (errno.EBUSY, errno.EAGAIN):  # EAGAIN: another program holds the port's lock
        return PrinterPortError(
            f"Printer port {port} is in use by another program "
            "(close it, or stop the kiosk: systemctl stop balie-kiosk)"
        )
    if code in (errno.EISDIR, errno.ENOTTY):
        return PrinterPortError(f"Printer port {port} is not a serial port")
    if code in _NO_CONNECTION:
        return PrinterPortError(
            f"Printer at {port} does not accept a connection (is it on, and is this its address? "
            "`balie provision detect --address HOST` looks for it)"
        )
    if _unknown_host(exc):
        host = port.removeprefix("socket://").rsplit(":", 1)[0]
        return PrinterPortError(f"Printer host {host} is not known (check the name, or give its IP address)")
    if isinstance(exc, ValueError):  # pyserial's "invalid URL, protocol 'x' not known" and bad settings
        return PrinterPortError(f"Printer port {port} cannot be used: {exc}")
    return PrinterPortError(f"Cannot open printer port {port}: {exc}")


def _unknown_host(exc: BaseException) -> bool:
    """A name lookup that failed: socket.gaierror, kept by pyserial in the chained error."""
    import socket

    return any(isinstance(candidate, socket.gaierror) for candidate in (exc, exc.__context__))


def _errno(exc: BaseException) -> int | None:
    """pyserial keeps the errno for device paths, but only in the chained error for sockets
    and for a file that is not a terminal (termios.error carries it as its first argument)."""
    for candidate in (exc, exc.__context__):
        if candidate is None:
            continue
        code = getattr(candidate, "errno", None)
        if isinstance(code, int):
            return code
        if candidate.args and isinstance(candidate.args[0], int):
            return candidate.args[0]
    return None

"""A receipt printer at the far end of a real serial line: a pseudo-terminal the driver opens.

The kiosk's real driver opens `simulator.port` with pyserial exactly as it would open
/dev/ttyUSB0, so the link code, the encoder and the status handling all run unchanged
against a printer that parses ESC/POS, answers status requests, prints receipts as images
and can be made to fail: paper out, cover open, offline, garbled or missing answers, a
cable pulled mid-job, a slow line.

One thread owns the pty's master side: it reads what the host writes (select with a short
timeout, so `stop()` is honoured promptly), feeds the ESC/POS parser, answers DLE EOT n and
GS r 1 at once, and renders the rest. Answers come in stream order: a request written after
a long job is answered once the job's bytes have come down the (possibly slow) line, as on
a real printer.

`baud` makes the reader take bytes no faster than a line at that speed (8N1: baud / 10
bytes a second). The host's write() still returns at once for jobs that fit the kernel's
pty buffer (about 20 kB; a UART driver's is 4 kB), as it would on a real port: the slowness
shows as answers that come late and receipts that take long, and only a larger job blocks.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import threading
import time
import tty
from types import TracebackType

from drivers.printer import escpos_parser as ev
from drivers.printer import status as escpos
from drivers.printer.profile import PrinterProfile
from drivers.printer.receipt_image import Receipt, ReceiptRenderer
from drivers.printer.simulator import GS_R_FIXED_MASK, Paper, PrinterState

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05  # how long the reader waits for bytes before checking for stop()
READ_CHUNK = 4096
BITS_PER_BYTE_ON_THE_LINE = 10  # 8N1: start bit, 8 data bits, stop bit
THROTTLE_SLICE_SECONDS = 0.02  # a throttled line is read in slices this long
_PRINTING = (ev.PrintText, ev.FeedLines, ev.Cut, ev.QrPrint, ev.RasterImage)


class WirePrinterSimulator(PrinterState):
    """An ESC/POS printer behind a pty: `start()`, then open `port` with pyserial."""

    def __init__(
        self,
        profile: PrinterProfile | None = None,
        paper: Paper = "ok",
        cover_open: bool = False,
        online: bool = True,
        baud: int | None = None,
    ) -> None:
        super().__init__(paper, cover_open, online)
        if baud is not None and baud < BITS_PER_BYTE_ON_THE_LINE:
            raise ValueError("baud must be at least 10")
        self.profile = profile or PrinterProfile()
        self.baud = baud
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master: int | None = None
        self._slave: int | None = None  # kept open so the host may close and reopen the port
        self._port = ""
        self._parser = ev.EscPosParser()
        self._renderer = ReceiptRenderer(self.profile.dots_per_line)
        self._receipts: list[Receipt] = []
        self._received = 0
        self._garbage = False
        self._muted = False
        self._disconnect_in: int | None = None
        self._disconnected = False
        self.error: Exception | None = None  # what stopped the reader thread, if anything did

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> WirePrinterSimulator:
        if self._thread is not None:
            raise RuntimeError("the simulator is already running")
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation, no XON/XOFF: every byte passes as is
        os.set_blocking(master, False)  # answers to a host that does not read are dropped, not queued forever
        self._master, self._slave, self._port = master, slave, os.ttyname(slave)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="wire-printer-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the reader to finish, wait for it, then close the pty."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._close_master()
        if self._slave is not None:
            os.close(self._slave)
            self._slave = None

    def __enter__(self) -> WirePrinterSimulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> str:
        """The device path to open, e.g. serial.Serial(simulator.port, 115200, timeout=1)."""
        if not self._port:
            raise RuntimeError("start() the simulator first")
        return self._port

    # -- results ------------------------------------------------------------------------

    @property
    def receipts(self) -> list[Receipt]:
        """Every receipt cut so far, oldest first."""
        with self._condition:
            return list(self._receipts)

    @property
    def received_bytes(self) -> int:
        with self._condition:
            return self._received

    def in_progress(self) -> Receipt:
        """The paper printed since the last cut (for a job stopped by paper out)."""
        with self._condition:
            return self._renderer.receipt()

    def wait_for_receipts(self, n: int, timeout: float) -> bool:
        """True once `n` receipts have been cut; False after `timeout` seconds."""
        with self._condition:
            return self._condition.wait_for(lambda: len(self._receipts) >= n, timeout)

    def wait_for_bytes(self, n: int, timeout: float) -> bool:
        """True once `n` bytes have come down the line in total."""
        with self._condition:
            return self._condition.wait_for(lambda: self._received >= n, timeout)

    def wait_until_disconnected(self, timeout: float) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self._disconnected, timeout)

    # -- fault switches (the paper, cover and online ones come from PrinterState) --------

    def answer_garbage(self, on: bool = True) -> None:
        """Status answers with their fixed bits wrong, as from a printer in a bad state or noise."""
        with self._condition:
            self._garbage = on

    def mute(self, on: bool = True) -> None:
        """No status answers at all, as when the printer is off or the RX wire is broken."""
        with self._condition:
            self._muted = on

    def disconnect_after(self, n_bytes: int) -> None:
        """Hang up after `n_bytes` more bytes, as a pulled cable: the host's I/O then fails."""
        if n_bytes < 0:
            raise ValueError("n_bytes cannot be negative")
        with self._condition:
            self._disconnect_in = n_bytes

    # -- the reader thread --------------------------------------------------------------

    def _run(self) -> None:
        ready_at = time.monotonic()  # when a throttled line has delivered the last bytes read
        try:
            while not self._stop.is_set() and self._master is not None:
                if self._disconnect_due():
                    return
                if self.baud is not None:
                    delay = ready_at - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
                        continue
                readable, _, _ = select.select([self._master], [], [], POLL_SECONDS)
                if not readable:
                    continue
                try:
                    data = os.read(self._master, self._read_limit())
                except BlockingIOError:
                    continue
                except OSError as exc:
                    if exc.errno != errno.EIO:
                        raise
                    self._stop.wait(POLL_SECONDS)  # no slave side open; cannot happen while we hold one
                    continue
                if self.baud is not None:
                    ready_at = max(ready_at, time.monotonic()) + len(data) * BITS_PER_BYTE_ON_THE_LINE / self.baud
                self._take(data)
        except Exception as exc:  # a simulator bug: keep it visible, stop cleanly
            log.exception("wire printer simulator stopped")
            self.error = exc
        finally:
            with self._condition:
                self._condition.notify_all()

    def _read_limit(self) -> int:
        with self._condition:
            limit = READ_CHUNK if self._disconnect_in is None else min(READ_CHUNK, self._disconnect_in)
        if self.baud is not None:
            limit = min(limit, max(1, int(self.baud / BITS_PER_BYTE_ON_THE_LINE * THROTTLE_SLICE_SECONDS)))
        return limit

    def _disconnect_due(self) -> bool:
        with self._condition:
            if self._disconnect_in is None or self._disconnect_in > 0:
                return False
        self._close_master()  # before telling anyone: from then on the host's I/O fails
        with self._condition:
            self._disconnected = True
            self._condition.notify_all()
        log.info("simulated printer cable pulled")
        return True

    def _take(self, data: bytes) -> None:
        events = self._parser.feed(data)
        with self._condition:
            self._received += len(data)
            if self._disconnect_in is not None:
                self._disconnect_in -= len(data)
            for event in events:
                self._handle(event)
            self._condition.notify_all()

    def _handle(self, event: ev.Event) -> None:
        """One event, with the condition held."""
        if isinstance(event, ev.StatusRequest):
            self._answer(self.status_byte(escpos.StatusRequest(event.n)), escpos.FIXED_MASK)
        elif isinstance(event, ev.PaperSensorRequest):
            self._answer(self.paper_sensor_byte(), GS_R_FIXED_MASK)
        elif isinstance(event, _PRINTING) and not self.can_print:
            return  # a stopped printer prints nothing more: no text, no cut
        else:
            if isinstance(event, ev.Unknown):
                # only the command bytes: the rest may be data a citizen gave us
                log.info("unknown ESC/POS command %s (%d bytes)", event.data[:3].hex(" "), len(event.data))
            self._renderer.handle(event)
            if isinstance(event, ev.Cut):
                self._receipts.append(self._renderer.tear_off())

    def _answer(self, byte: int, fixed_mask: int) -> None:
        if self._muted or self._master is None:
            return
        if self._garbage:
            byte ^= fixed_mask  # every bit that must be 0 is 1 and the other way round
        try:
            os.write(self._master, bytes((byte,)))
        except BlockingIOError:
            log.warning("host does not read the printer's answers; one dropped")

    def _close_master(self) -> None:
        with self._condition:
            master, self._master = self._master, None
        if master is not None:
            os.close(master)

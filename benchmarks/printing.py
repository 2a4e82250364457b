"""Bytes on the wire and transfer time for a standard queue ticket, beside python-escpos.

Both tickets carry the same content: header, the number in 4x size, the topic, where to
wait, the time, a QR code (error correction M, 6 dots a module) and a partial cut. The
transfer time is measured through the real driver path (pyserial over a pseudo-terminal)
to the printer simulator throttled to the baud rate, until the cut has arrived: the
moment the ticket is ready to be torn off. Targets: fewer bytes than python-escpos's
default (image) QR ticket; ticket ready to cut in under 0.5 s at 115200 baud.

Run: .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/printing.py
"""

from __future__ import annotations

import datetime as dt
import time

from drivers.printer.document import Document
from drivers.printer.encoder import encode
from drivers.printer.escpos import EscPosPrinter
from drivers.printer.profile import PrinterProfile
from drivers.printer.serial_link import SerialLink
from drivers.printer.wire_simulator import WirePrinterSimulator
from kiosk.config import TopicSettings
from kiosk.i18n import Translator
from kiosk.print_layouts import queue_ticket
from kiosk.ticket_queue import QueueTicket

URL = "https://balie.example.nl/wachtrij/A042"
ISSUED = dt.datetime(2026, 3, 2, 9, 41)
TOPIC = TopicSettings(letter="A", name={"nl": "Paspoort ophalen"}, wait_area={"nl": "Wachtruimte A, begane grond"})
BAUDS = (9600, 115200)


def our_ticket() -> Document:
    return queue_ticket(
        QueueTicket("A042", TOPIC, ISSUED),
        Translator.for_language("nl"),
        municipality="Gemeente Voorbeeld",
        location="Stadswinkel Centrum",
        status_url=URL,
    )


def escpos_ticket(native_qr: bool) -> bytes:
    """The same ticket made with python-escpos, collected by its Dummy printer."""
    from escpos.constants import QR_ECLEVEL_M
    from escpos.printer import Dummy

    p = Dummy(profile="TM-T88V")  # an 80 mm Epson, so image centring knows the paper width
    p.set(align="center", bold=True)
    p.text("Gemeente Voorbeeld\n")
    p.set(align="center", bold=False)
    p.text("Stadswinkel Centrum\n\nUw nummer\n")
    p.set(align="center", bold=True, custom_size=True, width=4, height=4)
    p.text("A042\n")
    p.set(align="center", bold=True, normal_textsize=True)
    p.text("Paspoort ophalen\n\n")
    p.set(align="center", bold=False)
    p.text("Wacht in: Wachtruimte A, begane grond\n")
    p.text(ISSUED.strftime("%d-%m-%Y %H:%M") + "\n\n")
    # Native QR codes follow ESC a (set above); image ones are centred by python-escpos itself.
    p.qr(URL, ec=QR_ECLEVEL_M, size=6, native=native_qr, center=not native_qr)
    p.text("Scan om te zien wanneer u aan de beurt bent\n\n\n")
    p.cut(mode="PART")
    return bytes(p.output)


def ready_to_cut(send: str, payload: Document | bytes, baud: int, profile: PrinterProfile) -> float:
    """Seconds from handing the ticket to the driver until the simulator has the cut."""
    with WirePrinterSimulator(profile, baud=baud) as simulator:
        link = SerialLink(simulator.port, baudrate=baud, write_timeout=120)  # a slow line may hold a long job
        try:
            printer = EscPosPrinter(link, profile, timeout=2.0)
            printer.status()  # port open and printer answering before the clock starts
            started = time.perf_counter()
            if send == "driver":
                assert isinstance(payload, Document)
                printer.print(payload)
            else:
                assert isinstance(payload, bytes)
                link.write(payload)
            if not simulator.wait_for_receipts(1, timeout=120):
                raise RuntimeError("the ticket never reached the cut")
            return time.perf_counter() - started
        finally:
            link.close()


def main() -> None:
    document = our_ticket()
    native, raster = PrinterProfile(), PrinterProfile(native_qr=False)
    rows = [
        ("balie, native QR (GS ( k)", encode(document, native), "driver", document, native),
        ("balie, raster QR (GS v 0)", encode(document, raster), "driver", document, raster),
    ]
    try:
        rows += [
            ("python-escpos, default image QR", escpos_ticket(native_qr=False), "raw", None, native),
            ("python-escpos, native QR", escpos_ticket(native_qr=True), "raw", None, native),
        ]
    except ImportError:
        print("python-escpos is not installed (pip install -e '.[bench]'): no comparison rows")
    header = f"{'ticket':34} {'bytes':>7}" + "".join(f" {f'{b} baud':>12}" for b in BAUDS)
    print(header)
    print("-" * len(header))
    results: dict[str, int] = {}
    for name, data, send, doc, profile in rows:
        results[name] = len(data)
        payload: Document | bytes = doc if send == "driver" and doc is not None else data
        times = [ready_to_cut(send, payload, baud, profile) for baud in BAUDS]
        print(f"{name:34} {len(data):7d}" + "".join(f" {t * 1000:9.0f} ms" for t in times))
    baseline = results.get("python-escpos, default image QR")
    ours = results["balie, native QR (GS ( k)"]
    if baseline:
        verdict = "OK" if ours < baseline else "OVER"
        print(f"\nbytes, balie native / python-escpos image QR: {ours / baseline:.2f}x (target < 1) {verdict}")
    at_115200 = ready_to_cut("driver", document, 115200, native)
    print(
        f"ticket ready to cut at 115200 baud: {at_115200 * 1000:.0f} ms (target < 500 ms) "
        f"{'OK' if at_115200 < 0.5 else 'OVER'}"
    )


if __name__ == "__main__":
    main()

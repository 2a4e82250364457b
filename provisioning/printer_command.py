"""`balie printer …`: the technician's direct line to a receipt printer.

Output is one line per result and the exit code says whether it worked, because other
tools (the self-test, scripts) run these commands and read them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from drivers.printer.escpos import EscPosPrinter
    from drivers.printer.protocol import Printer, PrinterStatus
    from drivers.printer.serial_link import SerialLink

EXIT_OK, EXIT_PRINTER, EXIT_USAGE = 0, 1, 2
BAUD_RATES = (9600, 19200, 38400, 57600, 115200)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    printer = commands.add_parser("printer", help="print a test ticket or read a receipt printer's status")
    actions = printer.add_subparsers(dest="action", required=True, metavar="ACTION")

    def connection(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--port", required=True, help="/dev/ttyUSB0, /dev/ttyS0 or socket://HOST:9100")
        parser.add_argument("--baud", type=int, default=115200, choices=BAUD_RATES)
        parser.add_argument("--flow", default="none", choices=("none", "rtscts", "xonxoff", "dsrdtr"))
        parser.add_argument("--timeout", type=float, default=1.0, help="seconds to wait for the printer's answer")

    status = actions.add_parser("status", help="ask the printer how it is")
    connection(status)
    status.set_defaults(run=_status)

    ticket = actions.add_parser("ticket", help="print one queue ticket")
    connection(ticket)
    ticket.add_argument("--number", required=True, help="the ticket number, e.g. A042")
    ticket.add_argument("--topic", required=True, help='the topic, e.g. "Paspoort ophalen"')
    ticket.add_argument("--qr", default="", help="text for the QR code (a link to the ticket's page)")
    ticket.add_argument("--wait-area", default="", help="where to wait")
    ticket.add_argument("--paper", type=int, default=80, choices=(58, 80), help="paper width in mm")
    ticket.add_argument("--raster-qr", action="store_true", help="send the QR code as an image (older printers)")
    ticket.add_argument("--language", default="nl", choices=("nl", "en"))
    ticket.add_argument("--logo", type=Path, help="an image for the top of the ticket")
    ticket.add_argument("--header", default="", help="a line above the number, e.g. the municipality")
    ticket.set_defaults(run=_ticket)

    pdf = actions.add_parser(
        "pdf",
        help="print a PDF as a caseworker would send it (at most 5 pages, each cut off)",
        description="Print a PDF on the printer given by --port, or else the one in the kiosk's config "
        "(without --config: the simulated printer, whose receipts are saved as PNG in --out).",
    )
    pdf.add_argument("file", type=Path, metavar="FILE", help="the PDF to print")
    where = pdf.add_mutually_exclusive_group()
    where.add_argument("--config", type=Path, help="the kiosk's config (TOML): print on its [hardware.printer]")
    where.add_argument("--port", help="/dev/ttyUSB0, /dev/ttyS0 or socket://HOST:9100, instead of a config")
    pdf.add_argument("--baud", type=int, default=115200, choices=BAUD_RATES, help="with --port")
    pdf.add_argument("--flow", default="none", choices=("none", "rtscts", "xonxoff", "dsrdtr"), help="with --port")
    pdf.add_argument("--timeout", type=float, default=1.0, help="with --port: seconds to wait for the printer's answer")
    pdf.add_argument("--paper", type=int, default=80, choices=(58, 80), help="with --port: paper width in mm")
    pdf.add_argument("--out", type=Path, default=Path("."), help="folder for a simulated printer's receipts as PNG")
    pdf.set_defaults(run=_pdf)

    simulate = actions.add_parser("simulate", help="run a simulated printer on a pseudo-terminal")
    simulate.add_argument("--out", type=Path, default=Path("."), help="folder for the receipts as PNG")
    simulate.add_argument("--paper", default="ok", choices=("ok", "low", "out"))
    simulate.set_defaults(run=_simulate)


def _open(args: argparse.Namespace, paper_mm: int = 80, native_qr: bool = True) -> tuple[SerialLink, EscPosPrinter]:
    from drivers.printer.escpos import EscPosPrinter
    from drivers.printer.profile import PrinterProfile
    from drivers.printer.serial_link import SerialLink

    link = SerialLink(args.port, baudrate=args.baud, flow=args.flow)
    profile = PrinterProfile.for_paper(paper_mm, native_qr=native_qr)
    return link, EscPosPrinter(link, profile, timeout=args.timeout)


def describe(status: PrinterStatus) -> str:
    """The status as the one line technicians and tools read."""
    if not status.online and not (status.paper_end or status.cover_open):
        return "printer offline"
    for flag, words in (
        (status.paper_end, "printer out of paper"),
        (status.cover_open, "printer cover open"),
        (status.cutter_error, "printer cutter error"),
        (status.unrecoverable_error, "printer unrecoverable error"),
        (not status.online, "printer offline"),
        (status.paper_near_end, "printer paper low"),
    ):
        if flag:
            return words
    return "printer ok"


def _status(args: argparse.Namespace) -> int:
    from drivers.printer.protocol import PrinterError

    try:
        link, printer = _open(args)
        try:
            status = printer.status()
        finally:
            link.close()
    except PrinterError as exc:
        print(f"balie: {_lower(exc)}", file=sys.stderr)
        return EXIT_PRINTER
    line = describe(status)
    print(line)
    return EXIT_OK if line in ("printer ok", "printer paper low") else EXIT_PRINTER


def _ticket(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from drivers.printer.document import DocumentError
    from drivers.printer.logo import logo_raster
    from drivers.printer.protocol import PrinterError
    from kiosk.config import TopicSettings
    from kiosk.i18n import Translator
    from kiosk.print_layouts import queue_ticket
    from kiosk.ticket_queue import QueueTicket
    from kiosk.ui.text_raster import QtTextRasterizer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # fonts for text drawn as images
    topic = TopicSettings(letter=args.number[:1], name={"nl": args.topic}, wait_area={"nl": args.wait_area or "-"})
    ticket = QueueTicket(args.number, topic, dt.datetime.now())
    try:
        link, printer = _open(args, args.paper, native_qr=not args.raster_qr)
        logo = logo_raster(args.logo, printer.profile.dots_per_line) if args.logo else None
        document = queue_ticket(
            ticket,
            Translator.for_language(args.language),
            municipality=args.header,
            location="",
            status_url=args.qr,
            logo=logo,
        )
        try:
            before = describe(printer.status())
            if before not in ("printer ok", "printer paper low"):
                print(f"balie: {before}", file=sys.stderr)
                return EXIT_PRINTER
            status = printer.print(document, QtTextRasterizer())
        finally:
            link.close()
    except (PrinterError, DocumentError) as exc:
        print(f"balie: {_lower(exc)}", file=sys.stderr)
        return EXIT_PRINTER
    line = describe(status)
    print(f"ticket {args.number} printed" + (f" ({line})" if line != "printer ok" else ""))
    return EXIT_OK


def _pdf(args: argparse.Namespace) -> int:
    """Print a PDF; one line on success, one `balie: …` line on stderr when it cannot."""
    from drivers.printer.document import DocumentError, Raster
    from drivers.printer.pdf_document import pdf_document
    from drivers.printer.protocol import PrinterError

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"balie: cannot read {args.file}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return EXIT_USAGE
    printer = _open(args, args.paper)[1] if args.port else _configured_printer(args.config)
    try:
        document = pdf_document(data, printer.profile)
        before = describe(printer.status())
        if before not in ("printer ok", "printer paper low"):
            print(f"balie: {before}", file=sys.stderr)
            return EXIT_PRINTER
        status = printer.print(document)
        pages = sum(isinstance(block, Raster) for block in document.blocks)
        line = describe(status)
        print(f"{args.file.name} printed: {pages} page{'s' if pages != 1 else ''}" + _unless_ok(line), flush=True)
        _save_simulated_receipts(printer, pages, args.out)
    except (PrinterError, DocumentError) as exc:
        print(f"balie: {_lower(exc)}", file=sys.stderr)
        return EXIT_PRINTER
    finally:
        printer.close()
    return EXIT_OK


def _configured_printer(config_path: Path | None) -> Printer:
    """The printer the kiosk would use: [hardware.printer] of the config, simulated without one."""
    from drivers import registry
    from kiosk.config import load_config

    choice = load_config(config_path).hardware.printer  # a ConfigError becomes "balie: config error: …"
    return cast("Printer", registry.build("printer", choice.driver, choice.options))


def _save_simulated_receipts(printer: Printer, pages: int, folder: Path) -> None:
    """A simulated printer's paper, one PNG per page, so the printout can be looked at."""
    from drivers.printer.simulated_line import SimulatedLinePrinter

    if not isinstance(printer, SimulatedLinePrinter):
        return
    printer.simulator.wait_for_receipts(pages, timeout=10)
    folder.mkdir(parents=True, exist_ok=True)
    for number, receipt in enumerate(printer.simulator.receipts, 1):
        path = folder / f"receipt-{number:03d}.png"
        path.write_bytes(receipt.png)
        print(f"receipt {number}: {path}", flush=True)


def _unless_ok(line: str) -> str:
    return f" ({line})" if line != "printer ok" else ""


def _simulate(args: argparse.Namespace) -> int:
    from drivers.printer.wire_simulator import WirePrinterSimulator

    args.out.mkdir(parents=True, exist_ok=True)
    with WirePrinterSimulator(paper=args.paper) as simulator:
        print(f"simulated printer on {simulator.port} (Ctrl+C to stop)", flush=True)
        saved = 0
        try:
            while True:
                simulator.wait_for_receipts(saved + 1, timeout=3600)
                for receipt in simulator.receipts[saved:]:
                    saved += 1
                    path = args.out / f"receipt-{saved:03d}.png"
                    path.write_bytes(receipt.png)
                    print(f"receipt {saved}: {path}", flush=True)
        except KeyboardInterrupt:
            return EXIT_OK


def _lower(error: Exception) -> str:
    """ "Paper is out" reads "balie: paper is out"; "QR code …" keeps its capitals."""
    text = str(error) or type(error).__name__
    return text[:1].lower() + text[1:] if text[1:2].islower() else text

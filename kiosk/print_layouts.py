"""What the kiosk prints, as layouts: data in, a printer `Document` out.

The layouts decide content and emphasis only; how it is encoded and sent is the
printer driver's business. Texts are in the citizen's language, numbers and codes as
staff will call them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from drivers.printer.document import Align, Block, Cut, Document, Feed, QrCode, Raster, Text
from kiosk.appointments import Appointment
from kiosk.i18n import Translator, localized
from kiosk.ticket_queue import QueueTicket

NUMBER_SIZE = 4  # the ticket number, readable at arm's length


def _header(municipality: str, location: str, logo: Raster | None) -> list[Block]:
    blocks: list[Block] = [logo] if logo is not None else []
    if municipality:
        blocks.append(Text(municipality, Align.CENTER, bold=True))
    if location:
        blocks.append(Text(location, Align.CENTER))
    return [*blocks, Feed(1)] if blocks else blocks


def queue_ticket(
    ticket: QueueTicket,
    t: Translator,
    *,
    municipality: str,
    location: str,
    status_url: str = "",
    logo: Raster | None = None,
) -> Document:
    blocks = _header(municipality, location, logo)
    blocks += [
        Text(t.text("Your number"), Align.CENTER),
        Text(ticket.number, Align.CENTER, bold=True, size=NUMBER_SIZE),
        Text(localized(ticket.topic.name, t.language), Align.CENTER, bold=True),
        Feed(1),
        Text(t.text("Please wait in: {where}", where=localized(ticket.topic.wait_area, t.language)), Align.CENTER),
        Text(_when(ticket.issued), Align.CENTER),
    ]
    if status_url:
        blocks += [Feed(1), QrCode(status_url), Text(t.text("Scan to see your place in the queue"), Align.CENTER)]
    blocks += [Feed(2), Cut()]
    return Document(tuple(blocks))


def checkin_receipt(
    appointment: Appointment, t: Translator, *, municipality: str, location: str, logo: Raster | None = None
) -> Document:
    """No name on paper: a receipt left behind must not tell who was here."""
    blocks = _header(municipality, location, logo)
    blocks += [
        Text(t.text("You are checked in"), Align.CENTER, bold=True, size=2),
        Feed(1),
        Text(t.text("Appointment at {time}", time=appointment.starts.strftime("%H:%M")), Align.CENTER, bold=True),
        Text(localized(appointment.topic, t.language), Align.CENTER),
    ]
    where = localized(appointment.where, t.language)  # the backoffice names no waiting area
    if where:
        blocks.append(Text(t.text("Please wait in: {where}", where=where), Align.CENTER))
    blocks += [Feed(2), Cut()]
    return Document(tuple(blocks))


def scan_receipt(
    reference: str, pages: int, t: Translator, *, municipality: str, location: str, logo: Raster | None = None
) -> Document:
    """Proof of what was handed in; the reference finds it again, nothing on it says what it was."""
    blocks = _header(municipality, location, logo)
    blocks += [
        Text(t.text("Document received"), Align.CENTER, bold=True, size=2),
        Feed(1),
        Text(t.text("{pages} pages received", pages=pages) if pages != 1 else t.text("1 page received"), Align.CENTER),
        Text(t.text("Reference"), Align.CENTER),
        Text(reference, Align.CENTER, bold=True, size=2),
        Text(_when(dt.datetime.now()), Align.CENTER),
        Feed(2),
        Cut(),
    ]
    return Document(tuple(blocks))


def caseworker_document(
    lines: Sequence[str], images: Sequence[Raster] = (), *, municipality: str, location: str
) -> Document:
    """A document a caseworker sends to the kiosk: plain lines, then any images."""
    blocks = _header(municipality, location, None)
    blocks += [Text(line) for line in lines]
    blocks += list(images)
    blocks += [Feed(2), Cut()]
    return Document(tuple(blocks))


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%d-%m-%Y %H:%M")

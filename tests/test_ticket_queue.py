"""Queue numbers and the ticket layout, without a printer."""

from __future__ import annotations

import datetime as dt

from drivers.printer.document import Cut, QrCode, Text
from kiosk.config import QueueSettings, default_config
from kiosk.i18n import Translator
from kiosk.print_layouts import queue_ticket
from kiosk.ticket_queue import LocalTicketQueue


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 3, 2, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now


def test_numbers_per_topic_with_prefix_and_daily_restart() -> None:
    clock = Clock()
    settings = QueueSettings(prefix="2", topics=default_config().queue.topics)
    queue = LocalTicketQueue(settings, now=clock)
    assert [queue.take("A").number for _ in range(3)] == ["2-A001", "2-A002", "2-A003"]
    assert queue.take("C").number == "2-C001"
    clock.now += dt.timedelta(days=1)
    assert queue.take("A").number == "2-A001"


def test_spoken_form_reads_letter_and_number_apart() -> None:
    queue = LocalTicketQueue(default_config().queue)
    for _ in range(41):
        queue.take("B")
    ticket = queue.take("B")
    assert ticket.number == "B042"
    assert ticket.spoken() == "B 42"


def test_ticket_layout_in_the_citizens_language() -> None:
    config = default_config()
    queue = LocalTicketQueue(config.queue)
    ticket = queue.take("A")
    document = queue_ticket(
        ticket,
        Translator.for_language("en"),
        municipality="Gemeente Voorbeeld",
        location="Stadswinkel Centrum",
        status_url=queue.status_url(ticket),
    )
    texts = [block for block in document.blocks if isinstance(block, Text)]
    number = next(block for block in texts if block.text == "A001")
    assert number.size == 4 and number.bold
    assert any(block.text == "Passport or ID card" for block in texts)
    assert any(block.text == "Please wait in: Waiting area A, ground floor" for block in texts)
    assert QrCode("https://balie.example.nl/wachtrij/A001") in document.blocks
    assert isinstance(document.blocks[-1], Cut)


def test_caseworker_document_prints_lines_then_images() -> None:
    from drivers.printer.document import Raster
    from kiosk.print_layouts import caseworker_document

    stamp = Raster(8, 1, b"\xff")
    document = caseworker_document(
        ["Bevestiging van uw aanvraag", "Referentie: 2026-0412"],
        [stamp],
        municipality="Gemeente Voorbeeld",
        location="Stadswinkel Centrum",
    )
    texts = [block.text for block in document.blocks if isinstance(block, Text)]
    assert texts == [
        "Gemeente Voorbeeld",
        "Stadswinkel Centrum",
        "Bevestiging van uw aanvraag",
        "Referentie: 2026-0412",
    ]
    assert document.blocks.index(stamp) > max(i for i, b in enumerate(document.blocks) if isinstance(b, Text))
    assert isinstance(document.blocks[-1], Cut)

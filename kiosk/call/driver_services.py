"""The caseworker's requests done straight on the drivers, with no screen: for `balie call` and tests.

The kiosk's screens guide a citizen through the same requests (kiosk.ui); here a technician or a test
stands at the device: the document is expected on the reader already, a scan is the camera's current
picture, a message is printed to the terminal and spoken.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.call.identity_payload import identity_result
from kiosk.call.services import IdentityResult, ScannedPage, ServiceFailed
from kiosk.identity import MESSAGES, ReadResult, outcome_of_error, outcome_of_read

if TYPE_CHECKING:
    from drivers.cardreader.icao.document import CanKey, MrzKey
    from drivers.cardreader.icao.trust_store import TrustStore
    from drivers.registry import DriverSet

log = logging.getLogger(__name__)

CARD_WAIT_SECONDS = 20.0
FRAME_WAIT_SECONDS = 5.0


class DriverCallServices:
    def __init__(
        self,
        drivers: DriverSet,
        trust_store: TrustStore,
        access_key: MrzKey | CanKey | None,
        say: Callable[[str], None] = print,
        language: str = "nl",
    ) -> None:
        self.drivers = drivers
        self.trust_store = trust_store
        self.access_key = access_key
        self.say = say
        self.language = language

    def read_identity(self) -> IdentityResult:
        from drivers.cardreader.icao.reader import read_document
        from drivers.cardreader.transport import ApduTransport

        if self.access_key is None:
            raise ServiceFailed("no access key for this document: give --can, or the MRZ details")
        reader = self.drivers.cardreader
        deadline = time.monotonic() + CARD_WAIT_SECONDS
        while not reader.card_present():
            if time.monotonic() > deadline:
                raise ServiceFailed(MESSAGES[ReadResult.NO_DOCUMENT])
            time.sleep(0.2)
        transport = ApduTransport(reader)

        def transmit(apdu: bytes) -> bytes:
            response = transport.transmit(apdu)
            return response.data + bytes([response.sw1, response.sw2])

        try:
            read = read_document(transmit, self.access_key, self.trust_store, extended_length=transport.extended_length)
        except Exception as error:  # typed ICAO errors and driver faults alike become the caseworker's sentence
            outcome = outcome_of_error(error, self.access_key)
            raise ServiceFailed(outcome.message or outcome.kind.value) from None
        outcome = outcome_of_read(read)
        assert outcome.identity is not None
        return identity_result(outcome.identity)

    def scan_document(self) -> list[ScannedPage]:
        from drivers.camera.vision.scan_pdf import pages_to_pdf

        camera = self.drivers.camera
        if not camera.health().usable:
            raise ServiceFailed("the camera is not available")
        deadline = time.monotonic() + FRAME_WAIT_SECONDS
        frame = camera.latest_frame()
        while frame is None and time.monotonic() < deadline:
            time.sleep(0.05)
            frame = camera.latest_frame()
        if frame is None:
            raise ServiceFailed("the camera gave no picture")
        return [ScannedPage("application/pdf", pages_to_pdf([frame.image]))]

    def print_pdf(self, pdf: bytes) -> None:
        from drivers.printer.document import DocumentError
        from drivers.printer.pdf_document import pdf_document
        from drivers.printer.protocol import PrinterError

        printer = self.drivers.printer
        try:
            printer.print(pdf_document(pdf, printer.profile))
        except (PrinterError, DocumentError) as error:
            raise ServiceFailed(str(error)) from None

    def show_message(self, text: str) -> None:
        self.say(f"message: {text}")
        self.drivers.speech.say(text, self.language)

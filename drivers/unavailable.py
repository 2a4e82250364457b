"""Stand-ins for a device that is not there, so the kiosk never checks for None.

Each one reports MISSING with a reason a technician can act on, and refuses work the way
the real device would when absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.camera.protocol import Frame
from drivers.cardreader.protocol import CardAbsentError
from drivers.health import Health
from drivers.printer.document import Document, TextRasterizer
from drivers.printer.profile import PrinterProfile
from drivers.printer.protocol import PrinterError, PrinterStatus

if TYPE_CHECKING:
    from drivers.pcm import PcmFrame

NOT_CONFIGURED = "Not configured"


class UnavailableCamera:
    def __init__(self, reason: str = NOT_CONFIGURED) -> None:
        self.reason = reason

    def health(self) -> Health:
        return Health.missing(self.reason)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def latest_frame(self) -> Frame | None:
        return None

    def wait_for_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        """None at once: no frame will ever come, so a caller need not wait out `timeout`."""
        return None


class UnavailableCardReader:
    def __init__(self, reason: str = NOT_CONFIGURED) -> None:
        self.reason = reason

    def health(self) -> Health:
        return Health.missing(self.reason)

    def card_present(self) -> bool:
        return False

    def atr(self) -> bytes | None:
        return None

    def transmit(self, apdu: bytes) -> bytes:
        raise CardAbsentError(self.reason)


class UnavailablePrinter:
    def __init__(self, reason: str = NOT_CONFIGURED) -> None:
        self.reason = reason

    @property
    def profile(self) -> PrinterProfile:
        """The default 80 mm profile, so layouts can still be measured."""
        return PrinterProfile()

    def health(self) -> Health:
        return Health.missing(self.reason)

    def status(self) -> PrinterStatus:
        raise PrinterError(self.reason)

    def write(self, data: bytes) -> None:
        raise PrinterError(self.reason)

    def print(self, document: Document, rasterizer: TextRasterizer | None = None) -> PrinterStatus:
        raise PrinterError(self.reason)

    def close(self) -> None:
        pass


class UnavailableSpeech:
    def __init__(self, reason: str = NOT_CONFIGURED) -> None:
        self.reason = reason

    def health(self) -> Health:
        return Health.missing(self.reason)

    def say(self, text: str, language: str) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


class UnavailableMicrophone:
    def __init__(self, reason: str = NOT_CONFIGURED) -> None:
        self.reason = reason

    def health(self) -> Health:
        return Health.missing(self.reason)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def read_frame(self, timeout: float = 0.0) -> PcmFrame | None:
        """None at once: no sound will ever come, so a caller need not wait out `timeout`."""
        return None

    def pending(self) -> int:
        return 0


class UnavailableAudioOutput:
    def __init__(self, reason: str = NOT_CONFIGURED) -> None:
        self.reason = reason
        self.volume = 1.0

    def health(self) -> Health:
        return Health.missing(self.reason)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def play(self, frame: PcmFrame) -> None:
        pass

"""What a caseworker may ask of the kiosk during a call, and what the call tells whoever shows it.

The call engine knows WebRTC and signaling, not screens: reading the chip, scanning, printing and
showing a message are done by a `CallServices` the owner gives it — the kiosk's screens (the citizen is
guided) or, for `balie call`, the drivers directly. Each service method blocks and is run on a worker
thread, never on the call's event loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class CallPhase(StrEnum):
    CONNECTING = "connecting"  # reaching the backoffice
    WAITING = "waiting"  # in the queue
    CONNECTED = "connected"  # a caseworker answered and media flows
    RECONNECTING = "reconnecting"  # the network or the caseworker's page dropped; trying again
    ENDED = "ended"


class EndReason(StrEnum):
    """Why the call ended, as the kiosk must explain it (the backoffice's reasons plus the kiosk's own)."""

    CITIZEN = "citizen"
    CASEWORKER = "caseworker"
    UNANSWERED = "unanswered"
    NO_CASEWORKERS = "no_caseworkers"
    CLOSED = "closed"  # outside opening hours: the kiosk did not call
    KIOSK_GONE = "kiosk_gone"
    CASEWORKER_GONE = "caseworker_gone"
    NETWORK = "network"  # the kiosk could not reach the backoffice, or lost it for too long
    REFUSED = "refused"  # the backoffice refused this device (revoked, unknown token)


# Ends after which "call again, first in line" is offered.
CALL_AGAIN_REASONS = frozenset({EndReason.KIOSK_GONE, EndReason.CASEWORKER_GONE, EndReason.NETWORK})


@dataclass(frozen=True)
class CallUpdate:
    phase: CallPhase
    call_id: str | None = None
    position: int | None = None
    estimated_wait_seconds: int | None = None
    caseworker: str | None = None
    reason: EndReason | None = None
    video: bool = True  # False: an audio-only call (no camera)


class ServiceFailed(Exception):
    """A request could not be done; the text (plain, no personal data) goes to the caseworker."""


@dataclass(frozen=True)
class IdentityResult:
    """The chip as the console shows it: `document` fields, the photo as a data URL, the verdict."""

    document: dict[str, Any]
    verdict: str  # "verified", "failed" or "not_verifiable"
    verdict_detail: str = ""
    photo_data_url: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"IdentityResult(verdict={self.verdict})"


@dataclass(frozen=True)
class ScannedPage:
    content_type: str  # "application/pdf" or "image/jpeg"
    data: bytes = field(repr=False)


class CallServices(Protocol):
    def read_identity(self) -> IdentityResult:
        """Have the citizen lay their document on the reader and read its chip; raises ServiceFailed."""
        ...

    def scan_document(self) -> list[ScannedPage]:
        """Guide the citizen to scan a document; raises ServiceFailed."""
        ...

    def print_pdf(self, pdf: bytes) -> None:
        """Print on the kiosk printer; raises ServiceFailed with the printer's plain reason."""
        ...

    def show_message(self, text: str) -> None:
        """Show the caseworker's text large on the screen and speak it."""
        ...


class CallListener(Protocol):
    def call_update(self, update: CallUpdate) -> None:
        """Called on the call's thread; a Qt owner re-emits it as a signal."""
        ...

"""Scanned pages as one PDF, and the session's outbox of scans, both in memory only.

A citizen's documents (a letter from the tax office, a rental contract, a medical note)
must never be written to the kiosk's disk (AVG/GDPR, BIO: personal data only as long as
the session needs it). So the PDF is built in a BytesIO and the scans wait in a
`ScanOutbox` that the kiosk wipes when the session ends.
"""

from __future__ import annotations

import io
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage

Image = npt.NDArray[np.uint8]

# JPEG quality of each page in the PDF. A cleaned greyscale page is mostly pure white,
# which JPEG stores almost for free; 75 keeps small print and pencil crisp at 200 dpi
# and an A4 page near 150–300 kB.
JPEG_QUALITY = 75


def pages_to_pdf(pages: Sequence[Image], dpi: int = 200, quality: int = JPEG_QUALITY) -> bytes:
    """One PDF with a page per image, built in memory; never touches the disk.

    Greyscale (H×W) pages are stored as greyscale JPEG; colour pages (H×W×3, BGR as
    OpenCV gives them) as colour JPEG. `dpi` sets the printed size (a 1654×2339 image at
    200 dpi is an A4 page).
    """
    if not pages:
        raise ValueError("a PDF needs at least one page")
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    images = [_pil_page(page) for page in pages]
    buffer = io.BytesIO()
    # No title, author or subject: the file's metadata must not carry anything personal.
    images[0].save(
        buffer,
        "PDF",
        save_all=True,
        append_images=images[1:],
        resolution=float(dpi),
        quality=quality,
    )
    return buffer.getvalue()


def _pil_page(page: Image) -> PILImage.Image:
    array = np.ascontiguousarray(page, dtype=np.uint8)
    if array.ndim == 2:
        return PILImage.fromarray(array, mode="L")
    if array.ndim == 3 and array.shape[2] == 3:
        return PILImage.fromarray(np.ascontiguousarray(array[:, :, ::-1]), mode="RGB")
    raise ValueError(f"a page must be H×W (grey) or H×W×3 (BGR), not {array.shape}")


@dataclass(frozen=True, slots=True)
class ScanReceipt:
    """What the citizen is told (and may get printed): the scan's reference and size."""

    reference: str  # like "SCAN-7F3A2C": random, says nothing about the citizen
    pages: int


@dataclass(frozen=True, slots=True, repr=False)
class ScannedDocument:
    reference: str
    pages: int
    pdf: bytes
    created: float  # seconds since the epoch, from the outbox's clock

    def __repr__(self) -> str:  # keeps the document's bytes out of logs and tracebacks
        return f"ScannedDocument({self.reference!r}, pages={self.pages}, {len(self.pdf)} bytes)"


REFERENCE_PREFIX = "SCAN-"
REFERENCE_BYTES = 3  # six hex digits: plenty within one session, short to read aloud


class ScanOutbox:
    """The scans of one citizen session, held in memory until sent or wiped.

    Safe to use from the UI thread and an upload thread at once. `wipe()` is what the
    kiosk calls when the session ends: afterwards nothing of the scans is held here (the
    buffers are overwritten first, as far as Python lets us; copies handed out by
    `take_all()` are the taker's to drop).
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._documents: list[tuple[str, int, bytearray, float]] = []

    def add(self, pdf: bytes, pages: int) -> ScanReceipt:
        if pages < 1:
            raise ValueError("a scan has at least one page")
        if not pdf.startswith(b"%PDF"):
            raise ValueError("not a PDF")
        with self._lock:
            reference = self._new_reference()
            self._documents.append((reference, pages, bytearray(pdf), self._clock()))
        return ScanReceipt(reference, pages)

    def _new_reference(self) -> str:
        taken = {reference for reference, *_ in self._documents}
        while True:
            reference = REFERENCE_PREFIX + secrets.token_hex(REFERENCE_BYTES).upper()
            if reference not in taken:
                return reference

    def receipts(self) -> list[ScanReceipt]:
        """What is waiting, for the screen ("2 documents, 5 pages"), without the bytes."""
        with self._lock:
            return [ScanReceipt(reference, pages) for reference, pages, _, _ in self._documents]

    def take_all(self) -> list[ScannedDocument]:
        """Everything waiting, oldest first; the outbox is empty afterwards."""
        with self._lock:
            taken = [
                ScannedDocument(reference, pages, bytes(pdf), created)
                for reference, pages, pdf, created in self._documents
            ]
            self._clear()
        return taken

    def wipe(self) -> None:
        """Forget every scan (the session ended)."""
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        for _, _, pdf, _ in self._documents:
            pdf[:] = bytes(len(pdf))
        self._documents.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._documents)

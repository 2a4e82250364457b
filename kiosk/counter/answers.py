"""What the counter device answers the desk (DESK.md "Counter link"), as typed values.

An answer holds the citizen's data as it was captured (a chip read, grey page images) and becomes
JSON only in `message()`, which the link calls on its own thread: encoding a photo or pages as JPEG
never runs on the UI thread. Answers live in memory until sent (or dropped with the visit); their
`repr` shows only the type and id.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from kiosk.identity import VerifiedIdentity

JPEG_QUALITY = 85


@dataclass(frozen=True, repr=False)
class Answer:
    request_id: str | None

    kind: ClassVar[str] = ""

    def body(self) -> dict[str, Any]:
        return {}

    def message(self) -> dict[str, Any]:
        """The JSON object sent to the backoffice (may take a moment: JPEG encoding)."""
        head: dict[str, Any] = {"type": self.kind}
        if self.request_id is not None:
            head["id"] = self.request_id
        return {**head, **self.body()}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.request_id!r})"


@dataclass(frozen=True, repr=False)
class IdentityAnswer(Answer):
    """The same shape as the video call's `identity.result` (kiosk/call/identity_payload.py), plus
    `authenticity` as DESK.md names the verdict."""

    identity: VerifiedIdentity | None = field(default=None)
    kind = "identity"

    def body(self) -> dict[str, Any]:
        from kiosk.call.identity_payload import identity_result

        assert self.identity is not None
        result = identity_result(self.identity)
        return {
            "document": result.document,
            "verdict": result.verdict,
            "verdict_detail": result.verdict_detail,
            "authenticity": result.verdict,
            "photo": result.photo_data_url,
        }


@dataclass(frozen=True, repr=False)
class SummaryAnswer(Answer):
    correct: bool = False
    kind = "summary_answer"

    def body(self) -> dict[str, Any]:
        return {"correct": self.correct}


@dataclass(frozen=True, repr=False)
class SignatureAnswer(Answer):
    svg: str = ""
    png: bytes = b""
    strokes: tuple[tuple[tuple[float, float, int], ...], ...] = ()  # millimetres from the pad's corner, ms
    width_mm: float = 0.0
    height_mm: float = 0.0
    kind = "signature"

    def body(self) -> dict[str, Any]:
        return {
            "svg": self.svg,
            "png_base64": base64.b64encode(self.png).decode(),
            "strokes": [[list(point) for point in stroke] for stroke in self.strokes],
            "width_mm": self.width_mm,
            "height_mm": self.height_mm,
        }


@dataclass(frozen=True, repr=False)
class PrintedAnswer(Answer):
    ok: bool = False
    detail: str = ""
    kind = "printed"

    def body(self) -> dict[str, Any]:
        return {"ok": self.ok, "detail": self.detail}


@dataclass(frozen=True, repr=False, eq=False)
class ScanPagesAnswer(Answer):
    pages: tuple[npt.NDArray[np.uint8], ...] = ()  # cleaned grey pages, as the scan panel gives them
    kind = "scan_pages"

    def body(self) -> dict[str, Any]:
        return {"pages": [base64.b64encode(jpeg(page)).decode() for page in self.pages]}


@dataclass(frozen=True, repr=False)
class FeedbackAnswer(Answer):
    how_did_it_go: int | None = None  # 1-4, None when skipped
    how_are_you: str | None = None
    kind = "feedback"

    def body(self) -> dict[str, Any]:
        return {"how_did_it_go": self.how_did_it_go, "how_are_you": self.how_are_you}


@dataclass(frozen=True, repr=False)
class FailedAnswer(Answer):
    detail: str = ""
    kind = "failed"

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail}


@dataclass(frozen=True, repr=False)
class DeclinedAnswer(Answer):
    """The citizen said no to what was asked."""

    kind = "declined"


@dataclass(frozen=True, repr=False)
class HelpMessage(Answer):
    """Unsolicited: the citizen tapped "I don't understand" (with the request shown, if any)."""

    kind = "help"


def jpeg(page: npt.NDArray[np.uint8]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(page).save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()

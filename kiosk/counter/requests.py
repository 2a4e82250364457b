"""What the caseworker's desk page asks of the counter device (DESK.md "Counter link"), as typed values.

A request arrives as JSON from the backoffice, relayed as the desk page sent it; it is checked here
once, so the screens only ever see a well-formed request, and a malformed one is answered `failed`
with one sentence instead of being half shown. Requests may carry personal data (a summary's lines,
a CAN): their `repr` names only the kind and id, so no log line can leak them.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any

MAX_PDF_BYTES = 8 * 1024 * 1024  # as for a PDF during a video call
MAX_LINES = 40  # a summary or receipt longer than this does not fit a screen or a slip anyway
MAX_TEXT = 400
CAN_PATTERN = re.compile(r"\d{6}")  # ICAO 9303-11 §9.7.3: six digits printed on the card


class BadRequest(Exception):
    """The request cannot be shown; the text (one plain sentence, no personal data) goes back as `failed`."""


@dataclass(frozen=True)
class Request:
    id: str

    @property
    def kind(self) -> str:
        return KINDS_BY_CLASS[type(self)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"


@dataclass(frozen=True, repr=False)
class IdentifyRequest(Request):
    can: str | None = None  # when the caseworker already knows the card access number


@dataclass(frozen=True, slots=True)
class SummaryLine:
    label: str
    value: str


@dataclass(frozen=True, repr=False)
class SummaryRequest(Request):
    title: str = ""
    lines: tuple[SummaryLine, ...] = ()


@dataclass(frozen=True, repr=False)
class SignatureRequest(Request):
    purpose: str = ""


@dataclass(frozen=True, repr=False)
class PrintRequest(Request):
    """Either a PDF (rendered for the printer off the UI thread) or a receipt of a title and lines."""

    pdf: bytes | None = field(default=None)
    title: str = ""
    lines: tuple[str, ...] = ()


@dataclass(frozen=True, repr=False)
class ScanRequest(Request):
    pass


@dataclass(frozen=True, repr=False)
class FeedbackRequest(Request):
    pass


@dataclass(frozen=True, repr=False)
class WelcomeRequest(Request):
    """The visit is over: wipe everything about the citizen and show the welcome."""


KINDS_BY_CLASS: dict[type[Request], str] = {
    IdentifyRequest: "identify",
    SummaryRequest: "summary",
    SignatureRequest: "signature",
    PrintRequest: "print",
    ScanRequest: "scan",
    FeedbackRequest: "feedback",
    WelcomeRequest: "welcome",
}
REQUEST_TYPES = frozenset(KINDS_BY_CLASS.values())


def parse_request(message: dict[str, Any]) -> Request:
    """The request in a backoffice message of one of REQUEST_TYPES; raises BadRequest with why not."""
    kind = message.get("type")
    request_id = message.get("id")
    if not isinstance(request_id, str | int) or isinstance(request_id, bool) or str(request_id) == "":
        raise BadRequest(f"the {kind} request has no id")
    rid = str(request_id)
    if kind == "identify":
        can = message.get("can")
        if can is None or can == "":
            return IdentifyRequest(rid)
        if not isinstance(can, str) or not CAN_PATTERN.fullmatch(can.strip()):
            raise BadRequest("the card access number must be 6 digits")
        return IdentifyRequest(rid, can.strip())
    if kind == "summary":
        return SummaryRequest(rid, _text(message.get("title"), "title"), _summary_lines(message.get("lines")))
    if kind == "signature":
        return SignatureRequest(rid, _text(message.get("purpose"), "purpose"))
    if kind == "print":
        return _print_request(rid, message)
    if kind == "scan":
        return ScanRequest(rid)
    if kind == "feedback":
        return FeedbackRequest(rid)
    if kind == "welcome":
        return WelcomeRequest(rid)
    raise BadRequest(f"the counter device does not know the request {str(kind)[:40]!r}")


def _text(value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadRequest(f"the {name} must be text")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise BadRequest(f"the {name} is longer than {MAX_TEXT} characters")
    return text


def _summary_lines(value: object) -> tuple[SummaryLine, ...]:
    if not isinstance(value, list) or not value:
        raise BadRequest("a summary needs lines to show")
    if len(value) > MAX_LINES:
        raise BadRequest(f"a summary can show at most {MAX_LINES} lines")
    lines = []
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest("each summary line needs a label and a value")
        lines.append(SummaryLine(_text(item.get("label"), "label"), _text(item.get("value"), "value")))
    return tuple(lines)


def _receipt_lines(value: object) -> tuple[str, ...]:
    """Receipt lines as plain strings; a {label, value} line (as in a summary) becomes "label: value"."""
    if value is None:
        return ()
    if not isinstance(value, list) or len(value) > MAX_LINES:
        raise BadRequest(f"a receipt's lines must be a list of at most {MAX_LINES}")
    lines = []
    for item in value:
        if isinstance(item, dict):
            label, text = _text(item.get("label"), "label"), _text(item.get("value"), "value")
            lines.append(f"{label}: {text}" if label else text)
        else:
            lines.append(_text(item, "line"))
    return tuple(lines)


def _print_request(rid: str, message: dict[str, Any]) -> PrintRequest:
    encoded = message.get("pdf_base64")
    if encoded is not None:
        if not isinstance(encoded, str):
            raise BadRequest("the PDF did not arrive intact")
        try:
            pdf = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("the PDF did not arrive intact") from None
        if not pdf or len(pdf) > MAX_PDF_BYTES:
            raise BadRequest("the PDF is empty or larger than 8 MB")
        return PrintRequest(rid, pdf=pdf)
    receipt = message.get("receipt")
    if not isinstance(receipt, dict):
        raise BadRequest("a print request needs a PDF or a receipt")
    title, lines = _text(receipt.get("title"), "title"), _receipt_lines(receipt.get("lines"))
    if not title and not lines:
        raise BadRequest("the receipt has nothing to print")
    return PrintRequest(rid, title=title, lines=lines)

"""Command APDU parsing (ISO/IEC 7816-4 §5.1, "Command-response pairs").

Kept apart from any card so every virtual card (and later a passport simulator) parses
the same way, and so the length rules, which are easy to get subtly wrong, are tested once.

Layout: header CLA INS P1 P2, then one of the four cases of §5.1 (short or extended):

    case 1   (no body)
    case 2S  Le                      (1 byte;  00 means 256)
    case 3S  Lc data                 (Lc 1 byte, 01..FF)
    case 4S  Lc data Le
    case 2E  00 Le1 Le2              (00 00 means 65 536)
    case 3E  00 Lc1 Lc2 data         (Lc 0001..FFFF)
    case 4E  00 Lc1 Lc2 data Le1 Le2 (Le without the leading 00)
"""

from __future__ import annotations

from dataclasses import dataclass

HEADER_LENGTH = 4
# Case 4E with the largest body: header, 00 Lc1 Lc2, 65 535 data bytes, Le1 Le2.
MAX_COMMAND_LENGTH = HEADER_LENGTH + 3 + 0xFFFF + 2


class MalformedApduError(ValueError):
    """The bytes do not form a command APDU; a card answers SW 6700 (wrong length)."""


@dataclass(frozen=True, slots=True)
class CommandApdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    ne: int | None = None  # response bytes expected (Le decoded), None when Le is absent
    extended: bool = False


def parse_command_apdu(apdu: bytes) -> CommandApdu:
    """Split a command APDU into its fields; raises MalformedApduError on bad lengths."""
    if len(apdu) < HEADER_LENGTH:
        raise MalformedApduError("shorter than the 4-byte header")
    cla, ins, p1, p2 = apdu[:HEADER_LENGTH]
    body = apdu[HEADER_LENGTH:]
    size = len(body)
    if size == 0:  # case 1
        return CommandApdu(cla, ins, p1, p2)
    if size == 1:  # case 2S
        return CommandApdu(cla, ins, p1, p2, ne=body[0] or 256)
    if body[0] != 0:  # short Lc
        lc = body[0]
        if size == 1 + lc:  # case 3S
            return CommandApdu(cla, ins, p1, p2, data=bytes(body[1:]))
        if size == 2 + lc:  # case 4S
            return CommandApdu(cla, ins, p1, p2, data=bytes(body[1:-1]), ne=body[-1] or 256)
        raise MalformedApduError(f"Lc is {lc} but {size - 1} bytes follow it")
    # A body starting with 00 and longer than one byte uses extended length fields.
    if size == 3:  # case 2E
        return CommandApdu(cla, ins, p1, p2, ne=int.from_bytes(body[1:3]) or 65536, extended=True)
    if size < 3:
        raise MalformedApduError("extended length field is cut short")
    lc = int.from_bytes(body[1:3])
    if lc == 0:
        raise MalformedApduError("extended Lc of 0000 is not allowed")
    if size == 3 + lc:  # case 3E
        return CommandApdu(cla, ins, p1, p2, data=bytes(body[3:]), extended=True)
    if size == 5 + lc:  # case 4E
        ne = int.from_bytes(body[-2:]) or 65536
        return CommandApdu(cla, ins, p1, p2, data=bytes(body[3:-2]), ne=ne, extended=True)
    raise MalformedApduError(f"extended Lc is {lc} but {size - 3} bytes follow it")

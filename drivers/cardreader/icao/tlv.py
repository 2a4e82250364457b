"""BER-TLV as used by the eMRTD Logical Data Structure (ICAO 9303-10 §4.4, ISO/IEC 7816-4 §5.2).

Every LDS file is one TLV object: a tag of one to three bytes (e.g. 61, 5F1F, 7F61), a length
in short form (00–7F) or long form (81–84 followed by one to four length bytes), then the
value. Constructed objects (bit 6 of the first tag byte set) contain further TLVs.

The parser is written for data from an untrusted chip: every read is bounds checked and all
failures are ``TlvError`` with a plain-word message, never IndexError or ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.cardreader.icao.errors import MalformedDataError

MAX_TAG_BYTES = 3  # ICAO 9303-10 uses tags of at most two bytes; ISO/IEC 7816-4 allows three
MAX_LENGTH_BYTES = 4  # long form 81..84, ISO/IEC 7816-4 §5.2.2.2
_SHORT_FORM_LIMIT = 0x80
_LONG_FORM = 0x80
_MULTI_BYTE_TAG = 0x1F  # low five bits all set: the tag number continues in the next byte(s)
_MORE_TAG_BYTES = 0x80  # in subsequent tag bytes: another byte follows
_CONSTRUCTED = 0x20


class TlvError(MalformedDataError):
    """The bytes are not well-formed BER-TLV (truncated, bad length form, oversized tag)."""


@dataclass(frozen=True, slots=True)
class Tlv:
    """One decoded data object; ``tag`` is the tag bytes read as a big-endian number (5F1F → 0x5F1F)."""

    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        """Whether the value holds nested TLVs (bit 6 of the first tag byte, ISO/IEC 7816-4 §5.2.2.1)."""
        return bool(_tag_bytes(self.tag)[0] & _CONSTRUCTED)

    def children(self) -> list[Tlv]:
        """The nested data objects of a constructed TLV (e.g. 5F01, 5F36, 5C inside EF.COM)."""
        return parse_tlvs(self.value)

    def encode(self) -> bytes:
        return encode_tlv(self.tag, self.value)


def _read_header(data: bytes, offset: int) -> tuple[int, int, int] | None:
    """Tag, value length and value offset of the TLV at ``offset``; None if ``data`` ends too soon."""
    if offset < 0:
        raise TlvError("a TLV cannot start before the data")
    pos = offset
    if pos >= len(data):
        return None
    first = data[pos]
    pos += 1
    tag = first
    if first & _MULTI_BYTE_TAG == _MULTI_BYTE_TAG:
        while True:
            if pos >= len(data):
                return None
            byte = data[pos]
            pos += 1
            tag = (tag << 8) | byte
            if pos - offset > MAX_TAG_BYTES:
                raise TlvError("the tag is longer than three bytes")
            if not byte & _MORE_TAG_BYTES:
                break
    if pos >= len(data):
        return None
    length_byte = data[pos]
    pos += 1
    if length_byte < _SHORT_FORM_LIMIT:
        return tag, length_byte, pos
    count = length_byte & 0x7F
    if length_byte == _LONG_FORM:
        raise TlvError("indefinite lengths are not allowed in the eMRTD data structure")
    if count > MAX_LENGTH_BYTES:
        raise TlvError(f"a length of {count} bytes is longer than the four the standard allows")
    if pos + count > len(data):
        return None
    length = int.from_bytes(data[pos : pos + count], "big")
    return tag, length, pos + count


def read_tlv(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """Decode the TLV starting at ``offset``; returns it and the offset just past its value."""
    header = _read_header(data, offset)
    if header is None:
        raise TlvError("the data ends inside a tag or length")
    tag, length, start = header
    end = start + length
    if end > len(data):
        raise TlvError(f"a value of {length} bytes does not fit in the {len(data) - start} bytes that remain")
    return Tlv(tag, bytes(data[start:end])), end


def parse_tlvs(data: bytes) -> list[Tlv]:
    """Decode a concatenation of TLVs that fills ``data`` exactly."""
    out: list[Tlv] = []
    offset = 0
    while offset < len(data):
        tlv, offset = read_tlv(data, offset)
        out.append(tlv)
    return out


def total_file_length(head: bytes) -> int | None:
    """Full length (header + value) of the TLV that begins ``head``; None if more bytes are needed.

    A reader first reads a few bytes of an EF (ICAO 9303-10 §3.4: every EF is one TLV), asks
    this function how long the file is, and then reads exactly that much.
    """
    header = _read_header(head, 0)
    if header is None:
        return None
    _tag, length, start = header
    return start + length


def _tag_bytes(tag: int) -> bytes:
    if tag < 0 or tag >= 1 << (8 * MAX_TAG_BYTES):
        raise TlvError(f"tag {tag:#x} does not fit in three bytes")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_length(n: int) -> bytes:
    """Length field in the shortest form: one byte below 128, else 81–84 and the big-endian length."""
    if n < 0:
        raise TlvError("a length cannot be negative")
    if n < _SHORT_FORM_LIMIT:
        return bytes([n])
    size = (n.bit_length() + 7) // 8
    if size > MAX_LENGTH_BYTES:
        raise TlvError(f"{n} bytes is more than a four-byte length can express")
    return bytes([_LONG_FORM | size]) + n.to_bytes(size, "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    """Encode one data object; ``tag`` as an integer, e.g. 0x5F1F for the MRZ in DG1."""
    return _tag_bytes(tag) + encode_length(len(value)) + value


def read_file_tlv(data: bytes, tag: int, name: str) -> Tlv:
    """The outer TLV of an LDS file, which must carry ``tag`` (e.g. 61 for DG1).

    Bytes after the object are ignored: some chips report a file size rounded up to a block
    and pad the rest, and the TLV length is what counts (ICAO 9303-10 §4.4).
    """
    tlv, _end = read_tlv(data)
    if tlv.tag != tag:
        raise TlvError(f"{name} should start with tag {tag:X}, but starts with {tlv.tag:X}")
    return tlv

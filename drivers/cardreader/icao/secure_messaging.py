"""Secure messaging with 3DES session keys, ICAO 9303-11 §9.8.

Every command after BAC is wrapped (:meth:`SecureMessaging.protect`) and every answer
unwrapped (:meth:`SecureMessaging.unprotect`). Both sides count messages with the send
sequence counter (SSC, §9.8.2), incremented before each command and each response MAC.

Command layout (§9.8.4, Figure 4):  CLA' INS P1 P2  Lc'  [DO'87']  [DO'97']  DO'8E'  Le'
Response layout (§9.8.5, Figure 5): [DO'87']  DO'99'  DO'8E'  SW1 SW2
"""

from __future__ import annotations

import hmac

from drivers.cardreader.apdu import MalformedApduError, parse_command_apdu
from drivers.cardreader.icao.bac import decrypt, encrypt, mac, pad, unpad
from drivers.cardreader.icao.errors import SecureMessagingError

SM_CLA_BITS = 0x0C  # ISO/IEC 7816-4 §5.4.1: secure messaging, command header authenticated
TAG_ENCRYPTED = 0x87  # padding-content indicator followed by cryptogram (§9.8.4)
TAG_LE = 0x97  # protected Le (§9.8.4)
TAG_STATUS = 0x99  # protected status word (§9.8.5)
TAG_MAC = 0x8E  # cryptographic checksum (§9.8.4)
PADDING_INDICATOR = 0x01  # ISO/IEC 9797-1 padding method 2 was applied (§9.8.4)
MAC_LENGTH = 8
SHORT_BODY_MAX = 0xFF
EXTENDED_LE_MAX = 65536


def _ber_length(length: int) -> bytes:
    """BER-TLV length field (ISO/IEC 7816-4 §5.2.2.2): 1, 2 or 3 bytes."""
    if length < 0x80:
        return bytes([length])
    if length <= 0xFF:
        return bytes([0x81, length])
    if length <= 0xFFFF:
        return b"\x82" + length.to_bytes(2, "big")
    raise ValueError("data object too long for secure messaging")


def _data_object(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + _ber_length(len(value)) + value


def _parse_data_objects(data: bytes) -> list[tuple[int, bytes]]:
    """Split a run of single-byte-tag BER-TLV data objects; raises SecureMessagingError if cut short."""
    objects: list[tuple[int, bytes]] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise SecureMessagingError("the chip's answer ends in the middle of a field")
        tag, first = data[offset], data[offset + 1]
        offset += 2
        if first < 0x80:
            length = first
        elif first in (0x81, 0x82):
            size = first - 0x80
            if offset + size > len(data):
                raise SecureMessagingError("the chip's answer ends in the middle of a field")
            length = int.from_bytes(data[offset : offset + size], "big")
            offset += size
        else:
            raise SecureMessagingError("the chip's answer has a field length this reader does not understand")
        if offset + length > len(data):
            raise SecureMessagingError("the chip's answer ends in the middle of a field")
        objects.append((tag, data[offset : offset + length]))
        offset += length
    return objects


def _encode_le(ne: int, extended: bool) -> bytes:
    """Value of DO'97': Ne as a short (1 byte, 256 -> 00) or extended (2 bytes, 65536 -> 0000) Le."""
    if extended or ne > 256:
        return (ne % EXTENDED_LE_MAX).to_bytes(2, "big")
    return bytes([ne % 256])


class SecureMessaging:
    """One secure-messaging session: KS_Enc, KS_MAC and the SSC (ICAO 9303-11 §9.8)."""

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: bytes) -> None:
        if len(ks_enc) != 16 or len(ks_mac) != 16:
            raise ValueError("KS_Enc and KS_MAC must be 16 bytes each")
        if len(ssc) != 8:
            raise ValueError("the send sequence counter must be 8 bytes")
        self._ks_enc = ks_enc
        self._ks_mac = ks_mac
        self._ssc = int.from_bytes(ssc, "big")

    @property
    def ssc(self) -> bytes:
        """Current send sequence counter value."""
        return self._ssc.to_bytes(8, "big")

    def _next_ssc(self) -> bytes:
        # §9.8.2: the SSC is incremented before each command and each response is checked.
        self._ssc = (self._ssc + 1) % (1 << 64)
        return self.ssc

    def protect(self, apdu: bytes) -> bytes:
        """Wrap a plain command APDU, ICAO 9303-11 §9.8.4 and Appendix D.4."""
        try:
            command = parse_command_apdu(apdu)
        except MalformedApduError as error:
            raise SecureMessagingError(f"the command to protect is not a valid APDU ({error})") from error
        cla = command.cla | SM_CLA_BITS
        header = bytes([cla, command.ins, command.p1, command.p2])

        body = b""
        if command.data:
            cryptogram = encrypt(self._ks_enc, pad(command.data))
            body += _data_object(TAG_ENCRYPTED, bytes([PADDING_INDICATOR]) + cryptogram)
        if command.ne is not None:
            body += _data_object(TAG_LE, _encode_le(command.ne, command.extended))

        ssc = self._next_ssc()
        checksum = mac(self._ks_mac, ssc + pad(header) + body)
        body += _data_object(TAG_MAC, checksum)

        # The protected command is always case 4; Le' = 00 (or 0000) asks for whatever the chip has.
        if command.extended or len(body) > SHORT_BODY_MAX:
            return header + b"\x00" + len(body).to_bytes(2, "big") + body + b"\x00\x00"
        return header + bytes([len(body)]) + body + b"\x00"

    def unprotect(self, response: bytes) -> bytes:
        """Check and unwrap a protected response; returns the plain data followed by SW1 SW2.

        ICAO 9303-11 §9.8.5: the MAC over SSC || DO'87' || DO'99' is verified before any
        field is decrypted or believed. Raises SecureMessagingError on any failure.
        """
        if len(response) < 2:
            raise SecureMessagingError("the chip's answer is shorter than a status word")
        body, trailer = response[:-2], response[-2:]
        ssc = self._next_ssc()
        if not body:
            # The chip dropped secure messaging (e.g. SW 6987/6988): nothing here can be trusted.
            raise SecureMessagingError(f"the chip answered without secure messaging (status {trailer.hex().upper()})")

        objects = _parse_data_objects(body)
        checksum = [value for tag, value in objects if tag == TAG_MAC]
        if len(checksum) != 1 or objects[-1][0] != TAG_MAC:
            raise SecureMessagingError("the chip's answer carries no integrity check")
        covered = b"".join(_data_object(tag, value) for tag, value in objects[:-1])
        expected = mac(self._ks_mac, ssc + covered)
        if not hmac.compare_digest(expected, checksum[0]):
            raise SecureMessagingError("the chip's answer failed its integrity check")

        data = b""
        status = trailer
        for tag, value in objects[:-1]:
            if tag == TAG_ENCRYPTED:
                if not value or value[0] != PADDING_INDICATOR or (len(value) - 1) % 8:
                    raise SecureMessagingError("the chip's encrypted data is not in the expected format")
                try:
                    data = unpad(decrypt(self._ks_enc, value[1:]))
                except ValueError as error:
                    raise SecureMessagingError("the chip's encrypted data did not decrypt cleanly") from error
            elif tag == TAG_STATUS:
                if len(value) != 2:
                    raise SecureMessagingError("the chip's protected status word has the wrong length")
                status = value
            else:
                raise SecureMessagingError(f"the chip's answer has an unexpected field (tag {tag:02X})")
        return data + status

"""Secure messaging with 3DES (after BAC) or AES (after PACE) session keys, ICAO 9303-11 §9.8.

Every command after access control is wrapped (:meth:`SecureMessaging.protect`) and every
answer unwrapped (:meth:`SecureMessaging.unprotect`). The chip side does the mirror image
(:class:`ChipSecureMessaging`), so a virtual chip speaks exactly what a terminal expects.
Both sides count messages with the send sequence counter (SSC, §9.8.2), incremented before
each command and before each response, on both sides.

Command layout (§9.8.4, Figure 4):  CLA' INS P1 P2  Lc'  [DO'87' | DO'85']  [DO'97']  DO'8E'  Le'
Response layout (§9.8.5, Figure 5): [DO'87' | DO'85']  DO'99'  DO'8E'  SW1 SW2

DO'87' carries a padding-content indicator (01) and the cryptogram; for an odd INS (e.g.
READ BINARY B1, whose data is BER-TLV) DO'85' carries the cryptogram without indicator.

The two cipher suites differ only in the primitives (§9.8.6, §9.8.7):

* 3DES: two-key 3DES-CBC with a zero IV, retail MAC, 8-byte blocks and SSC.
* AES: AES-CBC with IV = AES-ECB(KS_Enc, SSC), AES-CMAC truncated to 8 bytes, 16-byte
  blocks and SSC. The data is padded (ISO/IEC 9797-1 method 2) to the block size before
  either operation.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Protocol, Self, overload

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from drivers.cardreader.apdu import MalformedApduError, parse_command_apdu
from drivers.cardreader.icao.bac import decrypt, encrypt, mac
from drivers.cardreader.icao.errors import SecureMessagingError
from drivers.cardreader.icao.tlv import TlvError, encode_tlv, read_tlv

SM_CLA_BITS = 0x0C  # ISO/IEC 7816-4 §5.4.1: secure messaging, command header authenticated
TAG_ENCRYPTED = 0x87  # padding-content indicator followed by cryptogram (§9.8.4)
TAG_ENCRYPTED_ODD = 0x85  # cryptogram of BER-TLV data, no indicator: odd INS (§9.8.4)
TAG_LE = 0x97  # protected Le (§9.8.4)
TAG_STATUS = 0x99  # protected status word (§9.8.5)
TAG_MAC = 0x8E  # cryptographic checksum (§9.8.4)
PADDING_INDICATOR = 0x01  # ISO/IEC 9797-1 padding method 2 was applied (§9.8.4)
MAC_LENGTH = 8
SHORT_BODY_MAX = 0xFF
SHORT_RESPONSE_MAX = 256
EXTENDED_LE_MAX = 65536
DES_BLOCK = 8
AES_BLOCK = 16
AES_KEY_LENGTHS = (16, 24, 32)


def pad_to(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2 to a multiple of ``block`` (ICAO 9303-11 §9.8.3)."""
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % block)


def unpad_from(data: bytes, block: int) -> bytes:
    """Remove ISO/IEC 9797-1 padding method 2; raises ValueError if it is not there."""
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80") or len(data) - len(stripped) >= block:
        raise ValueError("padding method 2 not found")
    return stripped[:-1]


class _Suite(Protocol):
    """The primitives one cipher suite brings to secure messaging."""

    @property
    def block(self) -> int: ...

    def encrypt(self, ssc: bytes, padded: bytes) -> bytes: ...

    def decrypt(self, ssc: bytes, cryptogram: bytes) -> bytes: ...

    def mac(self, message: bytes) -> bytes:
        """8-byte MAC over ``message`` after padding it to the block size."""
        ...


@dataclass(frozen=True, slots=True)
class _TripleDesSuite:
    """§9.8.6: 3DES-CBC with zero IV and ISO/IEC 9797-1 MAC algorithm 3 (the SSC is inside the MAC only)."""

    ks_enc: bytes
    ks_mac: bytes
    block: int = DES_BLOCK

    def encrypt(self, ssc: bytes, padded: bytes) -> bytes:
        return encrypt(self.ks_enc, padded)

    def decrypt(self, ssc: bytes, cryptogram: bytes) -> bytes:
        return decrypt(self.ks_enc, cryptogram)

    def mac(self, message: bytes) -> bytes:
        return mac(self.ks_mac, message)  # pads with method 2 itself


def aes_cmac(key: bytes, message: bytes) -> bytes:
    """AES-CMAC (NIST SP 800-38B) truncated to 8 bytes, as used by PACE and AES secure messaging (§9.8.7.2)."""
    signer = cmac.CMAC(algorithms.AES(key))
    signer.update(message)
    return signer.finalize()[:MAC_LENGTH]


@dataclass(frozen=True, slots=True)
class _AesSuite:
    """§9.8.7: AES-CBC with IV = E(KS_Enc, SSC) and AES-CMAC-8 over the padded message."""

    ks_enc: bytes
    ks_mac: bytes
    block: int = AES_BLOCK

    def _iv(self, ssc: bytes) -> bytes:
        encryptor = Cipher(algorithms.AES(self.ks_enc), modes.ECB()).encryptor()
        return encryptor.update(ssc) + encryptor.finalize()

    def encrypt(self, ssc: bytes, padded: bytes) -> bytes:
        encryptor = Cipher(algorithms.AES(self.ks_enc), modes.CBC(self._iv(ssc))).encryptor()
        return encryptor.update(padded) + encryptor.finalize()

    def decrypt(self, ssc: bytes, cryptogram: bytes) -> bytes:
        decryptor = Cipher(algorithms.AES(self.ks_enc), modes.CBC(self._iv(ssc))).decryptor()
        return decryptor.update(cryptogram) + decryptor.finalize()

    def mac(self, message: bytes) -> bytes:
        return aes_cmac(self.ks_mac, pad_to(message, AES_BLOCK))


@dataclass(frozen=True, slots=True)
class _DataObject:
    tag: int
    value: bytes
    encoded: bytes  # exactly as received, so the MAC covers what was sent


def _parse_data_objects(data: bytes, who: str) -> list[_DataObject]:
    """Split a run of BER-TLV data objects (tlv.py); raises SecureMessagingError if malformed."""
    objects: list[_DataObject] = []
    offset = 0
    while offset < len(data):
        start = offset
        try:
            found, offset = read_tlv(data, offset)
        except TlvError as error:
            raise SecureMessagingError(f"{who} ends in the middle of a field ({error})") from error
        objects.append(_DataObject(found.tag, found.value, data[start:offset]))
    return objects


def _encode_le(ne: int, extended: bool) -> bytes:
    """Value of DO'97': Ne as a short (1 byte, 256 -> 00) or extended (2 bytes, 65536 -> 0000) Le."""
    if extended or ne > SHORT_RESPONSE_MAX:
        return (ne % EXTENDED_LE_MAX).to_bytes(2, "big")
    return bytes([ne % SHORT_RESPONSE_MAX])


def encode_command_apdu(header: bytes, data: bytes, ne: int | None, extended: bool) -> bytes:
    """Build a command APDU in one of the cases of ISO/IEC 7816-4 §5.1 (short or extended)."""
    extended = extended or len(data) > SHORT_BODY_MAX or (ne is not None and ne > SHORT_RESPONSE_MAX)
    if not extended:
        body = (bytes([len(data)]) + data) if data else b""
        if ne is not None:
            body += bytes([ne % SHORT_RESPONSE_MAX])
        return header + body
    body = (b"\x00" + len(data).to_bytes(2, "big") + data) if data else b""
    if ne is not None:
        body += (b"" if data else b"\x00") + (ne % EXTENDED_LE_MAX).to_bytes(2, "big")
    return header + body


def protected_response_length(plain_length: int, block: int) -> int:
    """Bytes of response data (before SW) that protecting ``plain_length`` bytes of even-INS data yields."""
    size = 0
    if plain_length:
        value = 1 + (plain_length // block + 1) * block  # indicator and padded cryptogram
        length_field = 1 if value < 0x80 else 2 if value <= 0xFF else 3 if value <= 0xFFFF else 4
        size += 1 + length_field + value
    return size + 4 + 2 + MAC_LENGTH  # DO'99' and DO'8E'


class SecureChannel:
    """State shared by both ends of a secure-messaging session: suite, keys and the SSC.

    Use :class:`SecureMessaging` (terminal) or :class:`ChipSecureMessaging` (chip).
    """

    _suite: _Suite
    _ssc: int
    _ssc_length: int

    def __init__(self, ks_enc: bytes, ks_mac: bytes, ssc: bytes) -> None:
        """3DES session keys as agreed by BAC (§9.7.1) or PACE with 3DES; 8-byte SSC."""
        if len(ks_enc) != 16 or len(ks_mac) != 16:
            raise ValueError("KS_Enc and KS_MAC must be 16 bytes each")
        if len(ssc) != DES_BLOCK:
            raise ValueError("the send sequence counter must be 8 bytes")
        self._setup(_TripleDesSuite(ks_enc, ks_mac), ssc)

    @classmethod
    def aes(cls, ks_enc: bytes, ks_mac: bytes, ssc: bytes = bytes(AES_BLOCK)) -> Self:
        """AES-128/192/256 by key length (§9.8.7); after PACE the 16-byte SSC starts at zero (§9.8.6.3)."""
        if len(ks_enc) not in AES_KEY_LENGTHS or len(ks_mac) not in AES_KEY_LENGTHS:
            raise ValueError("AES session keys must be 16, 24 or 32 bytes")
        if len(ssc) != AES_BLOCK:
            raise ValueError("the AES send sequence counter must be 16 bytes")
        channel = cls.__new__(cls)
        channel._setup(_AesSuite(ks_enc, ks_mac), ssc)
        return channel

    def _setup(self, suite: _Suite, ssc: bytes) -> None:
        self._suite = suite
        self._ssc_length = len(ssc)
        self._ssc = int.from_bytes(ssc, "big")
        self._last_ins = 0

    @property
    def ssc(self) -> bytes:
        """Current send sequence counter value."""
        return self._ssc.to_bytes(self._ssc_length, "big")

    @property
    def block_size(self) -> int:
        """8 for 3DES, 16 for AES."""
        return self._suite.block

    def max_plain_read_length(self, extended: bool) -> int:
        """Largest READ BINARY Le whose protected answer fits one response under this cipher."""
        return _largest_fitting(EXTENDED_LE_MAX if extended else SHORT_RESPONSE_MAX, self._suite.block)

    def _next_ssc(self) -> bytes:
        # §9.8.2: the SSC is incremented before each command and each response is protected.
        self._ssc = (self._ssc + 1) % (1 << (8 * self._ssc_length))
        return self.ssc

    def _pad(self, data: bytes) -> bytes:
        return pad_to(data, self._suite.block)

    def _encrypted_object(self, ssc: bytes, data: bytes, odd_ins: bool) -> bytes:
        cryptogram = self._suite.encrypt(ssc, self._pad(data))
        if odd_ins:
            return encode_tlv(TAG_ENCRYPTED_ODD, cryptogram)
        return encode_tlv(TAG_ENCRYPTED, bytes([PADDING_INDICATOR]) + cryptogram)

    def _decrypt_object(self, ssc: bytes, obj: _DataObject, who: str) -> bytes:
        value = obj.value
        if obj.tag == TAG_ENCRYPTED:
            if not value or value[0] != PADDING_INDICATOR:
                raise SecureMessagingError(f"the encrypted data in {who} is not in the expected format")
            value = value[1:]
        if not value or len(value) % self._suite.block:
            raise SecureMessagingError(f"the encrypted data in {who} is not in the expected format")
        try:
            return unpad_from(self._suite.decrypt(ssc, value), self._suite.block)
        except ValueError as error:
            raise SecureMessagingError(f"the encrypted data in {who} did not decrypt cleanly") from error


class SecureMessaging(SecureChannel):
    """Terminal end of one secure-messaging session: KS_Enc, KS_MAC and the SSC (ICAO 9303-11 §9.8).

    ``SecureMessaging(ks_enc, ks_mac, ssc)`` is 3DES (after BAC); ``SecureMessaging.aes(...)``
    is AES with the key length deciding AES-128/192/256 (after PACE).
    """

    def protect(self, apdu: bytes) -> bytes:
        """Wrap a plain command APDU, ICAO 9303-11 §9.8.4 and Appendix D.4."""
        try:
            command = parse_command_apdu(apdu)
        except MalformedApduError as error:
            raise SecureMessagingError(f"the command to protect is not a valid APDU ({error})") from error
        cla = command.cla | SM_CLA_BITS
        header = bytes([cla, command.ins, command.p1, command.p2])
        ssc = self._next_ssc()

        body = b""
        if command.data:
            body += self._encrypted_object(ssc, command.data, bool(command.ins & 1))
        if command.ne is not None:
            body += encode_tlv(TAG_LE, _encode_le(command.ne, command.extended))
        body += encode_tlv(TAG_MAC, self._suite.mac(ssc + self._pad(header) + body))

        # The protected command is always case 4; Le' = 00 (or 0000) asks for whatever the chip has.
        if command.extended or len(body) > SHORT_BODY_MAX:
            return header + b"\x00" + len(body).to_bytes(2, "big") + body + b"\x00\x00"
        return header + bytes([len(body)]) + body + b"\x00"

    def unprotect(self, response: bytes) -> bytes:
        """Check and unwrap a protected response; returns the plain data followed by SW1 SW2.

        ICAO 9303-11 §9.8.5: the MAC over SSC || DO'87'/DO'85' || DO'99' is verified before
        any field is decrypted or believed. Raises SecureMessagingError on any failure.
        """
        if len(response) < 2:
            raise SecureMessagingError("the chip's answer is shorter than a status word")
        body, trailer = response[:-2], response[-2:]
        ssc = self._next_ssc()
        if not body:
            # The chip dropped secure messaging (e.g. SW 6987/6988): nothing here can be trusted.
            raise SecureMessagingError(f"the chip answered without secure messaging (status {trailer.hex().upper()})")

        who = "the chip's answer"
        objects = _parse_data_objects(body, who)
        if not objects or objects[-1].tag != TAG_MAC or any(obj.tag == TAG_MAC for obj in objects[:-1]):
            raise SecureMessagingError("the chip's answer carries no integrity check")
        covered = b"".join(obj.encoded for obj in objects[:-1])
        if not hmac.compare_digest(self._suite.mac(ssc + covered), objects[-1].value):
            raise SecureMessagingError("the chip's answer failed its integrity check")

        data = b""
        status = trailer
        for obj in objects[:-1]:
            if obj.tag in (TAG_ENCRYPTED, TAG_ENCRYPTED_ODD):
                data = self._decrypt_object(ssc, obj, who)
            elif obj.tag == TAG_STATUS:
                if len(obj.value) != 2:
                    raise SecureMessagingError("the chip's protected status word has the wrong length")
                status = obj.value
            else:
                raise SecureMessagingError(f"the chip's answer has an unexpected field (tag {obj.tag:02X})")
        return data + status


class ChipSecureMessaging(SecureChannel):
    """Chip end of a secure-messaging session, for virtual chips (ICAO 9303-11 §9.8).

    A chip that gets a :class:`SecureMessagingError` from :meth:`unprotect_command` answers
    SW 6988 in plain and ends the session (§9.8.4: "the eMRTD chip SHALL abort secure
    messaging"); a new access control run starts a new one.
    """

    def unprotect_command(self, apdu: bytes) -> bytes:
        """Verify the MAC of a protected command and return the plain command APDU.

        The plain command keeps the extended-length form when the protected one used it
        (extended Le' '0000') or when DO'97' holds two bytes.
        """
        who = "the terminal's command"
        try:
            command = parse_command_apdu(apdu)
        except MalformedApduError as error:
            raise SecureMessagingError(f"{who} is not a valid APDU ({error})") from error
        if command.cla & SM_CLA_BITS != SM_CLA_BITS:
            raise SecureMessagingError(f"{who} is not protected by secure messaging")
        header = bytes(apdu[:4])
        ssc = self._next_ssc()
        self._last_ins = command.ins

        objects = _parse_data_objects(command.data, who)
        if not objects or objects[-1].tag != TAG_MAC or any(obj.tag == TAG_MAC for obj in objects[:-1]):
            raise SecureMessagingError(f"{who} carries no integrity check")
        covered = b"".join(obj.encoded for obj in objects[:-1])
        if not hmac.compare_digest(self._suite.mac(ssc + self._pad(header) + covered), objects[-1].value):
            raise SecureMessagingError(f"{who} failed its integrity check")

        expected_tag = TAG_ENCRYPTED_ODD if command.ins & 1 else TAG_ENCRYPTED
        data = b""
        le: bytes | None = None
        for obj in objects[:-1]:
            if obj.tag == expected_tag and not data and le is None:
                data = self._decrypt_object(ssc, obj, who)
            elif obj.tag == TAG_LE and le is None:
                if len(obj.value) not in (1, 2):
                    raise SecureMessagingError(f"the protected Le in {who} has the wrong length")
                le = obj.value
            else:
                raise SecureMessagingError(f"{who} has an unexpected field (tag {obj.tag:02X})")

        ne: int | None = None
        extended = command.extended
        if le is not None:
            limit = EXTENDED_LE_MAX if len(le) == 2 else SHORT_RESPONSE_MAX
            ne = int.from_bytes(le, "big") or limit
            extended = extended or len(le) == 2
        plain_header = bytes([command.cla & ~SM_CLA_BITS & 0xFF, command.ins, command.p1, command.p2])
        return encode_command_apdu(plain_header, data, ne, extended)

    def protect_response(self, data: bytes, sw: bytes, *, odd_ins: bool | None = None) -> bytes:
        """Wrap response data and status word: DO'87' (or DO'85') + DO'99' + DO'8E' + SW (§9.8.5).

        ``odd_ins`` chooses DO'85'; by default it follows the INS of the last command unwrapped.
        """
        if len(sw) != 2:
            raise ValueError("a status word is 2 bytes")
        if odd_ins is None:
            odd_ins = bool(self._last_ins & 1)
        ssc = self._next_ssc()
        body = self._encrypted_object(ssc, data, odd_ins) if data else b""
        body += encode_tlv(TAG_STATUS, sw)
        body += encode_tlv(TAG_MAC, self._suite.mac(ssc + body))
        return body + sw


def _largest_fitting(limit: int, block: int) -> int:
    length = limit
    while length > 0 and protected_response_length(length, block) > limit:
        length -= 1
    return length


@overload
def max_plain_read_length(extended: bool, /, *, block_size: int | None = None) -> int: ...


@overload
def max_plain_read_length(session: SecureChannel, /, *, extended: bool) -> int: ...


def max_plain_read_length(
    first: bool | SecureChannel, /, *, extended: bool | None = None, block_size: int | None = None
) -> int:
    """Largest READ BINARY Le whose protected response still fits one short (256) or extended (65 536) response.

    Call as ``max_plain_read_length(extended)`` or ``max_plain_read_length(session, extended=...)``.
    Protection adds DO'87' (tag, length, indicator, padding to the block), DO'99' and DO'8E'
    (§9.8.5). Short responses allow 231 bytes under 3DES and 223 (0xDF) under AES; without a
    session or ``block_size`` the answer fits both, which is why 0xDF is common in readers.
    """
    if isinstance(first, SecureChannel):
        if extended is None:
            raise TypeError("say whether the response uses extended length")
        return first.max_plain_read_length(extended)
    limit = EXTENDED_LE_MAX if first else SHORT_RESPONSE_MAX
    blocks = (DES_BLOCK, AES_BLOCK) if block_size is None else (block_size,)
    return min(_largest_fitting(limit, block) for block in blocks)

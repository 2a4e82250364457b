"""Secure messaging against ICAO 9303-11 Appendix D.4 (SELECT EF.COM, READ BINARY)."""

from __future__ import annotations

import pytest

from drivers.cardreader.apdu import parse_command_apdu
from drivers.cardreader.icao.bac import decrypt, mac, pad, unpad
from drivers.cardreader.icao.errors import SecureMessagingError
from drivers.cardreader.icao.secure_messaging import SecureMessaging

h = bytes.fromhex

KS_ENC = h("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = h("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = h("887022120C06C226")

SELECT_EF_COM = h("00A4020C02011E")
SELECT_PROTECTED = h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
SELECT_RESPONSE = h("990290008E08FA855A5D4C50A8ED9000")
READ_BINARY_4 = h("00B0000004")
READ_PROTECTED = h("0CB000000D9701048E08ED6705417E96BA5500")
READ_RESPONSE = h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
READ_DATA = h("60145F01")


def session() -> SecureMessaging:
    return SecureMessaging(KS_ENC, KS_MAC, SSC)


def test_appendix_d_exchange() -> None:
    sm = session()
    assert sm.protect(SELECT_EF_COM) == SELECT_PROTECTED
    assert sm.ssc == h("887022120C06C227")
    assert sm.unprotect(SELECT_RESPONSE) == h("9000")
    assert sm.ssc == h("887022120C06C228")
    assert sm.protect(READ_BINARY_4) == READ_PROTECTED
    assert sm.ssc == h("887022120C06C229")
    assert sm.unprotect(READ_RESPONSE) == READ_DATA + h("9000")
    assert sm.ssc == h("887022120C06C22A")


def advance_to_read_binary(sm: SecureMessaging) -> None:
    sm.protect(SELECT_EF_COM)
    sm.unprotect(SELECT_RESPONSE)
    sm.protect(READ_BINARY_4)


@pytest.mark.parametrize("index", [-3, -4, -10])
def test_flipped_mac_bit_returns_nothing(index: int) -> None:
    sm = session()
    advance_to_read_binary(sm)
    tampered = bytearray(READ_RESPONSE)
    tampered[index] ^= 0x01
    result: bytes | None = None
    with pytest.raises(SecureMessagingError, match="the chip's answer failed its integrity check"):
        result = sm.unprotect(bytes(tampered))
    assert result is None


def test_flipped_cryptogram_bit_is_caught_by_mac() -> None:
    sm = session()
    advance_to_read_binary(sm)
    tampered = bytearray(READ_RESPONSE)
    tampered[4] ^= 0x80  # inside DO'87'
    with pytest.raises(SecureMessagingError, match="integrity check"):
        sm.unprotect(bytes(tampered))


def test_replayed_response_fails() -> None:
    sm = session()
    sm.protect(SELECT_EF_COM)
    sm.unprotect(SELECT_RESPONSE)
    sm.protect(READ_BINARY_4)
    with pytest.raises(SecureMessagingError, match="integrity check"):
        sm.unprotect(SELECT_RESPONSE)  # right MAC for an older SSC


def test_unprotected_error_status_is_refused() -> None:
    sm = session()
    sm.protect(SELECT_EF_COM)
    with pytest.raises(SecureMessagingError, match="6988"):
        sm.unprotect(h("6988"))


def test_missing_mac_is_refused() -> None:
    sm = session()
    sm.protect(SELECT_EF_COM)
    with pytest.raises(SecureMessagingError, match="no integrity check"):
        sm.unprotect(h("99029000") + h("9000"))


def test_truncated_response_is_refused() -> None:
    sm = session()
    sm.protect(SELECT_EF_COM)
    with pytest.raises(SecureMessagingError):
        sm.unprotect(SELECT_RESPONSE[:6] + h("9000"))


def test_malformed_command_is_refused() -> None:
    with pytest.raises(SecureMessagingError):
        session().protect(h("00A402"))


def decode_protected(sm_copy_ssc: bytes, protected: bytes) -> tuple[bytes, bytes]:
    """Return (DO'97' value, plaintext) of a protected command after checking its MAC."""
    command = parse_command_apdu(protected)
    body = command.data
    objects: dict[int, bytes] = {}
    offset = 0
    while offset < len(body):
        tag, first = body[offset], body[offset + 1]
        offset += 2
        if first == 0x82:
            length = int.from_bytes(body[offset : offset + 2], "big")
            offset += 2
        elif first == 0x81:
            length = body[offset]
            offset += 1
        else:
            length = first
        objects[tag] = body[offset : offset + length]
        offset += length
    header = protected[:4]
    covered = body[: body.index(b"\x8e\x08", len(body) - 10)]
    assert mac(KS_MAC, sm_copy_ssc + pad(header) + covered) == objects[0x8E]
    plain = unpad(decrypt(KS_ENC, objects[0x87][1:])) if 0x87 in objects else b""
    return objects.get(0x97, b""), plain


@pytest.mark.parametrize(
    ("apdu", "le_value"),
    [
        (h("00B0000000"), h("00")),  # case 2S, Le 00 = 256
        (h("00B00000000000"), h("0000")),  # case 2E, Le 0000 = 65 536
        (h("00B00000000100"), h("0100")),  # case 2E, Le 256
        (h("00B0000000FFFF"), h("FFFF")),  # case 2E
    ],
)
def test_le_encoding(apdu: bytes, le_value: bytes) -> None:
    sm = session()
    protected = sm.protect(apdu)
    command = parse_command_apdu(protected)
    assert command.cla == 0x0C
    assert command.extended == (len(le_value) == 2)
    assert command.ne == (65536 if command.extended else 256)
    le, plain = decode_protected(sm.ssc, protected)
    assert le == le_value
    assert plain == b""


def test_long_command_data_uses_extended_lengths() -> None:
    data = bytes(range(256)) * 2
    apdu = h("00D60000") + b"\x00" + len(data).to_bytes(2, "big") + data  # case 3E
    sm = session()
    protected = sm.protect(apdu)
    command = parse_command_apdu(protected)
    assert command.extended
    le, plain = decode_protected(sm.ssc, protected)
    assert le == b""
    assert plain == data


def test_bad_key_lengths_rejected() -> None:
    with pytest.raises(ValueError):
        SecureMessaging(KS_ENC[:8], KS_MAC, SSC)
    with pytest.raises(ValueError):
        SecureMessaging(KS_ENC, KS_MAC, SSC[:4])

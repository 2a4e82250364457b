"""AES secure messaging (ICAO 9303-11 §9.8.7), odd INS, and the chip side of secure messaging."""

from __future__ import annotations

import pytest

from drivers.cardreader.apdu import parse_command_apdu
from drivers.cardreader.icao.errors import SecureMessagingError
from drivers.cardreader.icao.secure_messaging import (
    ChipSecureMessaging,
    SecureMessaging,
    aes_cmac,
    max_plain_read_length,
    pad_to,
    protected_response_length,
)

h = bytes.fromhex

# Session keys of ICAO 9303-11 Appendix G.1 (PACE, AES-128).
KS_ENC = h("F5F0E35C0D7161EE6724EE513A0D9A7F")
KS_MAC = h("FE251C7858B356B24514B3BD5F4297D1")
SELECT_APPLICATION = h("00A4040C07A0000002471001")


def test_cross_check_against_independent_public_reference() -> None:
    """Not from ICAO itself: a public implementation's trace with the G.1 keys and SSC = 0."""
    terminal = SecureMessaging.aes(KS_ENC, KS_MAC)
    protected = terminal.protect(SELECT_APPLICATION)
    assert protected == h("0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00")
    assert terminal.unprotect(h("990290008E08BEA7B381C494A0799000")) == h("9000")
    assert terminal.ssc == (2).to_bytes(16, "big")


def test_chip_side_reproduces_the_cross_check() -> None:
    chip = ChipSecureMessaging.aes(KS_ENC, KS_MAC)
    protected = h("0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00")
    assert chip.unprotect_command(protected) == SELECT_APPLICATION
    assert chip.protect_response(b"", h("9000")) == h("990290008E08BEA7B381C494A0799000")


# ICAO 9303-11 Appendix D.4, replayed from the chip's side (3DES).
D_KS_ENC = h("979EC13B1CBFE9DCD01AB0FED307EAE5")
D_KS_MAC = h("F1CB1F1FB5ADF208806B89DC579DC1F8")
D_SSC = h("887022120C06C226")


def test_chip_side_appendix_d() -> None:
    chip = ChipSecureMessaging(D_KS_ENC, D_KS_MAC, D_SSC)
    assert chip.unprotect_command(h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")) == h("00A4020C02011E")
    assert chip.protect_response(b"", h("9000")) == h("990290008E08FA855A5D4C50A8ED9000")
    assert chip.unprotect_command(h("0CB000000D9701048E08ED6705417E96BA5500")) == h("00B0000004")
    read_response = h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
    assert chip.protect_response(h("60145F01"), h("9000")) == read_response
    assert chip.ssc == h("887022120C06C22A")


def pair(key_length: int) -> tuple[SecureMessaging, ChipSecureMessaging]:
    if key_length == 0:  # 3DES
        return SecureMessaging(D_KS_ENC, D_KS_MAC, D_SSC), ChipSecureMessaging(D_KS_ENC, D_KS_MAC, D_SSC)
    enc, mac = bytes(range(key_length)), bytes(range(100, 100 + key_length))
    return SecureMessaging.aes(enc, mac), ChipSecureMessaging.aes(enc, mac)


KEY_LENGTHS = [0, 16, 24, 32]
KEY_IDS = ["3DES", "AES-128", "AES-192", "AES-256"]
COMMANDS = [
    h("00A4040C07A0000002471001"),  # case 3S
    h("00B0000004"),  # case 2S
    h("00B0000000"),  # case 2S, Le 256
    h("0084000008"),  # GET CHALLENGE
    h("00A4020C02011E"),
    h("00A4000000"),  # case 1 is not possible under SM (always case 4); keep a case 2
    h("00D6000010") + bytes(16),  # case 3S with one full block
    h("00B000000000E0"),  # case 2E
    h("00B00000000000"),  # case 2E, Le 65 536
    h("00DA000000012C") + bytes(range(256)) + bytes(44) + h("0100"),  # case 4E
    h("00B1000004540200FF00"),  # odd INS: READ BINARY with DO'54' offset
    h("00B1000000000454020100") + h("0000"),  # odd INS, case 4E
]


@pytest.mark.parametrize("key_length", KEY_LENGTHS, ids=KEY_IDS)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[:4].hex())
def test_round_trip_both_ways(key_length: int, command: bytes) -> None:
    terminal, chip = pair(key_length)
    for _ in range(3):  # the counters stay in step over several exchanges
        protected = terminal.protect(command)
        assert chip.unprotect_command(protected) == command
        assert chip.ssc == terminal.ssc
        answer = bytes(range(200))
        assert terminal.unprotect(chip.protect_response(answer, h("9000"))) == answer + h("9000")
        assert terminal.unprotect(chip.protect_response(b"", h("6A82"))) == h("6A82")


@pytest.mark.parametrize("key_length", KEY_LENGTHS, ids=KEY_IDS)
def test_odd_ins_uses_do85(key_length: int) -> None:
    terminal, chip = pair(key_length)
    protected = terminal.protect(h("00B1000004540200FF00"))
    body = parse_command_apdu(protected).data
    assert body[0] == 0x85  # the cryptogram without padding-content indicator
    assert len(body[2 : 2 + body[1]]) == terminal.block_size
    chip.unprotect_command(protected)
    response = chip.protect_response(h("5302ABCD"), h("9000"))  # follows the odd INS: DO'85'
    assert response[0] == 0x85
    assert terminal.unprotect(response) == h("5302ABCD9000")
    even = chip.protect_response(h("ABCD"), h("9000"), odd_ins=False)
    assert even[0] == 0x87
    assert terminal.unprotect(even) == h("ABCD9000")


def test_even_ins_never_uses_do85() -> None:
    terminal, _ = pair(16)
    body = parse_command_apdu(terminal.protect(SELECT_APPLICATION)).data
    assert body[:3] == h("871101")


def test_short_plain_command_with_long_protected_form_comes_back_extended() -> None:
    terminal, chip = pair(16)
    command = h("00D60000F0") + bytes(240)
    protected = terminal.protect(command)
    assert parse_command_apdu(protected).extended
    plain = parse_command_apdu(chip.unprotect_command(protected))
    assert (plain.ins, plain.data, plain.ne) == (0xD6, bytes(240), None)


def test_aes_ssc_is_sixteen_bytes_from_zero() -> None:
    terminal = SecureMessaging.aes(KS_ENC, KS_MAC)
    assert terminal.ssc == bytes(16)
    terminal.protect(SELECT_APPLICATION)
    assert terminal.ssc == bytes(15) + b"\x01"


def test_ssc_wraps_around() -> None:
    terminal = SecureMessaging.aes(KS_ENC, KS_MAC, b"\xff" * 16)
    chip = ChipSecureMessaging.aes(KS_ENC, KS_MAC, b"\xff" * 16)
    assert chip.unprotect_command(terminal.protect(SELECT_APPLICATION)) == SELECT_APPLICATION
    assert terminal.ssc == bytes(16)


@pytest.mark.parametrize(
    ("enc", "mac", "ssc"),
    [(bytes(15), bytes(16), bytes(16)), (bytes(16), bytes(20), bytes(16)), (bytes(16), bytes(16), bytes(8))],
)
def test_aes_bad_lengths_rejected(enc: bytes, mac: bytes, ssc: bytes) -> None:
    with pytest.raises(ValueError):
        SecureMessaging.aes(enc, mac, ssc)
    with pytest.raises(ValueError):
        ChipSecureMessaging.aes(enc, mac, ssc)


@pytest.mark.parametrize("index", [2, 6, -3, -4])
def test_chip_rejects_tampered_command(index: int) -> None:
    terminal, chip = pair(16)
    tampered = bytearray(terminal.protect(SELECT_APPLICATION))
    tampered[index] ^= 0x01
    with pytest.raises(SecureMessagingError):
        chip.unprotect_command(bytes(tampered))


@pytest.mark.parametrize("index", [0, 5, -3, -12])
def test_terminal_rejects_tampered_aes_response(index: int) -> None:
    terminal, chip = pair(32)
    chip.unprotect_command(terminal.protect(h("00B0000010")))
    tampered = bytearray(chip.protect_response(bytes(16), h("9000")))
    tampered[index] ^= 0x01
    with pytest.raises(SecureMessagingError):
        terminal.unprotect(bytes(tampered))


@pytest.mark.parametrize(
    ("apdu", "message"),
    [
        (h("00A4040C07A0000002471001"), "not protected"),
        (h("0CA4"), "not a valid APDU"),
        (h("0CB000000499029000"), "no integrity check"),
        (h("0CB0000003970100"), "no integrity check"),
        (h("0CB000000A8E080000000000000000"), "failed its integrity check"),
        (h("0CB0000003970201"), "middle of a field"),
    ],
)
def test_chip_rejects_malformed_commands(apdu: bytes, message: str) -> None:
    _, chip = pair(16)
    with pytest.raises(SecureMessagingError, match=message):
        chip.unprotect_command(apdu)


def mac_protected(header: bytes, body: bytes, ssc: int = 1) -> bytes:
    """A command whose MAC is right but whose fields are whatever the test chooses (G.1 keys)."""
    message = ssc.to_bytes(16, "big") + pad_to(header, 16) + body
    body += h("8E08") + aes_cmac(KS_MAC, pad_to(message, 16))
    return header + bytes([len(body)]) + body + h("00")


@pytest.mark.parametrize(
    ("header", "body", "message"),
    [
        (h("0CB00000"), h("8510") + bytes(16), "unexpected field \\(tag 85\\)"),  # DO'85' on an even INS
        (h("0CB10000"), h("871101") + bytes(16), "unexpected field \\(tag 87\\)"),  # DO'87' on an odd INS
        (h("0CB00000"), h("970301FFFF"), "protected Le"),
        (h("0CB00000"), h("9701FF9701FF"), "unexpected field"),
        (h("0CD60000"), h("871002") + bytes(15), "expected format"),
        (h("0CD60000"), h("871101") + bytes(16), "did not decrypt cleanly"),
    ],
)
def test_chip_rejects_bad_fields_behind_a_valid_mac(header: bytes, body: bytes, message: str) -> None:
    chip = ChipSecureMessaging.aes(KS_ENC, KS_MAC)
    with pytest.raises(SecureMessagingError, match=message):
        chip.unprotect_command(mac_protected(header, body))


def test_max_plain_read_length() -> None:
    assert max_plain_read_length(False) == 0xDF
    assert max_plain_read_length(False, block_size=16) == 0xDF
    assert max_plain_read_length(False, block_size=8) == 231
    assert max_plain_read_length(True, block_size=16) == 65503
    assert max_plain_read_length(True, block_size=8) == 65511
    assert max_plain_read_length(True) == 65503
    terminal, _ = pair(16)
    assert max_plain_read_length(terminal, extended=False) == terminal.max_plain_read_length(False) == 0xDF


@pytest.mark.parametrize("key_length", KEY_LENGTHS, ids=KEY_IDS)
@pytest.mark.parametrize(("extended", "limit"), [(False, 256), (True, 65536)])
def test_max_plain_read_length_is_tight(key_length: int, extended: bool, limit: int) -> None:
    terminal, chip = pair(key_length)
    largest = terminal.max_plain_read_length(extended)
    assert protected_response_length(largest, terminal.block_size) <= limit
    assert protected_response_length(largest + 1, terminal.block_size) > limit
    chip.unprotect_command(terminal.protect(h("00B0000000")))
    response = chip.protect_response(bytes(largest), h("9000"))
    assert len(response) - 2 == protected_response_length(largest, terminal.block_size)
    assert terminal.unprotect(response) == bytes(largest) + h("9000")

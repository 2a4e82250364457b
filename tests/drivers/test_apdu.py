import pytest

from drivers.cardreader.apdu import MAX_COMMAND_LENGTH, CommandApdu, MalformedApduError, parse_command_apdu

AID = bytes.fromhex("A0000002471001")  # ICAO eMRTD LDS1 application


@pytest.mark.parametrize(
    ("hex_apdu", "expected"),
    [
        ("00B00000", CommandApdu(0x00, 0xB0, 0, 0)),  # case 1
        ("00B0000010", CommandApdu(0x00, 0xB0, 0, 0, ne=16)),  # case 2S
        ("00B0000000", CommandApdu(0x00, 0xB0, 0, 0, ne=256)),  # case 2S, Le 00
        ("00A4040C07A0000002471001", CommandApdu(0, 0xA4, 4, 0x0C, data=AID)),  # case 3S
        ("00A4040007A000000247100100", CommandApdu(0, 0xA4, 4, 0, data=AID, ne=256)),  # case 4S
        ("00B00000000100", CommandApdu(0, 0xB0, 0, 0, ne=256, extended=True)),  # case 2E
        ("00B00000000000", CommandApdu(0, 0xB0, 0, 0, ne=65536, extended=True)),  # case 2E, Le 0000
        (
            "00A4040C000007A0000002471001",  # case 3E
            CommandApdu(0, 0xA4, 4, 0x0C, data=AID, extended=True),
        ),
        (
            "00A40400000007A00000024710010000",  # case 4E, Le 0000
            CommandApdu(0, 0xA4, 4, 0, data=AID, ne=65536, extended=True),
        ),
    ],
)
def test_the_four_cases_short_and_extended(hex_apdu, expected):
    assert parse_command_apdu(bytes.fromhex(hex_apdu)) == expected


def test_largest_extended_command():
    apdu = bytes.fromhex("80DA0000") + b"\x00\xff\xff" + bytes(0xFFFF) + b"\x00\x00"
    assert len(apdu) == MAX_COMMAND_LENGTH
    command = parse_command_apdu(apdu)
    assert len(command.data) == 0xFFFF and command.ne == 65536


@pytest.mark.parametrize(
    "hex_apdu",
    [
        "",
        "00A404",  # header cut short
        "00A4040005A000",  # Lc 5, one byte follows
        "00A4040002A0000000",  # Lc 2, three bytes and Le: one too many
        "00A404000000",  # 00 then one byte: neither short nor extended
        "00A4040000000A00",  # extended Lc 10, one byte follows
        "00A40400000000AA",  # extended Lc 0000
    ],
)
def test_garbled_lengths_are_refused(hex_apdu):
    with pytest.raises(MalformedApduError):
        parse_command_apdu(bytes.fromhex(hex_apdu))

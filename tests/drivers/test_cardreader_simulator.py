import pytest

from drivers.cardreader.protocol import CardAbsentError
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.cardreader.virtual_card import CONTACTLESS_ATR, BlankCard
from drivers.health import HealthState

AID = bytes.fromhex("A0000002471001")
SELECT_AID = bytes.fromhex("00A4040C07") + AID


@pytest.fixture
def reader() -> SimulatedCardReader:
    reader = SimulatedCardReader()
    reader.insert(BlankCard(applications=[AID]))
    return reader


def sw(response: bytes) -> str:
    return response[-2:].hex().upper()


def test_empty_reader():
    reader = SimulatedCardReader()
    assert reader.name == "Balie virtual reader"
    assert reader.health().state is HealthState.OK
    assert not reader.card_present()
    assert reader.atr() is None
    with pytest.raises(CardAbsentError):
        reader.transmit(SELECT_AID)


def test_inserted_card_answers_with_its_atr(reader):
    assert reader.card_present()
    assert reader.atr() == CONTACTLESS_ATR


def test_select_known_and_unknown_application(reader):
    assert sw(reader.transmit(SELECT_AID)) == "9000"
    assert sw(reader.transmit(bytes.fromhex("00A4040C07A0000002471002"))) == "6A82"


def test_select_with_extended_lengths(reader):
    case_3e = bytes.fromhex("00A4040C000007") + AID
    case_4e = bytes.fromhex("00A40400000007") + AID + b"\x00\x00"
    assert sw(reader.transmit(case_3e)) == "9000"
    assert sw(reader.transmit(case_4e)) == "9000"


@pytest.mark.parametrize(
    ("hex_apdu", "status"),
    [
        ("00A4040C09A0000002471001", "6700"),  # Lc says 9, 7 bytes follow: garbled
        ("00A404000000", "6700"),
        ("FFA4040C07A0000002471001", "6E00"),  # CLA FF is not a class
        ("00B0000000", "6D00"),  # READ BINARY: this card has no files
        ("00B00000000100", "6D00"),  # same, extended Le (case 2E) parses fine
        ("00A4000C023F00", "6A86"),  # SELECT by file id: not supported here
    ],
)
def test_status_words(reader, hex_apdu, status):
    assert reader.transmit(bytes.fromhex(hex_apdu)) == bytes.fromhex(status)


@pytest.mark.parametrize("size", [0, 3, 65545])
def test_transmit_refuses_impossible_lengths(reader, size):
    with pytest.raises(ValueError):
        reader.transmit(bytes(size))


def test_remove_card(reader):
    reader.remove()
    assert not reader.card_present()
    with pytest.raises(CardAbsentError):
        reader.transmit(SELECT_AID)


def test_unplugged_reader_is_missing_and_the_card_is_back_after_plug_in(reader):
    reader.unplug()
    health = reader.health()
    assert (health.state, health.reason) == (HealthState.MISSING, "Card reader not connected")
    assert not reader.card_present() and reader.atr() is None
    with pytest.raises(CardAbsentError):
        reader.transmit(SELECT_AID)
    reader.plug_in()
    assert sw(reader.transmit(SELECT_AID)) == "9000"

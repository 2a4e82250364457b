"""PcscCardReader through real pcscd and pyscard, with virtual cards served by VpcdBridge."""

from __future__ import annotations

import threading
import time

import pytest

from drivers import registry
from drivers.cardreader.pcsc import PcscCardReader, list_readers, reader_matches
from drivers.cardreader.transport import (
    CardAbsentError,
    CardCommunicationError,
    CardTimeoutError,
    ReaderUnavailableError,
    ServiceUnavailableError,
)
from drivers.cardreader.virtual_card import BlankCard
from drivers.health import HealthState
from drivers.registry import DriverConfigError
from tests.drivers.conftest import VPCD_READER, wait_until

AID = bytes.fromhex("A0000002471001")
SELECT_AID = bytes.fromhex("00A4040C07") + AID
SLOW = bytes.fromhex("805E0000")


class SlowCard(BlankCard):
    """Takes `delay` seconds over INS 5E, as a card busy with a long computation does."""

    def __init__(self, delay: float) -> None:
        super().__init__([AID])
        self.delay = delay
        self.finished = threading.Event()

    def process_apdu(self, apdu: bytes) -> bytes:
        if apdu[1] == 0x5E:
            time.sleep(self.delay)
            self.finished.set()
            return bytes.fromhex("9000")
        return super().process_apdu(apdu)


@pytest.fixture
def reader():
    reader = PcscCardReader(VPCD_READER, apdu_timeout=2.0)
    yield reader
    reader.close()


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("", True),
        ("virtual pcd", True),
        ("VIRTUAL PCD 00 00", True),
        ("virtual*00", True),
        ("*pcd 00 0[0-1]", True),
        ("virtual*01", False),
        ("ACS ACR122", False),
    ],
)
def test_reader_patterns(pattern, matches):
    assert reader_matches(pattern, VPCD_READER) is matches


def test_card_removed_and_inserted_again_reconnects(bridge, reader):
    bridge.insert(BlankCard([AID]))
    assert wait_until(reader.card_present)
    assert reader.transmit(SELECT_AID) == bytes.fromhex("9000")
    bridge.remove()
    assert wait_until(lambda: not reader.card_present())
    with pytest.raises(CardAbsentError):
        reader.transmit(SELECT_AID)
    with pytest.raises(CardAbsentError, match="No card"):
        reader.transmit(SELECT_AID)
    bridge.insert(BlankCard([AID]))
    assert wait_until(reader.card_present)
    assert reader.transmit(SELECT_AID) == bytes.fromhex("9000")


def test_a_card_slower_than_the_timeout_raises_and_the_next_apdu_works(bridge):
    card = SlowCard(delay=1.0)
    bridge.insert(card)
    reader = PcscCardReader(VPCD_READER, apdu_timeout=0.3)
    try:
        assert wait_until(reader.card_present)
        started = time.monotonic()
        with pytest.raises(CardTimeoutError):
            reader.transmit(SLOW)
        assert time.monotonic() - started < 0.8
        assert card.finished.wait(3)  # pcscd handles one APDU per reader at a time
        assert reader.transmit(SELECT_AID) == bytes.fromhex("9000")
    finally:
        reader.close()


def test_no_matching_reader_is_missing_and_refuses_apdus(running_pcscd):
    reader = PcscCardReader("Omnikey 5422")
    try:
        health = reader.health()
        assert health.state is HealthState.MISSING
        assert health.reason == "No card reader found matching 'Omnikey 5422'"
        assert not reader.card_present() and reader.atr() is None
        with pytest.raises(ReaderUnavailableError, match="Omnikey 5422"):
            reader.transmit(SELECT_AID)
        with pytest.raises(CardAbsentError):  # a missing reader is also "no card" to older callers
            reader.transmit(SELECT_AID)
    finally:
        reader.close()


def test_apdus_are_checked_before_anything_is_sent(reader):
    with pytest.raises(ValueError, match="4 to"):
        reader.transmit(b"\x00\xa4")
    with pytest.raises(TypeError):
        reader.transmit("00A40400")  # type: ignore[arg-type]


def test_pcscd_stopped_then_started_again(pcscd, reader):
    if not pcscd.running:
        pcscd.start()
    assert reader.health().usable
    pcscd.stop()
    try:
        assert list_readers() == []
        health = reader.health()
        assert (health.state, health.reason) == (HealthState.FAILED, "PC/SC service not running")
        assert not reader.card_present()
        with pytest.raises(ServiceUnavailableError, match="PC/SC service not running"):
            reader.transmit(SELECT_AID)
    finally:
        pcscd.start()
    # The reader renews its context on its own once the service is back.
    assert reader.health().usable


def test_communication_errors_are_typed():
    assert issubclass(CardTimeoutError, CardCommunicationError)
    assert issubclass(ReaderUnavailableError, CardAbsentError)
    assert issubclass(ServiceUnavailableError, ReaderUnavailableError)
    with pytest.raises(ValueError, match="positive"):
        PcscCardReader(apdu_timeout=0)


def test_registry_builds_the_pcsc_driver_with_its_options(running_pcscd):
    assert "pcsc" in registry.driver_names("cardreader")
    assert registry.check("cardreader", "pcsc", {}) == {"reader": "", "apdu_timeout": 5.0}
    built = registry.build("cardreader", "pcsc", {"reader": "Virtual PCD*", "apdu_timeout": 2})
    assert isinstance(built, PcscCardReader)
    try:
        assert (built.pattern, built.apdu_timeout) == ("Virtual PCD*", 2.0)
        assert built.health().usable
    finally:
        built.close()
    with pytest.raises(DriverConfigError) as caught:
        registry.check("cardreader", "pcsc", {"apdu_timeout": 0})
    assert caught.value.key == "apdu_timeout"
    with pytest.raises(DriverConfigError) as caught:
        registry.check("cardreader", "pcsc", {"port": "usb"})
    assert caught.value.message == "unknown option (options: reader, apdu_timeout)"

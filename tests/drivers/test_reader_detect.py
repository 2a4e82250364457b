"""Reader detection through real pcscd and vsmartcard's virtual readers, with and without a card."""

from __future__ import annotations

from drivers.cardreader.detect import ReaderInfo, scan_readers
from drivers.cardreader.pcsc import reader_matches
from drivers.cardreader.virtual_card import CONTACTLESS_ATR, BlankCard
from tests.drivers.conftest import VPCD_READER, VPCD_READER_2, card_in_reader, wait_until


def test_readers_are_listed_and_a_card_on_one_gives_its_atr(bridge) -> None:
    empty = {reader.name: reader.atr for reader in scan_readers().readers}
    assert empty[VPCD_READER] is None and empty[VPCD_READER_2] is None
    bridge.insert(BlankCard())
    assert wait_until(card_in_reader)
    found = {reader.name: reader.atr for reader in scan_readers().readers}
    assert found[VPCD_READER] == CONTACTLESS_ATR
    bridge.remove()


def test_without_pcscd_the_reason_is_given(running_pcscd) -> None:
    running_pcscd.stop()
    scan = scan_readers()
    assert scan.readers == () and scan.problem == "PC/SC service not running"


def test_the_proposed_pattern_finds_the_same_slot_again() -> None:
    picc = "ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00"
    sam = "ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 00 01"
    pattern = ReaderInfo(picc, None).pattern
    assert pattern == "ACS ACR1252 Dual Reader [[]ACR1252 Dual Reader PICC] *"
    assert reader_matches(pattern, picc)
    assert reader_matches(pattern, picc.replace("00 00", "01 00"))  # plugged in after another reader
    assert not reader_matches(pattern, sam)
    assert ReaderInfo("OMNIKEY 5422", None).pattern == "OMNIKEY 5422"

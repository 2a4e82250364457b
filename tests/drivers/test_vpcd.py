"""VpcdBridge: the vpcd wire protocol against a stand-in vpcd, then a card seen by real pcscd."""

from __future__ import annotations

import socket
import threading

import pytest

from drivers.cardreader.pcsc import PcscCardReader
from drivers.cardreader.virtual_card import CONTACTLESS_ATR, BlankCard
from drivers.cardreader.vpcd import CTRL_ATR, CTRL_POWER_ON, CTRL_RESET, VpcdBridge
from tests.drivers.conftest import VPCD_READER, wait_until

AID = bytes.fromhex("A0000002471001")
SELECT_AID = bytes.fromhex("00A4040C07") + AID


def message(payload: bytes) -> bytes:
    return len(payload).to_bytes(2, "big") + payload


def receive(connection: socket.socket) -> bytes:
    header = connection.recv(2, socket.MSG_WAITALL)
    return connection.recv(int.from_bytes(header, "big"), socket.MSG_WAITALL)


@pytest.fixture
def fake_vpcd():
    """A listening socket playing vpcd's part: the bridge connects to it as it would to pcscd."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    yield server
    server.close()


def test_bridge_answers_controls_and_apdus(fake_vpcd):
    bridge = VpcdBridge(BlankCard([AID]), host="127.0.0.1", port=fake_vpcd.getsockname()[1])
    bridge.start()
    try:
        connection, _ = fake_vpcd.accept()
        with connection:
            connection.settimeout(5)
            assert bridge.wait_connected()
            # Power on and reset expect no answer; the ATR request does (length-prefixed).
            connection.sendall(message(bytes([CTRL_POWER_ON])) + message(bytes([CTRL_RESET])))
            connection.sendall(message(bytes([CTRL_ATR])))
            assert receive(connection) == CONTACTLESS_ATR
            # Two APDUs in one segment, and one split over two: both framings are read correctly.
            connection.sendall(message(SELECT_AID) + message(bytes.fromhex("00A4040C02AABB")))
            assert receive(connection) == bytes.fromhex("9000")
            assert receive(connection) == bytes.fromhex("6A82")
            framed = message(SELECT_AID)
            connection.sendall(framed[:3])
            connection.sendall(framed[3:])
            assert receive(connection) == bytes.fromhex("9000")
            bridge.remove()  # the card leaves: vpcd sees the connection close
            assert connection.recv(1) == b""
            assert bridge.wait_connected(False)
    finally:
        bridge.stop()
    assert not bridge.connected


def test_bridge_keeps_trying_until_vpcd_listens():
    with socket.socket() as probe:  # a free port nobody listens on yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bridge = VpcdBridge(BlankCard(), host="127.0.0.1", port=port)
    bridge.start()
    try:
        assert not bridge.wait_connected(timeout=0.3)
        with socket.create_server(("127.0.0.1", port)) as server:
            server.settimeout(5)
            connection, _ = server.accept()
            with connection:
                assert bridge.wait_connected()
                connection.sendall(message(bytes([CTRL_ATR])))
                assert receive(connection) == CONTACTLESS_ATR
    finally:
        bridge.stop()


def test_a_failing_card_answers_6f00_and_the_bridge_lives_on(fake_vpcd):
    class Broken(BlankCard):
        def process_apdu(self, apdu: bytes) -> bytes:
            raise RuntimeError("bug in a virtual card")

    bridge = VpcdBridge(Broken(), host="127.0.0.1", port=fake_vpcd.getsockname()[1])
    bridge.start()
    try:
        connection, _ = fake_vpcd.accept()
        with connection:
            connection.settimeout(5)
            connection.sendall(message(SELECT_AID))
            assert receive(connection) == bytes.fromhex("6F00")
            connection.sendall(message(bytes([CTRL_ATR])))
            assert receive(connection) == CONTACTLESS_ATR
    finally:
        bridge.stop()


def test_stop_without_a_card_and_before_start_is_clean():
    bridge = VpcdBridge()
    bridge.stop()
    bridge.start()
    bridge.stop()
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("vpcd-bridge")]


def test_blank_card_through_pcscd_and_pyscard(bridge):
    card = BlankCard([AID])
    reader = PcscCardReader("virtual pcd 00 00")
    try:
        assert reader.health().usable
        assert not reader.card_present()
        bridge.insert(card)
        assert wait_until(reader.card_present), "pcscd never saw the card"
        assert reader.atr() == card.atr
        assert reader.transmit(SELECT_AID) == bytes.fromhex("9000")
        assert reader.transmit(bytes.fromhex("00A4040C02AABB")) == bytes.fromhex("6A82")
        bridge.remove()
        assert wait_until(lambda: not reader.card_present()), "pcscd never saw the card leave"
    finally:
        reader.close()


def test_the_reader_pattern_finds_the_vpcd_reader(running_pcscd):
    from drivers.cardreader.pcsc import list_readers

    assert VPCD_READER in list_readers()

"""Fuzzing the APDU transport and the ATR parser: a card (or reader) can answer anything.

A broken or hostile chip must never hang the kiosk or crash it with an unexpected exception:
the transport either returns a response or raises CardCommunicationError.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drivers.cardreader.simulator import SimulatedCardReader
from drivers.cardreader.transport import (
    MAX_GET_RESPONSES,
    ApduTransport,
    CardCommunicationError,
    parse_atr_extended_length,
)
from drivers.cardreader.virtual_card import CONTACTLESS_ATR

# Status words that steer the transport (61xx, 6Cxx) weighted in, so the loops are exercised.
status_words = st.one_of(
    st.tuples(st.just(0x61), st.integers(0, 255)),
    st.tuples(st.just(0x6C), st.integers(0, 255)),
    st.tuples(st.integers(0, 255), st.integers(0, 255)),
)
responses = st.one_of(
    st.binary(max_size=1),  # no status word at all
    st.builds(lambda data, sw: data + bytes(sw), st.binary(max_size=40), status_words),
)


class ScriptedCard:
    """Answers each APDU with the next scripted response, then with 61 01 for ever."""

    atr = CONTACTLESS_ATR

    def __init__(self, script: list[bytes]) -> None:
        self.script = list(script)

    def process_apdu(self, apdu: bytes) -> bytes:
        return self.script.pop(0) if self.script else bytes.fromhex("6101")


@given(st.binary(max_size=40))
def test_atr_parser_never_raises(atr: bytes) -> None:
    assert parse_atr_extended_length(atr) in (True, False)


@given(st.lists(responses, max_size=20), st.binary(min_size=4, max_size=300))
def test_transport_returns_or_raises_communication_error(script: list[bytes], apdu: bytes) -> None:
    transport = ApduTransport(SimulatedCardReader(card=ScriptedCard(script)))
    try:
        response = transport.transmit(apdu)
    except CardCommunicationError:
        return
    assert 0 <= response.sw1 <= 255 and 0 <= response.sw2 <= 255
    assert transport.apdu_count <= 2 + MAX_GET_RESPONSES

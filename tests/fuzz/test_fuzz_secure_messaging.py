"""Fuzzing what a chip or terminal could send: only IcaoError subclasses may come out.

Random bytes mostly stop at the MAC check, so the structured strategies below also build
messages with a correct MAC around random fields, reaching the decoding behind it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st

from drivers.cardreader.icao.errors import IcaoError
from drivers.cardreader.icao.pace import PaceChip, PacePassword
from drivers.cardreader.icao.secure_messaging import ChipSecureMessaging, SecureMessaging, aes_cmac, pad_to
from drivers.cardreader.icao.security_infos import PaceInfo, parse_security_infos
from drivers.cardreader.icao.tlv import encode_length

KS_ENC = bytes.fromhex("F5F0E35C0D7161EE6724EE513A0D9A7F")
KS_MAC = bytes.fromhex("FE251C7858B356B24514B3BD5F4297D1")
DES_KEY = bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5")
TAGS = st.sampled_from([0x85, 0x87, 0x97, 0x99, 0x8E, 0x53, 0x00])


def _tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + encode_length(len(value)) + value


fields = st.lists(st.tuples(TAGS, st.binary(max_size=40)), max_size=4).map(
    lambda items: b"".join(_tlv(tag, value) for tag, value in items)
)


def _expect_icao_error_only(action: Callable[[], object]) -> None:
    with contextlib.suppress(IcaoError):
        action()


@given(st.binary(max_size=300))
def test_unprotect_random_bytes(data: bytes) -> None:
    _expect_icao_error_only(lambda: SecureMessaging.aes(KS_ENC, KS_MAC).unprotect(data))
    _expect_icao_error_only(lambda: SecureMessaging(DES_KEY, DES_KEY, bytes(8)).unprotect(data))


@given(fields, st.binary(min_size=2, max_size=2))
def test_unprotect_fields_behind_a_valid_mac(body: bytes, sw: bytes) -> None:
    ssc = (1).to_bytes(16, "big")
    response = body + _tlv(0x8E, aes_cmac(KS_MAC, pad_to(ssc + body, 16))) + sw
    _expect_icao_error_only(lambda: SecureMessaging.aes(KS_ENC, KS_MAC).unprotect(response))


@given(st.binary(max_size=300))
def test_unprotect_command_random_bytes(data: bytes) -> None:
    _expect_icao_error_only(lambda: ChipSecureMessaging.aes(KS_ENC, KS_MAC).unprotect_command(data))
    _expect_icao_error_only(lambda: ChipSecureMessaging(DES_KEY, DES_KEY, bytes(8)).unprotect_command(data))


@given(st.binary(min_size=4, max_size=4), fields)
def test_unprotect_command_fields_behind_a_valid_mac(header: bytes, body: bytes) -> None:
    header = bytes([header[0] | 0x0C]) + header[1:]
    ssc = (1).to_bytes(16, "big")
    body += _tlv(0x8E, aes_cmac(KS_MAC, pad_to(ssc + pad_to(header, 16) + body, 16)))
    apdu = header + bytes([len(body)]) + body + b"\x00"
    _expect_icao_error_only(lambda: ChipSecureMessaging.aes(KS_ENC, KS_MAC).unprotect_command(apdu))


@given(st.binary(max_size=200))
def test_parse_security_infos_random_bytes(data: bytes) -> None:
    _expect_icao_error_only(lambda: parse_security_infos(data))


der_like = st.recursive(
    st.tuples(st.sampled_from([0x02, 0x06, 0x04, 0x01, 0x05]), st.binary(max_size=12)).map(lambda t: _tlv(*t)),
    lambda children: st.tuples(st.sampled_from([0x30, 0x31, 0xA0]), st.lists(children, max_size=4)).map(
        lambda t: _tlv(t[0], b"".join(t[1]))
    ),
    max_leaves=8,
)


@given(st.lists(der_like, max_size=4))
def test_parse_security_infos_der_shaped(items: list[bytes]) -> None:
    pace_oid = bytes.fromhex("060A04007F00070202040202")
    data = _tlv(0x31, b"".join(_tlv(0x30, pace_oid + item) for item in items))
    _expect_icao_error_only(lambda: parse_security_infos(data))


@given(st.lists(st.binary(max_size=80), max_size=5))
def test_pace_chip_answers_status_words_to_anything(commands: list[bytes]) -> None:
    chip = PaceChip(PacePassword(b"123456", 2), PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13))
    chip.mse_set_at(bytes.fromhex("800A04007F00070202040202830102"))
    for command in commands:
        response = chip.general_authenticate(command)
        assert len(response) >= 2

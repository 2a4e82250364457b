"""EF.SOD comes straight off a chip anyone can program: parsing it must fail only in the typed way.

`parse_sod` may raise nothing but `IcaoError` subclasses, and `verify_document` nothing at all,
for random bytes and for random mutations of a genuine security object (ICAO 9303-11 §5.1).
"""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

from drivers.cardreader.emrtd.issuer import DocumentIssuer
from drivers.cardreader.icao.document import Authenticity, AuthenticityStatus
from drivers.cardreader.icao.errors import IcaoError
from drivers.cardreader.icao.passive_auth import parse_sod, verify_document
from drivers.cardreader.icao.trust_store import TrustStore, read_master_list

DATA_GROUPS = {1: b"\x61\x05\x5f\x1f\x02AB", 2: b"\x75\x03\x01\x02\x03"}
ISSUER = DocumentIssuer.generate()
SOD = ISSUER.sign_sod(DATA_GROUPS)
MASTER_LIST = ISSUER.master_list([ISSUER.csca_certificate])
STORE = TrustStore.of([ISSUER.csca_certificate])


@st.composite
def mutated(draw: st.DrawFn, genuine: bytes) -> bytes:
    """A genuine structure with a few bytes replaced, inserted, deleted, or cut short."""
    data = bytearray(genuine)
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["replace", "insert", "delete", "truncate"]))
        if action == "replace":
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 4))]
        else:
            del data[position:]
        if not data:
            break
    return bytes(data)


def _parse_or_icao_error(data: bytes) -> None:
    with contextlib.suppress(IcaoError):
        parse_sod(data)


def _verify_never_raises(data: bytes) -> None:
    result = verify_document(data, DATA_GROUPS, STORE)
    assert isinstance(result, Authenticity)
    assert result.reason


def test_genuine_sod_verifies() -> None:
    assert verify_document(SOD, DATA_GROUPS, STORE).status is AuthenticityStatus.VERIFIED


@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    _parse_or_icao_error(data)
    _parse_or_icao_error(b"\x77" + data)
    _verify_never_raises(data)


@given(mutated(SOD))
def test_mutated_sod(data: bytes) -> None:
    _parse_or_icao_error(data)
    _verify_never_raises(data)


@given(mutated(SOD))
def test_mutated_sod_never_verifies(data: bytes) -> None:
    result = verify_document(data, DATA_GROUPS, STORE)
    # Only a mutation that leaves the signed bytes intact may still verify (e.g. in an unsigned length form).
    if result.status is AuthenticityStatus.VERIFIED:
        assert parse_sod(data).signed == parse_sod(SOD).signed


@given(mutated(MASTER_LIST))
def test_mutated_master_list(data: bytes) -> None:
    with contextlib.suppress(IcaoError):
        read_master_list(data)

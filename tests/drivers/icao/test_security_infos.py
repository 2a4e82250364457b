"""SecurityInfos of EF.CardAccess and DG14 (ICAO 9303-11 §9.2)."""

from __future__ import annotations

import pytest
from asn1crypto import core

from drivers.cardreader.icao.errors import IcaoError, SecurityInfosError
from drivers.cardreader.icao.security_infos import (
    PaceInfo,
    SecurityInfos,
    encode_security_infos,
    is_pace_protocol,
    pace_oid,
    parse_security_infos,
)

h = bytes.fromhex

CARD_ACCESS_G1 = h("31143012060A04007F0007020204020202010202010D")  # ICAO 9303-11 Appendix G.1


def der_sequence(*items: core.Asn1Value) -> bytes:
    content = b"".join(item.dump() for item in items)
    return b"\x30" + bytes([len(content)]) + content


# ChipAuthenticationInfo (§9.2.5): id-CA-ECDH-AES-CBC-CMAC-128, version 1, keyId 1.
CHIP_AUTHENTICATION_INFO = der_sequence(
    core.ObjectIdentifier("0.4.0.127.0.7.2.2.3.2.2"), core.Integer(1), core.Integer(1)
)
# ActiveAuthenticationInfo (§9.2.3): id-AA, version 1, ecdsa-with-SHA256.
ACTIVE_AUTHENTICATION_INFO = der_sequence(
    core.ObjectIdentifier("2.23.136.1.1.5"), core.Integer(1), core.ObjectIdentifier("1.2.840.10045.4.3.2")
)
# PACEDomainParameterInfo (§9.2.2) names only id-PACE-ECDH-GM: not a PACEInfo.
PACE_DOMAIN_PARAMETER_INFO = der_sequence(
    core.ObjectIdentifier("0.4.0.127.0.7.2.2.4.2"), core.Sequence.load(h("3003020101"))
)


def test_appendix_g1_card_access() -> None:
    infos = parse_security_infos(CARD_ACCESS_G1)
    assert infos.others == ()
    assert infos.pace == (PaceInfo("0.4.0.127.0.7.2.2.4.2.2", 2, 13),)
    pace = infos.pace[0]
    assert (pace.key_agreement, pace.mapping, pace.cipher, pace.key_length) == ("ECDH", "GM", "AES", 16)
    assert encode_security_infos(infos) == CARD_ACCESS_G1


@pytest.mark.parametrize(
    ("arcs", "expected"),
    [
        ("1.1", ("DH", "GM", "3DES", 16)),
        ("1.4", ("DH", "GM", "AES", 32)),
        ("2.1", ("ECDH", "GM", "3DES", 16)),
        ("2.2", ("ECDH", "GM", "AES", 16)),
        ("2.3", ("ECDH", "GM", "AES", 24)),
        ("2.4", ("ECDH", "GM", "AES", 32)),
        ("3.2", ("DH", "IM", "AES", 16)),
        ("4.3", ("ECDH", "IM", "AES", 24)),
        ("6.2", ("ECDH", "CAM", "AES", 16)),
    ],
)
def test_pace_info_properties(arcs: str, expected: tuple[str, str, str, int]) -> None:
    info = PaceInfo(f"0.4.0.127.0.7.2.2.4.{arcs}", 2, None)
    assert (info.key_agreement, info.mapping, info.cipher, info.key_length) == expected
    assert pace_oid(*expected) == info.protocol


def test_pace_oid_refuses_unknown_combination() -> None:
    with pytest.raises(ValueError):
        pace_oid("ECDH", "GM", "AES", 20)


@pytest.mark.parametrize(
    "protocol", ["0.4.0.127.0.7.2.2.4.2", "0.4.0.127.0.7.2.2.4.5.2", "0.4.0.127.0.7.2.2.3.2.2", "1.2.3"]
)
def test_non_pace_protocols(protocol: str) -> None:
    assert not is_pace_protocol(protocol)
    with pytest.raises(ValueError):
        PaceInfo(protocol, 2, None)


def test_dg14_style_infos_keep_the_others_raw() -> None:
    pace = PaceInfo(pace_oid("ECDH", "GM", "AES", 32), 2, 17)
    source = SecurityInfos(
        pace=(pace,),
        others=(
            ("0.4.0.127.0.7.2.2.3.2.2", CHIP_AUTHENTICATION_INFO),
            ("2.23.136.1.1.5", ACTIVE_AUTHENTICATION_INFO),
            ("0.4.0.127.0.7.2.2.4.2", PACE_DOMAIN_PARAMETER_INFO),
        ),
    )
    encoded = encode_security_infos(source)
    parsed = parse_security_infos(encoded)
    assert parsed.pace == (pace,)
    assert sorted(parsed.others) == sorted(source.others)
    assert encode_security_infos(parsed) == encoded


def test_pace_info_without_parameter_id() -> None:
    infos = SecurityInfos(pace=(PaceInfo(pace_oid("ECDH", "GM", "AES", 16), 2, None),))
    assert parse_security_infos(encode_security_infos(infos)) == infos


def test_several_pace_infos_in_order_of_der() -> None:
    first = PaceInfo(pace_oid("ECDH", "GM", "AES", 16), 2, 13)
    second = PaceInfo(pace_oid("ECDH", "GM", "3DES", 16), 2, 12)
    parsed = parse_security_infos(encode_security_infos(SecurityInfos(pace=(first, second))))
    assert set(parsed.pace) == {first, second}


def test_empty_set_is_allowed() -> None:
    assert parse_security_infos(h("3100")) == SecurityInfos()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        h("31"),
        h("3014"),  # SEQUENCE instead of SET
        CARD_ACCESS_G1[:-1],  # cut short
        CARD_ACCESS_G1 + h("00"),  # trailing byte
        h("3105") + h("3003020102"),  # SecurityInfo without OID
        h("3104") + h("30020601"),  # empty-ish OID, no required data
        h("3111300F060A04007F00070202040202040100"),  # version is a BOOLEAN
        h("3114300F060A04007F0007020204020202010202010D"),  # inner length wrong
        h("3114") + h("3012060A04007F00070202040202020102020180"),  # negative parameter id
        h("310C300A06030102030403") + h("0102"),  # unknown protocol whose data is not DER
    ],
)
def test_malformed_input_raises_security_infos_error(data: bytes) -> None:
    with pytest.raises(SecurityInfosError):
        parse_security_infos(data)


def test_error_is_an_icao_error() -> None:
    assert issubclass(SecurityInfosError, IcaoError)

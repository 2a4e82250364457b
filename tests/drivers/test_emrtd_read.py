"""Whole reads of the virtual eMRTD chip through APDUs: every access path and every misbehaviour.

The reader and the chip share no code above the cryptographic primitives (which are tested
against ICAO 9303-11 Appendix D and G on their own), so a read that works here works because
both follow the standard.
"""

from __future__ import annotations

import datetime as dt

import pytest

from drivers.cardreader.emrtd.chip import Misbehaviour, VirtualPassport
from drivers.cardreader.emrtd.factory import (
    VirtualDocument,
    build_virtual_document,
    default_issuer,
    expired_signer_issuer,
)
from drivers.cardreader.emrtd.issuer import DocumentIssuer
from drivers.cardreader.icao.document import AuthenticityStatus, CanKey, DocumentType, ImageFormat, MrzKey
from drivers.cardreader.icao.errors import AuthenticationFailed, IcaoError, SecureMessagingError
from drivers.cardreader.icao.reader import CardRemovedError, ChipProtocolError, ChipRead, ReadStep, read_document
from drivers.cardreader.icao.trust_store import TrustStore
from drivers.cardreader.simulator import SimulatedCardReader


@pytest.fixture(scope="module")
def trust() -> TrustStore:
    return TrustStore.of([default_issuer().csca_certificate])


def read(
    document: VirtualDocument, trust: TrustStore, key: MrzKey | CanKey | None = None, **options: object
) -> ChipRead:
    reader = SimulatedCardReader()
    reader.insert(document.chip)
    return read_document(reader.transmit, key or document.specimen.access_key, trust, **options)  # type: ignore[arg-type]


def test_passport_over_pace_with_every_field(trust):
    document = build_virtual_document("passport")
    steps: list[ReadStep] = []
    result = read(document, trust, extended_length=True, progress=lambda step, fraction: steps.append(step))

    assert result.access_control == "PACE"
    mrz = result.mrz
    specimen_lines = document.specimen.lines
    assert mrz.format is DocumentType.TD3
    assert mrz.lines == tuple(specimen_lines)
    assert mrz.issuing_state == "UTO"
    assert mrz.document_number == document.specimen.access_key.document_number
    assert mrz.check_digits_valid
    assert isinstance(mrz.date_of_birth, dt.date)
    assert result.photo is not None
    assert result.photo.format is ImageFormat.JPEG2000
    assert (result.photo.width, result.photo.height) == document.specimen.face_size
    assert result.authenticity.status is AuthenticityStatus.VERIFIED, result.authenticity.reason
    assert {1, 2}.issubset(result.data_groups)
    assert steps[0] is ReadStep.ACCESS and steps[-1] is ReadStep.VERIFYING
    assert result.apdu_count > 0 and result.timings["total_ms"] > 0


def test_id_card_over_bac(trust):
    document = build_virtual_document("id-card", access="bac")
    result = read(document, trust)
    assert result.access_control == "BAC"
    assert result.mrz.format is DocumentType.TD1
    assert result.photo is not None and result.photo.format is ImageFormat.JPEG
    assert result.authenticity.status is AuthenticityStatus.VERIFIED


def test_id_card_with_its_card_access_number(trust):
    document = build_virtual_document("id-card", access="pace-only")
    result = read(document, trust, key=CanKey(document.specimen.can))
    assert result.access_control == "PACE"
    assert result.mrz.document_number == document.specimen.access_key.document_number


def test_pace_only_chip_with_mrz_data(trust):
    document = build_virtual_document("passport", access="pace-only")
    assert read(document, trust).access_control == "PACE"


def test_bac_fallback_when_pace_cannot_run(trust):
    # The chip announces a PACE variant this reader does not implement (integrated mapping).
    from drivers.cardreader.icao.security_infos import PaceInfo

    im = PaceInfo(protocol="0.4.0.127.0.7.2.2.4.4.2", version=2, parameter_id=13)
    document = build_virtual_document("passport", pace_info=im)
    assert read(document, trust).access_control == "BAC"


@pytest.mark.parametrize("access", ["pace", "bac"])
def test_wrong_dates_are_access_denied(trust, access):
    document = build_virtual_document("passport", access=access)
    key = document.specimen.access_key
    wrong = MrzKey(key.document_number, key.date_of_birth, "991231")
    with pytest.raises(AuthenticationFailed, match="access denied: check document number and dates"):
        read(document, trust, key=wrong)


def test_card_access_number_on_a_bac_only_chip(trust):
    document = build_virtual_document("passport", access="bac")
    with pytest.raises(AuthenticationFailed, match="document number and dates"):
        read(document, trust, key=CanKey("123456"))


def test_wrong_response_mac_is_refused_before_use(trust):
    document = build_virtual_document("passport", misbehaviours=[Misbehaviour.WRONG_MAC])
    with pytest.raises(SecureMessagingError, match="integrity"):
        read(document, trust)


def test_errors_without_secure_messaging_are_not_believed(trust):
    document = build_virtual_document("passport", misbehaviours=[Misbehaviour.PLAIN_ERRORS])
    document.chip.profile.files = {k: v for k, v in document.chip.profile.files.items() if k != 0x011E}
    with pytest.raises(SecureMessagingError, match="without secure messaging"):
        read(document, trust)


def test_odd_status_word_is_a_clear_error(trust):
    document = build_virtual_document("passport", misbehaviours=[Misbehaviour.ODD_STATUS])
    with pytest.raises(ChipProtocolError, match="6F00 while reading DG1"):
        read(document, trust)


def test_card_pulled_mid_read(trust):
    document = build_virtual_document("passport", misbehaviours=[Misbehaviour.PULLED_MID_READ])
    with pytest.raises(CardRemovedError):
        read(document, trust, extended_length=False)


def test_truncated_data_group(trust):
    document = build_virtual_document("passport")
    files = dict(document.chip.profile.files)
    files[0x0101] = files[0x0101][:-10]  # the TLV promises more than the file holds
    document.chip.profile.files = files
    with pytest.raises(ChipProtocolError, match="stopped sending DG1"):
        read(document, trust)


def test_malformed_data_group(trust):
    document = build_virtual_document("passport")
    files = dict(document.chip.profile.files)
    files[0x0101] = bytes.fromhex("6107") + bytes.fromhex("5F1F83FFFFFF41")
    document.chip.profile.files = files
    with pytest.raises(IcaoError):
        read(document, trust)


def test_tampered_photo_fails_passive_authentication(trust):
    document = build_virtual_document("passport", tamper_data_group=2)
    result = read(document, trust)
    assert result.authenticity.status is AuthenticityStatus.FAILED
    assert "data group 2" in result.authenticity.reason


def test_expired_document_signer(trust):
    issuer = expired_signer_issuer()
    document = build_virtual_document("passport", issuer=issuer)
    result = read(document, TrustStore.of([issuer.csca_certificate]))
    assert result.authenticity.status is AuthenticityStatus.FAILED
    assert "expired" in result.authenticity.reason


def test_unknown_issuing_state_is_not_verifiable(trust):
    document = build_virtual_document("passport", issuer=DocumentIssuer.generate())
    result = read(document, trust)
    assert result.authenticity.status is AuthenticityStatus.NOT_VERIFIABLE


def test_chip_without_security_object(trust):
    document = build_virtual_document("passport", with_sod=False)
    result = read(document, trust)
    assert result.authenticity.status is AuthenticityStatus.NOT_VERIFIABLE


def test_extended_length_needs_fewer_apdus_and_falls_back(trust):
    extended = read(build_virtual_document("passport"), trust, extended_length=True)
    short = read(build_virtual_document("passport"), trust, extended_length=False)
    assert extended.apdu_count < short.apdu_count
    # A chip that refuses extended length: the reader notices (6700) and reads short.
    refused = read(build_virtual_document("passport", extended_length=False), trust, extended_length=True)
    assert refused.mrz.document_number == short.mrz.document_number
    assert refused.apdu_count >= short.apdu_count


def test_virtual_chip_refuses_data_without_secure_messaging():
    document = build_virtual_document("passport", access="bac")
    chip: VirtualPassport = document.chip
    assert chip.process_apdu(bytes.fromhex("00A4040C07A0000002471001"))[-2:] == b"\x90\x00"
    assert chip.process_apdu(bytes.fromhex("00B0810000"))[-2:] == b"\x69\x82"


def test_pace_chip_has_a_signed_dg14_that_is_read_and_checked(trust):
    document = build_virtual_document("passport")
    result = read(document, trust)
    assert 14 in result.data_groups
    tampered = build_virtual_document("passport", tamper_data_group=14)
    verdict = read(tampered, trust).authenticity
    assert verdict.status is AuthenticityStatus.FAILED and "data group 14" in verdict.reason


def test_card_access_swapped_for_weaker_settings_is_noticed(trust):
    """EF.CardAccess is not signed: a chip offering other PACE settings than its signed DG14 fails."""
    from drivers.cardreader.icao.security_infos import PaceInfo, SecurityInfos, encode_security_infos

    document = build_virtual_document("passport")  # DG14 signed with PACE-ECDH-GM-AES-128
    other = PaceInfo(protocol="0.4.0.127.0.7.2.2.4.2.1", version=2, parameter_id=13)  # 3DES
    document.chip.profile.pace_info = other
    document.chip.profile.card_access = encode_security_infos(SecurityInfos(pace=(other,), others=()))
    result = read(document, trust)
    assert result.access_control == "PACE"
    assert result.authenticity.status is AuthenticityStatus.FAILED
    assert "differ from its signed DG14" in result.authenticity.reason


def test_wrong_card_access_number_names_the_can(trust):
    document = build_virtual_document("id-card", access="pace-only")
    with pytest.raises(AuthenticationFailed, match=r"check the card access number \(CAN\)"):
        read(document, trust, key=CanKey("000000"))

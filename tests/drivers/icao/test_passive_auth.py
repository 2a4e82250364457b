"""Passive authentication (ICAO 9303-11 §5.1) against EF.SOD issued by the test PKI."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from drivers.cardreader.emrtd.issuer import DocumentIssuer, KeyType
from drivers.cardreader.icao.document import Authenticity, AuthenticityStatus
from drivers.cardreader.icao.errors import IcaoError, MalformedSecurityObject
from drivers.cardreader.icao.passive_auth import EF_SOD_TAG, parse_sod, verify_document
from drivers.cardreader.icao.trust_store import TrustStore

VERIFIED = AuthenticityStatus.VERIFIED
FAILED = AuthenticityStatus.FAILED
NOT_VERIFIABLE = AuthenticityStatus.NOT_VERIFIABLE

# Whole data-group files, tag included, as the reader hands them over.
DG1 = (
    bytes.fromhex("615B5F1F58")
    + b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
DG2 = b"\x75\x82\x01\x00" + bytes(range(256))
DG11 = b"\x6b\x0a\x5f\x0e\x07ERIKSSON"
DATA_GROUPS = {1: DG1, 2: DG2}


@pytest.fixture(scope="module")
def issuer() -> DocumentIssuer:
    return DocumentIssuer.generate()


@pytest.fixture(scope="module")
def store(issuer: DocumentIssuer) -> TrustStore:
    return TrustStore.of([issuer.csca_certificate])


@pytest.fixture(scope="module")
def sod(issuer: DocumentIssuer) -> bytes:
    return issuer.sign_sod(DATA_GROUPS)


def flipped(data: bytes, index: int) -> bytes:
    changed = bytearray(data)
    changed[index] ^= 0x01
    return bytes(changed)


@pytest.mark.parametrize(
    ("key_type", "digest"),
    [
        ("ec", "sha256"),
        ("ec", "sha1"),
        ("ec", "sha512"),
        ("rsa", "sha256"),
        ("rsa", "sha1"),
        ("rsa", "sha512"),
        ("rsa-pss", "sha256"),
        ("rsa-pss", "sha384"),
    ],
)
def test_verified_with_each_key_type_and_digest(key_type: KeyType, digest: str) -> None:
    issuer = DocumentIssuer.generate(key_type=key_type)
    sod = issuer.sign_sod(DATA_GROUPS, digest=digest)
    result = verify_document(sod, DATA_GROUPS, TrustStore.of([issuer.csca_certificate]))
    assert result == Authenticity(VERIFIED, "signed by CSCA Utopia (test)")


def test_parse_sod_reads_hashes_and_document_signer(issuer: DocumentIssuer, sod: bytes) -> None:
    security_object = parse_sod(sod)
    assert security_object.hash_algorithm == "sha256"
    assert security_object.data_group_hashes == {
        1: hashlib.sha256(DG1).digest(),
        2: hashlib.sha256(DG2).digest(),
    }
    assert security_object.ds_certificate == issuer.ds_certificate
    assert security_object.lds_version is None


def test_parse_sod_uses_the_sod_hash_algorithm(issuer: DocumentIssuer) -> None:
    security_object = parse_sod(issuer.sign_sod({1: DG1}, digest="sha1"))
    assert security_object.hash_algorithm == "sha1"
    assert security_object.data_group_hashes == {1: hashlib.sha1(DG1).digest()}


def test_reading_fewer_data_groups_than_signed_still_verifies(sod: bytes, store: TrustStore) -> None:
    assert verify_document(sod, {1: DG1}, store).status is VERIFIED
    assert verify_document(sod, {}, store).status is VERIFIED


def test_tampered_data_group_fails_naming_it(sod: bytes, store: TrustStore) -> None:
    tampered = {1: DG1, 2: flipped(DG2, 100)}
    assert verify_document(sod, tampered, store) == Authenticity(FAILED, "data group 2 does not match its signed hash")


def test_data_group_missing_from_sod_fails(sod: bytes, store: TrustStore) -> None:
    result = verify_document(sod, {**DATA_GROUPS, 11: DG11}, store)
    assert result == Authenticity(FAILED, "data group 11 is not covered by the document security object")


def test_flipped_signature_fails(sod: bytes, store: TrustStore) -> None:
    # SignerInfo.signature is the last field of the last structure, so the last byte is signature.
    result = verify_document(flipped(sod, len(sod) - 1), DATA_GROUPS, store)
    assert result == Authenticity(FAILED, "the document signer's signature does not verify")


def test_rewritten_hash_without_resigning_fails_on_message_digest(sod: bytes, store: TrustStore) -> None:
    # The forger swaps DG1 and its hash inside the security object but cannot re-sign it.
    forged_dg1 = DG1.replace(b"ERIKSSON", b"MALLORY<")
    forged_sod = sod.replace(hashlib.sha256(DG1).digest(), hashlib.sha256(forged_dg1).digest())
    assert forged_sod != sod
    result = verify_document(forged_sod, {1: forged_dg1, 2: DG2}, store)
    assert result == Authenticity(FAILED, "the document signer's signature does not verify")


def test_expired_document_signer_fails_with_date() -> None:
    expired = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    issuer = DocumentIssuer.generate(ds_not_after=expired)
    result = verify_document(issuer.sign_sod(DATA_GROUPS), DATA_GROUPS, TrustStore.of([issuer.csca_certificate]))
    assert result == Authenticity(FAILED, "the document signer's certificate expired on 2024-03-01")


def test_document_signer_not_yet_valid_fails() -> None:
    issuer = DocumentIssuer.generate(ds_not_before=dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
    result = verify_document(issuer.sign_sod(DATA_GROUPS), DATA_GROUPS, TrustStore.of([issuer.csca_certificate]))
    assert result.status is FAILED
    assert result.reason.startswith("the document signer's certificate is not yet valid")


def test_expired_csca_fails() -> None:
    issuer = DocumentIssuer.generate(csca_not_after=dt.datetime(2025, 1, 2, tzinfo=dt.UTC))
    result = verify_document(issuer.sign_sod(DATA_GROUPS), DATA_GROUPS, TrustStore.of([issuer.csca_certificate]))
    assert result == Authenticity(FAILED, "the issuing state's certificate (CSCA) expired on 2025-01-02")


def test_now_decides_validity(sod: bytes, store: TrustStore) -> None:
    in_twenty_years = dt.datetime.now(dt.UTC) + dt.timedelta(days=20 * 365)
    result = verify_document(sod, DATA_GROUPS, store, now=in_twenty_years)
    assert result.status is FAILED
    assert result.reason.startswith("the document signer's certificate expired on ")
    naive_now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert verify_document(sod, DATA_GROUPS, store, now=naive_now).status is VERIFIED


def test_csca_not_in_trust_store_is_not_verifiable(sod: bytes) -> None:
    other = DocumentIssuer.generate()  # same country and name, different keys
    expected = Authenticity(NOT_VERIFIABLE, "the issuing state's certificate (CSCA) is not in the trust store")
    assert verify_document(sod, DATA_GROUPS, TrustStore.of([other.csca_certificate])) == expected
    assert verify_document(sod, DATA_GROUPS, TrustStore.empty()) == expected


def test_csca_with_matching_name_and_key_id_but_other_key_fails(issuer: DocumentIssuer, sod: bytes) -> None:
    genuine = issuer.csca_certificate
    impostor_key = ec.generate_private_key(ec.SECP256R1())
    impostor = (
        x509.CertificateBuilder()
        .subject_name(genuine.subject)
        .issuer_name(genuine.subject)
        .public_key(impostor_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(genuine.not_valid_before_utc)
        .not_valid_after(genuine.not_valid_after_utc)
        .add_extension(genuine.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value, critical=False)
        .sign(impostor_key, hashes.SHA256())
    )
    result = verify_document(sod, DATA_GROUPS, TrustStore.of([impostor]))
    assert result.status is FAILED
    assert "not signed by the issuing state's certificate (CSCA)" in result.reason
    # With the genuine CSCA next to the impostor, the genuine one is found.
    assert verify_document(sod, DATA_GROUPS, TrustStore.of([impostor, genuine])).status is VERIFIED


def test_no_sod_is_not_verifiable(store: TrustStore) -> None:
    result = verify_document(None, DATA_GROUPS, store)
    assert result == Authenticity(NOT_VERIFIABLE, "the chip has no document security object (EF.SOD)")


@pytest.mark.parametrize(
    "garbage",
    [b"", b"\x77", b"\x77\x00", b"\x77\x03\x30\x01\x00", b"not a security object", bytes(300)],
)
def test_garbage_sod_is_malformed(garbage: bytes, store: TrustStore) -> None:
    assert verify_document(garbage, DATA_GROUPS, store) == Authenticity(
        FAILED, "the document security object is malformed"
    )
    with pytest.raises(MalformedSecurityObject):
        parse_sod(garbage)


def test_sod_without_tag_77_is_malformed(sod: bytes) -> None:
    content_info = sod[sod.index(b"\x30") :]
    with pytest.raises(IcaoError):
        parse_sod(content_info)


def test_master_list_is_not_a_security_object(issuer: DocumentIssuer) -> None:
    master_list = issuer.master_list([issuer.csca_certificate])
    with pytest.raises(MalformedSecurityObject, match=r"2\.23\.136\.1\.1\.2"):
        parse_sod(b"\x77\x82" + len(master_list).to_bytes(2, "big") + master_list)


def test_truncated_sod_is_malformed(sod: bytes, store: TrustStore) -> None:
    assert verify_document(sod[:-10], DATA_GROUPS, store).status is FAILED
    with pytest.raises(MalformedSecurityObject):
        parse_sod(sod[:-10])


def test_signer_named_by_subject_key_identifier_verifies(issuer: DocumentIssuer, store: TrustStore) -> None:
    # RFC 5652 §5.3 allows either SignerIdentifier form; some states use the key identifier.
    info = cms.ContentInfo.load(issuer.sign_sod(DATA_GROUPS), explicit=EF_SOD_TAG)
    signer = info["content"]["signer_infos"][0]
    ski = issuer.ds_certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    signer["sid"] = cms.SignerIdentifier(name="subject_key_identifier", value=ski)
    signer["version"] = "v3"
    sod = info.dump(force=True)
    assert parse_sod(sod).ds_certificate == issuer.ds_certificate
    assert verify_document(sod, DATA_GROUPS, store).status is VERIFIED


def test_unknown_signer_is_not_verifiable(issuer: DocumentIssuer, store: TrustStore) -> None:
    info = cms.ContentInfo.load(issuer.sign_sod(DATA_GROUPS), explicit=EF_SOD_TAG)
    info["content"]["signer_infos"][0]["sid"] = cms.SignerIdentifier(name="subject_key_identifier", value=bytes(20))
    result = verify_document(info.dump(force=True), DATA_GROUPS, store)
    assert result.status is NOT_VERIFIABLE
    assert "document signer's certificate" in result.reason


# Found by benchmarks/fuzz.py: a mutated EF.SOD whose document signer certificate carries the
# key-usage extension twice. cryptography raised DuplicateExtension lazily, deep in the chain check.
DUPLICATE_EXTENSION_SOD = bytes.fromhex(
    "778203723082036e06092a864886f70d010702a082035f3082035b020103310f300d0609608648016503040201050030"
    "700606678108010101a06604643062020100300d06096086480165030402010500304e3025020101042075acd61144cf"
    "8e1f6e3c086f2804083f11adc9768ea69424a8437456bf48cc9d3025020102042075b674d2b3fcc3d319a375980d5e8b"
    "48bd0aadc68f4cc4d1231dd691f7eb2e0aa08201b6308201b230820159a00302010202141ec2691c8164ade4b862f4fc"
    "a09183688f85a448300a06082a8648ce3d040302302a310b3009060355040613025554311b301906035504030c124353"
    "43412055746f70696120287465737429301e170d3236313132323232313732315a170d3336313132303232313732315a"
    "3035310b30090603550406130255543126302406035504030c1d446f63756d656e74205369676e65722055746f706961"
    "202874657374293059301306072a8648ce3d020106082a8648ce3d030107034200046ffa56de964c74700abd8670c7f6"
    "8637cf27b1446a695b89ee40d3640574d98398aed1a203b2d1bc8846d1a0bbbf3f6ffe4c896d650e948e9e5c7ca259b4"
    "661aa3523050301d0603551d0f04160414c635ff23130787ca58ead3eea5b97d52c10070f7300e0603551d0f0101ff04"
    "0403020780301f0603551d23041830168014b33b567125fbb48232446ce3ce6b51632a944ce7300a06082a8648ce3d04"
    "03020347003044022022b55bef8845e0c01ddce2df93b81bb6f35708d527dae15ad03064d1050ef4610220010ca4f666"
    "d2b52ea00a201523f223db6baa7918a739c441bb816c54bc63e1db31820117308201130201013042302a310b30090603"
    "55040613025554311b301906035504030c12435343412055746f7069612028746573742902141ec2691c8164ade4b862"
    "f4fca09183688f85a448300d06096086480165030402010500a066301506092a864886f70d0109033108060667810801"
    "0101301c06092a864886f70d010905310f170d3236313132333232313732315a302f06092a864886f70d010904312204"
    "20100a29f5aaf9d42d0de8cef8b7975428be7ca1f5fec86d41a9512af4b3db616c300a06082a8648ce3d040302044730"
    "45022070f90bfe35dd3fbaf14ad56d69d46e48267baffc89d5a4bd31a99e10c2685c09022100993355c334dd9c145c46"
    "c150e0760bdca9c12ef03526bf4b63d790b6c105443a"
)


def test_certificate_with_a_duplicate_extension_is_malformed_not_a_crash() -> None:
    from drivers.cardreader.icao.passive_auth import MalformedSecurityObject

    with pytest.raises(MalformedSecurityObject):
        parse_sod(DUPLICATE_EXTENSION_SOD)
    verdict = verify_document(DUPLICATE_EXTENSION_SOD, {}, TrustStore.empty())
    assert verdict.status is AuthenticityStatus.FAILED
    assert "malformed" in verdict.reason


def test_signature_bit_string_with_unused_bits_is_refused() -> None:
    """Found by fuzzing: cryptography ignores the BIT STRING's unused-bits byte, so a document signer
    certificate altered there still verified while not being the certificate that was signed."""
    issuer = DocumentIssuer.generate()
    groups = {1: b"\x61\x03\x5f\x1f\x00"}
    sod = issuer.sign_sod(groups)
    store = TrustStore.of([issuer.csca_certificate])
    assert verify_document(sod, groups, store).status is AuthenticityStatus.VERIFIED
    ds = issuer.ds_certificate.public_bytes(serialization.Encoding.DER)
    # The certificate ends with the signature BIT STRING: unused-bits byte, then the signature.
    position = sod.index(ds) + len(ds) - len(issuer.ds_certificate.signature) - 1
    assert sod[position] == 0  # the unused-bits byte
    altered = sod[:position] + b"\x01" + sod[position + 1 :]
    verdict = verify_document(altered, groups, store)
    assert verdict.status is AuthenticityStatus.FAILED

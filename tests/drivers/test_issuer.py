"""The test PKI issues certificates and EF.SOD with the structures of ICAO 9303-12 and 9303-10 §4.6."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from drivers.cardreader.emrtd.issuer import DocumentIssuer

DG1 = b"\x61\x05\x5f\x1f\x02AB"
DG14 = b"\x6e\x03\x31\x01\x00"


@pytest.fixture(scope="module")
def issuer() -> DocumentIssuer:
    return DocumentIssuer.generate()


def _value(certificate: x509.Certificate, extension: type[x509.ExtensionType]) -> x509.ExtensionType:
    return certificate.extensions.get_extension_for_class(extension).value


def test_csca_is_a_self_signed_ca_for_the_country(issuer: DocumentIssuer) -> None:
    csca = issuer.csca_certificate
    assert csca.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "UT"
    assert csca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CSCA Utopia (test)"
    assert csca.issuer == csca.subject
    csca.verify_directly_issued_by(csca)
    constraints = _value(csca, x509.BasicConstraints)
    assert isinstance(constraints, x509.BasicConstraints) and constraints.ca
    usage = _value(csca, x509.KeyUsage)
    assert isinstance(usage, x509.KeyUsage) and usage.key_cert_sign and usage.crl_sign
    assert not usage.digital_signature


def test_document_signer_is_issued_by_the_csca(issuer: DocumentIssuer) -> None:
    ds, csca = issuer.ds_certificate, issuer.csca_certificate
    ds.verify_directly_issued_by(csca)
    usage = _value(ds, x509.KeyUsage)
    assert isinstance(usage, x509.KeyUsage) and usage.digital_signature and not usage.key_cert_sign
    authority = _value(ds, x509.AuthorityKeyIdentifier)
    subject = _value(csca, x509.SubjectKeyIdentifier)
    assert isinstance(authority, x509.AuthorityKeyIdentifier) and isinstance(subject, x509.SubjectKeyIdentifier)
    assert authority.key_identifier == subject.digest
    assert isinstance(_value(ds, x509.SubjectKeyIdentifier), x509.SubjectKeyIdentifier)
    now = dt.datetime.now(dt.UTC)
    assert now - dt.timedelta(days=2) < ds.not_valid_before_utc < now
    assert now + dt.timedelta(days=9 * 365) < ds.not_valid_after_utc < now + dt.timedelta(days=11 * 365)
    assert csca.not_valid_before_utc <= ds.not_valid_before_utc
    assert csca.not_valid_after_utc >= ds.not_valid_after_utc


def test_keys_are_p256_by_default_and_rsa_on_request(issuer: DocumentIssuer) -> None:
    key = issuer.ds_certificate.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    rsa_key = DocumentIssuer.generate("NLD", key_type="rsa").csca_certificate.public_key()
    assert isinstance(rsa_key, rsa.RSAPublicKey) and rsa_key.key_size == 2048


def test_country_codes_map_to_alpha_2() -> None:
    csca = DocumentIssuer.generate("NLD").csca_certificate
    assert csca.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "NL"
    assert csca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CSCA Netherlands (test)"


def test_sod_structure(issuer: DocumentIssuer) -> None:
    sod = issuer.sign_sod({14: DG14, 1: DG1}, digest="sha384")
    assert sod[0] == 0x77
    info = cms.ContentInfo.load(sod, explicit=("application", 23), strict=True)
    signed = info["content"]
    assert info["content_type"].native == "signed_data"
    assert signed["version"].native == "v3"
    assert [algorithm["algorithm"].native for algorithm in signed["digest_algorithms"]] == ["sha384"]
    assert signed["encap_content_info"]["content_type"].dotted == "2.23.136.1.1.1"
    assert [certificate.chosen.dump() for certificate in signed["certificates"]] == [
        issuer.ds_certificate.public_bytes(Encoding.DER)
    ]
    (signer,) = signed["signer_infos"]
    assert signer["sid"].name == "issuer_and_serial_number"
    assert signer["sid"].chosen["serial_number"].native == issuer.ds_certificate.serial_number
    attributes = {attribute["type"].native: attribute["values"][0] for attribute in signer["signed_attrs"]}
    assert set(attributes) == {"content_type", "message_digest", "signing_time"}
    assert attributes["content_type"].dotted == "2.23.136.1.1.1"
    content = signed["encap_content_info"]["content"].native
    assert attributes["message_digest"].native == hashlib.sha384(content).digest()
    assert signer["signature_algorithm"]["algorithm"].native == "sha384_ecdsa"
    # The LDS security object lists the data groups in order, hashing whole files.
    assert hashlib.sha384(DG1).digest() in content
    assert content.index(hashlib.sha384(DG1).digest()) < content.index(hashlib.sha384(DG14).digest())


def test_rsa_pss_sod_names_its_parameters() -> None:
    sod = DocumentIssuer.generate(key_type="rsa-pss").sign_sod({1: DG1})
    signer = cms.ContentInfo.load(sod, explicit=("application", 23))["content"]["signer_infos"][0]
    algorithm = signer["signature_algorithm"]
    assert algorithm["algorithm"].native == "rsassa_pss"
    assert algorithm["parameters"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert algorithm["parameters"]["salt_length"].native == 32


def test_master_list_structure(issuer: DocumentIssuer) -> None:
    other = DocumentIssuer.generate("BEL")
    master_list = issuer.master_list([other.csca_certificate, issuer.csca_certificate])
    signed = cms.ContentInfo.load(master_list, strict=True)["content"]
    assert signed["encap_content_info"]["content_type"].dotted == "2.23.136.1.1.2"
    (signer_certificate,) = (x509.load_der_x509_certificate(choice.chosen.dump()) for choice in signed["certificates"])
    signer_certificate.verify_directly_issued_by(issuer.csca_certificate)


def test_unknown_digest_is_refused(issuer: DocumentIssuer) -> None:
    with pytest.raises(ValueError, match="md5"):
        issuer.sign_sod({1: DG1}, digest="md5")

"""The CSCA trust store: certificate files, ICAO master lists (9303-12 §9) and issuer lookup."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from drivers.cardreader.emrtd.issuer import DocumentIssuer
from drivers.cardreader.icao.document import AuthenticityStatus
from drivers.cardreader.icao.errors import MalformedSecurityObject
from drivers.cardreader.icao.passive_auth import verify_document
from drivers.cardreader.icao.trust_store import TrustStore, read_master_list


@pytest.fixture(scope="module")
def issuers() -> list[DocumentIssuer]:
    return [DocumentIssuer.generate(country) for country in ("UTO", "NLD", "BEL", "DEU")]


def test_of_empty_and_len(issuers: list[DocumentIssuer]) -> None:
    assert len(TrustStore.empty()) == 0
    cscas = [issuer.csca_certificate for issuer in issuers]
    store = TrustStore.of([*cscas, cscas[0]])  # duplicates count once
    assert len(store) == 4
    assert list(store) == cscas


def test_from_folder_with_pem_der_master_list_and_junk(
    tmp_path: Path, issuers: list[DocumentIssuer], caplog: pytest.LogCaptureFixture
) -> None:
    uto, nld, bel, deu = issuers
    (tmp_path / "utopia.pem").write_bytes(uto.csca_certificate.public_bytes(Encoding.PEM))
    (tmp_path / "nested" / "deeper").mkdir(parents=True)
    (tmp_path / "nested" / "deeper" / "netherlands.DER").write_bytes(nld.csca_certificate.public_bytes(Encoding.DER))
    (tmp_path / "nested" / "icao.ml").write_bytes(uto.master_list([bel.csca_certificate, deu.csca_certificate]))
    (tmp_path / "junk.cer").write_bytes(b"this is not a certificate")
    (tmp_path / "README.txt").write_text("ignored: not a certificate file\n")
    with caplog.at_level(logging.WARNING, logger="balie.chip"):
        store = TrustStore.from_path(tmp_path)
    assert set(store) == {issuer.csca_certificate for issuer in issuers}
    warnings = [record for record in caplog.records if record.name == "balie.chip"]
    assert len(warnings) == 1
    assert "junk.cer" in warnings[0].getMessage()
    assert (
        verify_document(deu.sign_sod({1: b"\x61\x00"}), {1: b"\x61\x00"}, store).status is AuthenticityStatus.VERIFIED
    )


def test_from_single_file_and_pem_bundle(tmp_path: Path, issuers: list[DocumentIssuer]) -> None:
    bundle = tmp_path / "bundle.crt"
    bundle.write_bytes(b"".join(issuer.csca_certificate.public_bytes(Encoding.PEM) for issuer in issuers[:3]))
    assert len(TrustStore.from_path(bundle)) == 3
    master_list = tmp_path / "list.ml"
    master_list.write_bytes(issuers[0].master_list([issuers[3].csca_certificate]))
    assert list(TrustStore.from_path(master_list)) == [issuers[3].csca_certificate]


def test_missing_path_gives_empty_store_and_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="balie.chip"):
        assert len(TrustStore.from_path(tmp_path / "nowhere")) == 0
    assert "nowhere" in caplog.text


@pytest.mark.parametrize("where", ["signature", "content"])
def test_master_list_with_broken_signature_is_rejected(
    where: str, tmp_path: Path, issuers: list[DocumentIssuer], caplog: pytest.LogCaptureFixture
) -> None:
    genuine = issuers[0].master_list([issuers[1].csca_certificate])
    broken = bytearray(genuine)
    if where == "signature":
        broken[-1] ^= 0x01  # the SignerInfo signature ends the structure
    else:
        csca = issuers[1].csca_certificate.public_bytes(Encoding.DER)
        broken[genuine.index(csca) + len(csca) - 1] ^= 0x01  # inside the signed certificate list
    with pytest.raises(MalformedSecurityObject, match="does not verify"):
        read_master_list(bytes(broken))
    (tmp_path / "broken.ml").write_bytes(bytes(broken))
    with caplog.at_level(logging.WARNING, logger="balie.chip"):
        assert len(TrustStore.from_path(tmp_path)) == 0
    assert "broken.ml" in caplog.text


def test_master_list_reads_back(issuers: list[DocumentIssuer]) -> None:
    cscas = [issuer.csca_certificate for issuer in issuers]
    assert set(read_master_list(issuers[2].master_list(cscas))) == set(cscas)


def test_security_object_is_not_a_master_list(issuers: list[DocumentIssuer]) -> None:
    sod = issuers[0].sign_sod({1: b"\x61\x00"})
    with pytest.raises(MalformedSecurityObject):
        read_master_list(sod[sod.index(b"\x30") :])


def test_issuers_of_matches_name_and_key_identifier(issuers: list[DocumentIssuer]) -> None:
    uto = issuers[0]
    same_name = DocumentIssuer.generate("UTO")  # same subject, other key and key identifier
    store = TrustStore.of([same_name.csca_certificate, *(issuer.csca_certificate for issuer in issuers)])
    assert store.issuers_of(uto.ds_certificate) == [uto.csca_certificate]
    assert store.issuers_of(same_name.ds_certificate) == [same_name.csca_certificate]
    assert TrustStore.of([issuers[1].csca_certificate]).issuers_of(uto.ds_certificate) == []


def test_issuers_of_without_authority_key_identifier_matches_by_name(issuers: list[DocumentIssuer]) -> None:
    uto = issuers[0]
    key = ec.generate_private_key(ec.SECP256R1())
    bare = (
        x509.CertificateBuilder()
        .subject_name(uto.ds_certificate.subject)
        .issuer_name(uto.csca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(uto.ds_certificate.not_valid_before_utc)
        .not_valid_after(uto.ds_certificate.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )
    same_name = DocumentIssuer.generate("UTO")
    store = TrustStore.of([uto.csca_certificate, same_name.csca_certificate, issuers[1].csca_certificate])
    assert store.issuers_of(bare) == [uto.csca_certificate, same_name.csca_certificate]

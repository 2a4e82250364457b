"""The CSCA certificates a kiosk trusts for passive authentication (ICAO 9303-12 §5, §9).

Each issuing state publishes its Country Signing CA certificate; states and the ICAO PKD also
bundle many of them in CSCA master lists (ICAO 9303-12 §9). The operator drops either kind of
file into a folder. A master list's own signature is checked so a corrupted or altered download
is refused, but trust comes from the operator having put the file there: the signer is not
chained any further.

A kiosk must keep working with a half-broken folder, so unreadable files are skipped with a
warning that names the file, never an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from drivers.cardreader.icao.errors import MalformedSecurityObject
from drivers.cardreader.icao.passive_auth import (
    SignerCheck,
    check_signer,
    load_certificate,
    load_pem_certificates,
    read_signed_data,
)

log = logging.getLogger("balie.chip")

CSCA_MASTER_LIST = "2.23.136.1.1.2"  # id-icao-cscaMasterList, ICAO 9303-12 §9
CERTIFICATE_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})
MASTER_LIST_SUFFIX = ".ml"


class CertificateSet(core.SetOf):  # type: ignore[misc]
    _child_spec = asn1_x509.Certificate


class CscaMasterList(core.Sequence):  # type: ignore[misc]
    """CscaMasterList ::= SEQUENCE { version CscaMasterListVersion, certList SET OF Certificate } (9303-12 §9)."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [("version", core.Integer), ("cert_list", CertificateSet)]


class TrustStore:
    """An immutable set of CSCA certificates, looked up by the certificates they issued."""

    __slots__ = ("_certificates",)

    def __init__(self, certificates: Iterable[x509.Certificate]) -> None:
        self._certificates: tuple[x509.Certificate, ...] = tuple(dict.fromkeys(certificates))

    @classmethod
    def of(cls, certificates: Iterable[x509.Certificate]) -> TrustStore:
        return cls(certificates)

    @classmethod
    def empty(cls) -> TrustStore:
        return cls(())

    @classmethod
    def from_path(cls, path: Path) -> TrustStore:
        """Load a certificate or master-list file, or every such file below a folder."""
        if path.is_dir():
            files = sorted(file for file in path.rglob("*") if file.is_file() and _is_trust_file(file))
        elif path.is_file():
            files = [path]
        else:
            log.warning("CSCA trust store %s does not exist; no document can be verified", path)
            files = []
        certificates: list[x509.Certificate] = []
        for file in files:
            certificates.extend(_load_file(file))
        return cls(certificates)

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return self._certificates

    def __len__(self) -> int:
        return len(self._certificates)

    def __iter__(self) -> Iterator[x509.Certificate]:
        return iter(self._certificates)

    def __repr__(self) -> str:
        return f"TrustStore({len(self)} CSCA certificates)"

    def issuers_of(self, certificate: x509.Certificate) -> list[x509.Certificate]:
        """CSCAs whose subject is the certificate's issuer and, when both say, whose key identifier matches.

        Several can match: a renewed CSCA keeps its name (ICAO 9303-12 §5.5.1), and only the key
        identifier (RFC 5280 §4.2.1.1) tells the generations apart. The caller checks signatures.
        """
        authority_key_id = _authority_key_identifier(certificate)
        return [
            csca
            for csca in self._certificates
            if csca.subject == certificate.issuer
            and (authority_key_id is None or _subject_key_identifier(csca) in (None, authority_key_id))
        ]


def _is_trust_file(file: Path) -> bool:
    suffix = file.suffix.lower()
    return suffix in CERTIFICATE_SUFFIXES or suffix == MASTER_LIST_SUFFIX


def _load_file(file: Path) -> list[x509.Certificate]:
    try:
        data = file.read_bytes()
        if file.suffix.lower() == MASTER_LIST_SUFFIX:
            return read_master_list(data, source=str(file))
        return _read_certificates(data)
    except (OSError, ValueError, MalformedSecurityObject) as error:
        log.warning("Skipping CSCA file %s: %s", file, error)
        return []


def _read_certificates(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN" in data:
        return load_pem_certificates(data)
    return [load_certificate(data)]


def read_master_list(data: bytes, *, source: str = "master list") -> list[x509.Certificate]:
    """The CSCA certificates of a CMS-signed CscaMasterList whose signature verifies (ICAO 9303-12 §9).

    Raises `MalformedSecurityObject` when the file is not a master list or its signature fails.
    Single certificates in the list that cannot be read are skipped with a warning.
    """
    signed = read_signed_data(data, CSCA_MASTER_LIST)
    if signed.signer_certificate is None:
        raise MalformedSecurityObject("the master list does not carry its signer's certificate")
    if check_signer(signed, signed.signer_certificate) is not SignerCheck.VALID:
        raise MalformedSecurityObject("the master list's signature does not verify")
    try:
        entries = list(CscaMasterList.load(signed.content, strict=True)["cert_list"])
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError) as error:
        raise MalformedSecurityObject(f"not a CSCA master list: {error}") from None
    certificates = []
    for index, entry in enumerate(entries):
        try:
            certificates.append(load_certificate(entry.dump()))
        except ValueError as error:
            log.warning("Skipping certificate %d of %s: %s", index, source, error)
    return certificates


def _authority_key_identifier(certificate: x509.Certificate) -> bytes | None:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    except (x509.ExtensionNotFound, ValueError):
        return None
    return extension.value.key_identifier


def _subject_key_identifier(certificate: x509.Certificate) -> bytes | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError):
        return None

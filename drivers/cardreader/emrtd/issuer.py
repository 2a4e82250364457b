"""A test PKI: a CSCA, a Document Signer and the EF.SOD they sign (ICAO 9303-12, 9303-10 §4.6).

The simulated kiosk and the tests need chips whose passive authentication really verifies (and
really fails when tampered with), so this issues certificates and document security objects with
the same structures a state's PKI would. Keys live in memory only; nothing is written to disk.
EC P-256 is the default because the simulated kiosk generates an issuer at start-up and RSA key
generation is slow; RSA 2048 (PKCS#1 v1.5 or PSS) is there to exercise the other signature paths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from drivers.cardreader.icao.passive_auth import (
    EF_SOD_TAG,
    HASHES,
    LDS_SECURITY_OBJECT,
    DataGroupHash,
    LdsSecurityObject,
)
from drivers.cardreader.icao.trust_store import CSCA_MASTER_LIST, CscaMasterList

KeyType = Literal["ec", "rsa", "rsa-pss"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

MASTER_LIST_SIGNING = ObjectIdentifier("2.23.136.1.1.3")  # id-icao-cscaMasterListSigningKey, 9303-12 §7.1.1.3
CSCA_VALIDITY = dt.timedelta(days=15 * 365)
DS_VALIDITY = dt.timedelta(days=10 * 365)
ONE_DAY = dt.timedelta(days=1)

# ICAO 9303-3 three-letter codes and their ISO 3166 alpha-2 equivalents, for the test states in use.
_COUNTRIES = {
    "UTO": ("UT", "Utopia"),
    "NLD": ("NL", "Netherlands"),
    "D": ("DE", "Germany"),
    "DEU": ("DE", "Germany"),
    "BEL": ("BE", "Belgium"),
}


@dataclass(frozen=True, slots=True)
class DocumentIssuer:
    """One issuing state's test PKI: CSCA key and certificate, DS key and certificate."""

    country: str
    key_type: KeyType
    csca_certificate: x509.Certificate
    ds_certificate: x509.Certificate
    csca_key: PrivateKey = field(repr=False)
    ds_key: PrivateKey = field(repr=False)

    @classmethod
    def generate(
        cls,
        country: str = "UTO",
        *,
        key_type: KeyType = "ec",
        ds_not_before: dt.datetime | None = None,
        ds_not_after: dt.datetime | None = None,
        csca_not_after: dt.datetime | None = None,
    ) -> DocumentIssuer:
        """A fresh CSCA and DS for ``country``; the DS is valid from a day ago for ten years unless told."""
        now = dt.datetime.now(dt.UTC)
        not_after = ds_not_after or now + DS_VALIDITY
        not_before = ds_not_before or min(now - ONE_DAY, not_after - ONE_DAY)
        alpha2, name = _COUNTRIES.get(country.upper(), (country[:2].upper(), country))
        csca_key, ds_key = _new_key(key_type), _new_key(key_type)
        csca_subject = _name(alpha2, f"CSCA {name} (test)")
        csca_not_after = csca_not_after or max(not_after, now + CSCA_VALIDITY)
        csca_not_before = min(not_before - ONE_DAY, now - ONE_DAY, csca_not_after - ONE_DAY)
        csca = (
            _builder(csca_subject, csca_subject, csca_key, csca_not_before)
            .not_valid_after(csca_not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
        )
        csca_certificate = _sign_certificate(csca, csca_key, key_type)
        ds = _issued(csca_certificate, _name(alpha2, f"Document Signer {name} (test)"), ds_key, not_before, not_after)
        return cls(
            country=country,
            key_type=key_type,
            csca_certificate=csca_certificate,
            ds_certificate=_sign_certificate(ds, csca_key, key_type),
            csca_key=csca_key,
            ds_key=ds_key,
        )

    def sign_sod(self, data_groups: Mapping[int, bytes], *, digest: str = "sha256") -> bytes:
        """EF.SOD over the given whole data-group files: 77 L ContentInfo (ICAO 9303-10 §4.6.2)."""
        hash_ = _hash_algorithm(digest)
        lds = LdsSecurityObject(
            {
                "version": 0,
                "hash_algorithm": {"algorithm": digest},
                "data_group_hash_values": [
                    DataGroupHash({"data_group_number": number, "data_group_hash_value": _digest(hash_, content)})
                    for number, content in sorted(data_groups.items())
                ],
            }
        )
        signed = self._signed_data(LDS_SECURITY_OBJECT, lds.dump(), self.ds_certificate, self.ds_key, digest)
        return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}, explicit=EF_SOD_TAG).dump())

    def master_list(self, cscas: Iterable[x509.Certificate], *, digest: str = "sha256") -> bytes:
        """A CSCA master list (ICAO 9303-12 §9) signed by a fresh master-list signer under this CSCA."""
        now = dt.datetime.now(dt.UTC)
        alpha2 = self.csca_certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value
        signer_key = _new_key(self.key_type)
        builder = _issued(
            self.csca_certificate,
            _name(str(alpha2), "Master List Signer (test)"),
            signer_key,
            now - ONE_DAY,
            now + DS_VALIDITY,
        ).add_extension(x509.ExtendedKeyUsage([MASTER_LIST_SIGNING]), critical=False)
        signer = _sign_certificate(builder, self.csca_key, self.key_type)
        content = CscaMasterList({"version": 0, "cert_list": [_asn1(csca) for csca in cscas]}).dump()
        signed = self._signed_data(CSCA_MASTER_LIST, content, signer, signer_key, digest)
        return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())

    def _signed_data(
        self, content_type: str, content: bytes, certificate: x509.Certificate, key: PrivateKey, digest: str
    ) -> cms.SignedData:
        """SignedData v3 with one signer identified by issuer and serial (ICAO 9303-10 §4.6.2.2)."""
        hash_ = _hash_algorithm(digest)
        attributes = cms.CMSAttributes(
            [
                {"type": "content_type", "values": [content_type]},
                {"type": "message_digest", "values": [_digest(hash_, content)]},
                {"type": "signing_time", "values": [cms.Time(name="utc_time", value=dt.datetime.now(dt.UTC))]},
            ]
        )
        signature, algorithm = _sign(key, self.key_type, attributes.dump(), digest)
        certificate_asn1 = _asn1(certificate)
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value=cms.IssuerAndSerialNumber(
                        {"issuer": certificate_asn1.issuer, "serial_number": certificate_asn1.serial_number}
                    ),
                ),
                "digest_algorithm": {"algorithm": digest},
                "signed_attrs": attributes,
                "signature_algorithm": algorithm,
                "signature": signature,
            }
        )
        return cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [{"algorithm": digest}],
                "encap_content_info": {"content_type": content_type, "content": content},
                "certificates": [certificate_asn1],
                "signer_infos": [signer_info],
            }
        )


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(country: str, common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, country), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _builder(
    subject: x509.Name, issuer: x509.Name, key: PrivateKey, not_before: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _issued(
    issuer: x509.Certificate, subject: x509.Name, key: PrivateKey, not_before: dt.datetime, not_after: dt.datetime
) -> x509.CertificateBuilder:
    """A signer certificate under ``issuer`` (ICAO 9303-12 §7.1.1: digitalSignature, AKI = CSCA's SKI)."""
    issuer_key_id = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        _builder(subject, issuer.subject, key, not_before)
        .not_valid_after(not_after)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_key_id), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _sign_certificate(builder: x509.CertificateBuilder, key: PrivateKey, key_type: KeyType) -> x509.Certificate:
    if key_type == "rsa-pss":
        pss = padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.DIGEST_LENGTH)
        return builder.sign(key, hashes.SHA256(), rsa_padding=pss)
    return builder.sign(key, hashes.SHA256())


def _sign(key: PrivateKey, key_type: KeyType, data: bytes, digest: str) -> tuple[bytes, algos.SignedDigestAlgorithm]:
    """The CMS signature over the signed attributes and its SignatureAlgorithmIdentifier."""
    hash_ = _hash_algorithm(digest)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(hash_)), algos.SignedDigestAlgorithm({"algorithm": f"{digest}_ecdsa"})
    if key_type == "rsa-pss":
        parameters = {
            "hash_algorithm": {"algorithm": digest},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
            "salt_length": hash_.digest_size,
            "trailer_field": "trailer_field_bc",
        }
        signature = key.sign(data, padding.PSS(padding.MGF1(hash_), hash_.digest_size), hash_)
        return signature, algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": parameters})
    return key.sign(data, padding.PKCS1v15(), hash_), algos.SignedDigestAlgorithm({"algorithm": f"{digest}_rsa"})


def _hash_algorithm(digest: str) -> hashes.HashAlgorithm:
    try:
        return HASHES[digest]()
    except KeyError:
        raise ValueError(f"unsupported digest {digest!r}; use one of {', '.join(HASHES)}") from None


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    context = hashes.Hash(algorithm)
    context.update(data)
    return context.finalize()


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

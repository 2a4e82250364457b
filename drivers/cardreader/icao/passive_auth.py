"""Passive authentication of eMRTD chip data (ICAO 9303-11 §5.1).

The chip proves nothing by itself here: the issuing state signed a list of data-group hashes
(EF.SOD, the Document Security Object of ICAO 9303-10 §4.6.2) with a Document Signer (DS) key,
and the DS certificate is signed by the state's Country Signing CA (CSCA). Passive authentication
recomputes the hashes of the data groups that were read, verifies the CMS signature with the DS
certificate carried in EF.SOD, and verifies the DS certificate against a CSCA from the kiosk's
trust store (ICAO 9303-12). Every step yields a plain-word reason, so a technician can tell a
forged chip (failed) from a missing CSCA (not verifiable).

The CMS helpers (`read_signed_data`, `check_signer`) are shared with CSCA master lists, which use
the same SignedData structure (ICAO 9303-12 §9).
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from drivers.cardreader.icao.document import Authenticity, AuthenticityStatus
from drivers.cardreader.icao.errors import MalformedSecurityObject

if TYPE_CHECKING:
    from drivers.cardreader.icao.trust_store import TrustStore

LDS_SECURITY_OBJECT = "2.23.136.1.1.1"  # id-icao-mrtd-security-ldsSecurityObject, ICAO 9303-10 §4.6.2
EF_SOD_TAG = ("application", 23)  # EF.SOD is tag 77 around the ContentInfo, ICAO 9303-10 §4.6.2
DATA_GROUP_NUMBERS = range(1, 17)  # DataGroupNumber ::= INTEGER { dataGroup1(1) .. dataGroup16(16) }

# Hash functions ICAO 9303-12 §4.4 allows for EF.SOD and certificates, by asn1crypto's names.
HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

# ecdsa-plain-signatures (BSI TR-03111 §5.2.1): r || s instead of a DER ECDSA-Sig-Value.
# ICAO 9303-12 §4.4.3 permits them; asn1crypto does not know these OIDs.
_PLAIN_ECDSA = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1",
    "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256",
    "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512",
}

# asn1crypto raises these (lazily, on access) for input that does not fit the schema.
_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError)


class DataGroupHash(core.Sequence):  # type: ignore[misc]
    """DataGroupHash ::= SEQUENCE { dataGroupNumber, dataGroupHashValue OCTET STRING } (9303-10 §4.6.2.2)."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("data_group_number", core.Integer),
        ("data_group_hash_value", core.OctetString),
    ]


class DataGroupHashValues(core.SequenceOf):  # type: ignore[misc]
    _child_spec = DataGroupHash


class LdsVersionInfo(core.Sequence):  # type: ignore[misc]
    """LDSVersionInfo ::= SEQUENCE { ldsVersion, unicodeVersion } (LDS 1.8, 9303-10 §4.6.2.2)."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class LdsSecurityObject(core.Sequence):  # type: ignore[misc]
    """LDSSecurityObject, the eContent of EF.SOD (ICAO 9303-10 §4.6.2.2)."""

    _fields: ClassVar[list[tuple[Any, ...]]] = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashValues),
        ("lds_version_info", LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True, slots=True)
class SignatureScheme:
    """How the signer signed: ``kind`` is "pkcs1v15", "pss", "ecdsa", "ecdsa-plain" or the unknown OID."""

    kind: str
    hash_name: str
    mgf_hash_name: str = ""  # RSA-PSS only (RFC 4055 §3.1)
    salt_length: int = 0  # RSA-PSS only


@dataclass(frozen=True, slots=True)
class SignedContent:
    """A CMS SignedData with one signer, reduced to what a verifier needs (RFC 5652 §5)."""

    content_type: str  # eContentType as a dotted OID
    content: bytes = field(repr=False)  # the eContent octets
    certificates: tuple[x509.Certificate, ...]
    signer_certificate: x509.Certificate | None  # the certificate named by the signer's sid, if carried
    digest_algorithm: str
    signed_attributes: bytes = field(repr=False)  # DER SET OF Attribute: what the signature covers
    attribute_content_type: str | None  # the contentType signed attribute
    message_digest: bytes | None  # the messageDigest signed attribute
    scheme: SignatureScheme
    signature: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class SecurityObject:
    """EF.SOD as read: which data groups the issuing state signed, with which hashes and by whom."""

    hash_algorithm: str  # "sha256", … (or the dotted OID when unknown)
    data_group_hashes: dict[int, bytes]
    ds_certificate: x509.Certificate | None
    lds_version: str | None
    signed: SignedContent = field(repr=False)


class SignerCheck(enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    UNSUPPORTED = "unsupported"


def read_signed_data(
    content_info: bytes, content_type: str, *, explicit: tuple[str, int] | None = None
) -> SignedContent:
    """Parse a DER ContentInfo holding SignedData with eContentType ``content_type`` and one signer.

    ``explicit`` is the outer tag wrapping the ContentInfo (EF.SOD's 77). Raises
    `MalformedSecurityObject` for anything that is not such a structure.
    """
    try:
        if explicit is None:
            info = cms.ContentInfo.load(content_info, strict=True)
        else:
            info = cms.ContentInfo.load(content_info, strict=True, explicit=explicit)
        return _signed_content(info, content_type)
    except MalformedSecurityObject:
        raise
    except _PARSE_ERRORS as error:
        raise MalformedSecurityObject(f"not a CMS SignedData structure: {error}") from None


def _signed_content(info: Any, content_type: str) -> SignedContent:
    if info["content_type"].native != "signed_data":
        raise MalformedSecurityObject("the ContentInfo does not hold SignedData")
    signed_data = info["content"]
    encapsulated = signed_data["encap_content_info"]
    if encapsulated["content_type"].dotted != content_type:
        raise MalformedSecurityObject(
            f"the signed content is {encapsulated['content_type'].dotted}, not {content_type}"
        )
    content = encapsulated["content"].native
    if not isinstance(content, bytes):
        raise MalformedSecurityObject("the signed content is missing")
    signer_infos = signed_data["signer_infos"]
    if len(signer_infos) != 1:  # ICAO 9303-10 §4.6.2.2: exactly one SignerInfo
        raise MalformedSecurityObject(f"expected one signer, found {len(signer_infos)}")
    signer = signer_infos[0]
    certificates = _certificates(signed_data["certificates"])
    signed_attributes = signer["signed_attrs"]
    if not signed_attributes:  # ICAO 9303-10 §4.6.2.2: signedAttrs must be present
        raise MalformedSecurityObject("the signer has no signed attributes")
    attributes = {attribute["type"].dotted: attribute["values"] for attribute in signed_attributes}
    attribute_content_type = _single(attributes.get("1.2.840.113549.1.9.3"))
    message_digest = _single(attributes.get("1.2.840.113549.1.9.4"))
    # The signature covers the DER SET OF, not the [0] IMPLICIT encoding in SignerInfo (RFC 5652 §5.4).
    der_attributes = bytearray(signed_attributes.dump())
    der_attributes[0] = 0x31
    digest_algorithm = signer["digest_algorithm"]["algorithm"].native
    return SignedContent(
        content_type=content_type,
        content=content,
        certificates=tuple(certificate for _, certificate in certificates),
        signer_certificate=_signer_certificate(signer["sid"], certificates),
        digest_algorithm=str(digest_algorithm),
        signed_attributes=bytes(der_attributes),
        attribute_content_type=attribute_content_type.dotted if attribute_content_type is not None else None,
        message_digest=message_digest.native if message_digest is not None else None,
        scheme=_scheme(signer["signature_algorithm"], str(digest_algorithm)),
        signature=bytes(signer["signature"].native),
    )


def _single(values: Any) -> Any:
    if values is None:
        return None
    if len(values) != 1:
        raise MalformedSecurityObject("a signed attribute must have exactly one value")
    return values[0]


def _certificates(choices: Any) -> list[tuple[Any, x509.Certificate]]:
    """Each X.509 certificate in SignedData.certificates, as asn1crypto and cryptography objects."""
    found = []
    for choice in choices or ():
        if choice.name != "certificate":
            continue  # attribute and other certificate formats play no part in ICAO 9303
        try:
            found.append((choice.chosen, load_certificate(choice.chosen.dump())))
        except ValueError as error:
            raise MalformedSecurityObject(f"a certificate in the signed data cannot be read: {error}") from None
    return found


def load_certificate(der: bytes) -> x509.Certificate:
    """A DER certificate, raising only ValueError when unreadable.

    Some states' certificates carry a negative serial number (against RFC 5280 §4.1.2.2);
    cryptography warns about those but still reads them, and so do we: the signatures decide.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            return _with_readable_extensions(x509.load_der_x509_certificate(der))
        except x509.InvalidVersion as error:
            raise ValueError(str(error)) from None


def _with_readable_extensions(certificate: x509.Certificate) -> x509.Certificate:
    """cryptography parses extensions lazily and raises its own exception types for bad ones
    (DuplicateExtension, UnsupportedGeneralNameType, …) at first use, deep in a later check:
    parse them now so an unreadable certificate is refused where it is loaded (found by fuzzing)."""
    try:
        _ = certificate.extensions
    except (x509.DuplicateExtension, x509.UnsupportedGeneralNameType, ValueError) as error:
        raise ValueError(f"the certificate's extensions are malformed ({type(error).__name__})") from None
    # A signature is a whole number of bytes: a BIT STRING announcing unused bits is not DER for it.
    # cryptography ignores that byte, so such a certificate would verify while not being the one
    # signed (found by fuzzing); refuse it.
    der = certificate.public_bytes(serialization.Encoding.DER)
    try:
        unused_bits = asn1_x509.Certificate.load(der)["signature_value"].contents[0]
    except (ValueError, TypeError, IndexError) as error:
        raise ValueError(f"the certificate's signature is malformed ({type(error).__name__})") from None
    if unused_bits != 0:
        raise ValueError("the certificate's signature is not a whole number of bytes")
    return certificate


def load_pem_certificates(pem: bytes) -> list[x509.Certificate]:
    """All certificates in a PEM bundle, raising only ValueError (see `load_certificate`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        try:
            return [_with_readable_extensions(certificate) for certificate in x509.load_pem_x509_certificates(pem)]
        except x509.InvalidVersion as error:
            raise ValueError(str(error)) from None


def _signer_certificate(sid: Any, certificates: list[tuple[Any, x509.Certificate]]) -> x509.Certificate | None:
    """The certificate the SignerIdentifier names (RFC 5652 §5.3); ICAO allows both forms.

    Compared on the asn1crypto side: it matches names as RFC 5280 §7.1 says, and reads
    serial numbers without complaint.
    """
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"]
        serial = sid.chosen["serial_number"].native
        for parsed, certificate in certificates:
            if parsed.serial_number == serial and parsed.issuer == issuer:
                return certificate
        return None
    key_id = sid.chosen.native
    for parsed, certificate in certificates:
        if parsed.key_identifier == key_id:
            return certificate
    return None


def _subject_key_identifier(certificate: x509.Certificate) -> bytes | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except (x509.ExtensionNotFound, ValueError):
        return None


def _scheme(algorithm: Any, digest_algorithm: str) -> SignatureScheme:
    oid = algorithm["algorithm"].dotted
    if oid in _PLAIN_ECDSA:
        return SignatureScheme("ecdsa-plain", _PLAIN_ECDSA[oid])
    try:
        kind = algorithm.signature_algo
    except ValueError:
        return SignatureScheme(oid, digest_algorithm)
    if kind == "rsassa_pss":
        parameters = algorithm["parameters"]
        mgf = parameters["mask_gen_algorithm"]
        return SignatureScheme(
            "pss",
            parameters["hash_algorithm"]["algorithm"].native,
            mgf_hash_name=mgf["parameters"]["algorithm"].native,
            salt_length=parameters["salt_length"].native,
        )
    if kind == "rsassa_pkcs1v15":
        return SignatureScheme("pkcs1v15", digest_algorithm)
    if kind == "ecdsa":
        return SignatureScheme("ecdsa", digest_algorithm)
    return SignatureScheme(kind, digest_algorithm)


def check_signer(signed: SignedContent, certificate: x509.Certificate) -> SignerCheck:
    """RFC 5652 §5.4 and §5.6: the signed attributes bind the content, the key signed the attributes."""
    digest = HASHES.get(signed.digest_algorithm)
    signature_hash = HASHES.get(signed.scheme.hash_name)
    if digest is None or signature_hash is None:
        return SignerCheck.UNSUPPORTED
    if signed.attribute_content_type != signed.content_type or signed.message_digest is None:
        return SignerCheck.INVALID
    if not hmac.compare_digest(_hash(digest(), signed.content), signed.message_digest):
        return SignerCheck.INVALID
    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return SignerCheck.UNSUPPORTED
    try:
        return _verify(key, signed.scheme, signature_hash(), signed.signature, signed.signed_attributes)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return SignerCheck.INVALID


def _verify(
    key: Any, scheme: SignatureScheme, hash_: hashes.HashAlgorithm, signature: bytes, data: bytes
) -> SignerCheck:
    if isinstance(key, rsa.RSAPublicKey) and scheme.kind == "pkcs1v15":
        key.verify(signature, data, padding.PKCS1v15(), hash_)
    elif isinstance(key, rsa.RSAPublicKey) and scheme.kind == "pss":
        mgf_hash = HASHES.get(scheme.mgf_hash_name)
        if mgf_hash is None:
            return SignerCheck.UNSUPPORTED
        key.verify(signature, data, padding.PSS(padding.MGF1(mgf_hash()), scheme.salt_length), hash_)
    elif isinstance(key, ec.EllipticCurvePublicKey) and scheme.kind == "ecdsa":
        key.verify(signature, data, ec.ECDSA(hash_))
    elif isinstance(key, ec.EllipticCurvePublicKey) and scheme.kind == "ecdsa-plain":
        if not signature or len(signature) % 2:
            return SignerCheck.INVALID
        half = len(signature) // 2
        r, s = int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
        key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hash_))
    elif scheme.kind in ("pkcs1v15", "pss", "ecdsa", "ecdsa-plain"):
        return SignerCheck.INVALID  # the algorithm does not fit the certificate's key
    else:
        return SignerCheck.UNSUPPORTED
    return SignerCheck.VALID


def _hash(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    context = hashes.Hash(algorithm)
    context.update(data)
    return context.finalize()


def parse_sod(sod: bytes) -> SecurityObject:
    """Read EF.SOD (ICAO 9303-10 §4.6.2) without judging it; raises `MalformedSecurityObject`."""
    signed = read_signed_data(sod, LDS_SECURITY_OBJECT, explicit=EF_SOD_TAG)
    try:
        lds = LdsSecurityObject.load(signed.content, strict=True)
        hash_algorithm = lds["hash_algorithm"]["algorithm"].native
        data_group_hashes: dict[int, bytes] = {}
        for entry in lds["data_group_hash_values"]:
            number = entry["data_group_number"].native
            if number not in DATA_GROUP_NUMBERS or number in data_group_hashes:
                raise MalformedSecurityObject(f"data group number {number} is out of range or listed twice")
            data_group_hashes[number] = entry["data_group_hash_value"].native
        version_info = lds["lds_version_info"]
        lds_version = version_info["lds_version"].native if version_info.native is not None else None
    except _PARSE_ERRORS as error:
        raise MalformedSecurityObject(f"not an LDS security object: {error}") from None
    return SecurityObject(
        hash_algorithm=str(hash_algorithm),
        data_group_hashes=data_group_hashes,
        ds_certificate=signed.signer_certificate,
        lds_version=lds_version,
        signed=signed,
    )


def verify_document(
    sod: bytes | None,
    data_groups: Mapping[int, bytes],
    trust_store: TrustStore,
    *,
    now: dt.datetime | None = None,
) -> Authenticity:
    """Passive authentication, ICAO 9303-11 §5.1, of the data groups that were read (whole files).

    Never raises for bad chip data: every outcome is an `Authenticity` whose reason names the check
    that decided it.
    """
    if sod is None:
        return _not_verifiable("the chip has no document security object (EF.SOD)")
    try:
        security_object = parse_sod(sod)
    except MalformedSecurityObject:
        return _failed("the document security object is malformed")
    moment = _utc(now if now is not None else dt.datetime.now(dt.UTC))
    return (
        _check_data_groups(security_object, data_groups)
        or _check_document_signature(security_object)
        or _check_chain(security_object, trust_store, moment)
    )


def _check_data_groups(security_object: SecurityObject, data_groups: Mapping[int, bytes]) -> Authenticity | None:
    """ICAO 9303-11 §5.1 step 3: each data group read hashes to the value the issuing state signed."""
    algorithm = HASHES.get(security_object.hash_algorithm)
    if algorithm is None:
        return _not_verifiable(
            f"the document security object uses an unsupported hash algorithm ({security_object.hash_algorithm})"
        )
    for number in sorted(data_groups):
        signed_hash = security_object.data_group_hashes.get(number)
        if signed_hash is None:
            return _failed(f"data group {number} is not covered by the document security object")
        if not hmac.compare_digest(_hash(algorithm(), data_groups[number]), signed_hash):
            return _failed(f"data group {number} does not match its signed hash")
    return None


def _check_document_signature(security_object: SecurityObject) -> Authenticity | None:
    """ICAO 9303-11 §5.1 step 2: the DS key signed the security object (RFC 5652 §5.6)."""
    ds = security_object.ds_certificate
    if ds is None:
        return _not_verifiable("the document security object does not carry the document signer's certificate")
    check = check_signer(security_object.signed, ds)
    if check is SignerCheck.UNSUPPORTED:
        return _not_verifiable(
            f"the document signer uses an unsupported signature algorithm ({security_object.signed.scheme.kind})"
        )
    if check is SignerCheck.INVALID:
        return _failed("the document signer's signature does not verify")
    return None


def _check_chain(security_object: SecurityObject, trust_store: TrustStore, now: dt.datetime) -> Authenticity:
    """ICAO 9303-11 §5.1 step 1 and 9303-12 §7: the DS certificate chains to a trusted CSCA, both valid now."""
    ds = security_object.ds_certificate
    assert ds is not None  # checked by _check_document_signature
    candidates = trust_store.issuers_of(ds)
    if not candidates:
        return _not_verifiable("the issuing state's certificate (CSCA) is not in the trust store")
    csca = next((candidate for candidate in candidates if _issued_by(ds, candidate)), None)
    if csca is None:
        return _failed("the document signer's certificate is not signed by the issuing state's certificate (CSCA)")
    for name, certificate in (
        ("the document signer's certificate", ds),
        ("the issuing state's certificate (CSCA)", csca),
    ):
        if now < certificate.not_valid_before_utc:
            return _failed(f"{name} is not yet valid (valid from {certificate.not_valid_before_utc:%Y-%m-%d})")
        if now > certificate.not_valid_after_utc:
            return _failed(f"{name} expired on {certificate.not_valid_after_utc:%Y-%m-%d}")
    return Authenticity(AuthenticityStatus.VERIFIED, f"signed by {signer_name(csca)}")


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def signer_name(certificate: x509.Certificate) -> str:
    """The CSCA's common name, else its country, else its whole subject: what a technician recognises."""
    for oid in (NameOID.COMMON_NAME, NameOID.COUNTRY_NAME):
        attributes = certificate.subject.get_attributes_for_oid(oid)
        if attributes:
            return str(attributes[0].value)
    return certificate.subject.rfc4514_string()


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _failed(reason: str) -> Authenticity:
    return Authenticity(AuthenticityStatus.FAILED, reason)


def _not_verifiable(reason: str) -> Authenticity:
    return Authenticity(AuthenticityStatus.NOT_VERIFIABLE, reason)

"""SecurityInfos from EF.CardAccess and DG14, ICAO 9303-11 §9.2.

Both files hold a DER ``SET OF SecurityInfo``; each SecurityInfo is a SEQUENCE that starts
with a protocol OID. The terminal reads EF.CardAccess before PACE to learn which PACE
variants the chip offers (PACEInfo, §9.2.1), and DG14 after access control for Chip and
Active Authentication. We decode PACEInfo and keep every other SecurityInfo as raw DER with
its OID, so the modules that understand them can parse them later and the virtual chip can
write them back unchanged.

The input comes from a chip, so any malformation is reported as a
:class:`SecurityInfosError` and never as a parser exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core

from drivers.cardreader.icao.errors import SecurityInfosError

# ICAO 9303-11 §9.2.1 / BSI TR-03110-3 A.1.1: id-PACE = bsi-de protocols(2) smartcard(2) 4
ID_PACE = "0.4.0.127.0.7.2.2.4"

_KEY_AGREEMENT_AND_MAPPING = {  # arc after id-PACE
    1: ("DH", "GM"),
    2: ("ECDH", "GM"),
    3: ("DH", "IM"),
    4: ("ECDH", "IM"),
    6: ("ECDH", "CAM"),
}
_CIPHERS = {  # last arc: cipher and key length in bytes (§9.2.1, §9.7.1)
    1: ("3DES", 16),
    2: ("AES", 16),
    3: ("AES", 24),
    4: ("AES", 32),
}

PACE_VERSION_2 = 2  # §9.2.1: "version SHALL be 2"


def pace_oid(key_agreement: str, mapping: str, cipher: str, key_length: int) -> str:
    """The dotted PACE protocol OID for a key agreement, mapping and cipher (§9.2.1)."""
    for arc, names in _KEY_AGREEMENT_AND_MAPPING.items():
        if names == (key_agreement, mapping):
            for cipher_arc, cipher_names in _CIPHERS.items():
                if cipher_names == (cipher, key_length):
                    return f"{ID_PACE}.{arc}.{cipher_arc}"
    raise ValueError(f"no PACE protocol for {key_agreement}-{mapping} with {cipher}-{key_length * 8}")


def _arcs(protocol: str) -> tuple[int, int] | None:
    """(mapping arc, cipher arc) of a PACEInfo protocol OID, or None if it is not one."""
    prefix = ID_PACE + "."
    if not protocol.startswith(prefix):
        return None
    rest = protocol[len(prefix) :].split(".")
    if len(rest) != 2 or not all(part.isdigit() for part in rest):
        return None
    mapping, cipher = int(rest[0]), int(rest[1])
    if mapping not in _KEY_AGREEMENT_AND_MAPPING or cipher not in _CIPHERS:
        return None
    return mapping, cipher


def is_pace_protocol(protocol: str) -> bool:
    """True for the OIDs of PACEInfo (id-PACE-<KA>-<mapping>-<cipher>), not PACEDomainParameterInfo."""
    return _arcs(protocol) is not None


@dataclass(frozen=True, slots=True)
class PaceInfo:
    """One PACEInfo (ICAO 9303-11 §9.2.1): a PACE variant the chip supports.

    ``parameter_id`` names standardized domain parameters (§9.5.1 Table 6); None means the
    chip uses proprietary ones or left it out (it is optional in the ASN.1).
    """

    protocol: str  # dotted OID, e.g. 0.4.0.127.0.7.2.2.4.2.2 = id-PACE-ECDH-GM-AES-CBC-CMAC-128
    version: int
    parameter_id: int | None

    def __post_init__(self) -> None:
        if _arcs(self.protocol) is None:
            raise ValueError(f"{self.protocol} is not a PACE protocol OID")

    def _parts(self) -> tuple[int, int]:
        arcs = _arcs(self.protocol)
        assert arcs is not None  # checked in __post_init__
        return arcs

    @property
    def key_agreement(self) -> str:
        """Key agreement: "ECDH" or "DH"."""
        return _KEY_AGREEMENT_AND_MAPPING[self._parts()[0]][0]

    @property
    def mapping(self) -> str:
        """Mapping: "GM" (generic), "IM" (integrated) or "CAM" (chip authentication mapping), §4.4.3.3."""
        return _KEY_AGREEMENT_AND_MAPPING[self._parts()[0]][1]

    @property
    def cipher(self) -> str:
        """Cipher, "3DES" or "AES": the block cipher for nonce encryption and secure messaging."""
        return _CIPHERS[self._parts()[1]][0]

    @property
    def key_length(self) -> int:
        """Session key length in bytes: 16 for 3DES and AES-128, 24 for AES-192, 32 for AES-256."""
        return _CIPHERS[self._parts()[1]][1]


@dataclass(frozen=True, slots=True)
class SecurityInfos:
    """The decoded SET OF SecurityInfo: PACEInfos, and everything else as (OID, DER of the SecurityInfo)."""

    pace: tuple[PaceInfo, ...] = ()
    others: tuple[tuple[str, bytes], ...] = ()


class _SecurityInfo(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012 - asn1crypto's declaration style
        ("protocol", core.ObjectIdentifier),
        ("required_data", core.Any),
        ("optional_data", core.Any, {"optional": True}),
    ]


class _SecurityInfoSet(core.SetOf):  # type: ignore[misc]
    _child_spec = _SecurityInfo


def _integer(value: core.Any) -> int:
    parsed = value.parse(core.Integer)
    number = parsed.native
    if not isinstance(number, int):
        raise SecurityInfosError("a PACEInfo number is not an integer")
    return number


def _pace_info(protocol: str, info: _SecurityInfo) -> PaceInfo:
    version = _integer(info["required_data"])
    optional = info["optional_data"]
    parameter_id = None if isinstance(optional, core.Void) else _integer(optional)
    if parameter_id is not None and parameter_id < 0:
        raise SecurityInfosError("a PACEInfo names a negative domain parameter ID")
    return PaceInfo(protocol, version, parameter_id)


def parse_security_infos(data: bytes) -> SecurityInfos:
    """Decode EF.CardAccess or DG14 contents (a DER SET OF SecurityInfo, §9.2).

    PACEInfos with a version other than 2 are kept (the caller decides); unknown protocols
    go to ``others``. Raises SecurityInfosError on anything that is not well-formed DER of
    the expected shape, including trailing bytes.
    """
    try:
        parsed = _SecurityInfoSet.load(bytes(data), strict=True)
        pace: list[PaceInfo] = []
        others: list[tuple[str, bytes]] = []
        for info in parsed:
            protocol = info["protocol"].dotted
            if not isinstance(protocol, str):
                raise SecurityInfosError("a SecurityInfo has no protocol identifier")
            if is_pace_protocol(protocol):
                pace.append(_pace_info(protocol, info))
            else:
                info["required_data"].parse()  # must at least be one well-formed DER value
                others.append((protocol, bytes(info.dump())))
    except SecurityInfosError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as error:
        raise SecurityInfosError("the security information on the chip is not valid DER") from error
    return SecurityInfos(tuple(pace), tuple(others))


def encode_security_infos(infos: SecurityInfos) -> bytes:
    """DER SET OF SecurityInfo for a virtual chip's EF.CardAccess or DG14 (§9.2).

    PACEInfos are encoded from their fields; ``others`` are written back as given. DER sorts
    the elements of a SET OF by their encodings (X.690 §11.6), so the output is canonical.
    """
    elements: list[bytes] = []
    for pace in infos.pace:
        fields = core.ObjectIdentifier(pace.protocol).dump() + core.Integer(pace.version).dump()
        if pace.parameter_id is not None:
            fields += core.Integer(pace.parameter_id).dump()
        elements.append(_tlv(0x30, fields))
    elements.extend(der for _, der in infos.others)
    return _tlv(0x31, b"".join(sorted(elements)))


def _tlv(tag: int, value: bytes) -> bytes:
    """DER definite-length encoding (X.690 §8.1.3)."""
    length = len(value)
    if length < 0x80:
        return bytes([tag, length]) + value
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + value

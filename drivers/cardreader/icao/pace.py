"""Password Authenticated Connection Establishment (PACE v2), ICAO 9303-11 §4.4.

PACE replaces BAC on current documents: terminal and chip prove knowledge of a password
printed on the document (the MRZ or the 6-digit CAN) without exposing it to eavesdroppers,
and agree on strong AES (or 3DES) session keys for secure messaging (§9.8).

Supported: ECDH with Generic Mapping (§4.4.3.3.1) on the standardized curves of §9.5.1
Table 6 (IDs 8-18), with 3DES, AES-128, AES-192 and AES-256. The protocol (§4.4.3):

1. MSE:Set AT selects protocol OID and password (§4.4.3.1, Table 2).
2. GENERAL AUTHENTICATE #1: the chip sends z = E(K_π, s), a random nonce s encrypted
   with the password key K_π = KDF_π(π) (§4.4.3.3, §9.7.3).
3. #2, mapping: both sides exchange ephemeral keys; H = SK_map·PK_map (a full point) and
   the new generator is G' = s·G + H (Generic Mapping, §4.4.3.3.1).
4. #3, key agreement: ephemeral ECDH on G'; the shared secret is the x-coordinate of
   SK_DH·PK_DH (§4.4.3.3, §9.6); KS_Enc and KS_MAC come from the KDF (§9.7.1).
5. #4, mutual authentication: each side MACs the other's ephemeral public key, encoded as
   a 7F49 public-key data object (§4.4.3.4, §9.7.4 / BSI TR-03110-3 D.3).

A wrong password only shows at step 5: the nonce decrypts to a different s, the two
sides end up with different generators, and the tokens do not match.

Private keys are passed in as an iterator, so the worked example of Appendix G.1 can be
replayed byte for byte; by default they are drawn with :mod:`secrets`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from asn1crypto import core
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from drivers.cardreader.icao import bac
from drivers.cardreader.icao.document import CanKey, MrzKey
from drivers.cardreader.icao.ec_curves import DomainParameters, EcPoint, standard_curve
from drivers.cardreader.icao.errors import AuthenticationFailed, PaceError
from drivers.cardreader.icao.secure_messaging import (
    ChipSecureMessaging,
    SecureMessaging,
    aes_cmac,
    encode_command_apdu,
)
from drivers.cardreader.icao.security_infos import PACE_VERSION_2, PaceInfo
from drivers.cardreader.icao.tlv import TlvError, encode_tlv, parse_tlvs

MRZ_REFERENCE = 0x01  # §4.4.3.1 Table 2 / §9.6 DO'83': MRZ
CAN_REFERENCE = 0x02  # CAN
ENC_COUNTER = 1  # §9.7.1: KS_Enc
MAC_COUNTER = 2  # §9.7.1: KS_MAC
PASSWORD_COUNTER = 3  # §9.7.3: K_π
NONCE_LENGTH = 16  # a multiple of both cipher block sizes

SW_OK = b"\x90\x00"
SW_WRONG_PASSWORD = b"\x63\x00"  # §4.4.3.4: authentication failed
SW_WRONG_DATA = b"\x6a\x80"  # ISO/IEC 7816-4: incorrect parameters in the command data field
SW_NOT_SATISFIED = b"\x69\x85"  # ISO/IEC 7816-4: conditions of use not satisfied

MSE_SET_AT = bytes.fromhex("0022C1A4")  # §4.4.4.1: MANAGE SECURITY ENVIRONMENT, set for mutual authentication
GENERAL_AUTHENTICATE = 0x86
CLA_CHAINING = 0x10  # ISO/IEC 7816-4 §5.1.1.1: command chaining, more commands follow
TAG_DYNAMIC_AUTH = 0x7C
TAG_OID = 0x80
TAG_PASSWORD_REF = 0x83
TAG_PARAMETER_ID = 0x84
TAG_NONCE = 0x80
TAG_MAP_IFD, TAG_MAP_IC = 0x81, 0x82
TAG_DH_IFD, TAG_DH_IC = 0x83, 0x84
TAG_TOKEN_IFD, TAG_TOKEN_IC = 0x85, 0x86
TAG_PUBLIC_KEY = 0x7F49  # BSI TR-03110-3 D.3.1: public key data object
TAG_EC_POINT = 0x86  # D.3.3: public point Y


@dataclass(frozen=True, slots=True)
class PacePassword:
    """The shared secret π and its reference for MSE:Set AT (§4.4.3.1, §9.7.3).

    For the MRZ, π = SHA-1(MRZ_information); for a CAN, π is the CAN's ASCII digits.
    """

    secret: bytes = field(repr=False)
    reference: int

    @classmethod
    def from_key(cls, key: MrzKey | CanKey) -> PacePassword:
        if isinstance(key, MrzKey):
            information = bac.mrz_information(key.document_number, key.date_of_birth, key.date_of_expiry)
            return cls(hashlib.sha1(information.encode("ascii")).digest(), MRZ_REFERENCE)
        return cls(key.can.encode("ascii"), CAN_REFERENCE)

    def __repr__(self) -> str:
        return f"PacePassword(reference={self.reference})"


def kdf(secret: bytes, counter: int, cipher: str, key_length: int) -> bytes:
    """Key derivation function, ICAO 9303-11 §9.7.1.

    Hash of secret || counter (32-bit big-endian): SHA-1 for 3DES and AES-128, SHA-256 for
    AES-192 and AES-256, truncated to the key length (3DES keys get DES parity bits).
    """
    if cipher == "3DES":
        return bac.derive_key(secret, counter)
    data = secret + counter.to_bytes(4, "big")
    digest = hashlib.sha1(data).digest() if key_length == 16 else hashlib.sha256(data).digest()
    return digest[:key_length]


def public_key_data(info: PaceInfo, encoded_point: bytes) -> bytes:
    """Input of an authentication token: 7F49 { 06 OID, 86 point } (§4.4.3.4, BSI TR-03110-3 D.3)."""
    oid = core.ObjectIdentifier(info.protocol).dump()
    return encode_tlv(TAG_PUBLIC_KEY, oid + encode_tlv(TAG_EC_POINT, encoded_point))


@dataclass(frozen=True, slots=True)
class _Suite:
    """Everything one PACEInfo decides: curve, cipher, keys from the password."""

    info: PaceInfo
    curve: DomainParameters

    @classmethod
    def for_info(cls, info: PaceInfo) -> _Suite:
        if info.version != PACE_VERSION_2:
            raise PaceError(f"PACE version {info.version} is not supported (only version 2)")
        if info.key_agreement != "ECDH" or info.mapping != "GM":
            raise PaceError(f"PACE with {info.key_agreement} and {info.mapping} mapping is not supported")
        if info.parameter_id is None:
            raise PaceError("the chip uses its own PACE domain parameters, which this reader does not support")
        return cls(info, standard_curve(info.parameter_id))

    def derive(self, secret: bytes, counter: int) -> bytes:
        return kdf(secret, counter, self.info.cipher, self.info.key_length)

    def _aes_cbc(self, key: bytes) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(key), modes.CBC(bytes(16)))

    def encrypt_nonce(self, password: PacePassword, nonce: bytes) -> bytes:
        """z = E(K_π, s), CBC with a zero IV (§4.4.3.3 step 1, §9.7.3)."""
        key = self.derive(password.secret, PASSWORD_COUNTER)
        if self.info.cipher != "AES":
            return bac.encrypt(key, nonce)
        encryptor = self._aes_cbc(key).encryptor()
        return encryptor.update(nonce) + encryptor.finalize()

    def decrypt_nonce(self, password: PacePassword, encrypted: bytes) -> bytes:
        """s = D(K_π, z); the length must be a whole number of cipher blocks."""
        block = 16 if self.info.cipher == "AES" else 8
        if not encrypted or len(encrypted) % block:
            raise PaceError("the chip's encrypted nonce has the wrong length")
        key = self.derive(password.secret, PASSWORD_COUNTER)
        if self.info.cipher != "AES":
            return bac.decrypt(key, encrypted)
        decryptor = self._aes_cbc(key).decryptor()
        return decryptor.update(encrypted) + decryptor.finalize()

    def mapped_generator(self, nonce: bytes, own_private: int, their_public: EcPoint) -> EcPoint:
        """Generic Mapping: G' = s·G + H with H = SK_map·PK_map (§4.4.3.3.1)."""
        shared = self.curve.multiply(their_public, own_private)
        if shared.is_infinity:
            raise PaceError("the mapping step produced the point at infinity")
        mapped = self.curve.add(self.curve.multiply(self.curve.generator, int.from_bytes(nonce, "big")), shared)
        if mapped.is_infinity:
            raise PaceError("the mapping step produced the point at infinity")
        return mapped

    def shared_secret(self, own_private: int, their_public: EcPoint) -> bytes:
        """K = x-coordinate of SK_DH·PK_DH as a field element (§4.4.3.3 step 3, §9.6 ECKA)."""
        point = self.curve.multiply(their_public, own_private)
        if point.x is None:
            raise PaceError("the key agreement produced the point at infinity")
        return self.curve.field_element(point.x)

    def token(self, ks_mac: bytes, other_public: bytes) -> bytes:
        """Authentication token: 8-byte MAC over the other side's public key data (§4.4.3.4, §9.7.4)."""
        data = public_key_data(self.info, other_public)
        if self.info.cipher == "AES":
            return aes_cmac(ks_mac, data)
        return bac.mac(ks_mac, data)

    def private_key(self, keys: Iterator[int] | None) -> int:
        if keys is None:
            return secrets.randbelow(self.curve.order - 1) + 1
        key = next(keys)
        if not 0 < key < self.curve.order:
            raise ValueError("a private key must lie between 1 and the curve order")
        return key

    def oid_contents(self) -> bytes:
        return bytes(core.ObjectIdentifier(self.info.protocol).contents)


def _parse_tlvs(data: bytes, who: str) -> dict[int, bytes]:
    """BER-TLV objects by tag (tlv.py); raises PaceError if malformed or repeated."""
    objects: dict[int, bytes] = {}
    try:
        found = parse_tlvs(data)
    except TlvError as error:
        raise PaceError(f"{who} ends in the middle of a field ({error})") from error
    for item in found:
        if item.tag in objects:
            raise PaceError(f"{who} repeats a field")
        objects[item.tag] = item.value
    return objects


def _dynamic_auth_data(data: bytes, who: str) -> dict[int, bytes]:
    """Unwrap the 7C dynamic authentication data template (§4.4.4.2)."""
    outer = _parse_tlvs(data, who)
    if set(outer) != {TAG_DYNAMIC_AUTH}:
        raise PaceError(f"{who} is not dynamic authentication data")
    return _parse_tlvs(outer[TAG_DYNAMIC_AUTH], who)


def _only(objects: dict[int, bytes], tag: int, who: str) -> bytes:
    if set(objects) != {tag}:
        raise PaceError(f"{who} does not hold the expected PACE field")
    return objects[tag]


def mse_set_at_command(info: PaceInfo, password: PacePassword, *, parameter_id_in_mse: bool = False) -> bytes:
    """MSE:Set AT for PACE, §4.4.4.1: DO'80' protocol OID, DO'83' password reference, optional DO'84'."""
    data = encode_tlv(TAG_OID, bytes(core.ObjectIdentifier(info.protocol).contents))
    data += encode_tlv(TAG_PASSWORD_REF, bytes([password.reference]))
    if parameter_id_in_mse and info.parameter_id is not None:
        data += encode_tlv(TAG_PARAMETER_ID, bytes([info.parameter_id]))
    return encode_command_apdu(MSE_SET_AT, data, None, False)


def general_authenticate_command(objects: bytes, *, last: bool) -> bytes:
    """GENERAL AUTHENTICATE with dynamic authentication data, chained except for the last step (§4.4.4.2)."""
    header = bytes([0x00 if last else CLA_CHAINING, GENERAL_AUTHENTICATE, 0x00, 0x00])
    return encode_command_apdu(header, encode_tlv(TAG_DYNAMIC_AUTH, objects), 256, False)


def _access_denied(password: PacePassword) -> AuthenticationFailed:
    if password.reference == CAN_REFERENCE:
        return AuthenticationFailed("access denied: check the card access number")
    return AuthenticationFailed("access denied: check the document number and dates")


def perform_pace(
    transmit: Callable[[bytes], bytes],
    password: PacePassword,
    info: PaceInfo,
    *,
    private_keys: Iterator[int] | None = None,
    parameter_id_in_mse: bool = False,
) -> SecureMessaging:
    """Run PACE as the terminal (§4.4.3) and return the secure-messaging session (SSC zero, §9.8.6.3).

    ``transmit`` sends one plain command APDU and returns response data + SW1 SW2.
    ``private_keys`` yields SK_map,IFD then SK_DH,IFD (for replaying test vectors).
    Raises AuthenticationFailed for a wrong password and PaceError for other failures.
    """
    suite = _Suite.for_info(info)
    curve = suite.curve

    def exchange(command: bytes, step: str, *, last: bool = False) -> bytes:
        response = transmit(command)
        if len(response) < 2:
            raise PaceError(f"the chip's answer to {step} is shorter than a status word")
        data, sw = response[:-2], response[-2:]
        if last and sw[0] == 0x63:
            raise _access_denied(password)
        if sw == b"\x69\x83":
            raise PaceError("the chip has blocked this password after too many attempts")
        if sw != SW_OK:
            raise PaceError(f"the chip refused {step} (status {sw.hex().upper()})")
        return data

    exchange(mse_set_at_command(info, password, parameter_id_in_mse=parameter_id_in_mse), "PACE selection")

    # Step 1: encrypted nonce.
    who = "the chip's nonce"
    answer = exchange(general_authenticate_command(b"", last=False), "the PACE nonce request")
    nonce = suite.decrypt_nonce(password, _only(_dynamic_auth_data(answer, who), TAG_NONCE, who))

    # Step 2: Generic Mapping.
    who = "the chip's mapping key"
    sk_map = suite.private_key(private_keys)
    pk_map = curve.encode_point(curve.multiply(curve.generator, sk_map))
    answer = exchange(general_authenticate_command(encode_tlv(TAG_MAP_IFD, pk_map), last=False), "the mapping")
    chip_map = _only(_dynamic_auth_data(answer, who), TAG_MAP_IC, who)
    generator = suite.mapped_generator(nonce, sk_map, curve.decode_point(chip_map))

    # Step 3: ephemeral key agreement on the mapped generator.
    who = "the chip's ephemeral key"
    sk_dh = suite.private_key(private_keys)
    pk_dh = curve.encode_point(curve.multiply(generator, sk_dh))
    answer = exchange(general_authenticate_command(encode_tlv(TAG_DH_IFD, pk_dh), last=False), "key agreement")
    chip_dh = _only(_dynamic_auth_data(answer, who), TAG_DH_IC, who)
    if hmac.compare_digest(chip_dh, pk_dh):
        raise PaceError("the chip echoed the terminal's ephemeral public key")
    secret = suite.shared_secret(sk_dh, curve.decode_point(chip_dh))
    ks_enc, ks_mac = suite.derive(secret, ENC_COUNTER), suite.derive(secret, MAC_COUNTER)

    # Step 4: mutual authentication with tokens over the other side's public key.
    who = "the chip's authentication token"
    token = suite.token(ks_mac, chip_dh)
    answer = exchange(
        general_authenticate_command(encode_tlv(TAG_TOKEN_IFD, token), last=True), "authentication", last=True
    )
    chip_objects = _dynamic_auth_data(answer, who)
    chip_token = chip_objects.get(TAG_TOKEN_IC)
    if chip_token is None:
        raise PaceError("the chip's answer carries no authentication token")
    if not hmac.compare_digest(chip_token, suite.token(ks_mac, pk_dh)):
        raise _access_denied(password)
    if info.cipher == "AES":
        return SecureMessaging.aes(ks_enc, ks_mac)
    return SecureMessaging(ks_enc, ks_mac, bytes(8))


class PaceChip:
    """The chip's side of PACE, for virtual chips (§4.4.3).

    Feed it the data field of MSE:Set AT and of each GENERAL AUTHENTICATE; it answers with
    response data + SW. ``private_keys`` yields SK_map,IC then SK_DH,IC; ``nonce`` fixes s.
    Any error resets the protocol; a new MSE:Set AT is needed to start over.
    """

    def __init__(
        self,
        password: PacePassword,
        info: PaceInfo,
        *,
        private_keys: Iterator[int] | None = None,
        nonce: bytes | None = None,
    ) -> None:
        self._password = password
        self._info = info
        self._suite = _Suite.for_info(info)
        self._keys = private_keys
        self._fixed_nonce = nonce
        self._session: ChipSecureMessaging | None = None
        self._reset()

    def _reset(self) -> None:
        self._step = 0  # 0: no MSE yet; 1-4: next GENERAL AUTHENTICATE step expected
        self._nonce = b""
        self._generator: EcPoint | None = None
        self._own_dh = b""
        self._their_dh = b""
        self._ks_enc = b""
        self._ks_mac = b""

    def session(self) -> ChipSecureMessaging | None:
        """The secure-messaging session after a successful run, else None."""
        return self._session

    def mse_set_at(self, data: bytes) -> bytes:
        """Handle MSE:Set AT (§4.4.4.1); returns the status word."""
        self._reset()
        self._session = None
        try:
            objects = _parse_tlvs(data, "the terminal's PACE selection")
        except PaceError:
            return SW_WRONG_DATA
        if objects.get(TAG_OID) != self._suite.oid_contents():
            return SW_WRONG_DATA
        if objects.get(TAG_PASSWORD_REF) != bytes([self._password.reference]):
            return SW_WRONG_DATA
        parameter = objects.get(TAG_PARAMETER_ID)
        if parameter is not None and int.from_bytes(parameter, "big") != self._info.parameter_id:
            return SW_WRONG_DATA
        self._step = 1
        return SW_OK

    def general_authenticate(self, data: bytes) -> bytes:
        """Handle one GENERAL AUTHENTICATE step (§4.4.4.2); returns response data + SW."""
        if self._step == 0:
            return SW_NOT_SATISFIED
        try:
            objects = _dynamic_auth_data(data, "the terminal's PACE data")
            answer = self._answer(objects)
        except PaceError:
            self._reset()
            return SW_WRONG_DATA
        if answer is None:
            self._reset()
            return SW_WRONG_PASSWORD
        self._step += 1
        if self._step > 4:
            self._step = 0
        return encode_tlv(TAG_DYNAMIC_AUTH, answer) + SW_OK

    def _answer(self, objects: dict[int, bytes]) -> bytes | None:
        suite, curve = self._suite, self._suite.curve
        who = "the terminal's PACE data"
        if self._step == 1:
            if objects:
                raise PaceError("the nonce request must be empty")
            self._nonce = self._fixed_nonce if self._fixed_nonce is not None else secrets.token_bytes(NONCE_LENGTH)
            return encode_tlv(TAG_NONCE, suite.encrypt_nonce(self._password, self._nonce))
        if self._step == 2:
            terminal_map = _only(objects, TAG_MAP_IFD, who)
            sk_map = suite.private_key(self._keys)
            pk_map = curve.encode_point(curve.multiply(curve.generator, sk_map))
            if hmac.compare_digest(terminal_map, pk_map):
                raise PaceError("the terminal echoed the chip's mapping key")
            self._generator = suite.mapped_generator(self._nonce, sk_map, curve.decode_point(terminal_map))
            return encode_tlv(TAG_MAP_IC, pk_map)
        if self._step == 3:
            assert self._generator is not None
            terminal_dh = _only(objects, TAG_DH_IFD, who)
            sk_dh = suite.private_key(self._keys)
            self._own_dh = curve.encode_point(curve.multiply(self._generator, sk_dh))
            # §4.4.3.3 step 3: the chip SHALL check that PK_DH,IFD differs from PK_DH,IC.
            if hmac.compare_digest(terminal_dh, self._own_dh):
                raise PaceError("the terminal echoed the chip's ephemeral key")
            secret = suite.shared_secret(sk_dh, curve.decode_point(terminal_dh))
            self._their_dh = terminal_dh
            self._ks_enc, self._ks_mac = suite.derive(secret, ENC_COUNTER), suite.derive(secret, MAC_COUNTER)
            return encode_tlv(TAG_DH_IC, self._own_dh)
        terminal_token = _only(objects, TAG_TOKEN_IFD, who)
        if not hmac.compare_digest(terminal_token, suite.token(self._ks_mac, self._own_dh)):
            return None
        if self._info.cipher == "AES":
            self._session = ChipSecureMessaging.aes(self._ks_enc, self._ks_mac)
        else:
            self._session = ChipSecureMessaging(self._ks_enc, self._ks_mac, bytes(8))
        return encode_tlv(TAG_TOKEN_IC, suite.token(self._ks_mac, self._their_dh))

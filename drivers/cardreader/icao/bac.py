"""Basic Access Control (ICAO 9303-11 §4.3) and its cryptographic building blocks (§9.7).

The terminal derives K_Enc and K_MAC from the printed MRZ (§4.3.2, §9.7.1), runs a
challenge/response with the chip (GET CHALLENGE, EXTERNAL AUTHENTICATE, §4.3.3), and both
sides derive session keys KS_Enc, KS_MAC and a send sequence counter from the exchanged
key material (§4.3.3.3, §9.8.6.3). Random values are passed in, so the worked example of
Appendix D can be replayed exactly; callers draw them with ``os.urandom``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from mrz.base.functions import hash_string  # type: ignore[import-untyped]

from drivers.cardreader.icao.errors import AuthenticationFailed

BLOCK = 8  # DES block size
NONCE_LENGTH = 8  # RND.IC and RND.IFD, ICAO 9303-11 §4.3.3.1
KEY_MATERIAL_LENGTH = 16  # K.IFD and K.IC, ICAO 9303-11 §4.3.3.1
ENC_COUNTER = 1  # ICAO 9303-11 §9.7.1: c = 00000001 for encryption keys
MAC_COUNTER = 2  # ICAO 9303-11 §9.7.1: c = 00000002 for MAC keys
DOCUMENT_NUMBER_LENGTH = 9  # ICAO 9303-11 §9.7.2: shorter numbers are padded with '<'
_ZERO_IV = bytes(BLOCK)


def check_digit(field: str) -> str:
    """ICAO 9303-3 §4.9 check digit (weights 7-3-1), as computed by the ``mrz`` package."""
    return str(hash_string(field))


def mrz_information(document_number: str, date_of_birth: str, date_of_expiry: str) -> str:
    """The MRZ_information string of ICAO 9303-11 §9.7.2.

    Document number (padded with '<' to 9), date of birth (YYMMDD) and date of expiry
    (YYMMDD), each followed by its check digit.
    """
    number = document_number.upper().ljust(DOCUMENT_NUMBER_LENGTH, "<")
    fields = (number, date_of_birth, date_of_expiry)
    return "".join(field + check_digit(field) for field in fields)


def adjust_parity(key: bytes) -> bytes:
    """Set the least significant bit of each byte so it has odd parity (DES keys, FIPS 46-3)."""
    out = bytearray()
    for byte in key:
        high = byte & 0xFE
        out.append(high | ((bin(high).count("1") + 1) & 1))
    return bytes(out)


def derive_key(seed: bytes, counter: int) -> bytes:
    """Key derivation for 3DES, ICAO 9303-11 §9.7.1.

    SHA-1 over seed || counter (32-bit big-endian); the first 16 bytes become the two DES
    keys Ka || Kb, parity adjusted.
    """
    digest = hashlib.sha1(seed + counter.to_bytes(4, "big")).digest()
    return adjust_parity(digest[:16])


def pad(data: bytes) -> bytes:
    """ISO/IEC 9797-1 padding method 2: append 80, then 00 to a multiple of 8 (ICAO 9303-11 §9.8.3)."""
    padded = data + b"\x80"
    return padded + bytes(-len(padded) % BLOCK)


def unpad(data: bytes) -> bytes:
    """Remove ISO/IEC 9797-1 padding method 2; raises ValueError if it is not there."""
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80") or len(data) - len(stripped) >= BLOCK:
        raise ValueError("padding method 2 not found")
    return stripped[:-1]


def _triple_des(key: bytes) -> TripleDES:
    # cryptography wants 24-byte keys: single DES is K1 K1 K1, two-key 3DES is K1 K2 K1.
    if len(key) == 8:
        return TripleDES(key * 3)
    if len(key) == 16:
        return TripleDES(key + key[:8])
    raise ValueError("DES keys must be 8 or 16 bytes")


def _cbc(key: bytes) -> Cipher[modes.CBC]:
    return Cipher(_triple_des(key), modes.CBC(_ZERO_IV))


def _ecb(key: bytes) -> Cipher[modes.ECB]:
    return Cipher(_triple_des(key), modes.ECB())


def encrypt(key: bytes, data: bytes) -> bytes:
    """Two-key 3DES in CBC mode with a zero IV, ICAO 9303-11 §9.8.6.1 (data already padded)."""
    encryptor = _cbc(key).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def decrypt(key: bytes, data: bytes) -> bytes:
    """Inverse of :func:`encrypt`."""
    decryptor = _cbc(key).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def mac(key: bytes, data: bytes) -> bytes:
    """Retail MAC, ISO 9303-11 §9.8.6.2: ISO/IEC 9797-1 MAC algorithm 3, DES, padding method 2.

    CBC with single DES under Ka over the padded data, then the last block is decrypted with
    Kb and encrypted with Ka again. Returns the 8-byte MAC.
    """
    if len(key) != 16:
        raise ValueError("the MAC key must be 16 bytes (Ka || Kb)")
    ka, kb = key[:8], key[8:]
    chained = encrypt(ka, pad(data))[-BLOCK:]
    decryptor = _ecb(kb).decryptor()
    stage = decryptor.update(chained) + decryptor.finalize()
    encryptor = _ecb(ka).encryptor()
    return encryptor.update(stage) + encryptor.finalize()


@dataclass(frozen=True, slots=True)
class BacKeys:
    """Document basic access keys K_Enc and K_MAC, ICAO 9303-11 §9.7.2."""

    k_seed: bytes
    k_enc: bytes
    k_mac: bytes

    @classmethod
    def from_seed(cls, k_seed: bytes) -> BacKeys:
        return cls(k_seed, derive_key(k_seed, ENC_COUNTER), derive_key(k_seed, MAC_COUNTER))

    @classmethod
    def from_mrz_information(cls, information: str) -> BacKeys:
        """K_seed is the first 16 bytes of SHA-1(MRZ_information), ICAO 9303-11 §9.7.2."""
        return cls.from_seed(hashlib.sha1(information.encode("ascii")).digest()[:16])


@dataclass(frozen=True, slots=True)
class SessionKeys:
    """Result of BAC: KS_Enc, KS_MAC and the initial send sequence counter (ICAO 9303-11 §9.8.6.3)."""

    ks_enc: bytes
    ks_mac: bytes
    ssc: bytes


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


@dataclass(frozen=True, slots=True)
class MutualAuthentication:
    """The terminal's side of the BAC challenge/response, ICAO 9303-11 §4.3.3.

    ``rnd_ic`` is the chip's answer to GET CHALLENGE; ``rnd_ifd`` and ``k_ifd`` are the
    terminal's random nonce and key material.
    """

    keys: BacKeys
    rnd_ic: bytes
    rnd_ifd: bytes
    k_ifd: bytes

    def __post_init__(self) -> None:
        if len(self.rnd_ic) != NONCE_LENGTH or len(self.rnd_ifd) != NONCE_LENGTH:
            raise ValueError("RND.IC and RND.IFD must be 8 bytes each")
        if len(self.k_ifd) != KEY_MATERIAL_LENGTH:
            raise ValueError("K.IFD must be 16 bytes")

    def command_data(self) -> bytes:
        """EXTERNAL AUTHENTICATE data E_IFD || M_IFD, ICAO 9303-11 §4.3.3.1 steps 3-4.

        S = RND.IFD || RND.IC || K.IFD, E_IFD = 3DES(K_Enc, S), M_IFD = MAC(K_MAC, E_IFD).
        """
        s = self.rnd_ifd + self.rnd_ic + self.k_ifd
        e_ifd = encrypt(self.keys.k_enc, s)
        return e_ifd + mac(self.keys.k_mac, e_ifd)

    def complete(self, response_data: bytes) -> SessionKeys:
        """Check the chip's E_IC || M_IC and derive the session keys, ICAO 9303-11 §4.3.3.1 step 6.

        The MAC is checked before anything is decrypted; then the chip must echo our RND.IFD
        and its own RND.IC. Raises AuthenticationFailed otherwise.
        """
        if len(response_data) != 40:
            raise AuthenticationFailed("the chip's authentication answer has the wrong length")
        e_ic, m_ic = response_data[:32], response_data[32:]
        if not hmac.compare_digest(mac(self.keys.k_mac, e_ic), m_ic):
            raise AuthenticationFailed("the chip's authentication answer failed its integrity check")
        r = decrypt(self.keys.k_enc, e_ic)
        rnd_ic, rnd_ifd, k_ic = r[:8], r[8:16], r[16:]
        if not hmac.compare_digest(rnd_ifd, self.rnd_ifd):
            raise AuthenticationFailed("the chip did not return the terminal's challenge")
        if not hmac.compare_digest(rnd_ic, self.rnd_ic):
            raise AuthenticationFailed("the chip did not return its own challenge")
        return session_keys(self.k_ifd, k_ic, self.rnd_ic, self.rnd_ifd)


def session_keys(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> SessionKeys:
    """KS_Enc and KS_MAC from K_seed = K.IFD xor K.IC (ICAO 9303-11 §4.3.3.3, §9.7.1);
    SSC = last 4 bytes of RND.IC || last 4 bytes of RND.IFD (§9.8.6.3)."""
    seed = _xor(k_ifd, k_ic)
    return SessionKeys(derive_key(seed, ENC_COUNTER), derive_key(seed, MAC_COUNTER), rnd_ic[-4:] + rnd_ifd[-4:])

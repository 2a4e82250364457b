"""A virtual eMRTD chip: answers command APDUs byte for byte as a passport or ID-card chip does.

It is the card the simulated kiosk reads without hardware, the chip the tests read through
pcscd, and the source of every misbehaviour the reader must survive. It follows ICAO 9303-11
(BAC §4.3, PACE §4.4, secure messaging §9.8) and ISO/IEC 7816-4 (SELECT, READ BINARY, status
words); it knows nothing about the reader's code, so a bug on one side is not hidden by the
same bug on the other.

File access rules (ICAO 9303-10 §3.10 and 9303-11 §4): EF.CardAccess is readable in the
clear from the master file; the eMRTD application's files only under secure messaging.
A plain command during secure messaging ends the session (9303-11 §9.8.2).
"""

from __future__ import annotations

import enum
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from drivers.cardreader.apdu import MalformedApduError, parse_command_apdu
from drivers.cardreader.icao.bac import BacKeys, decrypt, encrypt, mac, mrz_information, session_keys
from drivers.cardreader.icao.document import CanKey, MrzKey
from drivers.cardreader.icao.errors import IcaoError, SecureMessagingError
from drivers.cardreader.icao.pace import PaceChip, PacePassword
from drivers.cardreader.icao.secure_messaging import ChipSecureMessaging
from drivers.cardreader.icao.security_infos import PaceInfo
from drivers.cardreader.protocol import CardAbsentError

EMRTD_AID = bytes.fromhex("A0000002471001")  # ICAO 9303-10 §4.1: LDS1 eMRTD application
MF_ID = 0x3F00
CARD_ACCESS_ID = 0x011C
CARD_ACCESS_SFI = 0x1C

# Status words, ISO/IEC 7816-4 §5.6 and ICAO 9303-11.
SW_OK = b"\x90\x00"
SW_END_OF_FILE = b"\x62\x82"  # fewer bytes than Le before the end of the file
SW_AUTH_FAILED = b"\x63\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY_NOT_SATISFIED = b"\x69\x82"
SW_SM_OBJECTS_MISSING = b"\x69\x87"
SW_SM_OBJECTS_INCORRECT = b"\x69\x88"
SW_CONDITIONS_NOT_SATISFIED = b"\x69\x85"
SW_WRONG_DATA = b"\x6a\x80"
SW_FILE_NOT_FOUND = b"\x6a\x82"
SW_WRONG_P1P2 = b"\x6a\x86"
SW_OFFSET_OUTSIDE = b"\x6b\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
SW_CLA_NOT_SUPPORTED = b"\x6e\x00"
SW_NO_PRECISE_DIAGNOSIS = b"\x6f\x00"

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_READ_BINARY_ODD = 0xB1
INS_GET_CHALLENGE = 0x84
INS_EXTERNAL_AUTHENTICATE = 0x82
INS_MSE = 0x22
INS_GENERAL_AUTHENTICATE = 0x86

SHORT_NE_MAX = 256
EXTENDED_NE_MAX = 65536


def contactless_atr(extended_length: bool) -> bytes:
    """ATR a PC/SC reader builds for an ISO 14443-4 card (PC/SC Part 3 §3.1.3.2.3).

    3B 8n 80 01, the historical bytes, TCK. The historical bytes carry the card capabilities
    (ISO/IEC 7816-4 §8.1.1.2.7, compact-TLV tag 7, third software function table): byte 3
    bit b7 says whether the chip takes extended Lc/Le fields.
    """
    historical = bytes([0x80, 0x73, 0x00, 0x21, 0x40 if extended_length else 0x00])
    body = bytes([0x80 | len(historical), 0x80, 0x01]) + historical
    tck = 0
    for byte in body:
        tck ^= byte
    return b"\x3b" + body + bytes([tck])


class Misbehaviour(enum.Enum):
    """What a worn, damaged or hostile chip does; switched on per test."""

    WRONG_MAC = "wrong_mac"  # every protected response carries a bad checksum
    ODD_STATUS = "odd_status"  # READ BINARY of a data group answers 6F00 (no precise diagnosis)
    PULLED_MID_READ = "pulled_mid_read"  # the card leaves the field during the read of DG2
    PLAIN_ERRORS = "plain_errors"  # errors during secure messaging come back unprotected


@dataclass
class ChipProfile:
    """Everything a virtual chip holds: its files, its access keys and how it behaves.

    ``files`` maps file identifiers in the eMRTD application to their bytes; ``card_access``
    is EF.CardAccess in the master file (None: a BAC-only chip without PACE).
    """

    files: Mapping[int, bytes]
    mrz_key: MrzKey
    can: str | None = None
    card_access: bytes | None = None
    pace_info: PaceInfo | None = None
    bac: bool = True  # a PACE-only chip (a newer ID card) refuses BAC
    extended_length: bool = True
    max_response: int = 2048  # the chip's buffer: the most plain data one READ BINARY returns
    # False only for benchmarks/chip.py's floor: the same files read in the clear.
    require_secure_messaging: bool = True
    misbehaviours: frozenset[Misbehaviour] = frozenset()
    random: Callable[[int], bytes] = field(default=secrets.token_bytes, repr=False)


class VirtualPassport:
    """Implements `drivers.cardreader.virtual_card.VirtualCard` for one eMRTD.

    State follows the card's life in the field: power-up selects the master file; SELECT of the
    eMRTD application, BAC or PACE build a secure-messaging session; any error in secure
    messaging ends it, as on a real chip.
    """

    def __init__(self, profile: ChipProfile) -> None:
        self.profile = profile
        self._atr = contactless_atr(profile.extended_length)
        self.apdu_count = 0
        self.reset()

    @property
    def atr(self) -> bytes:
        return self._atr

    def reset(self) -> None:
        """Power-up state: master file selected, no session, no challenge outstanding."""
        self._application_selected = False
        self._selected_file: int | None = None
        self._sm: ChipSecureMessaging | None = None
        self._challenge: bytes | None = None
        self._pace: PaceChip | None = None
        self._reads_of_dg2 = 0

    # -- the APDU loop -----------------------------------------------------------------------

    def process_apdu(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        protected = len(apdu) >= 1 and apdu[0] & 0x0C == 0x0C
        if self._sm is not None and not protected:
            # ICAO 9303-11 §9.8.2: a plain APDU during secure messaging aborts the session.
            self._sm = None
            self._application_selected = False
            return SW_SM_OBJECTS_MISSING
        if self._sm is None and protected:
            return SW_SM_OBJECTS_MISSING
        if self._sm is not None:
            return self._process_protected(apdu, self._sm)
        return self._process_plain(apdu)

    def _process_protected(self, apdu: bytes, sm: ChipSecureMessaging) -> bytes:
        try:
            plain = sm.unprotect_command(apdu)
        except SecureMessagingError:
            self._sm = None
            return SW_SM_OBJECTS_INCORRECT
        response = self._process_plain(plain)
        data, sw = response[:-2], response[-2:]
        if (
            sw[0] in (0x67, 0x69, 0x6A, 0x6B, 0x6D, 0x6E, 0x6F)
            and Misbehaviour.PLAIN_ERRORS in self.profile.misbehaviours
        ):
            self._sm = None
            return sw
        odd = plain[1] & 1 == 1
        wrapped = sm.protect_response(data, sw, odd_ins=odd)
        if Misbehaviour.WRONG_MAC in self.profile.misbehaviours:
            wrapped = wrapped[:-3] + bytes([wrapped[-3] ^ 0x01]) + wrapped[-2:]
        return wrapped

    def _process_plain(self, apdu: bytes) -> bytes:
        try:
            command = parse_command_apdu(apdu)
        except MalformedApduError:
            return SW_WRONG_LENGTH
        if command.extended and not self.profile.extended_length:
            return SW_WRONG_LENGTH
        cla = command.cla & ~0x0C & ~0x10
        if cla not in (0x00,):
            return SW_CLA_NOT_SUPPORTED
        handler = {
            INS_SELECT: self._select,
            INS_READ_BINARY: self._read_binary,
            INS_READ_BINARY_ODD: self._read_binary_odd,
            INS_GET_CHALLENGE: self._get_challenge,
            INS_EXTERNAL_AUTHENTICATE: self._external_authenticate,
            INS_MSE: self._manage_security_environment,
            INS_GENERAL_AUTHENTICATE: self._general_authenticate,
        }.get(command.ins)
        if handler is None:
            return SW_INS_NOT_SUPPORTED
        return handler(command.cla, command.p1, command.p2, command.data, command.ne)

    # -- file system --------------------------------------------------------------------------

    def _select(self, cla: int, p1: int, p2: int, data: bytes, ne: int | None) -> bytes:
        if p1 == 0x04:  # by DF name (AID)
            if data != EMRTD_AID:
                return SW_FILE_NOT_FOUND
            self._application_selected = True
            self._selected_file = None
            return SW_OK
        if p1 in (0x00, 0x02) and len(data) == 2:
            file_id = int.from_bytes(data, "big")
            if file_id == MF_ID and p1 == 0x00:
                self._application_selected = False
                self._selected_file = None
                return SW_OK
            if self._readable(file_id) is None:
                return SW_FILE_NOT_FOUND
            self._selected_file = file_id
            return SW_OK
        return SW_WRONG_P1P2

    def _readable(self, file_id: int) -> bytes | None:
        """The file's bytes if it exists where we are; access rights are checked on reading."""
        if self._application_selected:
            return self.profile.files.get(file_id)
        if file_id == CARD_ACCESS_ID:
            return self.profile.card_access
        return None

    def _file_for_sfi(self, sfi: int) -> int | None:
        if self._application_selected:
            for file_id in self.profile.files:
                if file_id & 0x1F == sfi and file_id >> 8 == 0x01:
                    return file_id
            return None
        return CARD_ACCESS_ID if sfi == CARD_ACCESS_SFI and self.profile.card_access is not None else None

    def _read_binary(self, cla: int, p1: int, p2: int, data: bytes, ne: int | None) -> bytes:
        if p1 & 0x80:  # short EF identifier in P1, offset in P2 (ISO/IEC 7816-4 §7.2.2)
            file_id = self._file_for_sfi(p1 & 0x1F)
            if file_id is None:
                return SW_FILE_NOT_FOUND
            self._selected_file = file_id
            offset = p2
        else:
            offset = (p1 << 8) | p2
        return self._read_from(offset, ne)

    def _read_binary_odd(self, cla: int, p1: int, p2: int, data: bytes, ne: int | None) -> bytes:
        # Odd INS: the offset travels in DO'54' so it may exceed 32 767 (ISO/IEC 7816-4 §11.2.3).
        if len(data) < 3 or data[0] != 0x54 or data[1] != len(data) - 2:
            return SW_WRONG_DATA
        offset = int.from_bytes(data[2:], "big")
        response = self._read_from(offset, ne)
        content, sw = response[:-2], response[-2:]
        if not content:
            return sw
        length = len(content)
        header = bytes([0x53]) + (
            bytes([length])
            if length < 0x80
            else bytes([0x81, length])
            if length <= 0xFF
            else b"\x82" + length.to_bytes(2, "big")
        )
        return header + content + sw

    def _read_from(self, offset: int, ne: int | None) -> bytes:
        if self._selected_file is None:
            return SW_CONDITIONS_NOT_SATISFIED
        file_id = self._selected_file
        content = self._readable(file_id)
        if content is None:
            return SW_FILE_NOT_FOUND
        if file_id != CARD_ACCESS_ID and self._sm is None and self.profile.require_secure_messaging:
            return SW_SECURITY_NOT_SATISFIED
        misbehaviours = self.profile.misbehaviours
        if Misbehaviour.ODD_STATUS in misbehaviours and file_id == 0x0101:
            return SW_NO_PRECISE_DIAGNOSIS
        if file_id == 0x0102 and Misbehaviour.PULLED_MID_READ in misbehaviours:
            self._reads_of_dg2 += 1
            if self._reads_of_dg2 > 1:
                self.reset()
                raise CardAbsentError("the card left the reader's field")
        if offset > len(content):
            return SW_OFFSET_OUTSIDE
        wanted = ne if ne is not None else SHORT_NE_MAX
        wanted = min(wanted, self.profile.max_response)
        chunk = content[offset : offset + wanted]
        # Le 00 / 0000 asks for "everything up to the maximum": a shorter answer is no warning.
        asked_for_exact = ne is not None and ne not in (SHORT_NE_MAX, EXTENDED_NE_MAX)
        return chunk + (SW_END_OF_FILE if asked_for_exact and len(chunk) < wanted else SW_OK)

    # -- Basic Access Control (ICAO 9303-11 §4.3) ---------------------------------------------

    def _get_challenge(self, cla: int, p1: int, p2: int, data: bytes, ne: int | None) -> bytes:
        if ne != 8 or p1 or p2:
            return SW_WRONG_LENGTH if ne != 8 else SW_WRONG_P1P2
        if not self.profile.bac:
            return SW_CONDITIONS_NOT_SATISFIED
        self._challenge = self.profile.random(8)
        return self._challenge + SW_OK

    def _external_authenticate(self, cla: int, p1: int, p2: int, data: bytes, ne: int | None) -> bytes:
        challenge, self._challenge = self._challenge, None
        if challenge is None or not self.profile.bac:
            return SW_CONDITIONS_NOT_SATISFIED
        if len(data) != 40:
            return SW_WRONG_LENGTH
        key = self.profile.mrz_key
        keys = BacKeys.from_mrz_information(mrz_information(key.document_number, key.date_of_birth, key.date_of_expiry))
        e_ifd, m_ifd = data[:32], data[32:]
        if not hmac.compare_digest(mac(keys.k_mac, e_ifd), m_ifd):
            return SW_AUTH_FAILED
        s = decrypt(keys.k_enc, e_ifd)
        rnd_ifd, rnd_ic, k_ifd = s[:8], s[8:16], s[16:]
        if not hmac.compare_digest(rnd_ic, challenge):
            return SW_AUTH_FAILED
        k_ic = self.profile.random(16)
        e_ic = encrypt(keys.k_enc, rnd_ic + rnd_ifd + k_ic)
        session = session_keys(k_ifd, k_ic, rnd_ic, rnd_ifd)
        response = e_ic + mac(keys.k_mac, e_ic) + SW_OK
        self._sm = ChipSecureMessaging(session.ks_enc, session.ks_mac, session.ssc)
        return response

    # -- PACE (ICAO 9303-11 §4.4) -------------------------------------------------------------

    def _manage_security_environment(self, cla: int, p1: int, p2: int, data: bytes, ne: int | None) -> bytes:
        if (p1, p2) != (0xC1, 0xA4):
            return SW_WRONG_P1P2
        info = self.profile.pace_info
        if info is None:
            return SW_INS_NOT_SUPPORTED
        reference = _password_reference(data)
        if reference == 0x01:
            password = PacePassword.from_key(self.profile.mrz_key)
        elif reference == 0x02 and self.profile.can is not None:
            password = PacePassword.from_key(CanKey(self.profile.can))
        else:
            return SW_WRONG_DATA
        self._pace = PaceChip(password, info)
        return self._pace.mse_set_at(data)

    def _general_authenticate(self, cla: int, p1: int, p2: int, data: bytes, ne: int | None) -> bytes:
        if self._pace is None:
            return SW_CONDITIONS_NOT_SATISFIED
        try:
            response = self._pace.general_authenticate(data)
        except IcaoError:
            self._pace = None
            return SW_WRONG_DATA
        session = self._pace.session()
        if session is not None:
            self._pace = None
            self._sm = session
        elif response[-2:] != SW_OK:
            self._pace = None
        return response


def _password_reference(data: bytes) -> int | None:
    """DO'83' of an MSE:Set AT command (ICAO 9303-11 §4.4.4.1): 01 MRZ, 02 CAN."""
    offset = 0
    while offset + 2 <= len(data):
        tag, length = data[offset], data[offset + 1]
        value = data[offset + 2 : offset + 2 + length]
        if tag == 0x83 and length == 1:
            return value[0]
        offset += 2 + length
    return None


def files_by_id(data_groups: Mapping[int, bytes], ef_com: bytes, sod: bytes | None) -> dict[int, bytes]:
    """File identifiers of the eMRTD application (ICAO 9303-10 §4.6): DGn is 01 0n, COM 011E, SOD 011D."""
    files = {0x011E: ef_com}
    for number, content in data_groups.items():
        files[0x0100 + number] = content
    if sod is not None:
        files[0x011D] = sod
    return files

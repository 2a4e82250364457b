"""Read an eMRTD chip from start to verdict: access control, the data groups, passive authentication.

The order follows ICAO 9303-11 §4.2 (the inspection procedure): read EF.CardAccess in the
clear; if the chip offers PACE, run it, otherwise (or if PACE cannot be completed for a
reason other than a wrong password) fall back to BAC; select the eMRTD application; read
EF.COM, DG1, DG2, DG11 and DG14 when the chip lists them, and EF.SOD; then verify.

Files are read with READ BINARY addressed by short file identifier (ISO/IEC 7816-4 §7.2.2),
which selects and reads in one APDU, in the largest chunks secure messaging and the chip
allow: extended length when both the chip and the reader take it, else the largest short
read; a chip that refuses extended length gets short reads from then on.

Nothing here keeps the citizen's data beyond the returned value, and nothing is logged but
file numbers, sizes, status words and times.
"""

from __future__ import annotations

import enum
import logging
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from drivers.cardreader.icao.bac import BacKeys, MutualAuthentication, mrz_information
from drivers.cardreader.icao.document import (
    AccessKey,
    Authenticity,
    AuthenticityStatus,
    CanKey,
    FaceImage,
    MrzData,
    MrzKey,
    PersonalDetails,
)
from drivers.cardreader.icao.errors import AuthenticationFailed, IcaoError
from drivers.cardreader.icao.lds import DataGroup, parse_dg1, parse_dg2, parse_dg11, parse_dg14, parse_ef_com
from drivers.cardreader.icao.pace import PacePassword, perform_pace
from drivers.cardreader.icao.passive_auth import verify_document
from drivers.cardreader.icao.secure_messaging import SecureMessaging, max_plain_read_length
from drivers.cardreader.icao.security_infos import PaceInfo, parse_security_infos
from drivers.cardreader.icao.tlv import total_file_length
from drivers.cardreader.icao.trust_store import TrustStore
from drivers.cardreader.protocol import CardAbsentError

log = logging.getLogger("balie.chip")

EMRTD_AID = bytes.fromhex("A0000002471001")
EXTENDED_CHUNK = 0x1000  # asked for per extended READ BINARY; a chip may answer with less
SHORT_OFFSET_MAX = 0x7FFF  # READ BINARY B0 carries 15 offset bits in P1 P2
CARD_ACCESS_SFI = 0x1C
ACCESS_DENIED = "access denied: check document number and dates"
ACCESS_DENIED_CAN = "access denied: check the card access number (CAN)"

Transmit = Callable[[bytes], bytes]
T = TypeVar("T")


class ReadStep(enum.Enum):
    """What the reader is doing, for a progress bar and spoken updates."""

    CONNECTING = "connecting"
    ACCESS = "access"
    PERSONAL_DATA = "personal_data"  # DG1
    PHOTO = "photo"  # DG2
    DETAILS = "details"  # DG11, DG14
    SECURITY_OBJECT = "security_object"  # EF.SOD
    VERIFYING = "verifying"


Progress = Callable[[ReadStep, float], None]


class CardRemovedError(IcaoError):
    """The card left the reader before the read was complete."""


class ChipProtocolError(IcaoError):
    """The chip answered in a way the standard does not allow, or refused a step."""


@dataclass(frozen=True, slots=True)
class ChipRead:
    """Everything one read produced. Personal data: keep it in memory, in the session only."""

    mrz: MrzData
    photo: FaceImage | None
    details: PersonalDetails | None
    authenticity: Authenticity
    access_control: str  # "PACE" or "BAC"
    data_groups: tuple[int, ...]
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per step
    apdu_count: int = 0


def _status(response: bytes) -> int:
    if len(response) < 2:
        raise ChipProtocolError("the chip's answer is shorter than a status word")
    return int.from_bytes(response[-2:], "big")


def read_binary_apdu(sfi: int | None, offset: int, length: int, *, extended: bool) -> bytes:
    """READ BINARY (ISO/IEC 7816-4 §11.2.3) by short file identifier at offset 0..255, by offset up
    to 32 767 in the current file, or with odd INS B1 and DO'54' beyond that."""
    le = (length % 65536).to_bytes(2, "big") if extended else bytes([length % 256])
    if sfi is not None:
        header = bytes([0x00, 0xB0, 0x80 | sfi, offset])
    elif offset <= SHORT_OFFSET_MAX:
        header = bytes([0x00, 0xB0, offset >> 8, offset & 0xFF])
    else:
        data = b"\x54\x03" + offset.to_bytes(3, "big")
        if extended:
            return bytes([0x00, 0xB1, 0x00, 0x00, 0x00]) + len(data).to_bytes(2, "big") + data + le
        return bytes([0x00, 0xB1, 0x00, 0x00, len(data)]) + data + le
    return header + (b"\x00" + le if extended else le)


def _unwrap_odd(data: bytes) -> bytes:
    """Odd-INS READ BINARY answers DO'53' around the file's bytes."""
    if len(data) < 2 or data[0] != 0x53:
        raise ChipProtocolError("the chip's answer to an odd READ BINARY has no data object 53")
    first = data[1]
    if first < 0x80:
        return data[2 : 2 + first]
    size = first - 0x80
    length = int.from_bytes(data[2 : 2 + size], "big")
    return data[2 + size : 2 + size + length]


class ChipSession:
    """One card on one reader: the channel, the secure-messaging session and the APDU count."""

    def __init__(self, transmit: Transmit, *, extended_length: bool) -> None:
        self._transmit = transmit
        self.extended_length = extended_length
        self.sm: SecureMessaging | None = None
        self.pace_info: PaceInfo | None = None  # the PACE variant that opened the chip, if PACE did
        self.apdu_count = 0

    def plain(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        try:
            return self._transmit(apdu)
        except CardAbsentError as error:
            raise CardRemovedError("the card was removed during reading") from error

    def command(self, apdu: bytes) -> bytes:
        """Send under secure messaging when a session is open; the answer's MAC is checked first."""
        if self.sm is None:
            return self.plain(apdu)
        return self.sm.unprotect(self.plain(self.sm.protect(apdu)))

    def chunk(self) -> int:
        if self.sm is None:
            return 256 if not self.extended_length else EXTENDED_CHUNK
        return (
            min(EXTENDED_CHUNK, max_plain_read_length(self.sm, extended=True))
            if self.extended_length
            else (max_plain_read_length(self.sm, extended=False))
        )

    def read_file(self, sfi: int, name: str) -> bytes | None:
        """The whole file, or None when the chip does not have it (6A82)."""
        first = self._read(sfi, 0, name)
        if first is None:
            return None
        try:
            total = total_file_length(first)
        except IcaoError as error:
            raise ChipProtocolError(f"{name} does not start with a valid data object") from error
        content = bytearray(first)
        while total is None or len(content) < total:
            more = self._read(None, len(content), name)
            if not more:
                raise ChipProtocolError(f"the chip stopped sending {name} after {len(content)} bytes")
            content += more
            if total is None:
                total = total_file_length(bytes(content))
        return bytes(content[:total])

    def _read(self, sfi: int | None, offset: int, name: str) -> bytes | None:
        while True:
            extended = self.extended_length
            apdu = read_binary_apdu(sfi, offset, self.chunk(), extended=extended)
            response = self.command(apdu)
            status = _status(response)
            if status == 0x6700 and extended:
                log.info("chip refused an extended READ BINARY; reading in short chunks")
                self.extended_length = False
                continue
            break
        data = response[:-2]
        if status in (0x9000, 0x6282):
            return _unwrap_odd(data) if apdu[1] == 0xB1 else data
        if status == 0x6A82 and sfi is not None and offset == 0:
            return None
        if status == 0x6982:
            raise ChipProtocolError(f"the chip refused to give {name} (status 6982)")
        raise ChipProtocolError(f"the chip answered {status:04X} while reading {name}")


def authenticate(session: ChipSession, key: AccessKey, progress: Progress) -> str:
    """PACE if the chip offers it, else BAC; returns the protocol used. ICAO 9303-11 §4.2."""
    pace_info = _read_pace_info(session)
    if pace_info is not None:
        try:
            session.sm = perform_pace(session.plain, PacePassword.from_key(key), pace_info)
        except AuthenticationFailed as error:
            raise AuthenticationFailed(ACCESS_DENIED_CAN if isinstance(key, CanKey) else ACCESS_DENIED) from error
        except CardRemovedError:
            raise
        except IcaoError as error:
            log.info("PACE could not be completed (%s); trying BAC", type(error).__name__)
        else:
            status = _status(session.command(bytes.fromhex("00A4040C07") + EMRTD_AID))
            if status != 0x9000:
                raise ChipProtocolError(f"the chip has no passport application (status {status:04X})")
            session.pace_info = pace_info
            return "PACE"
    if isinstance(key, CanKey):
        raise AuthenticationFailed("this document needs the document number and dates, not a card access number")
    progress(ReadStep.ACCESS, 0.5)
    status = _status(session.plain(bytes.fromhex("00A4040C07") + EMRTD_AID))
    if status != 0x9000:
        raise ChipProtocolError(f"the chip has no passport application (status {status:04X})")
    _basic_access_control(session, key)
    return "BAC"


def _read_pace_info(session: ChipSession) -> PaceInfo | None:
    response = session.plain(read_binary_apdu(CARD_ACCESS_SFI, 0, 256, extended=False))
    status = _status(response)
    if status not in (0x9000, 0x6282):
        return None  # no EF.CardAccess: a BAC-only chip
    data = bytearray(response[:-2])
    try:
        total = total_file_length(bytes(data))
        while total is not None and len(data) < total:
            more = session.plain(read_binary_apdu(None, len(data), min(256, total - len(data)), extended=False))
            if _status(more) not in (0x9000, 0x6282) or len(more) <= 2:
                return None
            data += more[:-2]
        infos = parse_security_infos(bytes(data))
    except IcaoError:
        log.info("EF.CardAccess could not be parsed; using BAC")
        return None
    supported = [info for info in infos.pace if info.mapping == "GM" and info.key_agreement == "ECDH"]
    return supported[0] if supported else None


def _basic_access_control(session: ChipSession, key: MrzKey) -> None:
    """ICAO 9303-11 §4.3.3: GET CHALLENGE, EXTERNAL AUTHENTICATE, session keys."""
    response = session.plain(bytes.fromhex("0084000008"))
    if _status(response) != 0x9000 or len(response) != 10:
        raise ChipProtocolError(f"the chip refused GET CHALLENGE (status {_status(response):04X})")
    keys = BacKeys.from_mrz_information(mrz_information(key.document_number, key.date_of_birth, key.date_of_expiry))
    exchange = MutualAuthentication(keys, response[:8], secrets.token_bytes(8), secrets.token_bytes(16))
    answer = session.plain(b"\x00\x82\x00\x00\x28" + exchange.command_data() + b"\x28")
    if _status(answer) != 0x9000:
        raise AuthenticationFailed(ACCESS_DENIED)
    try:
        keys_ = exchange.complete(answer[:-2])
    except AuthenticationFailed as error:
        raise AuthenticationFailed(ACCESS_DENIED) from error
    session.sm = SecureMessaging(keys_.ks_enc, keys_.ks_mac, keys_.ssc)


def _matching_card_access(authenticity: Authenticity, used: PaceInfo | None, dg14: bytes | None) -> Authenticity:
    """EF.CardAccess is not signed; DG14 is. A verified chip whose signed PACE parameters do not
    include the ones it offered in the clear has been altered (ICAO 9303-11 §9.2.2)."""
    if used is None or dg14 is None or authenticity.status is not AuthenticityStatus.VERIFIED:
        return authenticity
    try:
        signed = parse_security_infos(parse_dg14(dg14)).pace
    except IcaoError:
        return Authenticity(AuthenticityStatus.FAILED, "DG14 (the chip's signed security settings) is malformed")
    if used not in signed:
        return Authenticity(
            AuthenticityStatus.FAILED, "the chip's PACE settings (EF.CardAccess) differ from its signed DG14"
        )
    return authenticity


def _optional(parse: Callable[[bytes], T], content: bytes | None, name: str) -> T | None:
    """A photo or extra details that cannot be decoded do not make the identity unreadable:
    the caseworker still sees the MRZ data and the authenticity verdict."""
    if content is None:
        return None
    try:
        return parse(content)
    except IcaoError as error:
        log.warning("%s could not be decoded: %s", name, type(error).__name__)
        return None


def read_document(
    transmit: Transmit,
    key: AccessKey,
    trust_store: TrustStore,
    *,
    extended_length: bool = False,
    progress: Progress | None = None,
    optional_groups: Iterable[int] = (11, 14),
) -> ChipRead:
    """Read and verify one document. Raises AuthenticationFailed for wrong access data,
    CardRemovedError when the card leaves, and other IcaoError subclasses for chip faults."""
    report: Progress = progress or (lambda step, fraction: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    mark = started

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round((now - mark) * 1000, 1)
        mark = now

    session = ChipSession(transmit, extended_length=extended_length)
    report(ReadStep.ACCESS, 0.0)
    protocol = authenticate(session, key, report)
    lap("access_ms")

    com = session.read_file(DataGroup.COM.sfi, "EF.COM")
    listed = set(parse_ef_com(com).data_groups) if com is not None else {1, 2}
    files: dict[int, bytes] = {}
    report(ReadStep.PERSONAL_DATA, 0.2)
    dg1 = session.read_file(DataGroup.DG1.sfi, "DG1")
    if dg1 is None:
        raise ChipProtocolError("the chip has no DG1 (machine readable zone)")
    files[1] = dg1
    lap("dg1_ms")
    report(ReadStep.PHOTO, 0.35)
    dg2 = session.read_file(DataGroup.DG2.sfi, "DG2") if 2 in listed else None
    if dg2 is not None:
        files[2] = dg2
    lap("dg2_ms")
    report(ReadStep.DETAILS, 0.75)
    for number in optional_groups:
        if number in listed:
            content = session.read_file(DataGroup.by_number(number).sfi, f"DG{number}")
            if content is not None:
                files[number] = content
    lap("optional_ms")
    report(ReadStep.SECURITY_OBJECT, 0.85)
    sod = session.read_file(DataGroup.SOD.sfi, "EF.SOD")
    lap("sod_ms")

    report(ReadStep.VERIFYING, 0.95)
    authenticity = _matching_card_access(verify_document(sod, files, trust_store), session.pace_info, files.get(14))
    mrz = parse_dg1(files[1])
    photo = _optional(parse_dg2, files.get(2), "DG2")
    details = _optional(parse_dg11, files.get(11), "DG11")
    lap("verify_ms")
    timings["total_ms"] = round((time.perf_counter() - started) * 1000, 1)
    log.info(
        "chip read: %s, data groups %s, %d APDUs, %.0f ms, %s",
        protocol,
        sorted(files),
        session.apdu_count,
        timings["total_ms"],
        authenticity.status.value,
    )
    return ChipRead(
        mrz=mrz,
        photo=photo,
        details=details,
        authenticity=authenticity,
        access_control=protocol,
        data_groups=tuple(sorted(files)),
        timings=timings,
        apdu_count=session.apdu_count,
    )

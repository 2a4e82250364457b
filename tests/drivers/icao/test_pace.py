"""PACE (ICAO 9303-11 §4.4) against the worked example of Appendix G.1, and terminal against chip.

Appendix G.1: ECDH Generic Mapping on brainpoolP256r1 (parameter ID 13) with AES-128, the
MRZ password of document T22000129 (born 640812, expiring 101031).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator

import pytest

from drivers.cardreader.apdu import parse_command_apdu
from drivers.cardreader.icao.document import CanKey, MrzKey
from drivers.cardreader.icao.ec_curves import STANDARD_EC_PARAMETER_IDS, EcPoint, standard_curve
from drivers.cardreader.icao.errors import AuthenticationFailed, IcaoError, PaceError
from drivers.cardreader.icao.pace import (
    CAN_REFERENCE,
    MRZ_REFERENCE,
    PaceChip,
    PacePassword,
    _Suite,
    kdf,
    perform_pace,
    public_key_data,
)
from drivers.cardreader.icao.secure_messaging import ChipSecureMessaging, SecureMessaging
from drivers.cardreader.icao.security_infos import PaceInfo, pace_oid, parse_security_infos

h = bytes.fromhex

# ---- ICAO 9303-11 Appendix G.1 -------------------------------------------------------------
CARD_ACCESS = h("31143012060A04007F0007020204020202010202010D")
MRZ_KEY = MrzKey("T22000129", "640812", "101031")
K = h("7E2D2A41C74EA0B38CD36F863939BFA8E9032AAD")
K_PI = h("89DED1B26624EC1E634C1989302849DD")
Z = h("95A3A016522EE98D01E76CB6B98B42C3")
S = h("3F00C4D39D153F2B2A214A078D899B22")
SK_MAP_IFD = 0x7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99
PK_MAP_IFD = h(
    "04"
    "7ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
    "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
)
SK_MAP_IC = 0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560
PK_MAP_IC = h(
    "04"
    "824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
    "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
)
H = h(
    "04"
    "60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5"
    "0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181"
)
G_MAPPED = h(
    "04"
    "8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2"
    "8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522"
)
SK_DH_IFD = 0xA73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595
PK_DH_IFD = h(
    "04"
    "2DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
    "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
)
SK_DH_IC = 0x107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A
PK_DH_IC = h(
    "04"
    "9E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
    "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"
)
SHARED_SECRET = h("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
KS_ENC = h("F5F0E35C0D7161EE6724EE513A0D9A7F")
KS_MAC = h("FE251C7858B356B24514B3BD5F4297D1")
T_IFD_INPUT = h("7F494F060A04007F00070202040202864104") + PK_DH_IC[1:]
T_IFD = h("C2B0BD78D94BA866")
T_IC = h("3ABB9674BCE93C08")

TRANSCRIPT = [
    (h("0022C1A40F800A04007F00070202040202830101"), h("9000")),
    (h("10860000027C0000"), h("7C128010") + Z + h("9000")),
    (h("10860000457C438141") + PK_MAP_IFD + h("00"), h("7C438241") + PK_MAP_IC + h("9000")),
    (h("10860000457C438341") + PK_DH_IFD + h("00"), h("7C438441") + PK_DH_IC + h("9000")),
    (h("008600000C7C0A8508") + T_IFD + h("00"), h("7C0A8608") + T_IC + h("9000")),
]
MSE_WITH_PARAMETER_ID = h("0022C1A412800A04007F0007020204020283010184010D")


def g1_info() -> PaceInfo:
    return parse_security_infos(CARD_ACCESS).pace[0]


def g1_password() -> PacePassword:
    return PacePassword.from_key(MRZ_KEY)


def point(curve_id: int, encoded: bytes) -> EcPoint:
    return standard_curve(curve_id).decode_point(encoded)


# ---- Appendix G.1, step by step ----------------------------------------------------------------


def test_password_and_password_key() -> None:
    password = g1_password()
    assert password.secret == K
    assert password.reference == MRZ_REFERENCE
    assert kdf(K, 3, "AES", 16) == K_PI


def test_can_password_is_its_digits() -> None:
    password = PacePassword.from_key(CanKey("123456"))
    assert password.secret == b"123456"
    assert password.reference == CAN_REFERENCE
    assert "123456" not in repr(password)


def test_nonce_encryption() -> None:
    suite = _Suite.for_info(g1_info())
    assert suite.decrypt_nonce(g1_password(), Z) == S
    assert suite.encrypt_nonce(g1_password(), S) == Z


def test_mapping_keys_and_generator() -> None:
    curve = standard_curve(13)
    assert curve.encode_point(curve.multiply(curve.generator, SK_MAP_IFD)) == PK_MAP_IFD
    assert curve.encode_point(curve.multiply(curve.generator, SK_MAP_IC)) == PK_MAP_IC
    assert curve.encode_point(curve.multiply(point(13, PK_MAP_IC), SK_MAP_IFD)) == H
    assert curve.encode_point(curve.multiply(point(13, PK_MAP_IFD), SK_MAP_IC)) == H
    suite = _Suite.for_info(g1_info())
    assert curve.encode_point(suite.mapped_generator(S, SK_MAP_IFD, point(13, PK_MAP_IC))) == G_MAPPED
    assert curve.encode_point(suite.mapped_generator(S, SK_MAP_IC, point(13, PK_MAP_IFD))) == G_MAPPED


def test_key_agreement_and_session_keys() -> None:
    curve = standard_curve(13)
    mapped = point(13, G_MAPPED)
    assert curve.encode_point(curve.multiply(mapped, SK_DH_IFD)) == PK_DH_IFD
    assert curve.encode_point(curve.multiply(mapped, SK_DH_IC)) == PK_DH_IC
    suite = _Suite.for_info(g1_info())
    assert suite.shared_secret(SK_DH_IFD, point(13, PK_DH_IC)) == SHARED_SECRET
    assert suite.shared_secret(SK_DH_IC, point(13, PK_DH_IFD)) == SHARED_SECRET
    assert suite.derive(SHARED_SECRET, 1) == KS_ENC
    assert suite.derive(SHARED_SECRET, 2) == KS_MAC


def test_authentication_tokens() -> None:
    info = g1_info()
    assert public_key_data(info, PK_DH_IC) == T_IFD_INPUT
    suite = _Suite.for_info(info)
    assert suite.token(KS_MAC, PK_DH_IC) == T_IFD
    assert suite.token(KS_MAC, PK_DH_IFD) == T_IC


# ---- Appendix G.1, the APDU transcript ---------------------------------------------------------


class Script:
    """A chip that answers a fixed transcript and checks every command byte for byte."""

    def __init__(self, exchanges: list[tuple[bytes, bytes]]) -> None:
        self.exchanges = list(exchanges)

    def __call__(self, apdu: bytes) -> bytes:
        command, response = self.exchanges.pop(0)
        assert apdu.hex().upper() == command.hex().upper()
        return response


def test_terminal_replays_transcript() -> None:
    script = Script(TRANSCRIPT)
    sm = perform_pace(script, g1_password(), g1_info(), private_keys=iter([SK_MAP_IFD, SK_DH_IFD]))
    assert script.exchanges == []
    assert sm.ssc == bytes(16)
    # The session uses KS_Enc/KS_MAC of G.1: it unwraps what a chip with those keys protects.
    chip = ChipSecureMessaging.aes(KS_ENC, KS_MAC)
    assert chip.unprotect_command(sm.protect(h("00B0000004"))) == h("00B0000004")
    assert sm.unprotect(chip.protect_response(b"\x60\x14", h("9000"))) == h("60149000")


def test_terminal_sends_parameter_id_when_asked() -> None:
    script = Script([(MSE_WITH_PARAMETER_ID, h("9000")), *TRANSCRIPT[1:]])
    perform_pace(script, g1_password(), g1_info(), private_keys=iter([SK_MAP_IFD, SK_DH_IFD]), parameter_id_in_mse=True)
    assert script.exchanges == []


def g1_chip() -> PaceChip:
    return PaceChip(g1_password(), g1_info(), private_keys=iter([SK_MAP_IC, SK_DH_IC]), nonce=S)


def command_data(apdu: bytes) -> bytes:
    return parse_command_apdu(apdu).data


@pytest.mark.parametrize("mse", [TRANSCRIPT[0][0], MSE_WITH_PARAMETER_ID])
def test_chip_replays_transcript(mse: bytes) -> None:
    chip = g1_chip()
    assert chip.mse_set_at(command_data(mse)) == h("9000")
    for command, response in TRANSCRIPT[1:]:
        assert chip.session() is None
        assert chip.general_authenticate(command_data(command)).hex().upper() == response.hex().upper()
    session = chip.session()
    assert session is not None
    assert session.ssc == bytes(16)


# ---- terminal against chip -------------------------------------------------------------------


def connect(chip: PaceChip, tamper: Callable[[int, bytes], bytes] | None = None) -> Callable[[bytes], bytes]:
    """A transmit function that routes plain APDUs to the chip; ``tamper(step, response)`` may alter answers."""
    steps = itertools.count()

    def transmit(apdu: bytes) -> bytes:
        command = parse_command_apdu(apdu)
        handler = chip.mse_set_at if command.ins == 0x22 else chip.general_authenticate
        response = handler(command.data)
        step = next(steps)
        return tamper(step, response) if tamper else response

    return transmit


CIPHERS = [("3DES", 16), ("AES", 16), ("AES", 24), ("AES", 32)]
PASSWORDS = [MRZ_KEY, CanKey("123456")]


@pytest.mark.parametrize("parameter_id", STANDARD_EC_PARAMETER_IDS)
@pytest.mark.parametrize(("cipher", "key_length"), CIPHERS)
@pytest.mark.parametrize("key", PASSWORDS, ids=["mrz", "can"])
def test_terminal_and_chip_agree(parameter_id: int, cipher: str, key_length: int, key: MrzKey | CanKey) -> None:
    info = PaceInfo(pace_oid("ECDH", "GM", cipher, key_length), 2, parameter_id)
    password = PacePassword.from_key(key)
    chip = PaceChip(password, info)
    terminal = perform_pace(connect(chip), password, info)
    session = chip.session()
    assert session is not None
    assert terminal.block_size == session.block_size == (16 if cipher == "AES" else 8)
    assert terminal.ssc == session.ssc == bytes(terminal.block_size)
    select = h("00A4040C07A0000002471001")
    assert session.unprotect_command(terminal.protect(select)) == select
    assert terminal.unprotect(session.protect_response(b"", h("9000"))) == h("9000")


def test_terminal_returns_3des_session_for_3des() -> None:
    info = PaceInfo(pace_oid("ECDH", "GM", "3DES", 16), 2, 12)
    password = PacePassword.from_key(MRZ_KEY)
    terminal = perform_pace(connect(PaceChip(password, info)), password, info)
    assert isinstance(terminal, SecureMessaging)
    assert terminal.ssc == bytes(8)


@pytest.mark.parametrize(
    ("chip_key", "terminal_key", "message"),
    [
        (MRZ_KEY, MrzKey("T22000129", "640812", "101030"), "check the document number and dates"),
        (CanKey("123456"), CanKey("123465"), "check the card access number"),
    ],
)
def test_wrong_password_is_access_denied(
    chip_key: MrzKey | CanKey, terminal_key: MrzKey | CanKey, message: str
) -> None:
    info = g1_info()
    chip = PaceChip(PacePassword.from_key(chip_key), info)
    responses: list[bytes] = []

    def record(step: int, response: bytes) -> bytes:
        responses.append(response)
        return response

    with pytest.raises(AuthenticationFailed, match=f"access denied: {message}"):
        perform_pace(connect(chip, record), PacePassword.from_key(terminal_key), info)
    assert responses[-1] == h("6300")
    assert chip.session() is None
    # The chip starts over: another GENERAL AUTHENTICATE without MSE:Set AT is refused.
    assert chip.general_authenticate(h("7C00")) == h("6985")


def test_tampered_chip_token_is_access_denied() -> None:
    password, info = g1_password(), g1_info()

    def flip_token(step: int, response: bytes) -> bytes:
        if step != 4:
            return response
        tampered = bytearray(response)
        tampered[-3] ^= 0x01
        return bytes(tampered)

    with pytest.raises(AuthenticationFailed, match="access denied"):
        perform_pace(connect(PaceChip(password, info), flip_token), password, info)


@pytest.mark.parametrize("sw", ["63C2", "6300"])
def test_chip_refusing_last_step_is_access_denied(sw: str) -> None:
    script = Script([*TRANSCRIPT[:4], (TRANSCRIPT[4][0], h(sw))])
    with pytest.raises(AuthenticationFailed, match="access denied"):
        perform_pace(script, g1_password(), g1_info(), private_keys=iter([SK_MAP_IFD, SK_DH_IFD]))


def off_curve(encoded: bytes) -> bytes:
    return encoded[:-1] + bytes([encoded[-1] ^ 0x01])


@pytest.mark.parametrize("step", [2, 3])
def test_terminal_rejects_chip_point_off_curve(step: int) -> None:
    exchanges = list(TRANSCRIPT)
    command, response = exchanges[step]
    exchanges[step] = (command, off_curve(response[:-2]) + response[-2:])
    with pytest.raises(PaceError, match="not a point on the agreed curve"):
        perform_pace(Script(exchanges), g1_password(), g1_info(), private_keys=iter([SK_MAP_IFD, SK_DH_IFD]))


def test_terminal_rejects_echoed_key() -> None:
    exchanges = list(TRANSCRIPT)
    exchanges[3] = (TRANSCRIPT[3][0], h("7C438441") + PK_DH_IFD + h("9000"))
    with pytest.raises(PaceError, match="echoed"):
        perform_pace(Script(exchanges), g1_password(), g1_info(), private_keys=iter([SK_MAP_IFD, SK_DH_IFD]))


def ga(tag: int, value: bytes) -> bytes:
    inner = bytes([tag, len(value)]) + value
    return bytes([0x7C, len(inner)]) + inner


def chip_after_mapping() -> PaceChip:
    chip = g1_chip()
    assert chip.mse_set_at(command_data(TRANSCRIPT[0][0])) == h("9000")
    for command, _ in TRANSCRIPT[1:3]:
        chip.general_authenticate(command_data(command))
    return chip


def test_chip_rejects_terminal_point_off_curve() -> None:
    chip = g1_chip()
    chip.mse_set_at(command_data(TRANSCRIPT[0][0]))
    chip.general_authenticate(h("7C00"))
    assert chip.general_authenticate(ga(0x81, off_curve(PK_MAP_IFD))) == h("6A80")
    chip = chip_after_mapping()
    assert chip.general_authenticate(ga(0x83, off_curve(PK_DH_IFD))) == h("6A80")
    assert chip.session() is None


def test_chip_rejects_its_own_public_key() -> None:
    chip = chip_after_mapping()
    assert chip.general_authenticate(ga(0x83, PK_DH_IC)) == h("6A80")


def test_chip_rejects_wrong_token_and_resets() -> None:
    chip = chip_after_mapping()
    chip.general_authenticate(command_data(TRANSCRIPT[3][0]))
    assert chip.general_authenticate(ga(0x85, bytes(8))) == h("6300")
    assert chip.session() is None
    assert chip.general_authenticate(h("7C00")) == h("6985")


def test_chip_refuses_authenticate_before_selection() -> None:
    assert g1_chip().general_authenticate(h("7C00")) == h("6985")


@pytest.mark.parametrize(
    "mse_data",
    [
        h("800A04007F00070202040203830101"),  # another protocol (AES-192)
        h("800A04007F00070202040202830102"),  # CAN, but the chip holds the MRZ
        h("800A04007F0007020204020283010184010C"),  # another curve
        h("800A04007F00070202040202"),  # no password reference
        h("800A04007F000702"),  # cut short
    ],
)
def test_chip_refuses_selection_it_does_not_support(mse_data: bytes) -> None:
    assert g1_chip().mse_set_at(mse_data) == h("6A80")


@pytest.mark.parametrize(
    "data",
    [h("7C028000"), h("7C"), h("7D00"), h("7C00") + h("7C00"), b""],
)
def test_chip_refuses_malformed_nonce_request(data: bytes) -> None:
    chip = g1_chip()
    chip.mse_set_at(command_data(TRANSCRIPT[0][0]))
    assert chip.general_authenticate(data) == h("6A80")


@pytest.mark.parametrize(
    ("step", "response", "message"),
    [
        (0, h("6A80"), "refused PACE selection"),
        (1, h("6982"), "refused the PACE nonce request"),
        (1, h("6983"), "blocked"),
        (1, h("90"), "shorter than a status word"),
        (1, h("7C0380019000"), "ends in the middle"),
        (1, h("7C11810F") + Z[:15] + h("9000"), "expected PACE field"),
        (1, h("7C1180") + h("0F") + Z[:15] + h("9000"), "wrong length"),
        (2, h("7C0482020400") + h("9000"), "uncompressed point"),
        (4, h("7C0A8708") + T_IC + h("9000"), "no authentication token"),
        (4, h("8608") + T_IC + h("9000"), "not dynamic authentication data"),
    ],
)
def test_protocol_errors_are_pace_errors(step: int, response: bytes, message: str) -> None:
    exchanges = list(TRANSCRIPT)
    exchanges[step] = (exchanges[step][0], response)
    with pytest.raises(PaceError, match=message):
        perform_pace(Script(exchanges), g1_password(), g1_info(), private_keys=iter([SK_MAP_IFD, SK_DH_IFD]))


@pytest.mark.parametrize(
    "info",
    [
        PaceInfo(pace_oid("DH", "GM", "AES", 16), 2, 0),
        PaceInfo(pace_oid("ECDH", "IM", "AES", 16), 2, 13),
        PaceInfo(pace_oid("ECDH", "CAM", "AES", 16), 2, 13),
        PaceInfo(pace_oid("ECDH", "GM", "AES", 16), 1, 13),
        PaceInfo(pace_oid("ECDH", "GM", "AES", 16), 2, None),
        PaceInfo(pace_oid("ECDH", "GM", "AES", 16), 2, 2),
    ],
)
def test_unsupported_variants_are_refused(info: PaceInfo) -> None:
    def never(apdu: bytes) -> bytes:
        raise AssertionError("nothing may be sent")

    with pytest.raises(PaceError):
        perform_pace(never, g1_password(), info)
    with pytest.raises(PaceError):
        PaceChip(g1_password(), info)


def test_kdf_hashes_by_key_length() -> None:
    secret = b"shared"
    assert kdf(secret, 1, "AES", 16) == hashlib.sha1(secret + b"\x00\x00\x00\x01").digest()[:16]
    assert kdf(secret, 2, "AES", 24) == hashlib.sha256(secret + b"\x00\x00\x00\x02").digest()[:24]
    assert kdf(secret, 3, "AES", 32) == hashlib.sha256(secret + b"\x00\x00\x00\x03").digest()
    assert len(kdf(secret, 1, "3DES", 16)) == 16


def test_private_keys_out_of_range_are_a_caller_error() -> None:
    keys: Iterator[int] = iter([0])
    with pytest.raises(ValueError):
        perform_pace(Script(TRANSCRIPT), g1_password(), g1_info(), private_keys=keys)


def test_all_failures_are_icao_errors() -> None:
    assert issubclass(PaceError, IcaoError)
    assert issubclass(AuthenticationFailed, IcaoError)

"""Basic Access Control against ICAO 9303-11 Appendix D, "Worked Example: Basic Access Control"."""

from __future__ import annotations

import pytest

from drivers.cardreader.icao.bac import (
    BacKeys,
    MutualAuthentication,
    adjust_parity,
    check_digit,
    decrypt,
    derive_key,
    encrypt,
    mac,
    mrz_information,
    pad,
    unpad,
)
from drivers.cardreader.icao.errors import AuthenticationFailed, IcaoError

h = bytes.fromhex

# Appendix D.2 / D.3 published values.
MRZ_INFORMATION = "L898902C<369080619406236"
K_SEED = h("239AB9CB282DAF66231DC5A4DF6BFBAE")
K_ENC = h("AB94FDECF2674FDFB9B391F85D7F76F2")
K_MAC = h("7962D9ECE03D1ACD4C76089DCE131543")
RND_IC = h("4608F91988702212")
RND_IFD = h("781723860C06C226")
K_IFD = h("0B795240CB7049B01C19B33E32804F0B")
E_IFD = h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
M_IFD = h("5F1448EEA8AD90A7")
KS_ENC = h("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = h("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = h("887022120C06C226")
# The chip's side (K.IC and its EXTERNAL AUTHENTICATE answer E_IC || M_IC); the chain below
# only reproduces the published KS_Enc/KS_MAC if these are right.
K_IC = h("0B4F80323EB3191CB04970CB4052790B")
CHIP_RESPONSE = h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")


def example_authentication() -> MutualAuthentication:
    return MutualAuthentication(BacKeys.from_seed(K_SEED), RND_IC, RND_IFD, K_IFD)


def chip_answer(rnd_ic: bytes, rnd_ifd: bytes, k_ic: bytes = K_IC) -> bytes:
    """What a chip sends back: E_IC = 3DES(K_Enc, RND.IC || RND.IFD || K.IC), M_IC = MAC(K_MAC, E_IC)."""
    e_ic = encrypt(K_ENC, rnd_ic + rnd_ifd + k_ic)
    return e_ic + mac(K_MAC, e_ic)


def test_check_digits_of_example_fields() -> None:
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"


def test_mrz_information_pads_document_number() -> None:
    assert mrz_information("L898902C", "690806", "940623") == MRZ_INFORMATION
    assert mrz_information("L898902C<", "690806", "940623") == MRZ_INFORMATION


def test_keys_from_mrz_information() -> None:
    keys = BacKeys.from_mrz_information(MRZ_INFORMATION)
    assert keys.k_seed == K_SEED
    assert keys.k_enc == K_ENC
    assert keys.k_mac == K_MAC


def test_derive_key_counters() -> None:
    assert derive_key(K_SEED, 1) == K_ENC
    assert derive_key(K_SEED, 2) == K_MAC


def test_adjust_parity_gives_odd_parity() -> None:
    for byte in adjust_parity(bytes(range(256))):
        assert bin(byte).count("1") % 2 == 1


def test_external_authenticate_command_data() -> None:
    assert example_authentication().command_data() == E_IFD + M_IFD


def test_mac_of_e_ifd() -> None:
    assert mac(K_MAC, E_IFD) == M_IFD


def test_encrypt_decrypt_round_trip() -> None:
    s = RND_IFD + RND_IC + K_IFD
    assert encrypt(K_ENC, s) == E_IFD
    assert decrypt(K_ENC, E_IFD) == s


def test_chip_response_is_published_value() -> None:
    assert chip_answer(RND_IC, RND_IFD) == CHIP_RESPONSE


def test_session_keys_and_ssc() -> None:
    session = example_authentication().complete(CHIP_RESPONSE)
    assert session.ks_enc == KS_ENC
    assert session.ks_mac == KS_MAC
    assert session.ssc == SSC


def test_wrong_rnd_ifd_echo_fails() -> None:
    answer = chip_answer(RND_IC, h("0000000000000000"))
    with pytest.raises(AuthenticationFailed, match="terminal's challenge"):
        example_authentication().complete(answer)


def test_wrong_rnd_ic_echo_fails() -> None:
    answer = chip_answer(h("0000000000000000"), RND_IFD)
    with pytest.raises(AuthenticationFailed, match="its own challenge"):
        example_authentication().complete(answer)


def test_flipped_mac_bit_fails_authentication() -> None:
    answer = bytearray(CHIP_RESPONSE)
    answer[-1] ^= 0x01
    with pytest.raises(AuthenticationFailed, match="integrity check"):
        example_authentication().complete(bytes(answer))


def test_wrong_length_answer_fails() -> None:
    with pytest.raises(IcaoError):
        example_authentication().complete(CHIP_RESPONSE[:-1])


def test_bad_nonce_length_rejected() -> None:
    with pytest.raises(ValueError):
        MutualAuthentication(BacKeys.from_seed(K_SEED), RND_IC[:7], RND_IFD, K_IFD)


@pytest.mark.parametrize("data", [b"", b"\x01", bytes(7), bytes(8), bytes(9)])
def test_padding_round_trip(data: bytes) -> None:
    padded = pad(data)
    assert len(padded) % 8 == 0
    assert unpad(padded) == data


def test_unpad_rejects_missing_marker() -> None:
    with pytest.raises(ValueError):
        unpad(bytes(8))

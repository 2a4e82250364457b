"""Assemble a virtual passport or ID card: an invented person's files, signed by a test issuer.

One call gives the chip a kiosk, a test or `balie chip simulate` puts on a reader, together
with what is needed to check it: the specimen (its access data) and the issuer's CSCA
certificate for the trust store. Misbehaviours that live in the data rather than in the chip
(a tampered data group, an expired or untrusted signer) are made here.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.serialization import Encoding

from drivers.cardreader.emrtd.chip import ChipProfile, Misbehaviour, VirtualPassport, files_by_id
from drivers.cardreader.emrtd.issuer import DocumentIssuer
from drivers.cardreader.emrtd.specimens import Specimen, id_card_specimen, passport_specimen
from drivers.cardreader.icao.lds import build_dg14, build_ef_com
from drivers.cardreader.icao.security_infos import PaceInfo, SecurityInfos, encode_security_infos

# PACE-ECDH-GM-AES-CBC-CMAC-128 on brainpoolP256r1 (ICAO 9303-11 §9.2.1, Table 6 id 13): what
# most European passports and ID cards offer.
DEFAULT_PACE = PaceInfo(protocol="0.4.0.127.0.7.2.2.4.2.2", version=2, parameter_id=13)


@dataclass(frozen=True)
class VirtualDocument:
    chip: VirtualPassport
    specimen: Specimen
    issuer: DocumentIssuer

    @property
    def csca_pem(self) -> bytes:
        return self.issuer.csca_certificate.public_bytes(Encoding.PEM)


@functools.cache
def default_issuer() -> DocumentIssuer:
    """One test issuer per process: generating keys costs time the kiosk's start-up does not have."""
    return DocumentIssuer.generate()


def build_virtual_document(
    kind: str = "passport",
    *,
    access: str = "pace",
    pace_info: PaceInfo = DEFAULT_PACE,
    misbehaviours: Iterable[Misbehaviour | str] = (),
    issuer: DocumentIssuer | None = None,
    tamper_data_group: int | None = None,
    with_sod: bool = True,
    extended_length: bool = True,
    specimen: Specimen | None = None,
) -> VirtualDocument:
    """``kind`` is "passport" (TD3) or "id-card" (TD1); ``access`` "pace" (PACE, BAC as fallback),
    "pace-only" (BAC refused) or "bac" (no EF.CardAccess)."""
    if specimen is None:
        if kind == "passport":
            specimen = passport_specimen()
        elif kind in ("id-card", "id_card"):
            specimen = id_card_specimen()
        else:
            raise ValueError(f"unknown document kind {kind!r}")
    if access not in ("pace", "pace-only", "bac"):
        raise ValueError(f"unknown access control {access!r}")
    issuer = issuer or default_issuer()
    groups = dict(specimen.data_groups())
    card_access = None
    if access != "bac":
        # A PACE chip repeats its PACE parameters in DG14, signed like every data group
        # (ICAO 9303-11 §9.2.2), so a terminal can check EF.CardAccess was not swapped.
        card_access = encode_security_infos(SecurityInfos(pace=(pace_info,), others=()))
        groups[14] = build_dg14(card_access)
    sod = issuer.sign_sod(groups) if with_sod else None
    if tamper_data_group is not None:
        groups[tamper_data_group] = _tamper(groups[tamper_data_group])
    profile = ChipProfile(
        files=files_by_id(groups, build_ef_com(sorted(groups)), sod),
        mrz_key=specimen.access_key,
        can=specimen.can,
        card_access=card_access,
        pace_info=pace_info if access != "bac" else None,
        bac=access != "pace-only",
        extended_length=extended_length,
        misbehaviours=frozenset(Misbehaviour(m) if isinstance(m, str) else m for m in misbehaviours),
    )
    return VirtualDocument(VirtualPassport(profile), specimen, issuer)


def _tamper(content: bytes) -> bytes:
    """Change one byte the way a forger would: still a well-formed file (a letter stays a letter, a
    digit a digit, image data stays decodable), so only passive authentication can notice."""
    changed = bytearray(content)
    for position in range(len(changed) // 2, len(changed)):
        byte = changed[position]
        if ord("A") <= byte <= ord("Z"):
            changed[position] = ord("A") + (byte - ord("A") + 1) % 26
            return bytes(changed)
        if ord("0") <= byte <= ord("9"):
            changed[position] = ord("0") + (byte - ord("0") + 1) % 10
            return bytes(changed)
        if content[:1] != b"\x61":  # not DG1: any byte in the middle of binary data
            changed[position] ^= 0x01
            return bytes(changed)
    raise ValueError("nothing to tamper with")


def expired_signer_issuer() -> DocumentIssuer:
    """An issuer whose document signer certificate ran out yesterday."""
    now = dt.datetime.now(dt.UTC)
    return DocumentIssuer.generate(ds_not_before=now - dt.timedelta(days=400), ds_not_after=now - dt.timedelta(days=1))

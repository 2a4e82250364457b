"""Invented travel documents for the virtual chip, tests and benchmarks.

Both people are made up and the issuing state is "UTO", ICAO's fictional Utopia, so nothing
here can be mistaken for a real citizen's data. The MRZ comes from the ``mrz`` package's
generators, so its check digits (ICAO 9303-3 §4.9) are right by construction. The face is a
deterministic cartoon drawn with Pillow and compressed to about the size a real DG2 has
(15–25 kB), so reading it over a simulated contactless link costs realistic time.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass

from mrz.generator.td1 import TD1CodeGenerator  # type: ignore[import-untyped]
from mrz.generator.td3 import TD3CodeGenerator  # type: ignore[import-untyped]
from PIL import Image, ImageDraw

from drivers.cardreader.icao.document import ImageFormat, MrzKey, PersonalDetails
from drivers.cardreader.icao.lds import build_dg1, build_dg2, build_dg11, build_ef_com

FACE_SIZE = (360, 480)  # 3:4 portrait, as ICAO 9303-3 §3.9 and ISO/IEC 19794-5 recommend
_RAW_BYTES = FACE_SIZE[0] * FACE_SIZE[1] * 3


@dataclass(frozen=True)
class Specimen:
    """One invented document: its printed MRZ, how to open its chip, and what the chip holds."""

    lines: tuple[str, ...]
    access_key: MrzKey
    can: str
    details: PersonalDetails | None
    face: bytes
    face_format: ImageFormat
    face_size: tuple[int, int]

    def data_groups(self) -> dict[int, bytes]:
        """The data group files by number: DG1, DG2 and, when there are details, DG11."""
        width, height = self.face_size
        groups = {
            1: build_dg1(self.lines),
            2: build_dg2(self.face, self.face_format, width, height),
        }
        if self.details is not None:
            groups[11] = build_dg11(self.details)
        return groups

    def ef_com(self, extra: Iterable[int] = ()) -> bytes:
        """EF.COM listing this specimen's data groups plus ``extra`` (e.g. 14 when the chip has DG14)."""
        return build_ef_com(sorted(set(self.data_groups()) | set(extra)))


def _yymmdd(day: dt.date) -> str:
    return day.strftime("%y%m%d")


@functools.cache
def cartoon_face(face_format: ImageFormat, target_bytes: int, variant: int = 0) -> bytes:
    """A cartoon portrait encoded close to ``target_bytes``; cached, as encoding takes a few tenths of a second."""
    picture = _draw_face(variant)
    if face_format is ImageFormat.JPEG2000:
        ratio = max(1.0, _RAW_BYTES / max(target_bytes, 1))
        return _encode(picture, "JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True)
    # JPEG: the highest quality that stays within the target (at least quality 5).
    best = _encode(picture, "JPEG", quality=5)
    low, high = 6, 95
    while low <= high:
        quality = (low + high) // 2
        encoded = _encode(picture, "JPEG", quality=quality)
        if len(encoded) <= target_bytes:
            best, low = encoded, quality + 1
        else:
            high = quality - 1
    return best


def _encode(picture: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, kind, **options)
    return out.getvalue()


def _draw_face(variant: int) -> Image.Image:
    """Oval head, eyes, nose, smile; speckles in the background give the encoder realistic work."""
    width, height = FACE_SIZE
    hair = ((90, 60, 30), (30, 30, 35))[variant % 2]
    shirt = ((60, 90, 160), (70, 130, 70))[variant % 2]
    picture = Image.new("RGB", FACE_SIZE)
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        shade = 150 + y * 60 // height
        draw.line([(0, y), (width, y)], fill=(shade - 20, shade, 235))
    rng = random.Random(9303 + variant)
    for _ in range(400):
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(2, 6)
        colour = (rng.randrange(120, 200), rng.randrange(170, 230), rng.randrange(200, 255))
        draw.ellipse([x - r, y - r, x + r, y + r], fill=colour)
    draw.ellipse([40, 380, 320, 560], fill=shirt)
    draw.rectangle([155, 330, 205, 410], fill=(240, 200, 160))
    draw.ellipse([85, 60, 275, 360] if variant % 2 == 0 else [95, 70, 265, 250], fill=hair)
    draw.ellipse([95, 90, 265, 350], fill=(245, 205, 165), outline=(120, 80, 50), width=3)
    for eye in (140, 220):
        draw.ellipse([eye - 22, 180, eye + 22, 210], fill="white", outline="black", width=2)
        draw.ellipse([eye - 9, 185, eye + 9, 205], fill=(40, 90, 160))
        draw.ellipse([eye - 4, 190, eye + 4, 198], fill="black")
        draw.arc([eye - 25, 160, eye + 25, 185], 200, 340, fill=hair, width=4)
    draw.polygon([(180, 215), (168, 265), (192, 265)], fill=(225, 180, 140))
    draw.arc([130, 250, 230, 310], 20, 160, fill=(180, 40, 40), width=6)
    draw.ellipse([110, 250, 140, 275], fill=(250, 170, 170))
    draw.ellipse([220, 250, 250, 275], fill=(250, 170, 170))
    return picture


def passport_specimen(face_format: ImageFormat = ImageFormat.JPEG2000, face_bytes_target: int = 20_000) -> Specimen:
    """A TD3 passport of Utopia for the invented Anna Maria de Tester, with DG11 details."""
    number, birth, expiry = "SPECI2026", dt.date(1985, 3, 14), dt.date(2031, 3, 13)
    code = TD3CodeGenerator(
        "P", "UTO", "DE TESTER", "ANNA MARIA", number, "UTO", _yymmdd(birth), "F", _yymmdd(expiry), "999999990"
    )
    details = PersonalDetails(
        full_name="DE TESTER, ANNA MARIA",
        personal_number="999999990",
        date_of_birth=birth,
        place_of_birth="PROEFDORP, UTOPIA",
        address="TESTSTRAAT 1, 9999 ZZ PROEFDORP, UTOPIA",
        profession="SPECIMEN",
    )
    return Specimen(
        lines=tuple(str(code).split("\n")),
        access_key=MrzKey(number, _yymmdd(birth), _yymmdd(expiry)),
        can="123456",
        details=details,
        face=cartoon_face(face_format, face_bytes_target, 0),
        face_format=face_format,
        face_size=FACE_SIZE,
    )


def id_card_specimen(face_format: ImageFormat = ImageFormat.JPEG, face_bytes_target: int = 20_000) -> Specimen:
    """A TD1 identity card of Utopia for the invented Jan van Proef, without DG11."""
    number, birth, expiry = "SPECI0016", dt.date(1990, 7, 1), dt.date(2031, 6, 30)
    code = TD1CodeGenerator("I", "UTO", number, _yymmdd(birth), "M", _yymmdd(expiry), "UTO", "VAN PROEF", "JAN")
    return Specimen(
        lines=tuple(str(code).split("\n")),
        access_key=MrzKey(number, _yymmdd(birth), _yymmdd(expiry)),
        can="654321",
        details=None,
        face=cartoon_face(face_format, face_bytes_target, 1),
        face_format=face_format,
        face_size=FACE_SIZE,
    )

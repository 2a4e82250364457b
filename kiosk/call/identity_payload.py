"""The chip's data as the caseworker's console shows it, made at the moment it is sent and kept nowhere.

The photo goes as JPEG (browsers do not show the JPEG 2000 most passports store), in a data URL.
"""

from __future__ import annotations

import base64
import io
import logging

from kiosk.call.services import IdentityResult
from kiosk.identity import VerifiedIdentity

log = logging.getLogger(__name__)


def identity_result(identity: VerifiedIdentity) -> IdentityResult:
    document = {
        "surname": identity.surname,
        "given_names": identity.given_names,
        "date_of_birth": identity.date_of_birth.isoformat() if identity.date_of_birth else "",
        "document_number": identity.document_number,
        "nationality": identity.nationality,
        "expiry": identity.date_of_expiry.isoformat() if identity.date_of_expiry else "",
        "personal_number": identity.personal_number,
        "access_control": identity.access_control,
    }
    return IdentityResult(
        document=document,
        verdict=identity.authenticity.value,
        verdict_detail=identity.authenticity_reason,
        photo_data_url=_jpeg_data_url(identity.photo) if identity.photo else None,
    )


def _jpeg_data_url(photo: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(photo)) as image:
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=90)
    except (UnidentifiedImageError, OSError, ValueError):
        log.warning("chip photo could not be converted for the console")
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()

"""The invented documents the virtual chip serves: valid MRZs, a decodable face, consistent files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from drivers.cardreader.emrtd.specimens import Specimen, cartoon_face, id_card_specimen, passport_specimen
from drivers.cardreader.icao.bac import mrz_information
from drivers.cardreader.icao.document import DocumentType, ImageFormat
from drivers.cardreader.icao.lds import parse_dg1, parse_dg2, parse_dg11, parse_ef_com

TODAY = dt.date(2026, 5, 1)


def test_passport_specimen_is_an_invented_utopian_td3() -> None:
    specimen = passport_specimen()
    mrz = parse_dg1(specimen.data_groups()[1], today=TODAY)
    assert mrz.format is DocumentType.TD3
    assert (mrz.issuing_state, mrz.nationality) == ("UTO", "UTO")
    assert (mrz.surname, mrz.given_names) == ("DE TESTER", "ANNA MARIA")
    assert mrz.check_digits_valid
    assert mrz.date_of_expiry is not None and mrz.date_of_expiry.year >= 2031
    assert specimen.details is not None
    assert parse_dg11(specimen.data_groups()[11]) == specimen.details
    assert specimen.details.date_of_birth == mrz.date_of_birth


def test_id_card_specimen_is_an_invented_utopian_td1() -> None:
    specimen = id_card_specimen()
    mrz = parse_dg1(specimen.data_groups()[1], today=TODAY)
    assert mrz.format is DocumentType.TD1
    assert (mrz.issuing_state, mrz.surname, mrz.given_names, mrz.sex) == ("UTO", "VAN PROEF", "JAN", "M")
    assert mrz.check_digits_valid
    assert mrz.date_of_expiry is not None and mrz.date_of_expiry > TODAY
    assert set(specimen.data_groups()) == {1, 2}


@pytest.mark.parametrize("make", [passport_specimen, id_card_specimen])
def test_access_key_matches_the_printed_mrz(make: Callable[..., Specimen]) -> None:
    specimen = make()
    mrz = parse_dg1(specimen.data_groups()[1], today=TODAY)
    key = specimen.access_key
    assert key.document_number == mrz.document_number
    assert mrz.date_of_birth is not None and key.date_of_birth == mrz.date_of_birth.strftime("%y%m%d")
    assert mrz.date_of_expiry is not None and key.date_of_expiry == mrz.date_of_expiry.strftime("%y%m%d")
    information = mrz_information(key.document_number, key.date_of_birth, key.date_of_expiry)
    joined = "".join(specimen.lines)
    assert information[:10] in joined
    assert len(specimen.can) == 6 and specimen.can.isdigit()


@pytest.mark.parametrize("image_format", [ImageFormat.JPEG, ImageFormat.JPEG2000])
@pytest.mark.parametrize("make", [passport_specimen, id_card_specimen])
def test_face_decodes_and_is_about_twenty_kilobytes(make: Callable[..., Specimen], image_format: ImageFormat) -> None:
    specimen = make(image_format)
    dg2 = specimen.data_groups()[2]
    face = parse_dg2(dg2)
    assert (face.format, (face.width, face.height)) == (image_format, specimen.face_size)
    assert face.data == specimen.face
    assert 15_000 <= len(dg2) <= 22_000
    assert face.height * 3 == face.width * 4


def test_face_size_follows_the_target() -> None:
    small = passport_specimen(ImageFormat.JPEG2000, face_bytes_target=8_000)
    assert 6_000 <= len(small.face) <= 9_000
    assert parse_dg2(small.data_groups()[2]).width == 360


def test_faces_are_deterministic_and_cached() -> None:
    assert cartoon_face(ImageFormat.JPEG, 20_000, 0) is cartoon_face(ImageFormat.JPEG, 20_000, 0)
    assert passport_specimen().face == passport_specimen().face
    assert passport_specimen(ImageFormat.JPEG).face != id_card_specimen(ImageFormat.JPEG).face


def test_ef_com_lists_the_data_groups_and_extras() -> None:
    assert parse_ef_com(passport_specimen().ef_com()).data_groups == (1, 2, 11)
    assert parse_ef_com(id_card_specimen().ef_com(extra=[14, 15])).data_groups == (1, 2, 14, 15)

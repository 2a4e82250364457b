"""The Logical Data Structure (ICAO 9303-10): file table, EF.COM, DG1, DG2, DG11 and DG14.

MRZ samples are the published ICAO specimens of Utopia (9303-4 Appendix A for TD3, 9303-5
for TD1, 9303-6 for TD2); everything else is built from invented data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image

from drivers.cardreader.icao.document import DocumentType, ImageFormat, PersonalDetails
from drivers.cardreader.icao.errors import IcaoError, MalformedDataError
from drivers.cardreader.icao.lds import (
    DataGroup,
    EfCom,
    build_dg1,
    build_dg2,
    build_dg11,
    build_dg14,
    build_ef_com,
    parse_dg1,
    parse_dg2,
    parse_dg11,
    parse_dg14,
    parse_ef_com,
)
from drivers.cardreader.icao.lds_face import build_facial_record
from drivers.cardreader.icao.lds_mrz import check_digit, parse_mrz
from drivers.cardreader.icao.tlv import encode_tlv

h = bytes.fromhex
TODAY = dt.date(2026, 5, 1)

EF_COM_VECTOR = h("60145F0104303130365F36063034303030305C026175")
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")


# --- the file table ----------------------------------------------------------------------


def test_every_data_group_has_its_identifiers() -> None:
    tags = [0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70]
    for number, tag in enumerate(tags, start=1):
        group = DataGroup.by_number(number)
        assert (group.number, group.fid, group.sfi, group.tag) == (number, 0x0100 + number, number, tag)
        assert DataGroup.by_tag(tag) is group
    assert (DataGroup.COM.fid, DataGroup.COM.sfi, DataGroup.COM.tag) == (0x011E, 0x1E, 0x60)
    assert (DataGroup.SOD.fid, DataGroup.SOD.sfi, DataGroup.SOD.tag) == (0x011D, 0x1D, 0x77)
    assert (DataGroup.CARD_ACCESS.fid, DataGroup.CARD_ACCESS.sfi) == (0x011C, 0x1C)
    assert DataGroup.by_tag(0x77) is DataGroup.SOD


@pytest.mark.parametrize("number", [0, 17, -1])
def test_unknown_data_group_numbers_are_refused(number: int) -> None:
    with pytest.raises(MalformedDataError):
        DataGroup.by_number(number)


def test_unknown_tags_are_refused() -> None:
    with pytest.raises(MalformedDataError):
        DataGroup.by_tag(0x99)


# --- EF.COM ------------------------------------------------------------------------------


def test_ef_com_appendix_d_vector() -> None:
    assert parse_ef_com(EF_COM_VECTOR) == EfCom(lds_version="0106", unicode_version="040000", data_groups=(1, 2))
    assert build_ef_com([1, 2], lds_version="0106") == EF_COM_VECTOR


def test_ef_com_round_trip() -> None:
    com = parse_ef_com(build_ef_com([1, 2, 11, 14, 15]))
    assert com == EfCom(lds_version="0107", unicode_version="040000", data_groups=(1, 2, 11, 14, 15))


@pytest.mark.parametrize(
    "content",
    [
        h("5F0104303130365F3606303430303030"),  # no tag list
        h("5F0102303130365F36063034303030305C0161"),  # two-digit LDS version
        h("5F0104303130365F36063034303030305C0177"),  # tag list names EF.SOD
        h("5F0104303130365F36063034303030305C0199"),  # tag list names nothing known
        h("5F0104303130365F36063034303030305C01615C0161"),  # two tag lists
    ],
)
def test_malformed_ef_com(content: bytes) -> None:
    with pytest.raises(MalformedDataError):
        parse_ef_com(encode_tlv(0x60, content))


def test_ef_com_with_the_wrong_outer_tag() -> None:
    with pytest.raises(MalformedDataError):
        parse_ef_com(b"\x61" + EF_COM_VECTOR[1:])


# --- DG1 ---------------------------------------------------------------------------------


def test_td3_specimen_every_field() -> None:
    mrz = parse_dg1(build_dg1(TD3), today=TODAY)
    assert mrz.format is DocumentType.TD3
    assert (mrz.document_code, mrz.issuing_state, mrz.document_number) == ("P", "UTO", "L898902C3")
    assert (mrz.surname, mrz.given_names, mrz.nationality) == ("ERIKSSON", "ANNA MARIA", "UTO")
    assert mrz.date_of_birth == dt.date(1974, 8, 12)
    assert mrz.date_of_expiry == dt.date(2012, 4, 15)
    assert (mrz.sex, mrz.optional_data, mrz.lines) == ("F", "ZE184226B", TD3)
    assert mrz.check_digits_valid


def test_td1_specimen_every_field() -> None:
    mrz = parse_dg1(build_dg1(TD1), today=TODAY)
    assert mrz.format is DocumentType.TD1
    assert (mrz.document_code, mrz.issuing_state, mrz.document_number) == ("I", "UTO", "D23145890")
    assert (mrz.surname, mrz.given_names, mrz.nationality) == ("ERIKSSON", "ANNA MARIA", "UTO")
    assert (mrz.date_of_birth, mrz.date_of_expiry) == (dt.date(1974, 8, 12), dt.date(2012, 4, 15))
    assert (mrz.sex, mrz.optional_data, mrz.lines) == ("F", "", TD1)
    assert mrz.check_digits_valid


def test_td2_specimen_every_field() -> None:
    mrz = parse_dg1(build_dg1(TD2), today=TODAY)
    assert mrz.format is DocumentType.TD2
    assert (mrz.document_code, mrz.issuing_state, mrz.document_number) == ("I", "UTO", "D23145890")
    assert (mrz.surname, mrz.given_names, mrz.nationality) == ("ERIKSSON", "ANNA MARIA", "UTO")
    assert (mrz.date_of_birth, mrz.date_of_expiry, mrz.sex) == (dt.date(1974, 8, 12), dt.date(2012, 4, 15), "F")
    assert mrz.check_digits_valid


def test_td1_document_number_overflowing_into_optional_data() -> None:
    number = "D23145890734"
    top = f"I<UTO{number[:9]}<{number[9:]}{check_digit(number)}<".ljust(30, "<")
    middle = "7408122F1204159UTO<<<<<<<<<<<"
    middle += check_digit(top[5:30] + middle[0:7] + middle[8:15] + middle[18:29])
    mrz = parse_mrz(top + middle + TD1[2], today=TODAY)
    assert (mrz.document_number, mrz.optional_data, mrz.check_digits_valid) == (number, "", True)


@pytest.mark.parametrize(
    ("lines", "line", "position"),
    [
        (TD3, 1, 9),  # document number
        (TD3, 1, 19),  # birth date
        (TD3, 1, 27),  # expiry date
        (TD3, 1, 42),  # personal number
        (TD3, 1, 43),  # composite
        (TD1, 0, 14),
        (TD1, 1, 6),
        (TD1, 1, 14),
        (TD1, 1, 29),
        (TD2, 1, 35),
    ],
)
def test_a_wrong_check_digit_is_reported(lines: tuple[str, ...], line: int, position: int) -> None:
    broken = list(lines)
    old = broken[line][position]
    new = "0" if old != "0" else "1"
    broken[line] = broken[line][:position] + new + broken[line][position + 1 :]
    mrz = parse_dg1(build_dg1(broken), today=TODAY)
    assert not mrz.check_digits_valid
    assert mrz.surname == "ERIKSSON"


def test_empty_personal_number_may_have_a_filler_check_digit() -> None:
    line = "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<"
    line += check_digit(line[0:10] + line[13:20] + line[21:43])
    assert parse_mrz(TD3[0] + line, today=TODAY).check_digits_valid


def test_unknown_birth_date_unspecified_sex_and_century() -> None:
    line = "L898902C36UTO<<<<<<<<1204159ZE184226B<<<<<1"
    line += check_digit(line[0:10] + line[13:20] + line[21:43])
    mrz = parse_mrz(TD3[0] + line, today=TODAY)
    assert (mrz.date_of_birth, mrz.sex) == (None, "X")
    born_2020 = parse_mrz(TD3[0] + TD3[1].replace("740812", "200812"), today=TODAY)
    assert born_2020.date_of_birth == dt.date(2020, 8, 12)
    born_1926 = parse_mrz(TD3[0] + TD3[1].replace("740812", "260812"), today=TODAY)
    assert born_1926.date_of_birth == dt.date(1926, 8, 12)
    impossible = parse_mrz(TD3[0] + TD3[1].replace("740812", "741332"), today=TODAY)
    assert impossible.date_of_birth is None


@pytest.mark.parametrize(
    "data",
    [
        encode_tlv(0x61, encode_tlv(0x5F1F, b"P<UTO")),  # no format has 5 characters
        encode_tlv(0x61, encode_tlv(0x5F1F, "".join(TD3).lower().encode())),  # lower case
        encode_tlv(0x61, encode_tlv(0x5F1F, b"\xff" * 88)),  # not ASCII
        encode_tlv(0x61, encode_tlv(0x5F20, "".join(TD3).encode())),  # no 5F1F
        encode_tlv(0x75, encode_tlv(0x5F1F, "".join(TD3).encode())),  # not DG1
        build_dg1(TD3)[:-1],  # truncated
    ],
)
def test_malformed_dg1(data: bytes) -> None:
    with pytest.raises(MalformedDataError):
        parse_dg1(data, today=TODAY)


@pytest.mark.parametrize("lines", [(TD3[0],), (TD3[0][:-1], TD3[1] + "<"), (TD1[0], TD1[1] + TD1[2])])
def test_build_dg1_needs_whole_lines(lines: tuple[str, ...]) -> None:
    with pytest.raises(MalformedDataError):
        build_dg1(lines)


# --- DG2 ---------------------------------------------------------------------------------


def _picture(kind: str, size: tuple[int, int] = (36, 48), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 180, 150)).save(out, kind, **options)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kind", "image_format", "options"),
    [
        ("JPEG", ImageFormat.JPEG, {}),
        ("JPEG2000", ImageFormat.JPEG2000, {}),
        ("JPEG2000", ImageFormat.JPEG2000, {"no_jp2": True}),  # bare codestream FF4FFF51
    ],
)
def test_dg2_round_trip_decodes_the_real_size(kind: str, image_format: ImageFormat, options: dict[str, object]) -> None:
    image = _picture(kind, (36, 48), **options)
    face = parse_dg2(build_dg2(image, image_format, 36, 48))
    assert (face.format, face.width, face.height, face.data) == (image_format, 36, 48, image)


def test_dg2_size_comes_from_the_image_not_the_header() -> None:
    image = _picture("JPEG", (20, 30))
    face = parse_dg2(build_dg2(image, ImageFormat.JPEG, 640, 480))
    assert (face.width, face.height) == (20, 30)


def test_dg2_structure_follows_9303_10() -> None:
    dg2 = build_dg2(_picture("JPEG"), ImageFormat.JPEG, 36, 48)
    assert dg2[0] == 0x75
    assert h("7F61") in dg2[:8]
    header = h("A10F800201018101028702010188020008")
    assert header in dg2
    record = dg2[dg2.index(b"FAC\x00") :]
    assert record[4:8] == b"010\x00"
    assert int.from_bytes(record[8:12], "big") == len(record)
    assert record[12:14] == b"\x00\x01"


def _dg2_around(record: bytes, *, block_tag: int = 0x5F2E, count: bytes = b"\x01") -> bytes:
    template = encode_tlv(0x7F60, encode_tlv(0xA1, h("80020101")) + encode_tlv(block_tag, record))
    return encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x02, count) + template))


def test_dg2_with_feature_points_and_a_constructed_block_tag() -> None:
    image = _picture("JPEG")
    record = bytearray(build_facial_record(image, ImageFormat.JPEG, 36, 48))
    points = bytes(16)  # two feature points
    block_length = int.from_bytes(record[14:18], "big") + len(points)
    record[14:18] = block_length.to_bytes(4, "big")
    record[18:20] = (2).to_bytes(2, "big")
    with_points = bytes(record[:34]) + points + bytes(record[34:])
    face = parse_dg2(_dg2_around(with_points, block_tag=0x7F2E))
    assert (face.width, face.height, face.data) == (36, 48, image)


@pytest.mark.parametrize(
    "data",
    [
        _dg2_around(build_facial_record(_picture("PNG"), ImageFormat.JPEG, 36, 48)),  # PNG is not allowed
        _dg2_around(build_facial_record(_picture("JPEG")[:60], ImageFormat.JPEG, 36, 48)),  # truncated JPEG
        _dg2_around(build_facial_record(b"\xff\xd8\xff" + bytes(50), ImageFormat.JPEG, 36, 48)),  # broken JPEG
        _dg2_around(b"FAX\x00" + build_facial_record(_picture("JPEG"), ImageFormat.JPEG, 36, 48)[4:]),
        _dg2_around(build_facial_record(_picture("JPEG"), ImageFormat.JPEG, 36, 48)[:40]),  # lengths overrun
        _dg2_around(build_facial_record(_picture("JPEG"), ImageFormat.JPEG, 36, 48), count=b"\x00"),
        _dg2_around(b"FAC\x00010\x00"),  # too short
        encode_tlv(0x75, encode_tlv(0x02, b"\x01")),  # no 7F61
        encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x02, b"\x01"))),  # no 7F60
        encode_tlv(0x75, encode_tlv(0x7F61, encode_tlv(0x7F60, b""))),  # no count
        build_dg2(_picture("JPEG"), ImageFormat.JPEG, 36, 48)[:-3],  # truncated file
    ],
)
def test_malformed_dg2(data: bytes) -> None:
    with pytest.raises(MalformedDataError):
        parse_dg2(data)


def test_implausibly_large_face_is_refused() -> None:
    image = _picture("JPEG", (4100, 8))
    with pytest.raises(MalformedDataError, match="plausible"):
        parse_dg2(build_dg2(image, ImageFormat.JPEG, 4100, 8))


def test_build_dg2_refuses_sizes_the_record_cannot_hold() -> None:
    with pytest.raises(MalformedDataError):
        build_dg2(_picture("JPEG"), ImageFormat.JPEG, 70_000, 48)


# --- DG11 --------------------------------------------------------------------------------

DETAILS = PersonalDetails(
    full_name="VAN PROEF, JAN PIETER",
    other_names=("PROEF, JANTJE", "TESTER, J"),
    personal_number="999999990",
    date_of_birth=dt.date(1990, 7, 1),
    place_of_birth="PROEFDORP, UTOPIA",
    address="TESTSTRAAT 1, 9999 ZZ PROEFDORP",
    telephone="+999 123 4567",
    profession="TESTPERSOON",
    title="DR",
)


def test_dg11_round_trip() -> None:
    assert parse_dg11(build_dg11(DETAILS)) == DETAILS
    assert parse_dg11(build_dg11(PersonalDetails())) == PersonalDetails()


def test_dg11_fields_are_stored_with_fillers() -> None:
    dg11 = build_dg11(DETAILS)
    assert encode_tlv(0x5F0E, b"VAN<PROEF<<JAN<PIETER") in dg11
    assert encode_tlv(0x5F42, b"TESTSTRAAT 1<9999 ZZ PROEFDORP") in dg11
    assert encode_tlv(0x5F2B, b"19900701") in dg11
    assert dg11[3:5] == h("5C12")  # after 6B 81 xx: the list of nine two-byte tags


def test_dg11_written_by_other_issuers() -> None:
    content = (
        encode_tlv(0x5C, h("5F0E5F0F5F2B5F11"))
        + encode_tlv(0x5F0E, b"DE<TESTER<<ANNA<MARIA")
        + encode_tlv(0x5F0F, b"TESTER<<ANNA")  # other name outside the A0 template
        + encode_tlv(0x5F2B, h("19850314"))  # BCD date
        + encode_tlv(0x5F11, "PROEFDORP<UTOPIË".encode("latin-1"))  # ISO/IEC 8859-1 text
        + encode_tlv(0x5F18, b"unknown tag, skipped")
    )
    details = parse_dg11(encode_tlv(0x6B, content))
    assert details.full_name == "DE TESTER, ANNA MARIA"
    assert details.other_names == ("TESTER, ANNA",)
    assert details.date_of_birth == dt.date(1985, 3, 14)
    assert details.place_of_birth == "PROEFDORP, UTOPIË"


@pytest.mark.parametrize("value", [b"1985", b"19851314", b"ABCDEFGH", h("19851399")])
def test_dg11_unusable_birth_date_is_left_unknown(value: bytes) -> None:
    details = parse_dg11(encode_tlv(0x6B, encode_tlv(0x5F2B, value)))
    assert details.date_of_birth is None


@pytest.mark.parametrize(
    "data",
    [
        encode_tlv(0x6C, encode_tlv(0x5F0E, b"X")),  # DG12, not DG11
        encode_tlv(0x6B, encode_tlv(0x5F0E, b"X"))[:-1],
        encode_tlv(0x6B, h("5F0E05414243")),  # inner value overruns
        encode_tlv(0x6B, encode_tlv(0xA0, h("0205"))),  # broken A0 template
    ],
)
def test_malformed_dg11(data: bytes) -> None:
    with pytest.raises(MalformedDataError):
        parse_dg11(data)


def test_dg11_details_never_print() -> None:
    assert "JAN" not in repr(dataclasses.replace(DETAILS))


# --- DG14 --------------------------------------------------------------------------------


def test_dg14_round_trip() -> None:
    # A SET with one SEQUENCE of made-up content: the LDS layer only wraps it, ASN.1 is decoded elsewhere.
    infos = encode_tlv(0x31, encode_tlv(0x30, h("06030401020201") + bytes(130)))
    dg14 = build_dg14(infos)
    assert dg14[:3] == h("6E818F")
    assert parse_dg14(dg14) == infos


@pytest.mark.parametrize(
    "data",
    [
        encode_tlv(0x6E, encode_tlv(0x30, b"")),  # a SEQUENCE, not a SET
        encode_tlv(0x6E, encode_tlv(0x31, b"") + b"\x00"),  # trailing byte
        encode_tlv(0x6E, b""),
        encode_tlv(0x6F, encode_tlv(0x31, b"")),  # DG15
    ],
)
def test_malformed_dg14(data: bytes) -> None:
    with pytest.raises(MalformedDataError):
        parse_dg14(data)


def test_build_dg14_wants_one_set() -> None:
    with pytest.raises(MalformedDataError):
        build_dg14(encode_tlv(0x30, b""))


def test_all_lds_errors_are_icao_errors() -> None:
    assert issubclass(MalformedDataError, IcaoError)

"""DG2: the encoded face (ICAO 9303-10 §4.7.2) and the ISO/IEC 19794-5 facial record inside it.

The nesting is ``75 { 7F61 { 02 count, 7F60 { A1 header, 5F2E record } } }``: the Biometric
Information Group Template (7F61) holds one Biometric Information Template (7F60) per face,
each with a CBEFF biometric header (A1, 9303-10 §4.7.2.1) and the biometric data block (5F2E,
or 7F2E when the block is itself constructed). The block is a 19794-5:2005 facial record:

* general header (14 bytes): "FAC\\0", version "010\\0", record length (4), number of faces (2);
* facial record header (20 bytes): block length (4), feature point count (2), gender, eye
  colour, hair colour, feature mask (3), expression (2), pose angles (3) and uncertainty (3);
* feature points, 8 bytes each;
* image information (12 bytes): face image type, image data type (0 JPEG, 1 JPEG 2000),
  width (2), height (2), colour space, source type, device type (2), quality (2);
* the image itself.

The width and height handed to the kiosk come from decoding the image, not from the header,
so a chip cannot make the screen lay out a size the picture does not have.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from drivers.cardreader.icao.document import FaceImage, ImageFormat
from drivers.cardreader.icao.errors import MalformedDataError
from drivers.cardreader.icao.tlv import Tlv, encode_tlv, read_file_tlv

DG2_TAG = 0x75
BIOMETRIC_GROUP_TAG = 0x7F61  # Biometric Information Group Template
BIOMETRIC_TEMPLATE_TAG = 0x7F60  # Biometric Information Template
HEADER_TEMPLATE_TAG = 0xA1  # Biometric Header Template, 9303-10 §4.7.2.1
DATA_BLOCK_TAGS = (0x5F2E, 0x7F2E)
COUNT_TAG = 0x02

FORMAT_IDENTIFIER = b"FAC\x00"
VERSION = b"010\x00"
GENERAL_HEADER_LENGTH = 14
FACIAL_RECORD_HEADER_LENGTH = 20
FEATURE_POINT_LENGTH = 8
IMAGE_INFORMATION_LENGTH = 12

JPEG_MAGIC = b"\xff\xd8\xff"
JP2_MAGIC = b"\x00\x00\x00\x0cjP  \r\n\x87\n"  # JP2 signature box, ISO/IEC 15444-1 Annex I.5.1
J2K_MAGIC = b"\xff\x4f\xff\x51"  # SOC + SIZ: a bare JPEG 2000 codestream
_DATA_TYPES = {ImageFormat.JPEG: 0, ImageFormat.JPEG2000: 1}  # 19794-5 §5.7.2 image data type
MAX_SIDE = 4096  # far above any ICAO portrait; keeps a hostile header from claiming gigapixels

# CBEFF header content, 9303-10 §4.7.2.1: ICAO header version 1.1, biometric type "facial
# features", format owner ISO/IEC JTC1 SC37 (0101) and format type 19794-5 face (0008).
_HEADER_ELEMENTS = ((0x80, b"\x01\x01"), (0x81, b"\x02"), (0x87, b"\x01\x01"), (0x88, b"\x00\x08"))


def _first(children: list[Tlv], tags: tuple[int, ...], what: str) -> Tlv:
    found = next((tlv for tlv in children if tlv.tag in tags), None)
    if found is None:
        raise MalformedDataError(f"DG2 has no {what}")
    return found


def facial_record(data: bytes) -> bytes:
    """The 19794-5 record of the first face in DG2 (the CBEFF wrapping removed)."""
    outer = read_file_tlv(data, DG2_TAG, "DG2")
    group = _first(outer.children(), (BIOMETRIC_GROUP_TAG,), "biometric information group (7F61)")
    members = group.children()
    count = _first(members, (COUNT_TAG,), "count of faces (02)")
    if not count.value or int.from_bytes(count.value, "big") < 1:
        raise MalformedDataError("DG2 says it holds no face")
    template = _first(members, (BIOMETRIC_TEMPLATE_TAG,), "biometric information template (7F60)")
    block = _first(template.children(), DATA_BLOCK_TAGS, "biometric data block (5F2E)")
    return block.value


def _image_data(record: bytes) -> bytes:
    """The image bytes of the first facial record, found by walking the 19794-5 headers."""
    if len(record) < GENERAL_HEADER_LENGTH + FACIAL_RECORD_HEADER_LENGTH + IMAGE_INFORMATION_LENGTH:
        raise MalformedDataError("the facial record is too short to hold a face")
    if record[0:4] != FORMAT_IDENTIFIER:
        raise MalformedDataError("the biometric data block is not an ISO/IEC 19794-5 facial record")
    if int.from_bytes(record[12:14], "big") < 1:
        raise MalformedDataError("the facial record holds no face")
    start = GENERAL_HEADER_LENGTH
    block_length = int.from_bytes(record[start : start + 4], "big")
    points = int.from_bytes(record[start + 4 : start + 6], "big")
    info = start + FACIAL_RECORD_HEADER_LENGTH + points * FEATURE_POINT_LENGTH
    image_start = info + IMAGE_INFORMATION_LENGTH
    end = start + block_length
    if end > len(record) or image_start >= end:
        raise MalformedDataError("the facial record's lengths do not fit the data")
    return record[image_start:end]


def image_format(image: bytes) -> ImageFormat:
    """Recognise the image by its first bytes rather than trusting the header's data type field."""
    if image.startswith(JPEG_MAGIC):
        return ImageFormat.JPEG
    if image.startswith(JP2_MAGIC) or image.startswith(J2K_MAGIC):
        return ImageFormat.JPEG2000
    raise MalformedDataError("the face is neither a JPEG nor a JPEG 2000 image")


def decoded_size(image: bytes) -> tuple[int, int]:
    """Width and height after fully decoding the image, so a broken picture is caught here."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Pillow warns about e.g. oversized images: treat as failure
            with Image.open(io.BytesIO(image)) as picture:
                width, height = picture.size
                if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
                    raise MalformedDataError(f"a face of {width}×{height} pixels is not a plausible portrait")
                picture.load()
    except MalformedDataError:
        raise
    except Exception as error:  # Pillow raises many unrelated types for damaged images
        raise MalformedDataError(f"the face image cannot be decoded ({type(error).__name__})") from error
    return width, height


def parse_dg2(data: bytes) -> FaceImage:
    """DG2 to the first face: its format, decoded size and the image bytes as stored."""
    image = _image_data(facial_record(data))
    kind = image_format(image)
    width, height = decoded_size(image)
    return FaceImage(format=kind, width=width, height=height, data=image)


def build_facial_record(image: bytes, image_format: ImageFormat, width: int, height: int) -> bytes:
    """A 19794-5:2005 record with one face, no feature points and unspecified attributes."""
    if not (0 < width < 1 << 16 and 0 < height < 1 << 16):
        raise MalformedDataError("the face size does not fit the 19794-5 image information")
    information = (
        bytes([1, _DATA_TYPES[image_format]])  # face image type 1: full frontal
        + width.to_bytes(2, "big")
        + height.to_bytes(2, "big")
        + bytes([1, 2])  # colour space 1: 24-bit RGB; source type 2: digital still camera
        + bytes(4)  # device type unspecified, quality unspecified
    )
    block_length = FACIAL_RECORD_HEADER_LENGTH + len(information) + len(image)
    facial_header = block_length.to_bytes(4, "big") + bytes(16)  # 0 feature points, all attributes unspecified
    total = GENERAL_HEADER_LENGTH + block_length
    general = FORMAT_IDENTIFIER + VERSION + total.to_bytes(4, "big") + (1).to_bytes(2, "big")
    return general + facial_header + information + image


def build_dg2(image: bytes, image_format: ImageFormat, width: int, height: int) -> bytes:
    """DG2 holding one face, with the CBEFF templates of 9303-10 §4.7.2."""
    header = encode_tlv(HEADER_TEMPLATE_TAG, b"".join(encode_tlv(tag, value) for tag, value in _HEADER_ELEMENTS))
    block = encode_tlv(DATA_BLOCK_TAGS[0], build_facial_record(image, image_format, width, height))
    template = encode_tlv(BIOMETRIC_TEMPLATE_TAG, header + block)
    group = encode_tlv(BIOMETRIC_GROUP_TAG, encode_tlv(COUNT_TAG, b"\x01") + template)
    return encode_tlv(DG2_TAG, group)

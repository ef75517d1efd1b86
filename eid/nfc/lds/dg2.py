"""DG2, the encoded face, ICAO Doc 9303-10 §4.7.2 with an ISO/IEC 19794-5:2005 record.

``75 { 7F61 { 02 count, 7F60 { A1 BHT, 5F2E facial record } .. } }``. The facial
record: header ``FAC\\0 010\\0 length(4) count(2)``, then per image a 20-byte facial
information block, 8-byte feature points, a 12-byte image information block and the
image (JPEG or JPEG 2000).
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from eid.nfc import der, tlv
from eid.nfc.errors import LdsFormatError, TlvError

JPEG = 0
JPEG2000 = 1
_FACE_INFO = struct.Struct(">IHBBB3sH3s3s")
_IMAGE_INFO = struct.Struct(">BBHHBBHH")
DEFAULT_BHT = (tlv.Tlv(0x80, b"\x01\x01"), tlv.Tlv(0x81, b"\x02"), tlv.Tlv(0x87, b"\x01\x01"),
               tlv.Tlv(0x88, b"\x00\x08"))


@dataclass(frozen=True)
class FaceImage:
    """One facial image with its ISO 19794-5 descriptors (defaults: frontal, unspecified)."""

    image: bytes
    image_data_type: int = JPEG
    width: int = 0
    height: int = 0
    gender: int = 0
    eye_colour: int = 0
    hair_colour: int = 0
    feature_mask: bytes = b"\x00\x00\x00"
    expression: int = 0
    pose_angle: bytes = b"\x00\x00\x00"
    pose_uncertainty: bytes = b"\x00\x00\x00"
    feature_points: tuple[bytes, ...] = ()
    face_image_type: int = 1
    colour_space: int = 1
    source_type: int = 2
    device_type: int = 0
    quality: int = 0

    @property
    def mime_type(self) -> str:
        return "image/jp2" if self.image_data_type == JPEG2000 else "image/jpeg"

    def dump(self) -> bytes:
        block = _FACE_INFO.size + 8 * len(self.feature_points) + _IMAGE_INFO.size + len(self.image)
        return (_FACE_INFO.pack(block, len(self.feature_points), self.gender, self.eye_colour,
                                self.hair_colour, self.feature_mask, self.expression,
                                self.pose_angle, self.pose_uncertainty)
                + b"".join(self.feature_points)
                + _IMAGE_INFO.pack(self.face_image_type, self.image_data_type, self.width,
                                   self.height, self.colour_space, self.source_type,
                                   self.device_type, self.quality)
                + self.image)


def _parse_face(data: bytes, offset: int) -> tuple[FaceImage, int]:
    (block, points, gender, eyes, hair, mask, expression, pose,
     uncertainty) = _FACE_INFO.unpack_from(data, offset)
    end = offset + block
    if end > len(data) or block < _FACE_INFO.size + _IMAGE_INFO.size:
        raise LdsFormatError("facial record block length out of range")
    cursor = offset + _FACE_INFO.size
    feature_points = tuple(data[cursor + 8 * i : cursor + 8 * i + 8] for i in range(points))
    cursor += 8 * points
    face_type, data_type, width, height, space, source, device, quality = (
        _IMAGE_INFO.unpack_from(data, cursor))
    image = data[cursor + _IMAGE_INFO.size : end]
    return FaceImage(image, data_type, width, height, gender, eyes, hair, mask, expression,
                     pose, uncertainty, feature_points, face_type, space, source, device,
                     quality), end


@dataclass(frozen=True)
class FacialRecord:
    """An ISO 19794-5 facial record (the content of DO 5F2E)."""

    faces: tuple[FaceImage, ...]
    version: bytes = b"010\x00"

    def dump(self) -> bytes:
        body = b"".join(face.dump() for face in self.faces)
        return (b"FAC\x00" + self.version + struct.pack(">IH", 14 + len(body), len(self.faces))
                + body)

    @classmethod
    def parse(cls, data: bytes) -> FacialRecord:
        """Parse a facial record.

        Raises:
            LdsFormatError: when the header or a block is malformed.
        """
        try:
            if data[:4] != b"FAC\x00":
                raise LdsFormatError("facial record does not start with FAC")
            length, count = struct.unpack_from(">IH", data, 8)
            if length != len(data):
                raise LdsFormatError("facial record length does not match")
            faces, offset = [], 14
            for _ in range(count):
                face, offset = _parse_face(data, offset)
                faces.append(face)
            return cls(tuple(faces), data[4:8])
        except struct.error as exc:
            raise LdsFormatError("truncated facial record") from exc


@dataclass(frozen=True)
class BiometricTemplate:
    record: FacialRecord
    header: tuple[tlv.Tlv, ...] = DEFAULT_BHT

    def dump(self) -> bytes:
        bht = tlv.encode(0xA1, b"".join(item.encode() for item in self.header))
        return tlv.encode(0x7F60, bht + tlv.encode(0x5F2E, self.record.dump()))


@dataclass(frozen=True)
class Dg2:
    templates: tuple[BiometricTemplate, ...]

    @property
    def faces(self) -> tuple[FaceImage, ...]:
        return tuple(face for t in self.templates for face in t.record.faces)

    def dump(self) -> bytes:
        body = der.integer(len(self.templates)) + b"".join(t.dump() for t in self.templates)
        return tlv.encode(0x75, tlv.encode(0x7F61, body))

    @classmethod
    def of_image(cls, image: bytes, width: int, height: int, data_type: int = JPEG) -> Dg2:
        face = FaceImage(image, data_type, width, height)
        return cls((BiometricTemplate(FacialRecord((face,))),))


def parse(data: bytes) -> Dg2:
    """Parse DG2 and its facial records.

    Raises:
        LdsFormatError: when the structure is malformed.
    """
    try:
        group = tlv.parse_single(data, 0x75).child(0x7F61)
        templates = []
        for item in group.children():
            if item.tag != 0x7F60:
                continue
            header = item.child(0xA1).children()
            record = item.find(0x5F2E) or item.child(0x7F2E)
            templates.append(BiometricTemplate(FacialRecord.parse(record.value), header))
        return Dg2(tuple(templates))
    except TlvError as exc:
        raise LdsFormatError("malformed DG2") from exc

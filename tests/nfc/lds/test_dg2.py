"""DG2: the ISO 19794-5 facial record round-trips and yields the image bytes."""
from __future__ import annotations

import pytest

from eid.nfc.errors import LdsFormatError
from eid.nfc.lds import dg2
from eid.nfc.sim.issuer import synthetic_face_jpeg


def test_dg2_with_a_generated_jpeg_round_trips() -> None:
    image = synthetic_face_jpeg(3)
    group = dg2.Dg2.of_image(image, 48, 64)
    data = group.dump()
    parsed = dg2.parse(data)
    assert parsed == group
    assert parsed.dump() == data
    face = parsed.faces[0]
    assert face.image == image and face.image.startswith(b"\xFF\xD8")
    assert (face.width, face.height, face.mime_type) == (48, 64, "image/jpeg")


def test_feature_points_and_two_templates_survive() -> None:
    face = dg2.FaceImage(b"\x00\x00\x00\x0CjP  ", dg2.JPEG2000, 10, 12,
                         feature_points=(bytes(range(8)),))
    record = dg2.FacialRecord((face, face))
    group = dg2.Dg2((dg2.BiometricTemplate(record), dg2.BiometricTemplate(record)))
    parsed = dg2.parse(group.dump())
    assert parsed == group
    assert len(parsed.faces) == 4 and parsed.faces[0].mime_type == "image/jp2"


@pytest.mark.parametrize("record", [b"XYZ\x00010\x00", b"FAC\x00010\x00\x00\x00\x00\x20\x00\x01"])
def test_malformed_facial_record_is_rejected(record: bytes) -> None:
    with pytest.raises(LdsFormatError):
        dg2.FacialRecord.parse(record)

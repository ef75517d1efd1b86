"""DG13 (Vietnamese details): fields by number, unknown fields kept, round trips."""
from __future__ import annotations

import pytest

from eid.nfc import der, tlv
from eid.nfc.errors import LdsFormatError
from eid.nfc.lds import dg13
from tests.nfc.conftest import make_holder


def test_holder_details_round_trip() -> None:
    group = make_holder().dg13()
    data = group.dump()
    parsed = dg13.parse(data)
    assert parsed == group
    assert parsed.dump() == data
    assert parsed.text(dg13.FULL_NAME) == "Nguyễn Văn An"
    assert parsed.text(dg13.BIRTH_DATE) == "17/05/1990"
    assert (parsed.father, parsed.mother) == ("Nguyễn Văn Bình", "Trần Thị Cúc")
    assert parsed.text(dg13.SPOUSE) == "Lê Thị Dung"


def test_fields_are_read_by_number_not_position() -> None:
    shuffled = dg13.Dg13((dg13.Dg13Field(9, ("Địa chỉ",)), dg13.Dg13Field(1, ("001099012345",))))
    parsed = dg13.parse(shuffled.dump())
    assert parsed.text(dg13.ID_NUMBER) == "001099012345"
    assert parsed.text(dg13.PERMANENT_ADDRESS) == "Địa chỉ"
    assert parsed.get(dg13.SPOUSE) == ()


def test_unknown_fields_and_odd_encodings_are_kept_byte_exact() -> None:
    odd = der.sequence(der.integer(16), tlv.encode(0x13, b"OLD-DOC"), tlv.encode(0x04, b"\x01"))
    body = der.sequence(der.integer(1), der.oid(dg13.UCS_OID),
                        der.set_of(der.sequence(der.integer(1), der.utf8("001099012345")), odd))
    data = tlv.encode(0x6D, body)
    parsed = dg13.parse(data)
    assert parsed.get(16) == ("OLD-DOC",)
    assert parsed.dump() == data


def test_single_holder_has_no_spouse_field() -> None:
    group = make_holder(spouse=None).dg13()
    assert dg13.SPOUSE not in [f.number for f in group.fields]


@pytest.mark.parametrize("data", [
    tlv.encode(0x6D, der.sequence(der.integer(1))),
    tlv.encode(0x6D, der.sequence(der.set_of(der.sequence(der.utf8("no number"))))),
    tlv.encode(0x6E, b""),
])
def test_malformed_dg13_is_rejected(data: bytes) -> None:
    with pytest.raises(LdsFormatError):
        dg13.parse(data)

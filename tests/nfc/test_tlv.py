"""BER-TLV: tags of one to three bytes, short and long lengths, round trips."""
from __future__ import annotations

import pytest

from eid.nfc import tlv
from eid.nfc.errors import TlvError


@pytest.mark.parametrize("hex_data", [
    "60145F0104303130365F36063034303030305C026175",  # EF.COM of 9303-11 Appendix D
    "7F490486020101",
    "5F2E820100" + "AA" * 256,
    "048180" + "00" * 128,
    "30008001FF",
])
def test_parse_then_encode_is_identity(hex_data: str) -> None:
    data = bytes.fromhex(hex_data)
    assert b"".join(item.encode() for item in tlv.parse_all(data)) == data


def test_nested_objects_are_found_by_tag() -> None:
    com = tlv.parse_single(bytes.fromhex("60145F0104303130365F36063034303030305C026175"), 0x60)
    assert com.constructed
    assert com.child(0x5F01).value == b"0106"
    assert com.child(0x5C).value == bytes([0x61, 0x75])
    assert com.find(0x99) is None


@pytest.mark.parametrize(("length", "encoded"), [
    (0, "00"), (0x7F, "7F"), (0x80, "8180"), (0xFF, "81FF"), (0x100, "820100"),
    (0x10000, "83010000"),
])
def test_length_uses_the_minimal_form(length: int, encoded: str) -> None:
    assert tlv.length_bytes(length).hex().upper() == encoded


def test_total_length_sizes_a_file_from_its_header() -> None:
    assert tlv.total_length(bytes.fromhex("6014")) == 0x16
    assert tlv.total_length(bytes.fromhex("75820400")) == 4 + 0x400


@pytest.mark.parametrize("hex_data", [
    "5F", "6005010203", "608A01", "6080", "30", "5F1F",
])
def test_malformed_tlv_is_rejected(hex_data: str) -> None:
    with pytest.raises(TlvError):
        tlv.parse_all(bytes.fromhex(hex_data))


def test_single_object_refuses_trailing_bytes_and_other_tags() -> None:
    with pytest.raises(TlvError):
        tlv.parse_single(bytes.fromhex("800100FF"))
    with pytest.raises(TlvError):
        tlv.parse_single(bytes.fromhex("800100"), 0x81)


def test_primitive_objects_have_no_children() -> None:
    with pytest.raises(TlvError):
        tlv.Tlv(0x80, b"\x00").children()

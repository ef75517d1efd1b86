"""Command and response APDUs: the four cases, short and extended."""
from __future__ import annotations

import pytest

from eid.nfc import commands
from eid.nfc.apdu import CommandApdu, ResponseApdu
from eid.nfc.errors import ApduFormatError


@pytest.mark.parametrize("hex_apdu", [
    "00A4000C",                    # case 1
    "0084000008",                  # case 2 short (GET CHALLENGE, Appendix D)
    "00A4020C02011E",              # case 3 short (SELECT EF.COM, Appendix D)
    "10860000027C0000",            # case 4 short (GENERAL AUTHENTICATE, Appendix G)
    "00B00000000100",              # case 2 extended
    "00DA0000000002AABB",          # case 3 extended
    "00880000000008" + "11" * 8 + "0000",  # case 4 extended
])
def test_parse_then_encode_is_identity(hex_apdu: str) -> None:
    raw = bytes.fromhex(hex_apdu)
    assert CommandApdu.parse(raw).encode() == raw


def test_large_data_switches_to_extended_length() -> None:
    apdu = CommandApdu(0x00, 0xD6, 0x00, 0x00, b"\x01" * 300, ne=256)
    encoded = apdu.encode()
    assert encoded[4:7] == b"\x00\x01\x2C"
    assert encoded[-2:] == b"\x01\x00"
    assert CommandApdu.parse(encoded) == CommandApdu(0x00, 0xD6, 0x00, 0x00, b"\x01" * 300, 256, True)


@pytest.mark.parametrize(("command", "hex_apdu"), [
    (commands.get_challenge(), "0084000008"),
    (commands.select_ef(0x011E), "00A4020C02011E"),
    (commands.select_aid(), "00A4040C07A0000002471001"),
    (commands.read_binary(4, 0x12), "00B0000412"),
    (commands.read_binary_sfi(0x1C, 0, 0xDF), "00B09C00DF"),
    (commands.read_binary_odd(0x8000, 0xE3), "00B100000454028000E3"),
    (commands.mse_set_at_pace(bytes.fromhex("04007F00070202040202"), 1, None),
     "0022C1A40F800A04007F00070202040202830101"),
])
def test_commands_encode_as_in_9303(command: CommandApdu, hex_apdu: str) -> None:
    assert command.encode().hex().upper() == hex_apdu


def test_response_splits_the_status_word() -> None:
    response = ResponseApdu.parse(bytes.fromhex("4608F919887022129000"))
    assert response.ok and response.data == bytes.fromhex("4608F91988702212")
    assert response.encode() == bytes.fromhex("4608F919887022129000")


@pytest.mark.parametrize("hex_apdu", ["00A4", "00A4020C05011E", "00B000000000", "00B000000001"])
def test_inconsistent_lengths_are_rejected(hex_apdu: str) -> None:
    with pytest.raises(ApduFormatError):
        CommandApdu.parse(bytes.fromhex(hex_apdu))


def test_response_needs_a_status_word() -> None:
    with pytest.raises(ApduFormatError):
        ResponseApdu.parse(b"\x90")

"""The command APDUs of ICAO Doc 9303-10/-11 (JMRTD's ``*APDUSender``), unprotected.

Secure messaging is applied by :class:`eid.nfc.transport.Channel`.
"""
from __future__ import annotations

from eid.nfc import tlv
from eid.nfc.apdu import CommandApdu

EMRTD_AID = bytes.fromhex("A0000002471001")
MF_FID = 0x3F00


def select_mf() -> CommandApdu:
    """SELECT MF; the CCCD answers 6D00 (cccd-chip.md), so readers never rely on it."""
    return CommandApdu(0x00, 0xA4, 0x00, 0x0C, MF_FID.to_bytes(2, "big"))


def select_aid(aid: bytes = EMRTD_AID) -> CommandApdu:
    return CommandApdu(0x00, 0xA4, 0x04, 0x0C, aid)


def select_ef(fid: int) -> CommandApdu:
    return CommandApdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"))


def read_binary(offset: int, length: int) -> CommandApdu:
    """READ BINARY (B0) of the selected EF; offsets up to 7FFF."""
    return CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, ne=length)


def read_binary_sfi(sfi: int, offset: int, length: int) -> CommandApdu:
    """READ BINARY by short file identifier (P1 = 80 | SFI, offset <= FF)."""
    return CommandApdu(0x00, 0xB0, 0x80 | sfi, offset, ne=length)


def read_binary_odd(offset: int, length: int) -> CommandApdu:
    """READ BINARY with odd INS (B1): offset in DO54, for offsets above 7FFF."""
    data = tlv.encode(0x54, offset.to_bytes(3 if offset > 0xFFFF else 2, "big"))
    return CommandApdu(0x00, 0xB1, 0x00, 0x00, data, ne=length)


def get_challenge() -> CommandApdu:
    return CommandApdu(0x00, 0x84, 0x00, 0x00, ne=8)


def external_authenticate(data: bytes) -> CommandApdu:
    return CommandApdu(0x00, 0x82, 0x00, 0x00, data, ne=0x28)


def internal_authenticate(challenge: bytes) -> CommandApdu:
    return CommandApdu(0x00, 0x88, 0x00, 0x00, challenge, ne=256)


def mse_set_at_pace(oid_der: bytes, password_ref: int, parameter_id: int | None) -> CommandApdu:
    """MSE:Set AT for PACE (9303-11 §4.4.4.1): DO80 OID, DO83 password, DO84 domain."""
    data = tlv.encode(0x80, oid_der) + tlv.encode(0x83, bytes([password_ref]))
    if parameter_id is not None:
        data += tlv.encode(0x84, bytes([parameter_id]))
    return CommandApdu(0x00, 0x22, 0xC1, 0xA4, data)


def general_authenticate(dynamic_data: bytes, last: bool) -> CommandApdu:
    """GENERAL AUTHENTICATE with DO7C; CLA 10 (command chaining) for all but the last."""
    return CommandApdu(0x00 if last else 0x10, 0x86, 0x00, 0x00,
                       tlv.encode(0x7C, dynamic_data), ne=256)

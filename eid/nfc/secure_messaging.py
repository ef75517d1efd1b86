"""Secure messaging, ICAO Doc 9303-11 §9.8 (both the terminal and the chip side).

Command: ``CLA|0C INS P1 P2 Lc [DO87|DO85] [DO97] DO8E Le``; response:
``[DO87|DO85] DO99 DO8E SW``, DO99 and DO8E mandatory, the status word taken from DO99
(it must equal the trailer). The send sequence counter (SSC) is incremented before
every command and every response. 3DES uses a zero IV and the retail MAC over
``SSC || data``; AES uses ``IV = E(KSenc, SSC)`` and CMAC truncated to 8 bytes.
On an SM error the chip answers ``6987`` (DO missing) or ``6988`` (DO incorrect) in
plain and drops the session; the terminal treats every unprotected status word under
SM as that.

A :class:`SecureMessaging` object is session state (the SSC moves), not a value.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal

from eid.nfc import ciphers, tlv
from eid.nfc.apdu import SW_OK, SW_SM_INCORRECT, SW_SM_MISSING, CommandApdu, ResponseApdu
from eid.nfc.errors import SecureMessagingError, TlvError


@dataclass(frozen=True)
class SessionKeys:
    """KSenc and KSmac of one session and the cipher they belong to."""

    cipher: Literal["3DES", "AES"]
    ks_enc: bytes
    ks_mac: bytes

    @property
    def block(self) -> int:
        return 8 if self.cipher == "3DES" else 16


class SecureMessaging:
    """Wraps and unwraps APDUs under one session's keys and SSC."""

    def __init__(self, keys: SessionKeys, ssc: int = 0) -> None:
        self.keys = keys
        self.ssc = ssc
        self._cipher = ciphers.SessionCipher(keys.cipher, keys.ks_enc, keys.ks_mac)

    @property
    def ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.keys.block, "big")

    # --- primitives -----------------------------------------------------------------------

    def _iv(self) -> bytes:
        if self.keys.cipher == "3DES":
            return bytes(8)
        return self._cipher.encrypt_block(self.ssc_bytes)

    def _encrypt(self, data: bytes) -> bytes:
        return self._cipher.encrypt(self._iv(), ciphers.pad(data, self.keys.block))

    def _decrypt(self, data: bytes) -> bytes:
        if not data or len(data) % self.keys.block:
            raise SecureMessagingError("cryptogram is not a whole number of blocks",
                                       sw=SW_SM_INCORRECT)
        return ciphers.unpad(self._cipher.decrypt(self._iv(), data))

    def mac(self, data: bytes) -> bytes:
        """MAC over ``SSC || data`` (the caller passes already-assembled DOs)."""
        return self._cipher.mac(self.ssc_bytes + data)

    def _data_do(self, ins: int, data: bytes) -> bytes:
        if ins & 1:
            return tlv.encode(0x85, self._encrypt(data))
        return tlv.encode(0x87, b"\x01" + self._encrypt(data))

    # --- terminal side --------------------------------------------------------------------------

    def protect(self, command: CommandApdu) -> CommandApdu:
        """Wrap a plain command (9303-11 §9.8.4)."""
        self.ssc += 1
        cla = command.cla | 0x0C
        header = bytes([cla, command.ins, command.p1, command.p2])
        body = self._data_do(command.ins, command.data) if command.data else b""
        if command.ne is not None:
            long_le = command.is_extended()
            le = (command.ne % 65536).to_bytes(2, "big") if long_le else bytes([command.ne % 256])
            body += tlv.encode(0x97, le)
        body += tlv.encode(0x8E, self.mac(ciphers.pad(header, self.keys.block) + body))
        extended = command.is_extended() or len(body) > 255
        return CommandApdu(cla, command.ins, command.p1, command.p2, body,
                           65536 if extended else 256, extended)

    def unprotect(self, response: ResponseApdu) -> ResponseApdu:
        """Check and unwrap a protected response (9303-11 §9.8.5).

        DO'99' and DO'8E' are mandatory in a protected response (9303-11 §9.8); the
        status word is the one in DO'99', which the MAC covers, and the trailer must
        repeat it. A chip answers without SM data objects only when it has aborted
        secure messaging (9303-11 §9.8, SM errors: 6987/6988 in plain), so a bare
        status word of any value ends the session too: unauthenticated, it could be
        forged (a "file not found" hiding DG14 or DG15).

        Raises:
            SecureMessagingError: on a bare status word (``details["sw"]`` is the chip's,
                6987 for a bare 9000), a missing DO'99' or DO'8E' (6987), a wrong MAC,
                a DO'99' that is not two bytes or differs from the trailer, or bad
                padding (6988).
        """
        self.ssc += 1
        if not response.data:
            raise SecureMessagingError(
                f"chip answered {response.sw:04X} without secure messaging",
                sw=SW_SM_MISSING if response.sw == SW_OK else response.sw)
        objects, covered = _objects(response.data, _RESPONSE_COVERED)
        if 0x8E not in objects:
            raise SecureMessagingError("response has no MAC", sw=SW_SM_MISSING)
        if 0x99 not in objects:
            raise SecureMessagingError("response has no processing status DO99",
                                       sw=SW_SM_MISSING)
        if not hmac.compare_digest(self.mac(covered), objects[0x8E]):
            raise SecureMessagingError("response MAC does not verify", sw=SW_SM_INCORRECT)
        return ResponseApdu(self._plain_data(objects), _protected_status(objects[0x99], response.sw))

    def _plain_data(self, objects: dict[int, bytes]) -> bytes:
        if 0x87 in objects:
            value = objects[0x87]
            if not value or value[0] != 0x01:
                raise SecureMessagingError("DO87 without padding indicator 01", sw=SW_SM_INCORRECT)
            return self._decrypt(value[1:])
        if 0x85 in objects:
            return self._decrypt(objects[0x85])
        return b""

    # --- chip side ------------------------------------------------------------------------------

    def unprotect_command(self, command: CommandApdu) -> CommandApdu:
        """Check and unwrap a protected command, as the chip does.

        Raises:
            SecureMessagingError: with ``details["sw"]`` 6987 (DO missing) or 6988
                (MAC or cryptogram incorrect).
        """
        self.ssc += 1
        if command.cla & 0x0C != 0x0C:
            raise SecureMessagingError("command is not protected", sw=SW_SM_MISSING)
        objects, covered = _objects(command.data, None)
        if 0x8E not in objects:
            raise SecureMessagingError("command has no MAC", sw=SW_SM_MISSING)
        header = ciphers.pad(command.header, self.keys.block)
        if not hmac.compare_digest(self.mac(header + covered), objects[0x8E]):
            raise SecureMessagingError("command MAC does not verify", sw=SW_SM_INCORRECT)
        data = self._plain_data(objects)
        ne: int | None = None
        if 0x97 in objects:
            raw = objects[0x97]
            ne = int.from_bytes(raw, "big") or (256 if len(raw) <= 1 else 65536)
        return CommandApdu(command.cla & ~0x0C & 0xFF, command.ins, command.p1, command.p2,
                           data, ne, command.extended)

    def protect_response(self, response: ResponseApdu, ins: int) -> ResponseApdu:
        """Wrap a plain response, as the chip does."""
        self.ssc += 1
        body = self._data_do(ins, response.data) if response.data else b""
        body += tlv.encode(0x99, response.sw.to_bytes(2, "big"))
        body += tlv.encode(0x8E, self.mac(body))
        return ResponseApdu(body, response.sw)


_RESPONSE_COVERED = frozenset({0x85, 0x87, 0x99})


def _protected_status(do99: bytes, trailer: int) -> int:
    """The status word of DO'99', which must be two bytes and equal the trailer.

    Raises:
        SecureMessagingError: otherwise (6988).
    """
    if len(do99) != 2:
        raise SecureMessagingError("DO99 is not a two-byte status word", sw=SW_SM_INCORRECT)
    sw = int.from_bytes(do99, "big")
    if sw != trailer:
        raise SecureMessagingError(f"DO99 status {sw:04X} differs from the trailer {trailer:04X}",
                                   sw=SW_SM_INCORRECT)
    return sw


def _objects(data: bytes, covered_tags: frozenset[int] | None) -> tuple[dict[int, bytes], bytes]:
    """The data objects by tag, and the MAC input: the objects in ``covered_tags``
    (``None``: all but DO8E) as they were sent, without encoding them again."""
    objects: dict[int, bytes] = {}
    covered = bytearray()
    offset = 0
    try:
        while offset < len(data):
            item, end = tlv.parse_one(data, offset)
            objects[item.tag] = item.value
            if item.tag in covered_tags if covered_tags is not None else item.tag != 0x8E:
                covered += data[offset:end]
            offset = end
    except TlvError as exc:
        raise SecureMessagingError("malformed SM data objects", sw=SW_SM_INCORRECT) from exc
    return objects, bytes(covered)

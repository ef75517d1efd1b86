"""Command and response APDUs, short and extended (ISO/IEC 7816-4 §5.1).

``ne`` is the number of expected response bytes (``None`` when absent): a short Le
of ``00`` means 256, an extended Le of ``0000`` means 65536.
"""
from __future__ import annotations

from dataclasses import dataclass

from eid.nfc.errors import ApduFormatError

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_STATUS = 0x6982
SW_AUTH_FAILED = 0x6300
SW_SM_MISSING = 0x6987
SW_SM_INCORRECT = 0x6988
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_WRONG_PARAMS = 0x6A86
SW_REF_NOT_FOUND = 0x6A88
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_CONDITIONS = 0x6985
SW_END_OF_FILE = 0x6282


@dataclass(frozen=True)
class CommandApdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    ne: int | None = None
    extended: bool = False

    @property
    def header(self) -> bytes:
        return bytes([self.cla, self.ins, self.p1, self.p2])

    def is_extended(self) -> bool:
        return self.extended or len(self.data) > 255 or (self.ne or 0) > 256

    def encode(self) -> bytes:
        """The wire form, extended only when forced or needed.

        Raises:
            ApduFormatError: when the data or Ne do not fit even an extended APDU.
        """
        if len(self.data) > 65535 or (self.ne is not None and not 0 < self.ne <= 65536):
            raise ApduFormatError("data or Ne out of range")
        out = self.header
        if not self.is_extended():
            if self.data:
                out += bytes([len(self.data)]) + self.data
            if self.ne is not None:
                out += bytes([self.ne % 256])
            return out
        if self.data:
            out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
        if self.ne is not None:
            le = (self.ne % 65536).to_bytes(2, "big")
            out += le if self.data else b"\x00" + le
        return out

    @classmethod
    def parse(cls, raw: bytes) -> CommandApdu:
        """Decode the four ISO 7816-4 cases, short and extended.

        Raises:
            ApduFormatError: when the length fields do not match the data.
        """
        if len(raw) < 4:
            raise ApduFormatError("an APDU has at least four bytes")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, ne=body[0] or 256)
        if body[0] != 0:
            lc = body[0]
            if len(body) == 1 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1:]))
            if len(body) == 2 + lc:
                return cls(cla, ins, p1, p2, bytes(body[1:-1]), body[-1] or 256)
            raise ApduFormatError("Lc does not match the data")
        return cls._parse_extended(cla, ins, p1, p2, body)

    @classmethod
    def _parse_extended(cls, cla: int, ins: int, p1: int, p2: int, body: bytes) -> CommandApdu:
        if len(body) == 3:
            return cls(cla, ins, p1, p2, ne=int.from_bytes(body[1:3], "big") or 65536,
                       extended=True)
        if len(body) < 3:
            raise ApduFormatError("truncated extended length")
        lc = int.from_bytes(body[1:3], "big")
        data = bytes(body[3 : 3 + lc])
        if len(body) == 3 + lc and lc:
            return cls(cla, ins, p1, p2, data, extended=True)
        if len(body) == 5 + lc and lc:
            ne = int.from_bytes(body[-2:], "big") or 65536
            return cls(cla, ins, p1, p2, data, ne, extended=True)
        raise ApduFormatError("extended Lc does not match the data")


@dataclass(frozen=True)
class ResponseApdu:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def encode(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    @classmethod
    def parse(cls, raw: bytes) -> ResponseApdu:
        """Split the status word off a response.

        Raises:
            ApduFormatError: when fewer than two bytes arrived.
        """
        if len(raw) < 2:
            raise ApduFormatError("a response has at least a status word")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

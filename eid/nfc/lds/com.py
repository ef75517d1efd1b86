"""EF.COM, ICAO Doc 9303-10 §4.6.1: ``60 { 5F01 LDS version, 5F36 Unicode version,
5C tag list }``."""
from __future__ import annotations

from dataclasses import dataclass

from eid.nfc import tlv
from eid.nfc.errors import LdsFormatError, TlvError


@dataclass(frozen=True)
class Com:
    lds_version: str
    unicode_version: str
    tags: tuple[int, ...]

    def dump(self) -> bytes:
        return tlv.encode(0x60, tlv.encode(0x5F01, self.lds_version.encode("ascii"))
                          + tlv.encode(0x5F36, self.unicode_version.encode("ascii"))
                          + tlv.encode(0x5C, bytes(self.tags)))


def parse(data: bytes) -> Com:
    """Parse EF.COM.

    Raises:
        LdsFormatError: when a mandatory object is missing or malformed.
    """
    try:
        root = tlv.parse_single(data, 0x60)
        return Com(root.child(0x5F01).value.decode("ascii"),
                   root.child(0x5F36).value.decode("ascii"), tuple(root.child(0x5C).value))
    except (TlvError, UnicodeDecodeError) as exc:
        raise LdsFormatError("malformed EF.COM") from exc

"""DG14, ICAO Doc 9303-10 §4.7.14: ``6E { SecurityInfos }`` (chip and active
authentication info). Also EF.CardAccess, which holds SecurityInfos without a wrapper
(9303-10 §3.11.3)."""
from __future__ import annotations

from dataclasses import dataclass

from eid.nfc import security_infos, tlv
from eid.nfc.errors import LdsFormatError, TlvError
from eid.nfc.security_infos import ActiveAuthenticationInfo, PaceInfo, SecurityInfo


@dataclass(frozen=True)
class Dg14:
    infos: tuple[SecurityInfo, ...]

    def dump(self) -> bytes:
        return tlv.encode(0x6E, security_infos.dump(self.infos))

    @property
    def active_authentication(self) -> ActiveAuthenticationInfo | None:
        return security_infos.aa_info(self.infos)


def parse(data: bytes) -> Dg14:
    """Parse DG14.

    Raises:
        LdsFormatError: when the structure is malformed.
    """
    try:
        return Dg14(security_infos.parse(tlv.parse_single(data, 0x6E).value))
    except TlvError as exc:
        raise LdsFormatError("malformed DG14") from exc


@dataclass(frozen=True)
class CardAccess:
    infos: tuple[SecurityInfo, ...]

    def dump(self) -> bytes:
        return security_infos.dump(self.infos)

    @property
    def pace(self) -> tuple[PaceInfo, ...]:
        return security_infos.pace_infos(self.infos)


def parse_card_access(data: bytes) -> CardAccess:
    """Parse EF.CardAccess.

    Raises:
        LdsFormatError: when the structure is malformed.
    """
    return CardAccess(security_infos.parse(data))

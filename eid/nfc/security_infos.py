"""SecurityInfos of EF.CardAccess and DG14, ICAO Doc 9303-11 §9.2.

``SecurityInfo ::= SEQUENCE { protocol OID, requiredData ANY, optionalData ANY OPTIONAL }``.
Every entry keeps its elements, so unknown protocols survive a parse/dump round trip;
:class:`PaceInfo` and :class:`ActiveAuthenticationInfo` are typed views of known ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from eid.nfc import der, tlv
from eid.nfc.errors import LdsFormatError, TlvError

ID_PACE = "0.4.0.127.0.7.2.2.4"
ID_AA = "2.23.136.1.1.5"
ID_CA = "0.4.0.127.0.7.2.2.3"
ID_PK = "0.4.0.127.0.7.2.2.1"

PACE_ECDH_GM_AES_128 = ID_PACE + ".2.2"
_MAPPINGS = {"1": ("DH", "GM"), "2": ("ECDH", "GM"), "3": ("DH", "IM"), "4": ("ECDH", "IM"),
             "6": ("ECDH", "CAM")}
_CIPHERS: dict[str, tuple[Literal["3DES", "AES"], int]] = {
    "1": ("3DES", 112), "2": ("AES", 128), "3": ("AES", 192), "4": ("AES", 256)}


@dataclass(frozen=True)
class SecurityInfo:
    protocol: str
    data: tuple[tlv.Tlv, ...]

    def encode(self) -> bytes:
        return der.sequence(der.oid(self.protocol), *(item.encode() for item in self.data))

    def integer(self, index: int) -> int | None:
        if index < len(self.data) and self.data[index].tag == der.INTEGER:
            return der.int_value(self.data[index].value)
        return None


def parse(data: bytes) -> tuple[SecurityInfo, ...]:
    """Parse ``SecurityInfos ::= SET OF SecurityInfo``.

    Raises:
        LdsFormatError: when the structure is not a SET of SEQUENCEs led by an OID.
    """
    try:
        infos = []
        for item in tlv.parse_single(data, der.SET).children():
            parts = item.children()
            if item.tag != der.SEQUENCE or not parts or parts[0].tag != der.OID:
                raise LdsFormatError("SecurityInfo is not a SEQUENCE led by an OID")
            infos.append(SecurityInfo(der.oid_str(parts[0].value), tuple(parts[1:])))
        return tuple(infos)
    except TlvError as exc:
        raise LdsFormatError("malformed SecurityInfos") from exc


def dump(infos: tuple[SecurityInfo, ...]) -> bytes:
    return der.set_of(*(info.encode() for info in infos))


@dataclass(frozen=True)
class PaceInfo:
    """``PACEInfo ::= SEQUENCE { protocol, version INTEGER, parameterId INTEGER OPTIONAL }``."""

    protocol: str = PACE_ECDH_GM_AES_128
    version: int = 2
    parameter_id: int | None = 13

    @property
    def agreement(self) -> str:
        return _MAPPINGS.get(self._arcs[0], ("?", "?"))[0]

    @property
    def mapping(self) -> str:
        return _MAPPINGS.get(self._arcs[0], ("?", "?"))[1]

    @property
    def cipher(self) -> Literal["3DES", "AES"]:
        return _CIPHERS.get(self._arcs[1], ("AES", 128))[0]

    @property
    def key_bits(self) -> int:
        return _CIPHERS.get(self._arcs[1], ("AES", 128))[1]

    @property
    def _arcs(self) -> tuple[str, str]:
        tail = self.protocol[len(ID_PACE) + 1 :].split(".")
        return (tail[0], tail[1]) if len(tail) == 2 else ("?", "?")

    def to_security_info(self) -> SecurityInfo:
        data = [tlv.Tlv(der.INTEGER, der.int_bytes(self.version))]
        if self.parameter_id is not None:
            data.append(tlv.Tlv(der.INTEGER, der.int_bytes(self.parameter_id)))
        return SecurityInfo(self.protocol, tuple(data))

    @classmethod
    def from_security_info(cls, info: SecurityInfo) -> PaceInfo:
        return cls(info.protocol, info.integer(0) or 0, info.integer(1))


@dataclass(frozen=True)
class ActiveAuthenticationInfo:
    """``ActiveAuthenticationInfo ::= SEQUENCE { protocol, version, signatureAlgorithm OID }``."""

    signature_algorithm: str
    version: int = 1

    def to_security_info(self) -> SecurityInfo:
        return SecurityInfo(ID_AA, (tlv.Tlv(der.INTEGER, der.int_bytes(self.version)),
                                    tlv.Tlv(der.OID, der.oid_bytes(self.signature_algorithm))))

    @classmethod
    def from_security_info(cls, info: SecurityInfo) -> ActiveAuthenticationInfo:
        if len(info.data) < 2 or info.data[1].tag != der.OID:
            raise LdsFormatError("ActiveAuthenticationInfo without a signature algorithm")
        return cls(der.oid_str(info.data[1].value), info.integer(0) or 1)


def pace_infos(infos: tuple[SecurityInfo, ...]) -> tuple[PaceInfo, ...]:
    return tuple(PaceInfo.from_security_info(i) for i in infos
                 if i.protocol.startswith(ID_PACE + ".") and i.protocol.count(".") == 10)


def aa_info(infos: tuple[SecurityInfo, ...]) -> ActiveAuthenticationInfo | None:
    found = [i for i in infos if i.protocol == ID_AA]
    return ActiveAuthenticationInfo.from_security_info(found[0]) if found else None

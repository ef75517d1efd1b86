"""EF.SOD, the document security object, ICAO Doc 9303-10 §4.6.2.

``77 { ContentInfo SignedData }`` whose encapsulated content (type 2.23.136.1.1.1)
is the LDSSecurityObject: the hash of every data group under one digest algorithm.
"""
from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import algos, core

from eid.nfc import cms, tlv
from eid.nfc.errors import LdsFormatError, TlvError

LDS_SECURITY_OBJECT = "2.23.136.1.1.1"


class _DataGroupHash(core.Sequence):  # type: ignore[misc]
    _fields = [("number", core.Integer), ("value", core.OctetString)]  # noqa: RUF012


class _DataGroupHashValues(core.SequenceOf):  # type: ignore[misc]
    _child_spec = _DataGroupHash


class _LdsVersionInfo(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012 - an asn1crypto schema
        ("lds_version", core.PrintableString),
        ("unicode_version", core.PrintableString),
    ]


class _LdsSecurityObject(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012 - an asn1crypto schema
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("hashes", _DataGroupHashValues),
        ("version_info", _LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class LdsSecurityObject:
    """``LDSSecurityObject`` (version 0, or 1 with LDS/Unicode versions)."""

    hash_algorithm: str
    hashes: tuple[tuple[int, bytes], ...]
    version: int = 0
    lds_version: str | None = None
    unicode_version: str | None = None

    def hash_of(self, dg: int) -> bytes | None:
        return dict(self.hashes).get(dg)

    def dump(self) -> bytes:
        value: dict[str, object] = {
            "version": self.version,
            "hash_algorithm": {"algorithm": self.hash_algorithm},
            "hashes": [{"number": n, "value": h} for n, h in self.hashes],
        }
        if self.lds_version is not None:
            value["version_info"] = {"lds_version": self.lds_version,
                                     "unicode_version": self.unicode_version or ""}
        return bytes(_LdsSecurityObject(value).dump())

    @classmethod
    def parse(cls, data: bytes) -> LdsSecurityObject:
        """Parse the DER of an LDSSecurityObject.

        Raises:
            LdsFormatError: when it is malformed.
        """
        try:
            lso = _LdsSecurityObject.load(data)
            info = lso["version_info"]
            present = info.native is not None
            return cls(str(lso["hash_algorithm"]["algorithm"].native),
                       tuple((int(h["number"].native), bytes(h["value"].native))
                             for h in lso["hashes"]),
                       int(lso["version"].native),
                       info["lds_version"].native if present else None,
                       info["unicode_version"].native if present else None)
        except (ValueError, TypeError, KeyError) as exc:
            raise LdsFormatError(f"malformed LDSSecurityObject: {exc}") from exc


@dataclass(frozen=True)
class Sod:
    """EF.SOD: the ContentInfo bytes and the LDSSecurityObject they carry."""

    content_info: bytes
    security_object: LdsSecurityObject

    def dump(self) -> bytes:
        return tlv.encode(0x77, self.content_info)

    def signed_content(self) -> cms.SignedContent:
        return cms.parse_signed_data(self.content_info)


def parse(data: bytes) -> Sod:
    """Parse EF.SOD.

    Raises:
        LdsFormatError: when the wrapper, the CMS or the LDSSecurityObject is malformed.
    """
    try:
        content_info = tlv.parse_single(data, 0x77).value
    except TlvError as exc:
        raise LdsFormatError("malformed EF.SOD wrapper") from exc
    signed = cms.parse_signed_data(content_info)
    if signed.content_type != LDS_SECURITY_OBJECT:
        raise LdsFormatError(f"EF.SOD content type is {signed.content_type}")
    return Sod(content_info, LdsSecurityObject.parse(signed.content))

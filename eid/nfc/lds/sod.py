"""EF.SOD, the document security object, ICAO Doc 9303-10 §4.6.2.

``77 { ContentInfo SignedData }`` whose encapsulated content (type 2.23.136.1.1.1)
is the LDSSecurityObject: the hash of every data group under one digest algorithm.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from asn1crypto import algos, core

from eid.nfc import cms, der, tlv
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
        """Parse the DER of an LDSSecurityObject. It is read with :mod:`eid.nfc.tlv`: a
        few integers and octet strings, parsed on every card at a tenth of asn1crypto's cost.

        Raises:
            LdsFormatError: when it is malformed.
        """
        try:
            body = tlv.parse_single(data, der.SEQUENCE).children()
            if not _tags(body, _INT, _SEQ, _SEQ) and not _tags(body, _INT, _SEQ, _SEQ, _SEQ):
                raise TlvError("not { version, hashAlgorithm, hashes [, versionInfo] }")
            algorithm = body[1].children()  # AlgorithmIdentifier { OID [, parameters] }
            if not algorithm or algorithm[0].tag != der.OID:
                raise TlvError("hashAlgorithm without an OID")
            versions = body[3].children() if len(body) > 3 else None
            if versions is not None and not _tags(versions, _STR, _STR):
                raise TlvError("versionInfo is not { PrintableString, PrintableString }")
            return cls(str(algos.DigestAlgorithmId.map(der.oid_str(algorithm[0].value))),
                       tuple(_data_group_hash(entry) for entry in body[2].children()),
                       der.int_value(body[0].value),
                       versions[0].value.decode("ascii") if versions else None,
                       versions[1].value.decode("ascii") if versions else None)
        except (TlvError, UnicodeDecodeError) as exc:
            raise LdsFormatError(f"malformed LDSSecurityObject: {exc}") from exc


_INT, _SEQ, _STR = der.INTEGER, der.SEQUENCE, der.PRINTABLE_STRING


def _tags(items: tuple[tlv.Tlv, ...], *tags: int) -> bool:
    return len(items) == len(tags) and all(i.tag == t for i, t in zip(items, tags, strict=True))


def _data_group_hash(entry: tlv.Tlv) -> tuple[int, bytes]:
    parts = entry.children() if entry.tag == der.SEQUENCE else ()
    if not _tags(parts, der.INTEGER, der.OCTET_STRING):
        raise TlvError("DataGroupHash is not { INTEGER, OCTET STRING }")
    return der.int_value(parts[0].value), parts[1].value


@dataclass(frozen=True)
class Sod:
    """EF.SOD: the ContentInfo bytes and the LDSSecurityObject they carry.

    ``signed`` keeps the SignedData that :func:`parse` read, so that passive
    authentication does not parse it a second time.
    """

    content_info: bytes
    security_object: LdsSecurityObject
    signed: cms.SignedContent | None = field(default=None, compare=False, repr=False)

    def dump(self) -> bytes:
        return tlv.encode(0x77, self.content_info)

    def signed_content(self) -> cms.SignedContent:
        return self.signed if self.signed is not None else cms.parse_signed_data(self.content_info)


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
    return Sod(content_info, LdsSecurityObject.parse(signed.content), signed)

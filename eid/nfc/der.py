"""The few DER encodings the chip's own structures need (X.690 §8.3, §8.19).

CMS and X.509 go through asn1crypto; SecurityInfos, DG13 and the PACE data objects
are small enough to build from :mod:`eid.nfc.tlv` with these helpers. So are the two
small pieces of EF.SOD read on every card, the LDSSecurityObject and the SignerInfo's
content-type and message-digest attributes, where asn1crypto's object model would cost
ten times as much (docs/nfc.md, "Where the time goes").
"""
from __future__ import annotations

from eid.nfc import tlv
from eid.nfc.errors import TlvError

INTEGER = 0x02
OCTET_STRING = 0x04
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
SEQUENCE = 0x30
SET = 0x31


def oid_bytes(dotted: str) -> bytes:
    """Content octets of an OBJECT IDENTIFIER."""
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def oid_str(content: bytes) -> str:
    """Dotted form of OBJECT IDENTIFIER content octets.

    Raises:
        TlvError: when the encoding is truncated.
    """
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs or content[-1] & 0x80:
        raise TlvError("truncated object identifier")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])


def int_bytes(value: int) -> bytes:
    """Content octets of a non-negative INTEGER (two's complement, minimal)."""
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def int_value(content: bytes) -> int:
    return int.from_bytes(content, "big", signed=True)


def oid(dotted: str) -> bytes:
    return tlv.encode(OID, oid_bytes(dotted))


def integer(value: int) -> bytes:
    return tlv.encode(INTEGER, int_bytes(value))


def utf8(text: str) -> bytes:
    return tlv.encode(UTF8_STRING, text.encode("utf-8"))


def sequence(*items: bytes) -> bytes:
    return tlv.encode(SEQUENCE, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return tlv.encode(SET, b"".join(items))

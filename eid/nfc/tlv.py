"""BER-TLV as used by ISO/IEC 7816-4 and ICAO Doc 9303-10 §4 (tags of one to three
bytes, definite lengths in short or long form).

Encoding always uses the minimal (DER) length form, so ``parse -> encode`` is the
identity on DER input, which is what the chip's files and APDUs use.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from eid.nfc.errors import TlvError


@dataclass(frozen=True)
class Tlv:
    """One data object: ``tag`` as the integer of its tag bytes (``0x5F1F``)."""

    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        first_byte = self.tag >> (max(self.tag.bit_length() - 1, 0) // 8 * 8)
        return bool(first_byte & 0x20)

    def encode(self) -> bytes:
        return tag_bytes(self.tag) + length_bytes(len(self.value)) + self.value

    def children(self) -> tuple[Tlv, ...]:
        """The nested data objects of a constructed object.

        Raises:
            TlvError: when the object is primitive or its value is malformed.
        """
        if not self.constructed:
            raise TlvError(f"tag {self.tag:X} is primitive")
        return parse_all(self.value)

    def child(self, tag: int) -> Tlv:
        """The first nested object with ``tag``.

        Raises:
            TlvError: when there is none.
        """
        for item in self.children():
            if item.tag == tag:
                return item
        raise TlvError(f"tag {tag:X} not found in {self.tag:X}")

    def find(self, tag: int) -> Tlv | None:
        return next((c for c in self.children() if c.tag == tag), None)


def tag_bytes(tag: int) -> bytes:
    if tag < 0:
        raise TlvError("negative tag")
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def length_bytes(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    if len(body) > 4:
        raise TlvError("length too large")
    return bytes([0x80 | len(body)]) + body


def encode(tag: int, value: bytes) -> bytes:
    """``tag || length || value`` with a minimal length field."""
    if 0 <= tag < 0x100 and len(value) < 0x80:  # the common case of SM and PACE objects
        return bytes((tag, len(value))) + value
    return tag_bytes(tag) + length_bytes(len(value)) + value


def read_tag(data: bytes, offset: int) -> tuple[int, int]:
    """Read a tag at ``offset``; return ``(tag, next_offset)``.

    Raises:
        TlvError: when the data ends inside the tag.
    """
    try:
        first = data[offset]
        tag, offset = first, offset + 1
        if first & 0x1F == 0x1F:
            while True:
                byte = data[offset]
                tag, offset = (tag << 8) | byte, offset + 1
                if not byte & 0x80:
                    break
    except IndexError:
        raise TlvError("data ends inside a tag") from None
    return tag, offset


def read_length(data: bytes, offset: int) -> tuple[int, int]:
    """Read a definite length at ``offset``; return ``(length, next_offset)``.

    Raises:
        TlvError: on the indefinite form, more than four length bytes or truncation.
    """
    if offset >= len(data):
        raise TlvError("data ends before a length")
    first = data[offset]
    if first < 0x80:
        return first, offset + 1
    count = first & 0x7F
    if count == 0 or count > 4:
        raise TlvError("unsupported length form")
    if offset + 1 + count > len(data):
        raise TlvError("data ends inside a length")
    return int.from_bytes(data[offset + 1 : offset + 1 + count], "big"), offset + 1 + count


def parse_one(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """Parse the data object at ``offset``; return it and the offset after it.

    Raises:
        TlvError: when the object is malformed or truncated.
    """
    if offset + 1 < len(data) and data[offset] & 0x1F != 0x1F and data[offset + 1] < 0x80:
        tag, length, offset = data[offset], data[offset + 1], offset + 2  # one-byte tag and length
    else:
        tag, offset = read_tag(data, offset)
        length, offset = read_length(data, offset)
    end = offset + length
    if end > len(data):
        raise TlvError(f"value of tag {tag:X} truncated")
    return Tlv(tag, bytes(data[offset:end])), end


def iter_tlv(data: bytes) -> Iterator[Tlv]:
    offset = 0
    while offset < len(data):
        item, offset = parse_one(data, offset)
        yield item


def parse_all(data: bytes) -> tuple[Tlv, ...]:
    """All consecutive data objects in ``data``.

    Raises:
        TlvError: when any object is malformed.
    """
    items, offset = [], 0
    while offset < len(data):
        item, offset = parse_one(data, offset)
        items.append(item)
    return tuple(items)


def parse_single(data: bytes, tag: int | None = None) -> Tlv:
    """Exactly one data object spanning all of ``data``, optionally with ``tag``.

    Raises:
        TlvError: on trailing bytes or an unexpected tag.
    """
    item, end = parse_one(data)
    if end != len(data):
        raise TlvError("trailing bytes after the data object")
    if tag is not None and item.tag != tag:
        raise TlvError(f"expected tag {tag:X}, found {item.tag:X}")
    return item


def total_length(header: bytes) -> int:
    """Length of a whole object from its first bytes (tag + length are enough).

    Used to size a READ BINARY of a file from its first four bytes.

    Raises:
        TlvError: when the header is too short to tell.
    """
    _, offset = read_tag(header, 0)
    length, offset = read_length(header, offset)
    return offset + length

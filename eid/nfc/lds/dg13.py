"""DG13 of the Vietnamese CCCD (optional details, ICAO Doc 9303-10 §4.7.13).

``6D { 30 { INTEGER 1, OID 1.0.10646.1.0.8, SET { SEQUENCE { INTEGER n, value.. } .. } } }``
Field numbers (cccd-chip.md): 1 ID, 2 full name, 3 birth date (dd/mm/yyyy), 4 sex,
5 nationality, 6 ethnicity, 7 religion, 8 hometown, 9 permanent address,
10 identifying marks, 11 issue date, 12 expiry date, 13 {father, mother},
14 {spouse}; 15-16 are disputed. Fields are read by number, never by position, and
unknown fields are kept with their exact bytes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from eid.nfc import der, tlv
from eid.nfc.errors import LdsFormatError, TlvError

UCS_OID = "1.0.10646.1.0.8"

ID_NUMBER = 1
FULL_NAME = 2
BIRTH_DATE = 3
SEX = 4
NATIONALITY = 5
ETHNICITY = 6
RELIGION = 7
HOMETOWN = 8
PERMANENT_ADDRESS = 9
IDENTIFYING_MARKS = 10
ISSUE_DATE = 11
EXPIRY_DATE = 12
PARENTS = 13
SPOUSE = 14
OLD_ID_NUMBER = 15


@dataclass(frozen=True)
class Dg13Field:
    """One numbered field; ``values`` are its strings in order (nested sequences flattened).

    ``encoded`` keeps the field's original bytes so that a parsed file dumps back
    exactly; it does not take part in equality.
    """

    number: int
    values: tuple[str, ...]
    encoded: bytes | None = field(default=None, compare=False, repr=False)

    def dump(self) -> bytes:
        if self.encoded is not None:
            return self.encoded
        if self.number in (PARENTS, SPOUSE):
            inner = der.sequence(*(der.utf8(v) for v in self.values))
            return der.sequence(der.integer(self.number), inner)
        return der.sequence(der.integer(self.number), *(der.utf8(v) for v in self.values))


@dataclass(frozen=True)
class Dg13:
    fields: tuple[Dg13Field, ...]
    version: int = 1

    def get(self, number: int) -> tuple[str, ...]:
        """The values of field ``number`` (empty when absent)."""
        return next((f.values for f in self.fields if f.number == number), ())

    def text(self, number: int) -> str | None:
        values = self.get(number)
        return values[0] if values else None

    @property
    def father(self) -> str | None:
        return self.text(PARENTS)

    @property
    def mother(self) -> str | None:
        parents = self.get(PARENTS)
        return parents[1] if len(parents) > 1 else None

    def dump(self) -> bytes:
        body = der.sequence(der.integer(self.version), der.oid(UCS_OID),
                            der.set_of(*(f.dump() for f in self.fields)))
        return tlv.encode(0x6D, body)

    @classmethod
    def build(cls, values: dict[int, tuple[str, ...] | str | None]) -> Dg13:
        """Fields from ``{number: value(s)}``; ``None`` and empty values are left out."""
        fields = []
        for number in sorted(values):
            raw = values[number]
            items = (raw,) if isinstance(raw, str) else tuple(raw or ())
            if any(items):
                fields.append(Dg13Field(number, items))
        return cls(tuple(fields))


def _strings(item: tlv.Tlv) -> tuple[str, ...]:
    if item.tag in (der.UTF8_STRING, der.PRINTABLE_STRING, 0x16, 0x1E):
        codec = "utf-16-be" if item.tag == 0x1E else "utf-8"
        return (item.value.decode(codec),)
    if item.constructed:
        return tuple(s for child in item.children() for s in _strings(child))
    return ()


def _field(item: tlv.Tlv) -> Dg13Field:
    parts = item.children()
    if not parts or parts[0].tag != der.INTEGER:
        raise LdsFormatError("DG13 field without a number")
    values = tuple(s for part in parts[1:] for s in _strings(part))
    return Dg13Field(der.int_value(parts[0].value), values, item.encode())


def parse(data: bytes) -> Dg13:
    """Parse DG13 by field number.

    Raises:
        LdsFormatError: when the structure is malformed.
    """
    try:
        body = tlv.parse_single(data, 0x6D).child(der.SEQUENCE).children()
        version = next((der.int_value(p.value) for p in body if p.tag == der.INTEGER), 1)
        fields = next((p for p in body if p.tag in (der.SET, der.SEQUENCE)), None)
        if fields is None:
            raise LdsFormatError("DG13 has no field set")
        return Dg13(tuple(_field(f) for f in fields.children()), version)
    except (TlvError, UnicodeDecodeError) as exc:
        raise LdsFormatError("malformed DG13") from exc

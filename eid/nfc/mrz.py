"""Machine readable zone, TD1 (three lines of 30) and TD3 (two lines of 44).

ICAO Doc 9303-3 §4.9 (check digits), 9303-5 §4.2 (TD1), 9303-4 §4.2 (TD3). The
Vietnamese CCCD is a TD1 card: document number = the last nine digits of the
12-digit ID, optional data 1 = the 12-digit ID, ``<<`` and a check digit. How a card
without an expiry date ("không thời hạn") fills the expiry field is not confirmed,
so an all-filler or non-numeric expiry parses as "no expiry" instead of failing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from eid.nfc.errors import MrzCheckDigitError, MrzFormatError

_WEIGHTS = (7, 3, 1)
_ALLOWED = re.compile(r"^[A-Z0-9<]*$")


def check_digit(field: str) -> str:
    """ICAO 9303-3 §4.9: weights 7,3,1; ``<`` = 0, A-Z = 10..35; sum mod 10.

    Raises:
        MrzFormatError: on a character outside ``A-Z0-9<``.
    """
    total = 0
    for i, ch in enumerate(field):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - 55
        elif ch == "<":
            value = 0
        else:
            raise MrzFormatError(f"character {ch!r} is not allowed in an MRZ")
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


def _verify(name: str, field: str, digit: str) -> None:
    if set(field) == {"<"} and digit in "<0":
        return  # an absent field may carry a filler as its check digit
    if check_digit(field) != digit:
        raise MrzCheckDigitError(f"check digit of {name} does not match", field=name)


def _pad(value: str, width: int) -> str:
    if len(value) > width:
        raise MrzFormatError(f"{value!r} is longer than {width} characters")
    return value + "<" * (width - len(value))


def _digit_or_filler(field: str) -> str:
    return "<" if set(field) == {"<"} else check_digit(field)


@dataclass(frozen=True)
class MrzKey:
    """The three fields that BAC and PACE-with-MRZ derive their key from (9303-11 §9.7.2)."""

    document_number: str
    birth_date: str
    expiry_date: str

    def information(self) -> str:
        """``docno+check || birth+check || expiry+check`` (the MRZ information)."""
        number = _pad(self.document_number, 9)
        return "".join(f + check_digit(f) for f in (number, self.birth_date, self.expiry_date))


@dataclass(frozen=True)
class Mrz:
    """A parsed MRZ. Dates are the raw ``YYMMDD`` fields; ``expiry_field`` may be fillers."""

    kind: Literal["TD1", "TD3"]
    document_code: str
    issuing_state: str
    document_number: str
    birth_date: str
    sex: str
    expiry_field: str
    nationality: str
    name: str
    optional_data: str = ""
    optional_data_2: str = ""

    # --- derived values ---------------------------------------------------------------------

    @property
    def expiry_date(self) -> str | None:
        return self.expiry_field if self.expiry_field.isdigit() else None

    @property
    def primary_identifier(self) -> str:
        return self.name.split("<<", 1)[0].replace("<", " ").strip()

    @property
    def secondary_identifier(self) -> str:
        parts = self.name.split("<<", 1)
        return parts[1].replace("<", " ").strip() if len(parts) > 1 else ""

    @property
    def id_number(self) -> str | None:
        """The 12-digit CCCD number from optional data 1, when present."""
        head = self.optional_data[:12]
        return head if len(head) == 12 and head.isdigit() else None

    def key(self) -> MrzKey:
        return MrzKey(self.document_number, self.birth_date, self.expiry_field)

    def birth(self, today: date) -> date:
        """The birth date with its century: never after ``today``."""
        yy, mm, dd = int(self.birth_date[:2]), int(self.birth_date[2:4]), int(self.birth_date[4:])
        century = 2000 if yy <= today.year % 100 else 1900
        return date(century + yy, mm, dd)

    def expiry(self) -> date | None:
        """The expiry date (19yy for yy >= 70, else 20yy), ``None`` when absent."""
        raw = self.expiry_date
        if raw is None:
            return None
        yy = int(raw[:2])
        try:
            return date((1900 if yy >= 70 else 2000) + yy, int(raw[2:4]), int(raw[4:]))
        except ValueError:
            return None

    # --- format -------------------------------------------------------------------------------

    def lines(self) -> tuple[str, ...]:
        return _td1_lines(self) if self.kind == "TD1" else _td3_lines(self)

    def format(self) -> str:
        return "\n".join(self.lines())


def _td1_lines(m: Mrz) -> tuple[str, ...]:
    number = _pad(m.document_number, 9)
    line1 = (_pad(m.document_code, 2) + m.issuing_state + number + check_digit(number)
             + _pad(m.optional_data, 15))
    expiry = _digit_or_filler(m.expiry_field)
    head2 = (m.birth_date + check_digit(m.birth_date) + m.sex + m.expiry_field + expiry
             + m.nationality + _pad(m.optional_data_2, 11))
    composite = check_digit(line1[5:30] + head2[0:7] + head2[8:15] + head2[18:29])
    return line1, head2 + composite, _pad(m.name, 30)


def _td3_lines(m: Mrz) -> tuple[str, ...]:
    line1 = _pad(m.document_code, 2) + m.issuing_state + _pad(m.name, 39)
    number = _pad(m.document_number, 9)
    personal = _pad(m.optional_data, 14)
    head = (number + check_digit(number) + m.nationality + m.birth_date
            + check_digit(m.birth_date) + m.sex + m.expiry_field
            + _digit_or_filler(m.expiry_field) + personal + _digit_or_filler(personal))
    composite = check_digit(head[0:10] + head[13:20] + head[21:43])
    return line1, head + composite


def parse(text: str) -> Mrz:
    """Parse a TD1 or TD3 MRZ (lines separated by newlines) and verify every check digit.

    Raises:
        MrzFormatError: on a wrong shape or character.
        MrzCheckDigitError: when a check digit does not match.
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if any(not _ALLOWED.match(line) for line in lines):
        raise MrzFormatError("an MRZ holds only A-Z, 0-9 and <")
    if len(lines) == 3 and all(len(line) == 30 for line in lines):
        return _parse_td1(*lines)
    if len(lines) == 2 and all(len(line) == 44 for line in lines):
        return _parse_td3(*lines)
    raise MrzFormatError("expected three lines of 30 (TD1) or two lines of 44 (TD3)")


def _parse_td1(l1: str, l2: str, l3: str) -> Mrz:
    _verify("document number", l1[5:14], l1[14])
    _verify("birth date", l2[0:6], l2[6])
    if l2[8:14].isdigit():
        _verify("expiry date", l2[8:14], l2[14])
    _verify("composite", l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29])
    return Mrz("TD1", l1[0:2].rstrip("<"), l1[2:5], l1[5:14].rstrip("<"), l2[0:6], l2[7],
               l2[8:14], l2[15:18], l3.rstrip("<"), l1[15:30].rstrip("<"),
               l2[18:29].rstrip("<"))


def _parse_td3(l1: str, l2: str) -> Mrz:
    _verify("document number", l2[0:9], l2[9])
    _verify("birth date", l2[13:19], l2[19])
    if l2[21:27].isdigit():
        _verify("expiry date", l2[21:27], l2[27])
    _verify("personal number", l2[28:42], l2[42])
    _verify("composite", l2[0:10] + l2[13:20] + l2[21:43], l2[43])
    return Mrz("TD3", l1[0:2].rstrip("<"), l1[2:5], l2[0:9].rstrip("<"), l2[13:19], l2[20],
               l2[21:27], l2[10:13], l1[5:44].rstrip("<"), l2[28:42].rstrip("<"))


def cccd_mrz(id_number: str, name: str, birth_yymmdd: str, sex: str,
             expiry_yymmdd: str | None) -> Mrz:
    """The TD1 MRZ of a Vietnamese CCCD (see cccd-chip.md).

    Raises:
        MrzFormatError: when ``id_number`` is not 12 digits.
    """
    if len(id_number) != 12 or not id_number.isdigit():
        raise MrzFormatError("a CCCD number has 12 digits")
    optional = id_number + "<<" + check_digit(id_number)
    expiry = expiry_yymmdd or "<<<<<<"
    return Mrz("TD1", "ID", "VNM", id_number[3:], birth_yymmdd, sex, expiry, "VNM",
               transliterate_name(name), optional)


_VIET = str.maketrans("ĐđÐ", "DdD")


def transliterate_name(full_name: str) -> str:
    """``Nguyễn Văn An`` -> ``NGUYEN<<VAN<AN`` (family name first, diacritics dropped)."""
    plain = unicodedata.normalize("NFKD", full_name.translate(_VIET))
    ascii_name = "".join(c for c in plain if not unicodedata.combining(c)).upper()
    words = [re.sub(r"[^A-Z]", "", w) for w in ascii_name.split()]
    words = [w for w in words if w]
    if not words:
        raise MrzFormatError("empty name")
    return (words[0] + "<<" + "<".join(words[1:]))[:30]

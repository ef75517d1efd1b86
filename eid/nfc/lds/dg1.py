"""DG1, ICAO Doc 9303-10 §4.7.1: ``61 { 5F1F MRZ }`` (lines concatenated)."""
from __future__ import annotations

from dataclasses import dataclass

from eid.nfc import mrz as mrz_module
from eid.nfc import tlv
from eid.nfc.errors import FormatError, LdsFormatError, TlvError
from eid.nfc.mrz import Mrz


@dataclass(frozen=True)
class Dg1:
    mrz: Mrz

    def dump(self) -> bytes:
        return tlv.encode(0x61, tlv.encode(0x5F1F, "".join(self.mrz.lines()).encode("ascii")))


def parse(data: bytes) -> Dg1:
    """Parse DG1 and its MRZ (check digits verified).

    Raises:
        LdsFormatError: when the structure or the MRZ is malformed.
    """
    try:
        text = tlv.parse_single(data, 0x61).child(0x5F1F).value.decode("ascii")
        width = {90: 30, 88: 44, 72: 36}.get(len(text))
        if width is None:
            raise LdsFormatError(f"MRZ of {len(text)} characters")
        lines = [text[i : i + width] for i in range(0, len(text), width)]
        return Dg1(mrz_module.parse("\n".join(lines)))
    except LdsFormatError:
        raise
    except (TlvError, UnicodeDecodeError, FormatError) as exc:
        raise LdsFormatError(f"malformed DG1: {exc}") from exc

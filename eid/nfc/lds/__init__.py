"""The logical data structure (LDS) files of the eMRTD application as pure data.

ICAO Doc 9303-10 §4. Each module parses one file into a frozen dataclass and dumps
it back (``parse(dump(x)) == x``; ``dump(parse(b)) == b`` for DER input). The file
table below maps the short names used across :mod:`eid.nfc` to file ids, short file
ids and outer tags.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LdsFile:
    name: str
    fid: int
    sfi: int
    tag: int | None
    dg: int | None = None


FILES: dict[str, LdsFile] = {f.name: f for f in (
    LdsFile("CardAccess", 0x011C, 0x1C, None),
    LdsFile("COM", 0x011E, 0x1E, 0x60),
    LdsFile("SOD", 0x011D, 0x1D, 0x77),
    LdsFile("DG1", 0x0101, 0x01, 0x61, 1),
    LdsFile("DG2", 0x0102, 0x02, 0x75, 2),
    LdsFile("DG13", 0x010D, 0x0D, 0x6D, 13),
    LdsFile("DG14", 0x010E, 0x0E, 0x6E, 14),
    LdsFile("DG15", 0x010F, 0x0F, 0x6F, 15),
)}

DG_TAGS: dict[int, int] = {f.dg: f.tag for f in FILES.values() if f.dg and f.tag}


def dg_name(number: int) -> str:
    return f"DG{number}"

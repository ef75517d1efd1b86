"""The holder's data as printed on and stored in a CCCD: the input of the simulated
chip (:mod:`eid.nfc.sim`) and the shape the population register adapts to.

Plain values only; :meth:`CardHolder.mrz` and :meth:`CardHolder.dg13` give the chip
encodings (TD1 MRZ, DG13 fields by number as in cccd-chip.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eid.nfc.lds import dg13 as dg13_fields
from eid.nfc.lds.dg13 import Dg13
from eid.nfc.mrz import Mrz, cccd_mrz

MALE = "Nam"
FEMALE = "Nữ"


def _ddmmyyyy(value: date | None) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


@dataclass(frozen=True)
class CardHolder:
    id_number: str
    full_name: str
    birth_date: date
    sex: str
    issue_date: date
    expiry_date: date | None
    nationality: str = "Việt Nam"
    ethnicity: str = "Kinh"
    religion: str = "Không"
    hometown: str = ""
    permanent_address: str = ""
    identifying_marks: str = ""
    father: str | None = None
    mother: str | None = None
    spouse: str | None = None
    old_id_number: str | None = None
    face_jpeg: bytes | None = None

    @property
    def can(self) -> str:
        """The card access number: the last six digits of the ID (cccd-chip.md)."""
        return self.id_number[-6:]

    @property
    def mrz_sex(self) -> str:
        return {MALE: "M", FEMALE: "F"}.get(self.sex, "<")

    def mrz(self) -> Mrz:
        expiry = self.expiry_date.strftime("%y%m%d") if self.expiry_date else None
        return cccd_mrz(self.id_number, self.full_name, self.birth_date.strftime("%y%m%d"),
                        self.mrz_sex, expiry)

    def dg13(self) -> Dg13:
        parents = (self.father or "", self.mother or "") if self.father or self.mother else None
        return Dg13.build({
            dg13_fields.ID_NUMBER: self.id_number,
            dg13_fields.FULL_NAME: self.full_name,
            dg13_fields.BIRTH_DATE: _ddmmyyyy(self.birth_date),
            dg13_fields.SEX: self.sex,
            dg13_fields.NATIONALITY: self.nationality,
            dg13_fields.ETHNICITY: self.ethnicity,
            dg13_fields.RELIGION: self.religion,
            dg13_fields.HOMETOWN: self.hometown,
            dg13_fields.PERMANENT_ADDRESS: self.permanent_address,
            dg13_fields.IDENTIFYING_MARKS: self.identifying_marks,
            dg13_fields.ISSUE_DATE: _ddmmyyyy(self.issue_date),
            dg13_fields.EXPIRY_DATE: _ddmmyyyy(self.expiry_date) or "Không thời hạn",
            dg13_fields.PARENTS: parents,
            dg13_fields.SPOUSE: self.spouse,
            dg13_fields.OLD_ID_NUMBER: self.old_id_number,
        })

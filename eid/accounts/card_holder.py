"""The population register's record as the chip holds it (for simulated cards)."""
from __future__ import annotations

from datetime import date

from eid.accounts.registries.interfaces import Citizen
from eid.nfc.holder import FEMALE, MALE, CardHolder


def card_holder(person: Citizen, *, today: date) -> CardHolder:
    return CardHolder(
        id_number=person.id_number, full_name=person.full_name, birth_date=person.birth_date,
        sex=MALE if person.sex == "M" else FEMALE, issue_date=person.issue_date or today,
        expiry_date=person.expiry_date, nationality=person.nationality,
        ethnicity=person.ethnicity or "Kinh", religion=person.religion or "Không",
        hometown=person.hometown, permanent_address=person.permanent_address,
        spouse=person.spouse, old_id_number=person.old_id_number)

"""The QR printed on the CCCD."""
from __future__ import annotations

from datetime import date

import pytest

from eid.accounts.card_qr import CardQrInvalid, format_card_qr, parse_card_qr
from eid.accounts.registries.generator import demo_citizen

SAMPLE = "079203001234|123456789|Nguyễn Thị An|05072003|Nữ|Số 1, Phường Bến Nghé, TP.HCM|01052021"


def test_parse_all_fields():
    qr = parse_card_qr(SAMPLE)
    assert qr.id_number == "079203001234" and qr.old_id_number == "123456789"
    assert qr.birth_date == date(2003, 7, 5) and qr.issue_date == date(2021, 5, 1)
    assert qr.sex == "Nữ" and qr.extra == ()


def test_tolerant_bom_spaces_empty_old_id_and_extra_fields():
    qr = parse_card_qr("\ufeff 079203001234||Nguyễn Thị An|05072003|Nữ|Addr|01052021|x|y \n")
    assert qr.old_id_number is None and qr.extra == ("x", "y")


@pytest.mark.parametrize("text", ["", "a|b|c", "07920300123|x|N|05072003|Nữ|A|01052021",
                                  "079203001234|12|N|05072003|Nữ|A|01052021",
                                  "079203001234||N|31022003|Nữ|A|01052021",
                                  "079203001234|||05072003|Nữ|A|01052021"])
def test_bad_qr_is_refused(text):
    with pytest.raises(CardQrInvalid):
        parse_card_qr(text)


def test_round_trip_with_the_register():
    d = demo_citizen(5)
    qr = parse_card_qr(format_card_qr(d.person))
    assert (qr.id_number, qr.full_name, qr.birth_date) == (d.person.id_number, d.person.full_name,
                                                           d.person.birth_date)
    assert format_card_qr(d.person) == d.card_qr

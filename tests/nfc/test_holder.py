"""CardHolder: the MRZ and DG13 a chip derives from the holder's data."""
from __future__ import annotations

from eid.nfc.lds import dg13
from tests.nfc.conftest import make_holder


def test_can_is_the_last_six_digits() -> None:
    assert make_holder().can == "012345"


def test_mrz_and_dg13_agree_on_the_holder() -> None:
    holder = make_holder(sex="Nữ", full_name="Trần Thị Bé")
    mrz = holder.mrz()
    assert (mrz.sex, mrz.primary_identifier, mrz.id_number) == ("F", "TRAN", "001099012345")
    details = holder.dg13()
    assert details.text(dg13.SEX) == "Nữ"
    assert details.text(dg13.EXPIRY_DATE) == "17/05/2030"


def test_holder_without_expiry_says_so_in_dg13() -> None:
    assert make_holder(expiry_date=None).dg13().text(dg13.EXPIRY_DATE) == "Không thời hạn"

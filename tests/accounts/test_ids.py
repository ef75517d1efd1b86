"""ID numbers: CCCD structure, old CMND, Iranian national code."""
from __future__ import annotations

from datetime import date

import pytest

from eid.accounts.errors import InvalidInput
from eid.accounts.ids import check_consistency, encode_cccd, ir_check_digit, mask_id, parse_id_number


def test_cccd_digits_encode_province_sex_and_birth_year():
    value = encode_cccd("079", "F", date(2003, 5, 1), 1234)
    assert value == "079303001234"
    idn = parse_id_number(value)
    assert (idn.kind, idn.province, idn.sex, idn.century + idn.birth_year_low) == ("cccd", "079", "F", 2003)
    assert check_consistency(idn, date(2003, 5, 1), "F")
    assert not check_consistency(idn, date(1903, 5, 1), "F")
    assert not check_consistency(idn, date(2003, 5, 1), "M")


WRONG_CHECK = "001234567" + str((ir_check_digit("001234567") + 1) % 10)


@pytest.mark.parametrize("raw", ["", "abc", "12345", "1234567890123", "999203001234",
                                 "０７９２０３００１２３４", "1111111111", WRONG_CHECK])
def test_bad_numbers_are_refused(raw):
    with pytest.raises(InvalidInput):
        parse_id_number(raw)


def test_cmnd_and_iranian_codes():
    assert parse_id_number("123456789").kind == "cmnd"
    first9 = "001234567"
    code = first9 + str(ir_check_digit(first9))
    assert parse_id_number(code).kind == "ir_national"


def test_masking_keeps_only_the_ends():
    assert mask_id("079203001234") == "0792******34"
    assert "203001" not in mask_id("079203001234")


@pytest.mark.parametrize("digit,century,sex", [(0, 1900, "M"), (1, 1900, "F"), (2, 2000, "M"),
                                               (3, 2000, "F"), (8, 2300, "M"), (9, 2300, "F")])
def test_sex_and_century_digit_per_circular_07_2016(digit, century, sex):
    idn = parse_id_number(f"079{digit}05001234")
    assert (idn.century, idn.sex) == (century, sex)

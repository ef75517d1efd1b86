"""MRZ: ICAO 9303-3/-4/-5 check digits and specimens, the CCCD TD1 layout."""
from __future__ import annotations

from datetime import date

import pytest

from eid.nfc import mrz
from eid.nfc.errors import MrzCheckDigitError, MrzFormatError

# Published specimens: ICAO Doc 9303-4 (TD3) and 9303-5 (TD1), fictional holder "Utopia".
TD3_SPECIMEN = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
                "L898902C<3UTO6908061F9406236ZE184226B<<<<<14")
TD1_SPECIMEN = ("I<UTOD231458907<<<<<<<<<<<<<<<\n"
                "7408122F1204159UTO<<<<<<<<<<<6\n"
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


@pytest.mark.parametrize(("field", "digit"), [
    ("L898902C<", "3"), ("690806", "1"), ("940623", "6"), ("T22000129", "3"),
    ("640812", "5"), ("101031", "8"),
])
def test_check_digit_matches_the_icao_examples(field: str, digit: str) -> None:
    assert mrz.check_digit(field) == digit


def test_mrz_information_of_appendix_d_document() -> None:
    assert mrz.MrzKey("L898902C", "690806", "940623").information() == "L898902C<369080619406236"


@pytest.mark.parametrize("text", [TD3_SPECIMEN, TD1_SPECIMEN])
def test_specimen_parses_and_formats_back_identically(text: str) -> None:
    parsed = mrz.parse(text)
    assert parsed.format() == text
    assert mrz.parse(parsed.format()) == parsed


def test_td3_specimen_fields() -> None:
    parsed = mrz.parse(TD3_SPECIMEN)
    assert (parsed.kind, parsed.document_number, parsed.issuing_state) == ("TD3", "L898902C", "UTO")
    assert parsed.primary_identifier == "ERIKSSON"
    assert parsed.secondary_identifier == "ANNA MARIA"
    assert parsed.expiry() == date(1994, 6, 23)
    assert parsed.birth(date(2026, 1, 1)) == date(1969, 8, 6)


def test_cccd_layout_carries_the_twelve_digit_id() -> None:
    built = mrz.cccd_mrz("001099012345", "Nguyễn Văn An", "900517", "M", "300517")
    line1, line2, line3 = built.lines()
    assert line1.startswith("IDVNM099012345")
    assert line1[15:30] == "001099012345<<" + mrz.check_digit("001099012345")
    assert line2[15:18] == "VNM"
    assert line3 == "NGUYEN<<VAN<AN".ljust(30, "<")
    parsed = mrz.parse(built.format())
    assert parsed == built
    assert parsed.id_number == "001099012345"
    assert parsed.expiry() == date(2030, 5, 17)


def test_card_without_expiry_parses_as_no_expiry() -> None:
    built = mrz.cccd_mrz("001099012345", "Trần Thị Bé", "400101", "F", None)
    parsed = mrz.parse(built.format())
    assert parsed.expiry_date is None
    assert parsed.expiry() is None
    assert parsed.key().information().startswith("099012345")


def test_name_transliteration_drops_diacritics_and_d_stroke() -> None:
    assert mrz.transliterate_name("Đặng Thị Ngọc Ánh") == "DANG<<THI<NGOC<ANH"


@pytest.mark.parametrize(("text", "error"), [
    (TD3_SPECIMEN.replace("L898902C<3", "L898902C<4"), MrzCheckDigitError),
    (TD3_SPECIMEN.replace("6908061", "6908062"), MrzCheckDigitError),
    (TD3_SPECIMEN[:-1] + "5", MrzCheckDigitError),
    (TD1_SPECIMEN.replace("ERIKSSON", "eriksson"), MrzFormatError),
    ("P<UTO\nL898902C<3", MrzFormatError),
    ("", MrzFormatError),
])
def test_malformed_mrz_is_rejected(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        mrz.parse(text)


def test_cccd_number_must_have_twelve_digits() -> None:
    with pytest.raises(MrzFormatError):
        mrz.cccd_mrz("12345", "A B", "900101", "M", None)

"""Personal ID numbers: the 12-digit CCCD, the old 9-digit CMND, and Iran's 10-digit
national code (کد ملی).

CCCD layout (Thông tư 07/2016/TT-BCA): digits 1-3 the province of birth
registration, digit 4 sex and century (0/1 male/female 1900s, 2/3 2000s, 4/5 2100s,
6/7 2200s, 8/9 2300s), digits 5-6 the last two digits of the birth year, then six
random digits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eid.accounts.errors import InvalidInput

PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh",
    "030": "Hải Dương", "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình",
    "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An",
    "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận",
    "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
CENTURY = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 2300, 9: 2300}


@dataclass(frozen=True)
class IdNumber:
    kind: str  # cccd | cmnd | ir_national
    value: str
    province: str | None = None
    sex: str | None = None
    birth_year_low: int | None = None
    century: int | None = None


def _bad(message: str = "Enter a 12-digit CCCD or a 9-digit CMND number.") -> InvalidInput:
    return InvalidInput(message, fields={"id_number": "id_number_invalid"})


def ir_check_digit(first9: str) -> int:
    s = sum(int(d) * (10 - i) for i, d in enumerate(first9))
    r = s % 11
    return r if r < 2 else 11 - r


def parse_id_number(text: str) -> IdNumber:
    """Classify and validate. Raises InvalidInput (``id_number_invalid``)."""
    value = "".join((text or "").split())
    if not value.isdigit() or not value.isascii():
        raise _bad()
    if len(value) == 12:
        if value[:3] not in PROVINCES:
            raise _bad("The first three digits are not a province code.")
        digit = int(value[3])
        return IdNumber("cccd", value, value[:3], "M" if digit % 2 == 0 else "F",
                        int(value[4:6]), CENTURY[digit])
    if len(value) == 9:
        return IdNumber("cmnd", value)
    if len(value) == 10:
        if len(set(value)) == 1 or ir_check_digit(value[:9]) != int(value[9]):
            raise _bad("This national code's check digit is wrong.")
        return IdNumber("ir_national", value)
    raise _bad()


def check_consistency(idn: IdNumber, birth: date, sex: str) -> bool:
    """Whether a CCCD's digits agree with the birth year and sex (other kinds: True)."""
    if idn.kind != "cccd":
        return True
    return birth.year == idn.century + idn.birth_year_low and sex == idn.sex  # type: ignore[operator]


def encode_cccd(province: str, sex: str, birth: date, serial: int) -> str:
    base = {1900: 0, 2000: 2, 2100: 4, 2200: 6, 2300: 8}[birth.year // 100 * 100]
    digit = base + (1 if sex == "F" else 0)
    return f"{province}{digit}{birth.year % 100:02d}{serial % 1_000_000:06d}"


def mask_id(value: str) -> str:
    """``079203001234`` -> ``0792******34`` (for logs and the audit trail)."""
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]

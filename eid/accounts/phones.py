"""Mobile numbers: parsed with ``phonenumbers`` (Vietnam by default, Iran when the
number says so), stored as E.164, shown masked as the portal does ("097***371")."""
from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from eid.accounts.errors import InvalidInput

MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    text = (raw or "").strip()
    if text.startswith("84") and not text.startswith("+") and len(text.replace(" ", "")) == 11:
        text = "+" + text
    if text.startswith("98") and len(text.replace(" ", "")) == 12:
        text = "+" + text
    return phonenumbers.parse(text, region)


def normalize_phone(raw: str, region: str = "VN") -> str:
    """E.164 form of a mobile number.

    Raises:
        InvalidInput: ``phone_invalid`` for anything that is not a valid mobile number.
    """
    try:
        num = _parse(raw, region)
        if region == "VN" and not phonenumbers.is_valid_number(num) and (raw or "").strip().startswith("09"):
            num = _parse(raw, "IR")
    except NumberParseException as exc:
        raise InvalidInput("Enter a valid mobile number.", fields={"phone": "phone_invalid"}) from exc
    if not phonenumbers.is_valid_number(num) or phonenumbers.number_type(num) not in MOBILE_TYPES:
        raise InvalidInput("Enter a valid mobile number.", fields={"phone": "phone_invalid"})
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def national_digits(e164: str) -> str:
    num = phonenumbers.parse(e164, None)
    return "0" + str(num.national_number)


def mask_phone(e164: str) -> str:
    """``+84971234371`` -> ``097***371``."""
    try:
        digits = national_digits(e164)
    except NumberParseException:
        digits = "".join(ch for ch in e164 if ch.isdigit())
    return f"{digits[:3]}***{digits[-3:]}"

"""Readable texts for the machine codes that forms and the API return."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

FIELD_MESSAGES = {
    "id_number_required": _l("Enter your ID number (CMT/CCCD)."),
    "id_number_invalid": _l("Enter a 12-digit CCCD or a 9-digit CMT number."),
    "full_name_required": _l("Enter your full name."),
    "full_name_invalid": _l("Enter your full name as it is on your ID card."),
    "birth_date_required": _l("Enter your date of birth."),
    "birth_date_invalid": _l("Enter a date of birth as dd/mm/yyyy."),
    "phone_required": _l("Enter your mobile number."),
    "phone_invalid": _l("Enter a valid mobile number, e.g. 0971234567."),
    "email_invalid": _l("Enter a valid e-mail address or leave it empty."),
    "password_required": _l("Enter your password."),
    "password_mismatch": _l("The two passwords do not match."),
    "password_wrong": _l("The current password is not correct."),
    "captcha_invalid": _l("The verification code is not correct. A new one is shown."),
    "code_required": _l("Enter the 6-digit code."),
}

PASSWORD_REASONS = {
    "too_short": _l("Use at least 8 characters."),
    "too_long": _l("Use at most 256 characters."),
    "needs_lower": _l("Add a lower-case letter."),
    "needs_upper": _l("Add an upper-case letter."),
    "needs_digit": _l("Add a digit."),
    "needs_special": _l("Add a special character, e.g. ! @ # $."),
    "common": _l("This password is too common."),
    "breached": _l("This password has appeared in a data breach."),
    "contains_personal": _l("Do not use your ID number, name, birth date or phone."),
}


def field_message(code: str) -> str:
    return str(FIELD_MESSAGES.get(code, code))

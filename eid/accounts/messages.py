"""SMS texts in Vietnamese (default; unaccented, so one GSM-7 segment) and English."""
from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "otp_signup": {
        "vi": "Ma OTP dang ky tai khoan cua ban la {code}, hieu luc 5 phut. "
              "Khong chia se ma nay cho bat ky ai.",
        "en": "Your sign-up code is {code}. It is valid for 5 minutes. Never share this code.",
    },
    "otp_signin": {
        "vi": "Ma OTP dang nhap cua ban la {code}, hieu luc 5 phut. Khong chia se ma nay cho bat ky ai.",
        "en": "Your sign-in code is {code}. It is valid for 5 minutes. Never share this code.",
    },
    "otp_reset": {
        "vi": "Ma OTP dat lai mat khau la {code}, hieu luc 5 phut. Khong chia se ma nay cho bat ky ai.",
        "en": "Your password reset code is {code}. Valid for 5 minutes. Never share this code.",
    },
    "otp_device": {
        "vi": "Ma OTP kich hoat thiet bi moi la {code}, hieu luc 5 phut. "
              "Neu ban khong yeu cau, hay bo qua.",
        "en": "Your code to activate a new phone is {code}. Valid for 5 minutes. "
              "If you did not ask, ignore it.",
    },
    "otp_generic": {
        "vi": "Ma xac thuc cua ban la {code}, hieu luc 5 phut. Khong chia se ma nay cho bat ky ai.",
        "en": "Your verification code is {code}. Valid for 5 minutes. Never share this code.",
    },
    "new_device_signin": {
        "vi": "Tai khoan cua ban vua dang nhap tren thiet bi moi ({device}) luc {time}. "
              "Neu khong phai ban, hay doi mat khau ngay.",
        "en": "Your account was signed in on a new device ({device}) at {time}. "
              "If this was not you, change your password now.",
    },
    "password_changed": {
        "vi": "Mat khau tai khoan cua ban da duoc thay doi luc {time}. "
              "Neu khong phai ban, hay lien he tong dai ho tro.",
        "en": "Your account password was changed at {time}. If this was not you, contact support.",
    },
    "account_locked": {
        "vi": "Tai khoan cua ban tam khoa do dang nhap sai nhieu lan. Thu lai sau {minutes} phut.",
        "en": "Your account is temporarily locked after repeated failed sign-ins. "
              "Try again in {minutes} minutes.",
    },
}


def render(kind: str, locale: str = "vi", **params: Any) -> str:
    """The text of message ``kind`` in ``locale`` (Vietnamese when unknown).

    Raises:
        KeyError: an unknown kind or a missing parameter (a programming error).
    """
    texts = TEXTS[kind]
    return texts.get(locale, texts["vi"]).format(**params)

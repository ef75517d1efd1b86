"""Field validation shared by the pages and the JSON API.

Each validator returns the normalised value or records an error code for the
field; :func:`raise_if_errors` turns the collected codes into one
``InvalidInput`` so a form shows every problem at once, next to its field.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from eid.accounts.errors import InvalidInput
from eid.accounts.ids import parse_id_number

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


class FieldErrors(dict[str, str]):
    def check(self, field: str, fn, raw):  # type: ignore[no-untyped-def]
        try:
            return fn(raw)
        except InvalidInput as exc:
            self[field] = _first_code(exc, field)
        except ValueError:
            self[field] = f"{field}_invalid"
        return None


def _first_code(exc: InvalidInput, field: str) -> str:
    fields = exc.details.get("fields") or {}
    if fields:
        return str(next(iter(fields.values())))
    return str(getattr(exc, "error", f"{field}_invalid"))


def raise_if_errors(errors: dict[str, str]) -> None:
    if errors:
        raise InvalidInput("Some fields need attention.", fields=dict(errors))


def required(value: str | None, field: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = f"{field}_required"
    return value


def parse_id_and_birth(data: dict[str, str], id_field: str = "id_number") -> tuple[str, date]:
    """An ID number and a birth date, both required; one InvalidInput naming each bad field."""

    errors = FieldErrors()
    raw_id = required(data.get(id_field), id_field, errors)
    raw_birth = required(data.get("birth_date"), "birth_date", errors)
    idn = errors.check(id_field, parse_id_number, raw_id) if raw_id else None
    birth = errors.check("birth_date", parse_birth_date, raw_birth) if raw_birth else None
    raise_if_errors(errors)
    return idn.value, birth  # type: ignore[union-attr,return-value]


def parse_birth_date(raw: str) -> date:
    """dd/mm/yyyy as the portal shows it; ISO yyyy-mm-dd from the app and date inputs."""
    raw = raw.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if value.year < 1900 or value > date.today():
            raise ValueError("birth date out of range")
        return value
    raise ValueError("not a date")


def parse_email(raw: str) -> str | None:
    raw = raw.strip()
    if not raw:
        return None
    if len(raw) > 254 or not EMAIL_RE.match(raw):
        raise ValueError("bad e-mail")
    return raw.lower()


def parse_full_name(raw: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not (2 <= len(name) <= 200) or any(ch.isdigit() for ch in name):
        raise ValueError("bad name")
    return name


def same_name(a: str, b: str) -> bool:
    """Names as the registry holds them: case and spacing do not matter, diacritics do."""
    def norm(s: str) -> str:
        return " ".join(unicodedata.normalize("NFC", s).casefold().split())
    return norm(a) == norm(b)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))

"""The QR printed on the CCCD: ``ID|old CMND|name|ddmmyyyy|sex|address|issue ddmmyyyy``.

It is not signed: it pre-fills and cross-checks, nothing more. The parser is
tolerant (BOM, spaces, empty old CMND, extra trailing fields kept) and strict
about what matters (at least seven fields, a 12-digit ID, real dates).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from eid.accounts.errors import AccountsError


class CardQrInvalid(AccountsError):
    error = "qr_invalid"
    message = "This is not the QR code of a chip ID card. Scan the QR on the card again."


@dataclass(frozen=True)
class CardQr:
    id_number: str
    old_id_number: str | None
    full_name: str
    birth_date: date
    sex: str
    address: str
    issue_date: date | None
    extra: tuple[str, ...] = field(default_factory=tuple)


def _date(text: str, what: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d%m%Y").date()
    except ValueError as exc:
        raise CardQrInvalid(f"The card QR's {what} is not a date (ddmmyyyy).") from exc


def parse_card_qr(text: str) -> CardQr:
    """Raises CardQrInvalid for anything that is not a card QR."""
    raw = (text or "").lstrip("\ufeff").strip()
    parts = [p.strip() for p in raw.split("|")]
    if len(parts) < 7:
        raise CardQrInvalid()
    idn, old, name, birth, sex, address, issued, *extra = parts
    if len(idn) != 12 or not idn.isdigit() or not idn.isascii():
        raise CardQrInvalid("The card QR's first field must be the 12-digit ID number.")
    if old and (len(old) != 9 or not old.isdigit()):
        raise CardQrInvalid("The card QR's old ID number must have 9 digits.")
    if not name:
        raise CardQrInvalid("The card QR has no name.")
    return CardQr(idn, old or None, name, _date(birth, "birth date"), sex, address,
                  _date(issued, "issue date") if issued else None, tuple(extra))


class CardFields(Protocol):
    """What the card prints in its QR (a register's ``Citizen`` has all of it)."""

    @property
    def id_number(self) -> str: ...
    @property
    def old_id_number(self) -> str | None: ...
    @property
    def full_name(self) -> str: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def sex(self) -> str: ...
    @property
    def permanent_address(self) -> str: ...


def format_card_qr(person: CardFields, issue_date: date | None = None) -> str:
    """The QR text for a register record (for synthetic cards and tests)."""
    issued = issue_date or getattr(person, "issue_date", None)
    sex = {"M": "Nam", "F": "Nữ"}.get(person.sex, person.sex)
    return "|".join([person.id_number, person.old_id_number or "", person.full_name,
                     person.birth_date.strftime("%d%m%Y"), sex, person.permanent_address,
                     issued.strftime("%d%m%Y") if issued else ""])

"""Registration in the phone app, as VNeID does it.

ID number + phone -> the card's QR (scanned text, or a photo decoded server-side)
-> SMS OTP to that phone -> the register's details shown for confirmation ->
password -> a level-1 account.

The QR is not signed, so it proves nothing by itself: every field it carries (ID,
old CMND, name, birth date, sex, address, issue date) must agree with the population
register, the phone must be the person's own line ("chính chủ") and the person 14 or
over. None of that is told before the code sent to the phone on record is confirmed:
a registration that does not match gets the same answers, in the same time, as one
that does, and then a decoy challenge that no code confirms (as the web sign-up
does). So the flow is no oracle for who exists, their birth date, address or phone;
only the phone's owner learns that it matched, by receiving the code. What depends
on the caller's own input alone is told at once: a QR that is not a card's, a QR for
another ID number than the one typed, a birth date on the QR under 14.

Attempts are bounded: :data:`MAX_QR_CHECKS` QR checks per registration (counted in
its row), and per ID number, per phone and per IP (``register_qr_per_*``), besides
the sign-up limits on starting one (``signup_per_*``).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta
from typing import Any

from eid.accounts import otp, signup
from eid.accounts.card_qr import CardQr, parse_card_qr
from eid.accounts.context import Services
from eid.accounts.errors import AccountsError, Forbidden, InvalidInput, NotFound
from eid.accounts.forms import FieldErrors, age_on, raise_if_errors, required
from eid.accounts.ids import parse_id_number
from eid.accounts.phones import mask_phone, normalize_phone
from eid.accounts.qr_image import decode_first
from eid.accounts.registries.interfaces import Citizen
from eid.models.accounts import Account
from eid.models.registration import AppRegistration

LIFETIME = timedelta(minutes=30)
MAX_QR_CHECKS = 3
MATCHED = "matched"


class QrDoesNotMatchForm(AccountsError):
    error = "qr_form_mismatch"
    status = 422
    message = "The card's QR code is for another ID number than the one you entered."


class Under14(Forbidden):
    error = "under_14"
    message = "People under 14 are registered by a parent or guardian from their own account."


class TooManyQrChecks(AccountsError):
    error = "too_many_attempts"
    status = 429
    message = "Too many tries for this registration. Start the registration again."


class WrongStep(AccountsError):
    error = "wrong_step"
    status = 409
    message = "Finish the previous step of the registration first."


@dataclass(frozen=True)
class QrChecked:
    """The answer to the card's QR, whatever the registers say: where the code goes."""

    registration_id: str
    phone_masked: str

    def as_json(self) -> dict[str, Any]:
        return {"registration_id": self.registration_id, "next": "confirm",
                "phone_masked": self.phone_masked}


@dataclass(frozen=True)
class Details:
    """The register's details, shown once the code sent to the phone is confirmed."""

    id_number: str
    full_name: str
    birth_date: date
    sex: str
    permanent_address: str
    phone_masked: str

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["birth_date"] = self.birth_date.isoformat()
        return d


def start(svc: Services, data: dict[str, str]) -> AppRegistration:
    errors = FieldErrors()
    raw_id, raw_phone = required(data.get("id_number"), "id_number", errors), \
        required(data.get("phone"), "phone", errors)
    idn = errors.check("id_number", parse_id_number, raw_id) if raw_id else None
    phone = errors.check("phone", normalize_phone, raw_phone) if raw_phone else None
    raise_if_errors(errors)
    svc.limit("signup_id", idn.value, "signup_per_id")  # type: ignore[union-attr]
    svc.limit("signup_phone", phone, "signup_per_phone")  # type: ignore[arg-type]
    reg = AppRegistration(id=svc.rng.token_bytes(16).hex(), id_number=idn.value,  # type: ignore[union-attr]
                          phone=phone, state="started", created_at=svc.now,
                          expires_at=svc.now + LIFETIME)
    svc.session.add(reg)
    svc.session.flush()
    return reg


def load(svc: Services, reg_id: str) -> AppRegistration:
    reg = svc.session.get(AppRegistration, reg_id) if reg_id else None
    if reg is None or svc.now >= reg.expires_at or reg.state == "done":
        raise NotFound("This registration has expired. Start again.")
    return reg


def check_qr(svc: Services, reg_id: str, qr_text: str) -> QrChecked:
    """Read the card's QR and compare it, silently, with the registers.

    Raises (only what the caller's own input shows):
        TooManyQrChecks, RateLimited: attempts spent. WrongStep: the code was sent.
        CardQrInvalid: not a card's QR. QrDoesNotMatchForm: another ID number than
        the one typed. Under14: the QR's birth date is under 14.
    """
    reg = load(svc, reg_id)
    if reg.state not in ("started", "qr_checked"):
        raise WrongStep("The code was sent already. Enter it, or start again.")
    _count_check(svc, reg)
    qr = parse_card_qr(qr_text)
    if qr.id_number != reg.id_number:
        raise QrDoesNotMatchForm()
    if age_on(qr.birth_date, svc.now.date()) < signup.MIN_SELF_REGISTRATION_AGE:
        raise Under14()
    verdict, fields = _verdict(svc, reg, qr)
    reg.qr = {**(reg.qr or {}), "card": _card_json(qr), "verdict": verdict}
    reg.state = "qr_checked"
    svc.session.flush()
    svc.audit("app_signup.qr", verdict, id_number=reg.id_number, details={"fields": fields})
    return QrChecked(reg.id, mask_phone(reg.phone))


def _count_check(svc: Services, reg: AppRegistration) -> None:
    checks = int((reg.qr or {}).get("checks", 0))
    if checks >= MAX_QR_CHECKS:
        raise TooManyQrChecks()
    svc.limit("register_qr_id", reg.id_number, "register_qr_per_id")
    svc.limit("register_qr_phone", reg.phone, "register_qr_per_phone")
    svc.limit("register_qr_ip", svc.client.ip, "register_qr_per_ip")
    reg.qr = {**(reg.qr or {}), "checks": checks + 1}
    svc.session.flush()


def _verdict(svc: Services, reg: AppRegistration, qr: CardQr) -> tuple[str, list[str]]:
    """("matched" or why not, the QR fields that disagree). Both registers are asked
    every time, so the work does not depend on the answer."""
    person = svc.registries.population.get(reg.id_number)
    owner = svc.registries.subscribers.owner_of(reg.phone)
    if person is None:
        return "not_in_register", []
    fields = disagreeing_fields(qr, person)
    if fields:
        return "details_mismatch", fields
    if owner != person.id_number:
        return "phone_not_owned", []
    if age_on(person.birth_date, svc.now.date()) < signup.MIN_SELF_REGISTRATION_AGE:
        return "under_14", []
    return MATCHED, []


def disagreeing_fields(qr: CardQr, person: Citizen) -> list[str]:
    """Every field the card's QR prints, compared with the register. An empty old CMND
    or issue date on the QR (older cards) is no disagreement; a field the register
    lacks cannot be compared."""
    checks = {
        "full_name": same_text(qr.full_name, person.full_name),
        "birth_date": qr.birth_date == person.birth_date,
        "sex": _sex(qr.sex) == person.sex,
        "old_id_number": not qr.old_id_number or qr.old_id_number == person.old_id_number,
        "address": same_text(qr.address, person.permanent_address),
        "issue_date": not qr.issue_date or not person.issue_date or qr.issue_date == person.issue_date,
    }
    return [name for name, ok in checks.items() if not ok]


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_SEPARATORS = re.compile(r"[\s,.;:\-\u2013]+")


def same_text(a: str, b: str) -> bool:
    """Names and addresses as a card and a register print them: case, spacing and
    punctuation between words do not matter, nor Unicode composition or where the tone
    mark sits in a syllable ("Hoà"/"Hòa", "Thuỷ"/"Thủy"); the letters and tones do."""
    return _words(a) == _words(b)


def _words(text: str) -> tuple[str, ...]:
    words = _SEPARATORS.split(unicodedata.normalize("NFC", text).casefold())
    return tuple(_syllable(w) for w in words if w)


def _syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(sorted(c for c in decomposed if c in _TONES))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES)) + tones


def _sex(value: str) -> str:
    v = value.strip().casefold()
    return {"nam": "M", "m": "M", "male": "M", "nữ": "F", "nu": "F", "f": "F", "female": "F"}.get(v, v)


def _card_json(qr: CardQr) -> dict[str, Any]:
    return {"full_name": qr.full_name, "birth_date": qr.birth_date.isoformat(), "sex": qr.sex,
            "address": qr.address, "issue_date": qr.issue_date.isoformat() if qr.issue_date else None}


def confirm(svc: Services, reg_id: str) -> otp.Issued:
    """Send the code to the phone typed: a real one if the QR, the registers and the
    line agreed, a decoy otherwise (the same answer). Confirming again answers the same
    challenge and sends nothing; a new code comes only from :func:`resend`.

    Raises:
        WrongStep: no QR checked yet. SmsCapReached: the number's budget is spent.
    """
    reg = load(svc, reg_id)
    if reg.state == "otp_sent" and reg.otp_challenge_id:
        return _shown(otp.current(svc, reg.otp_challenge_id, "app_signup"), reg)
    if reg.state != "qr_checked":
        raise WrongStep()
    matched = (reg.qr or {}).get("verdict") == MATCHED
    issued = otp.issue(svc, "app_signup", reg.id_number, reg.phone if matched else None,
                       {"phone": reg.phone})
    reg.otp_challenge_id, reg.state = issued.challenge_id, "otp_sent"
    svc.audit("app_signup.confirm", "otp_sent" if matched else "decoy", id_number=reg.id_number)
    return _shown(issued, reg)


def resend(svc: Services, reg_id: str) -> otp.Issued:
    """A new code (cooldown and message budgets apply, decoys alike)."""
    reg = load(svc, reg_id)
    if reg.state != "otp_sent" or not reg.otp_challenge_id:
        raise WrongStep()
    return _shown(otp.resend(svc, reg.otp_challenge_id, "app_signup"), reg)


def _shown(issued: otp.Issued, reg: AppRegistration) -> otp.Issued:
    return replace(issued, masked_phone=mask_phone(reg.phone))


def verify(svc: Services, reg_id: str, code: str) -> Details:
    """The code from the phone: only now are the register's details shown.

    Raises:
        OtpInvalid, OtpExpired, OtpTooManyAttempts, OtpGuessesExhausted: the code.
        AlreadyRegistered: the person has an account (told only now).
    """
    reg = load(svc, reg_id)
    if reg.state != "otp_sent" or not reg.otp_challenge_id:
        raise WrongStep()
    signup.confirm_otp(svc, reg.otp_challenge_id, code, purpose="app_signup")
    person = signup.registered_person(svc, reg.id_number)
    reg.state = "verified"
    svc.session.flush()
    return Details(person.id_number, person.full_name, person.birth_date, person.sex,
                   person.permanent_address, mask_phone(reg.phone))


def complete(svc: Services, reg_id: str, password: str, confirm_pw: str) -> Account:
    reg = load(svc, reg_id)
    if reg.state != "verified" or not reg.otp_challenge_id:
        raise WrongStep()
    account = signup.complete(svc, reg.otp_challenge_id, password, confirm_pw, purpose="app_signup")
    reg.state = "done"
    svc.session.flush()
    return account


def decode_qr_image(data: bytes) -> str:
    """The text of the first QR code in a photo (pyzbar). Raises InvalidInput."""

    text = decode_first(data)
    if text is None:
        raise InvalidInput("No QR code could be read in the photo. Take it again, closer and sharper.",
                           fields={"image": "qr_not_found"})
    return text

"""Registration in the phone app, as VNeID does it.

ID number + phone -> the card's QR (scanned text, or a photo decoded server-side)
-> the details shown back for confirmation -> SMS OTP -> password -> a level-1
account. The QR is not signed, so it only pre-fills and cross-checks: QR, form
and population register must agree, the phone must be the person's own line,
and people under 14 register only as a guardian's dependent.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from eid.accounts import otp, signup
from eid.accounts.card_qr import CardQr, parse_card_qr
from eid.accounts.context import Services
from eid.accounts.errors import AccountsError, Forbidden, InvalidInput, NotFound
from eid.accounts.forms import FieldErrors, age_on, raise_if_errors, required, same_name
from eid.accounts.ids import parse_id_number
from eid.accounts.phones import mask_phone, normalize_phone
from eid.accounts.qr_image import decode_first
from eid.accounts.registries.interfaces import Citizen
from eid.models.accounts import Account
from eid.models.registration import AppRegistration

LIFETIME = timedelta(minutes=30)


class RegistrationMismatch(AccountsError):
    error = "qr_registry_mismatch"
    status = 422
    message = "The card's QR code does not match the population register."


class QrDoesNotMatchForm(RegistrationMismatch):
    error = "qr_form_mismatch"
    message = "The card's QR code is for another ID number than the one you entered."


class PhoneNotOwned(AccountsError):
    error = "phone_not_owned"
    status = 422
    message = "This mobile number is not registered in your name. Use a subscription in your own name."


class Under14(Forbidden):
    error = "under_14"
    message = "People under 14 are registered by a parent or guardian from their own account."


class WrongStep(AccountsError):
    error = "wrong_step"
    status = 409
    message = "Finish the previous step of the registration first."


@dataclass(frozen=True)
class Details:
    """What the phone shows back for the person to confirm."""

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


def check_qr(svc: Services, reg_id: str, qr_text: str) -> Details:
    """Parse the card's QR and cross-check it with the form and the register.

    Raises:
        InvalidInput (bad QR), QrDoesNotMatchForm, RegistrationMismatch,
        Under14, PhoneNotOwned.
    """
    reg = load(svc, reg_id)
    qr = parse_card_qr(qr_text)
    if qr.id_number != reg.id_number:
        svc.audit("app_signup.qr", "form_mismatch", id_number=reg.id_number)
        raise QrDoesNotMatchForm()
    person = svc.registries.population.get(reg.id_number)
    if person is None or not _agrees(qr, person):
        svc.audit("app_signup.qr", "registry_mismatch", id_number=reg.id_number)
        raise RegistrationMismatch()
    if age_on(person.birth_date, svc.now.date()) < signup.MIN_SELF_REGISTRATION_AGE:
        raise Under14()
    if svc.registries.subscribers.owner_of(reg.phone) != person.id_number:
        svc.audit("app_signup.qr", "phone_not_owned", id_number=reg.id_number)
        raise PhoneNotOwned()
    reg.qr = {"full_name": qr.full_name, "birth_date": qr.birth_date.isoformat(), "sex": qr.sex,
              "address": qr.address, "issue_date": qr.issue_date.isoformat() if qr.issue_date else None}
    reg.state = "qr_checked"
    svc.session.flush()
    return Details(person.id_number, person.full_name, person.birth_date, person.sex,
                   person.permanent_address, mask_phone(reg.phone))


def _agrees(qr: CardQr, person: Citizen) -> bool:
    same_old = not qr.old_id_number or not person.old_id_number or \
        qr.old_id_number == person.old_id_number
    return (same_name(qr.full_name, person.full_name) and qr.birth_date == person.birth_date
            and _sex(qr.sex) == person.sex and same_old)


def _sex(value: str) -> str:
    v = value.strip().casefold()
    return {"nam": "M", "m": "M", "male": "M", "nữ": "F", "nu": "F", "f": "F", "female": "F"}.get(v, v)


def confirm(svc: Services, reg_id: str) -> otp.Issued:
    """The person confirmed the details: send the OTP."""
    reg = load(svc, reg_id)
    if reg.state not in ("qr_checked", "otp_sent"):
        raise WrongStep()
    issued = otp.issue(svc, "app_signup", reg.id_number, reg.phone, {"phone": reg.phone})
    reg.otp_challenge_id, reg.state = issued.challenge_id, "otp_sent"
    svc.audit("app_signup.confirm", "otp_sent", id_number=reg.id_number)
    return issued


def verify(svc: Services, reg_id: str, code: str) -> None:
    reg = load(svc, reg_id)
    if reg.state != "otp_sent" or not reg.otp_challenge_id:
        raise WrongStep()
    signup.confirm_otp(svc, reg.otp_challenge_id, code, purpose="app_signup")


def complete(svc: Services, reg_id: str, password: str, confirm_pw: str) -> Account:
    reg = load(svc, reg_id)
    if reg.state != "otp_sent" or not reg.otp_challenge_id:
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

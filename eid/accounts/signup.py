"""Web and app sign-up as the national portal does it: "Công dân" + "Thuê bao di động".

1. :func:`start` — ID, full name, birth date, phone, e-mail, captcha. The person
   must exist in the population register with that name and birth date, the
   phone must be registered in their name ("chính chủ"), and they must be 14 or
   over. The answer is the same whether or not that holds: an OTP goes only to a
   phone that matches, otherwise a decoy challenge that no code confirms.
2. :func:`confirm_otp` — only now, with the phone proven, "already registered"
   may be said (pointing to "Quên mật khẩu").
3. :func:`complete` — the password (policy checked), then the level-1 account.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from eid.accounts import otp
from eid.accounts.context import Services
from eid.accounts.errors import Conflict, InvalidInput
from eid.accounts.forms import (
    FieldErrors,
    age_on,
    parse_birth_date,
    parse_email,
    parse_full_name,
    raise_if_errors,
    required,
    same_name,
)
from eid.accounts.ids import parse_id_number
from eid.accounts.phones import normalize_phone
from eid.accounts.registries.interfaces import Citizen
from eid.models.accounts import Account
from eid.models.ops import add_unique

MIN_SELF_REGISTRATION_AGE = 14


class AlreadyRegistered(Conflict):
    error = "already_registered"
    message = "An account already exists for this ID. Use 'Forgot password' to recover it."


@dataclass(frozen=True)
class SignupRequest:
    id_number: str
    full_name: str
    birth_date: date
    phone: str
    email: str | None


def parse_request(data: dict[str, str]) -> SignupRequest:
    """Validate every field; raise one InvalidInput naming each bad field."""
    errors = FieldErrors()
    raw = {k: required(data.get(k), k, errors) for k in ("id_number", "full_name", "birth_date", "phone")}
    id_number = errors.check("id_number", parse_id_number, raw["id_number"]) if raw["id_number"] else None
    name = errors.check("full_name", parse_full_name, raw["full_name"]) if raw["full_name"] else None
    birth = errors.check("birth_date", parse_birth_date, raw["birth_date"]) if raw["birth_date"] else None
    phone = errors.check("phone", normalize_phone, raw["phone"]) if raw["phone"] else None
    email = errors.check("email", parse_email, data.get("email") or "")
    raise_if_errors(errors)
    return SignupRequest(id_number.value, name, birth, phone, email)  # type: ignore[union-attr,arg-type]


def _eligible(svc: Services, req: SignupRequest) -> tuple[str | None, str]:
    """(the ID number on record, reason) — the ID is None when nothing may be sent."""
    person = svc.registries.population.get(req.id_number)
    if person is None:
        return None, "not_in_register"
    if not same_name(person.full_name, req.full_name) or person.birth_date != req.birth_date:
        return None, "details_mismatch"
    if svc.registries.subscribers.owner_of(req.phone) != person.id_number:
        return None, "phone_not_owned"
    if age_on(person.birth_date, svc.now.date()) < MIN_SELF_REGISTRATION_AGE:
        return None, "under_14"
    return person.id_number, "matched"


def start(svc: Services, req: SignupRequest, purpose: str = "signup") -> otp.Issued:
    svc.limit("signup_id", req.id_number, "signup_per_id")
    svc.limit("signup_phone", req.phone, "signup_per_phone")
    subject, reason = _eligible(svc, req)
    issued = otp.issue(svc, purpose, subject or req.id_number, req.phone if subject else None,
                       {"email": req.email, "phone": req.phone})
    svc.audit("signup.start", "otp_sent" if subject else "refused", id_number=req.id_number,
              details={"reason": reason})
    return issued


def confirm_otp(svc: Services, challenge_id: str, code: str, purpose: str = "signup") -> None:
    ch = otp.verify(svc, challenge_id, purpose, code)
    if _account_for(svc, ch.subject) is not None:
        otp.consume(svc, ch)
        svc.audit("signup.otp", "already_registered", id_number=ch.subject)
        raise AlreadyRegistered()
    svc.audit("signup.otp", "ok", id_number=ch.subject)


def registered_person(svc: Services, id_number: str) -> Citizen:
    """The register's entry behind a verified challenge.

    Raises:
        InvalidInput: the person left the register since the challenge was verified."""
    person = svc.registries.population.get(id_number)
    if person is None:
        raise InvalidInput("This person is no longer in the population register.")
    return person


def complete(svc: Services, challenge_id: str, password: str, confirm: str,
             purpose: str = "signup") -> Account:
    ch = otp.require_verified(svc, challenge_id, purpose)
    if password != confirm:
        raise InvalidInput("The passwords do not match.", fields={"confirm": "password_mismatch"})
    person = registered_person(svc, ch.subject)
    data = otp.payload(ch)
    svc.policy.check(password, id_number=person.id_number, full_name=person.full_name,
                     birth_date=person.birth_date, phone=data["phone"])
    account = Account(
        id_number=person.id_number, full_name=person.full_name, phone=data["phone"],
        email=data.get("email"), password_hash=svc.hasher.hash(password), level=1,
        role="citizen", locale=svc.client.locale, created_at=svc.now, password_changed_at=svc.now)
    if not add_unique(svc.session, account):
        raise AlreadyRegistered()
    otp.consume(svc, ch)
    svc.audit("signup.complete", "ok", actor_account_id=account.id, id_number=account.id_number,
              details={"level": 1})
    return account


def _account_for(svc: Services, id_number: str) -> Account | None:
    return svc.session.scalar(select(Account).where(Account.id_number == id_number))

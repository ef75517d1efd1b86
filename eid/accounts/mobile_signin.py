"""Sign-in by mobile number, as my.gov.ir does it.

mobile + captcha -> OTP by SMS (or, as a fallback, to the registered e-mail) ->
national code + birth date, which must be those of the line's owner in the
operators' register -> the postal code the civil registry holds is shown: the
person confirms it or files an address-update request. A person the register
matches who has no account yet gets a level-1 account (no password) here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from eid.accounts import otp
from eid.accounts.context import Services
from eid.accounts.errors import AccountsError, InvalidInput
from eid.accounts.forms import FieldErrors, age_on, parse_id_and_birth, raise_if_errors, required
from eid.accounts.phones import normalize_phone
from eid.accounts.signup import MIN_SELF_REGISTRATION_AGE, registered_person
from eid.models.accounts import Account
from eid.models.registration import AddressUpdateRequest

NO_PASSWORD = "!"  # noqa: S105 - never matches an argon2 hash: the account signs in by OTP only


class IdentityMismatch(AccountsError):
    error = "identity_mismatch"
    status = 422
    message = "The national code and birth date must be those of the mobile line's owner."


class NoEmailOnRecord(AccountsError):
    error = "no_email"
    status = 409
    message = "There is no e-mail address on record for this number; use the SMS code."


@dataclass(frozen=True)
class PostalCheck:
    challenge_id: str
    postal_code: str | None
    address: str


def start(svc: Services, raw_phone: str) -> tuple[otp.Issued, str]:
    errors = FieldErrors()
    raw = required(raw_phone, "phone", errors)
    phone = errors.check("phone", normalize_phone, raw) if raw else None
    raise_if_errors(errors)
    assert phone is not None  # raise_if_errors: a missing or bad phone was refused
    svc.limit("mobile_otp", phone, "mobile_otp_per_phone")
    owner = svc.registries.subscribers.owner_of(phone)
    issued = otp.issue(svc, "mobile_signin", owner or "-", phone if owner else None,
                       {"phone": phone, "step": "otp"})
    svc.audit("mobile_signin.start", "otp_sent" if owner else "refused",
              id_number=owner, details={})
    return issued, phone


def send_by_email(svc: Services, challenge_id: str) -> str:
    """Re-send the code to the owner's registered e-mail. Returns the masked address."""
    ch = otp.load(svc, challenge_id, "mobile_signin")
    account = _account(svc, ch.subject)
    email = account.email if account else None
    if not email:
        person = svc.registries.population.get(ch.subject) if ch.subject != "-" else None
        email = getattr(person, "email", None)
    if not email:
        raise NoEmailOnRecord()
    if svc.mail is None:
        raise NoEmailOnRecord("E-mail delivery is not set up on this server; use the SMS code.")
    otp.resend(svc, challenge_id, "mobile_signin", to_email=email)
    name, _, domain = email.partition("@")
    return f"{name[:2]}***@{domain}"


def verify(svc: Services, challenge_id: str, code: str) -> None:
    otp.verify(svc, challenge_id, "mobile_signin", code)


def identify(svc: Services, challenge_id: str, data: dict[str, str]) -> PostalCheck:
    """National code + birth date of the line's owner; returns the postal code on record."""
    ch = otp.require_verified(svc, challenge_id, "mobile_signin")
    id_number, birth = parse_id_and_birth(data, "national_code")
    person = svc.registries.population.get(id_number)
    if person is None or person.id_number != ch.subject or person.birth_date != birth:
        svc.audit("mobile_signin.identity", "mismatch", id_number=ch.subject)
        raise IdentityMismatch()
    if age_on(person.birth_date, svc.now.date()) < MIN_SELF_REGISTRATION_AGE:
        raise IdentityMismatch("People under 14 sign in through a guardian's account.")
    data_out = otp.payload(ch) | {"step": "postal"}
    ch.payload = json.dumps(data_out)
    svc.session.flush()
    return PostalCheck(ch.id, person.postal_code, person.permanent_address)


def finish(svc: Services, challenge_id: str, *, confirm: bool, postal_code: str | None) -> Account:
    """Confirm the postal code or file an update request; returns the signed-in account."""
    ch = otp.require_verified(svc, challenge_id, "mobile_signin")
    if otp.payload(ch).get("step") != "postal":
        raise InvalidInput("Enter your national code and birth date first.",
                           fields={"national_code": "national_code_required"})
    person = registered_person(svc, ch.subject)
    account = _account(svc, ch.subject) or _create(svc, person, otp.payload(ch)["phone"])
    if not confirm:
        code = (postal_code or "").strip()
        if not code.isdigit() or len(code) not in (5, 6, 10):
            raise InvalidInput("Enter the correct postal code (5, 6 or 10 digits).",
                               fields={"postal_code": "postal_code_invalid"})
        svc.session.add(AddressUpdateRequest(
            account_id=account.id, registry_postal_code=person.postal_code,
            requested_postal_code=code, status="submitted", created_at=svc.now))
        svc.audit("address.update_request", "submitted", actor_account_id=account.id)
    otp.consume(svc, ch)
    svc.session.flush()
    return account


def _account(svc: Services, id_number: str) -> Account | None:
    return svc.session.scalar(select(Account).where(Account.id_number == id_number))


def _create(svc: Services, person: object, phone: str) -> Account:
    account = Account(id_number=person.id_number, full_name=person.full_name,  # type: ignore[attr-defined]
                      phone=phone, email=getattr(person, "email", None), password_hash=NO_PASSWORD,
                      level=1, role="citizen", locale=svc.client.locale, created_at=svc.now,
                      password_changed_at=svc.now)
    svc.session.add(account)
    svc.session.flush()
    svc.audit("signup.mobile", "ok", actor_account_id=account.id, id_number=account.id_number,
              details={"level": 1})
    return account


def address_requests(svc: Services, account_id: int) -> list[AddressUpdateRequest]:
    return list(svc.session.scalars(select(AddressUpdateRequest).where(
        AddressUpdateRequest.account_id == account_id).order_by(AddressUpdateRequest.id.desc())))

"""Sign-in: ID + password (+ captcha) -> OTP to the registered phone -> session.

Failures escalate (growing delays, then only the other ways in) per ID number and
per known browser, never per IP (see ``throttle``; per-IP limits are the web
layer's). Every password check spends one argon2 verification, whether the ID is
unknown, the account has no password (made by mobile sign-in, a dependent) or the
password is wrong, and gets the same answer. A confirmed sign-in from a browser the
account has not used before sends an SMS notice.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from eid.accounts import messages, messaging, otp, sessions, throttle
from eid.accounts.context import Services
from eid.accounts.errors import AccountLocked, Forbidden, InvalidCredentials
from eid.accounts.forms import FieldErrors, raise_if_errors, required
from eid.accounts.ids import parse_id_number
from eid.models.accounts import Account, KnownBrowser

ARGON2_PREFIX = "$argon2"  # every hash Hasher makes; anything else is "no password"


@dataclass(frozen=True)
class SignedIn:
    account: Account
    session: sessions.NewSession
    new_browser: bool


def parse_credentials(data: dict[str, str]) -> tuple[str, str]:
    errors = FieldErrors()
    raw_id = required(data.get("id_number"), "id_number", errors)
    password = data.get("password") or ""
    if not password:
        errors["password"] = "password_required"  # noqa: S105 - an error code
    id_number = errors.check("id_number", parse_id_number, raw_id) if raw_id else None
    raise_if_errors(errors)
    return id_number.value, password  # type: ignore[union-attr]


def find_account(svc: Services, id_number: str) -> Account | None:
    """By CCCD, or by the old CMND through the population register."""
    return _lookup(svc, id_number)[0]


def _lookup(svc: Services, id_number: str) -> tuple[Account | None, str]:
    """The account, and the ID number its failures count under: the account's, the
    CCCD the register gives for an old CMND, else the number as typed."""
    account = svc.session.scalar(select(Account).where(Account.id_number == id_number))
    if account is not None or len(id_number) != 9:
        return account, account.id_number if account is not None else id_number
    person = svc.registries.population.get(id_number)
    if person is None:
        return None, id_number
    account = svc.session.scalar(select(Account).where(Account.id_number == person.id_number))
    return account, person.id_number


def check_password(svc: Services, id_number: str, password: str) -> Account:
    """The account if the password is right; counts failures and escalates.

    Raises:
        AccountLocked: this client must wait (``retry_after``) or, past the hard
            limit, use another way in (``blocked``).
        InvalidCredentials: wrong ID or password (one answer for both).
    """
    account, subject = _lookup(svc, id_number)
    pool = throttle.signin_pool(svc, subject, account)
    try:
        throttle.check(svc, pool)
    except AccountLocked:
        svc.audit("signin.password", "throttled", actor_account_id=account.id if account else None,
                  id_number=id_number)
        raise
    stored = account.password_hash if account is not None else ""
    try:
        if not stored.startswith(ARGON2_PREFIX):  # no such account, or no password at all
            svc.hasher.dummy_verify()
            raise InvalidCredentials("Wrong ID number or password.")
        svc.hasher.verify(stored, password)
    except InvalidCredentials:
        left = throttle.fail(svc, pool)
        svc.audit("signin.password", "failed", actor_account_id=account.id if account else None,
                  id_number=id_number, details={"attempts_left": left,
                                                "known_browser": pool != throttle.subject_prefix(subject)})
        raise InvalidCredentials("Wrong ID number or password.", attempts_left=left) from None
    assert account is not None
    throttle.clear(svc, pool)
    if svc.hasher.needs_rehash(account.password_hash):
        account.password_hash = svc.hasher.hash(password)
    return account


def start(svc: Services, id_number: str, password: str, purpose: str = "signin") -> otp.Issued:
    account = check_password(svc, id_number, password)
    issued = otp.issue(svc, purpose, account.id_number, account.phone, {"account_id": account.id})
    svc.audit("signin.password", "otp_sent", actor_account_id=account.id, id_number=account.id_number)
    return issued


def confirm(svc: Services, challenge_id: str, code: str, *, purpose: str = "signin",
            kind: str = "web") -> SignedIn:
    ch = otp.verify(svc, challenge_id, purpose, code)
    account = svc.session.get(Account, otp.payload(ch)["account_id"])
    assert account is not None
    otp.consume(svc, ch)
    return open_session(svc, account, kind=kind, method="password+otp")


def confirm_app(svc: Services, challenge_id: str, code: str) -> Account:
    """The phone app's sign-in: the OTP confirmed, the caller issues tokens."""
    ch = otp.verify(svc, challenge_id, "signin", code)
    account = svc.session.get(Account, otp.payload(ch)["account_id"])
    assert account is not None
    otp.consume(svc, ch)
    svc.audit("signin", "ok", actor_account_id=account.id, id_number=account.id_number,
              details={"method": "password+otp", "kind": "app"})
    return account


def notify_new_device(svc: Services, account: Account) -> None:
    """SMS notice: the account was just signed in on a device it has not used before."""
    text = messages.render("new_device_signin", account.locale, device=_device_label(svc),
                           time=svc.now.strftime("%H:%M %d/%m/%Y"), place=svc.client.ip)
    messaging.send_notice(svc, account.phone, text, kind="new_device_signin")


def open_session(svc: Services, account: Account, *, kind: str, method: str) -> SignedIn:
    new = sessions.create(svc, account, kind=kind)
    new_browser = _remember_browser(svc, account)
    if new_browser:
        notify_new_device(svc, account)
    svc.audit("signin", "ok", actor_account_id=account.id, id_number=account.id_number,
              details={"method": method, "kind": kind, "new_device": new_browser,
                       "session_id": new.session.id})
    return SignedIn(account, new, new_browser)


def open_qr_session(svc: Services, account_id: int | None, *, tx_id: str,
                    device_id: int | None) -> SignedIn:
    """The browser redeemed a QR approval: open its session, unless the account turned
    web sign-in off (or is gone) since the phone approved.

    Raises:
        Forbidden: web sign-in is off for the account."""
    account = svc.session.get(Account, account_id) if account_id is not None else None
    if account is None or not account.web_login_enabled:
        raise Forbidden("Web sign-in is turned off for this account.")
    result = open_session(svc, account, kind="qr", method="qr")
    svc.audit("signin.qr", "ok", actor_account_id=account.id,
              details={"tx": tx_id, "device_id": device_id, "session_id": result.session.session.id})
    return result


def _remember_browser(svc: Services, account: Account) -> bool:
    if not svc.client.browser_id:
        return True
    h = hashlib.sha256(svc.client.browser_id.encode()).hexdigest()
    known = svc.session.scalar(select(KnownBrowser).where(
        KnownBrowser.account_id == account.id, KnownBrowser.browser_hash == h))
    if known is not None:
        return False
    svc.session.add(KnownBrowser(account_id=account.id, browser_hash=h, first_seen_at=svc.now))
    svc.session.flush()
    return True


def _device_label(svc: Services) -> str:
    ua = svc.client.user_agent
    for name in ("Edg", "Chrome", "Firefox", "Safari", "eid-phone"):
        if name in ua:
            return {"Edg": "Edge"}.get(name, name)
    return ua[:30] or "?"

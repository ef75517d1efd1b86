"""SMS one-time codes: 6 digits, 5-minute life, resend after a cooldown, bounded tries.

Only an HMAC of the code is stored. A resend makes a new code and kills the old
one. A *decoy* challenge (no phone) answers exactly like a real one but no code
can ever confirm it: the sign-up and recovery forms use it so they are not an
oracle for which ID numbers and phones exist.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from eid.accounts import messages
from eid.accounts.context import Services
from eid.accounts.errors import OtpExpired, OtpInvalid, OtpTooManyAttempts, ResendTooSoon
from eid.accounts.phones import mask_phone
from eid.models.accounts import OtpChallenge

PURPOSES = ("signup", "signin", "reset", "device", "app_signup", "mobile_signin", "generic",
            "transfer")
_MESSAGE_KIND = {"signup": "otp_signup", "app_signup": "otp_signup", "signin": "otp_signin",
                 "mobile_signin": "otp_signin", "reset": "otp_reset", "device": "otp_device"}


@dataclass(frozen=True)
class Issued:
    challenge_id: str
    masked_phone: str | None
    expires_at: datetime
    resend_at: datetime


def _code_hash(key: bytes, challenge_id: str, code: str) -> str:
    return hmac.new(key, f"{challenge_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _new_code(svc: Services, digits: int = 6) -> str:
    return str(svc.rng.randbelow(10**digits)).zfill(digits)


def _issued(ch: OtpChallenge) -> Issued:
    return Issued(ch.id, mask_phone(ch.phone) if ch.phone else None, ch.expires_at, ch.resend_at)


def issue(svc: Services, purpose: str, subject: str, phone: str | None,
          payload: dict[str, Any] | None = None) -> Issued:
    """Create a challenge and send its code to ``phone`` (a decoy when ``phone`` is None)."""
    issued, _ = _create(svc, purpose, subject, phone, payload, deliver=True)
    return issued


def issue_displayed(svc: Services, purpose: str, subject: str,
                    payload: dict[str, Any] | None = None, digits: int = 8) -> tuple[Issued, str]:
    """A challenge whose code is shown to the caller instead of sent (e.g. on the old phone)."""
    return _create(svc, purpose, subject, None, payload, deliver=False, digits=digits)


def _create(svc: Services, purpose: str, subject: str, phone: str | None,
            payload: dict[str, Any] | None, *, deliver: bool, digits: int = 6) -> tuple[Issued, str]:
    assert purpose in PURPOSES
    ttl = timedelta(seconds=svc.settings.otp_ttl_seconds)
    ch = OtpChallenge(
        id=svc.rng.token_bytes(16).hex(), purpose=purpose, subject=subject, phone=phone,
        payload=json.dumps(payload or {}, ensure_ascii=False), created_at=svc.now,
        expires_at=svc.now + ttl, attempts=0, sends=1,
        resend_at=svc.now + timedelta(seconds=svc.settings.otp_resend_seconds),
    )
    code = _new_code(svc, digits)
    ch.code_hash = _code_hash(svc.key, ch.id, code) if (phone or not deliver) else None
    svc.session.add(ch)
    svc.session.flush()
    if phone and deliver:
        _send(svc, phone, purpose, code)
    return _issued(ch), code


def _send(svc: Services, phone: str, purpose: str, code: str) -> None:
    text = messages.render(_MESSAGE_KIND.get(purpose, "otp_generic"), svc.client.locale, code=code)
    kind = _MESSAGE_KIND.get(purpose, "otp_generic")
    svc.defer(lambda: svc.sms.send(phone, text, kind=kind))


def load(svc: Services, challenge_id: str, purpose: str) -> OtpChallenge:
    """The live challenge. Raises OtpExpired for an unknown, used or expired one."""
    ch = svc.session.get(OtpChallenge, challenge_id) if challenge_id else None
    if ch is None or ch.purpose != purpose or ch.consumed_at is not None:
        raise OtpExpired("This code is no longer valid. Start again.")
    if svc.now >= ch.expires_at:
        raise OtpExpired("The code has expired. Press 'Resend OTP' for a new one.")
    return ch


def resend(svc: Services, challenge_id: str, purpose: str, *, to_email: str | None = None) -> Issued:
    """A new code for the same challenge; the old code stops working at once.

    Raises:
        ResendTooSoon: before the cooldown has passed.
        OtpExpired: the challenge is gone (expired challenges are renewed here
            only while the whole flow is younger than 30 minutes).
    """
    ch = svc.session.get(OtpChallenge, challenge_id) if challenge_id else None
    if ch is None or ch.purpose != purpose or ch.consumed_at is not None or \
            svc.now - ch.created_at > timedelta(minutes=30) or ch.sends >= 5:
        raise OtpExpired("This code can no longer be renewed. Start again.")
    if svc.now < ch.resend_at and not to_email:
        wait = int((ch.resend_at - svc.now).total_seconds()) + 1
        raise ResendTooSoon(f"Wait {wait} seconds before asking for a new code.", retry_after=wait)
    code = _new_code(svc)
    ch.code_hash = _code_hash(svc.key, ch.id, code) if ch.phone else None
    ch.expires_at = svc.now + timedelta(seconds=svc.settings.otp_ttl_seconds)
    ch.resend_at = svc.now + timedelta(seconds=svc.settings.otp_resend_seconds * (ch.sends + 1))
    ch.attempts = 0
    ch.sends += 1
    svc.session.flush()
    if to_email and svc.mail is not None:  # callers refuse e-mail when no mailer is set up
        text, mail = messages.render("otp_generic", svc.client.locale, code=code), svc.mail
        svc.defer(lambda: mail.send(to_email, text, kind="email_otp"))
    elif ch.phone:
        _send(svc, ch.phone, purpose, code)
    return _issued(ch)


def verify(svc: Services, challenge_id: str, purpose: str, code: str) -> OtpChallenge:
    """Check the code; mark the challenge verified. Raises on every failure."""
    ch = load(svc, challenge_id, purpose)
    limit = svc.settings.otp_max_attempts
    if ch.attempts >= limit:
        raise OtpTooManyAttempts("Too many wrong codes. Ask for a new code.")
    code = (code or "").strip()
    good = ch.code_hash is not None and hmac.compare_digest(
        ch.code_hash, _code_hash(svc.key, ch.id, code))
    if not good:
        ch.attempts += 1
        svc.session.flush()
        left = limit - ch.attempts
        if left <= 0:
            raise OtpTooManyAttempts("Too many wrong codes. Ask for a new code.")
        raise OtpInvalid(f"The code is not correct. {left} attempt(s) left.", attempts_left=left)
    ch.verified_at = svc.now  # written with the request's commit (autoflush before any query)
    return ch


def require_verified(svc: Services, challenge_id: str, purpose: str) -> OtpChallenge:
    """A challenge whose code was confirmed and not yet used for its final step."""
    ch = load(svc, challenge_id, purpose)
    if ch.verified_at is None:
        raise OtpExpired("Confirm the OTP first.")
    return ch


def consume(svc: Services, ch: OtpChallenge) -> None:
    ch.consumed_at = svc.now


def payload(ch: OtpChallenge) -> dict[str, Any]:
    return dict(json.loads(ch.payload or "{}"))


def pending_for(svc: Services, subject: str, purpose: str) -> list[OtpChallenge]:
    rows = svc.session.scalars(select(OtpChallenge).where(
        OtpChallenge.subject == subject, OtpChallenge.purpose == purpose,
        OtpChallenge.consumed_at.is_(None)))
    return list(rows)

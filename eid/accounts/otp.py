"""SMS one-time codes: 6 digits, 5-minute life, resend after a cooldown, bounded tries.

Only an HMAC of the code is stored. A resend makes a new code and kills the old
one. A *decoy* challenge (no phone) answers exactly like a real one but no code
can ever confirm it: the sign-up and recovery forms use it so they are not an
oracle for which ID numbers and phones exist. ``payload["phone"]``, when the caller
gives it, is the number the person typed: a decoy is charged to it as a real
challenge is to its phone (the message budgets of :mod:`eid.accounts.messaging`,
the guessing budget below), so the two answer alike.

Guessing is bounded twice: ``OTP_MAX_ATTEMPTS`` wrong codes per code, and a budget
of wrong codes per subject across every challenge (``otp_guesses_per_subject``,
10 an hour and 20 a day by default), kept per ID number and per phone, so new
challenges (resends, new sign-ins, password resets) buy no new guesses (NIST SP
800-63B §5.2.2: rate limiting). A spent budget refuses even the right code until
its window has passed, and says so; the owner still signs in by QR from the
activated phone, which needs no code.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from limits import parse_many
from sqlalchemy import select

from eid.accounts import messages, messaging
from eid.accounts.context import Services
from eid.accounts.errors import OtpExpired, OtpGuessesExhausted, OtpInvalid, OtpTooManyAttempts
from eid.accounts.phones import mask_phone
from eid.models.accounts import OtpChallenge, Throttle
from eid.models.ops import insert_if_absent

PURPOSES = ("signup", "signin", "reset", "device", "app_signup", "mobile_signin", "generic",
            "transfer")
_MESSAGE_KIND = {"signup": "otp_signup", "app_signup": "otp_signup", "signin": "otp_signin",
                 "mobile_signin": "otp_signin", "reset": "otp_reset", "device": "otp_device"}
GUESS_BUDGET = "10/hour;20/day"  # wrong codes per subject, unless ``otp_guesses_per_subject`` says
# Purposes whose subject the register supplied, not the caller (mobile sign-in: the
# line's owner): budgeted by the phone alone, so a spent ID budget is no owner oracle.
_SUBJECT_NOT_TYPED = frozenset({"mobile_signin"})


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
    """Create a challenge and send its code to ``phone`` (a decoy when ``phone`` is None,
    charged to ``payload["phone"]``, the number typed, when given).

    Raises:
        SmsCapReached: a message budget for the number or in total is spent (nothing
            is written).
    """
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
        expires_at=svc.now + ttl, attempts=0, sends=0, resend_at=svc.now,
    )
    code = _new_code(svc, digits)
    ch.code_hash = _code_hash(svc.key, ch.id, code) if (phone or not deliver) else None
    if deliver:  # refused (cooldown, budgets) before anything is written
        _send(svc, ch, code)
    else:
        ch.sends, ch.resend_at = 1, svc.now + timedelta(seconds=svc.settings.otp_resend_seconds)
    svc.session.add(ch)
    svc.session.flush()
    return _issued(ch), code


def _send(svc: Services, ch: OtpChallenge, code: str, to_email: str | None = None) -> None:
    """Through the one sender; a decoy (no phone) is charged to the number typed."""
    kind = _MESSAGE_KIND.get(ch.purpose, "otp_generic")
    if to_email:
        text = messages.render("otp_generic", svc.client.locale, code=code)
        messaging.send_code(svc, ch, text, kind="email_otp", to=to_email, channel=messaging.EMAIL)
        return
    text = messages.render(kind, svc.client.locale, code=code)
    messaging.send_code(svc, ch, text, kind=kind, to=_target(ch), deliver=ch.phone is not None)


def _target(ch: OtpChallenge) -> str | None:
    """The number a challenge's code is for: its phone, or for a decoy the one typed."""
    typed = payload(ch).get("phone")
    return ch.phone or (typed if isinstance(typed, str) and typed else None)


def load(svc: Services, challenge_id: str, purpose: str) -> OtpChallenge:
    """The live challenge. Raises OtpExpired for an unknown, used or expired one."""
    ch = svc.session.get(OtpChallenge, challenge_id) if challenge_id else None
    if ch is None or ch.purpose != purpose or ch.consumed_at is not None:
        raise OtpExpired("This code is no longer valid. Start again.")
    if svc.now >= ch.expires_at:
        raise OtpExpired("The code has expired. Press 'Resend OTP' for a new one.")
    return ch


def current(svc: Services, challenge_id: str, purpose: str) -> Issued:
    """The live challenge, answered again; nothing is sent. Raises OtpExpired."""
    return _issued(load(svc, challenge_id, purpose))


def resend(svc: Services, challenge_id: str, purpose: str, *, to_email: str | None = None) -> Issued:
    """A new code for the same challenge; the old code stops working at once.

    Raises:
        ResendTooSoon: before the cooldown has passed.
        SmsCapReached: a message budget for the number (or address) or in total is spent.
        OtpExpired: the challenge is gone (expired challenges are renewed here
            only while the whole flow is younger than 30 minutes).
    """
    ch = svc.session.get(OtpChallenge, challenge_id) if challenge_id else None
    if ch is None or ch.purpose != purpose or ch.consumed_at is not None or \
            svc.now - ch.created_at > timedelta(minutes=30) or ch.sends >= 5:
        raise OtpExpired("This code can no longer be renewed. Start again.")
    code = _new_code(svc)
    _send(svc, ch, code, to_email=to_email if svc.mail is not None else None)
    ch.code_hash = _code_hash(svc.key, ch.id, code) if ch.phone else None
    ch.expires_at = svc.now + timedelta(seconds=svc.settings.otp_ttl_seconds)
    ch.attempts = 0
    svc.session.flush()
    target = _target(ch)  # a decoy shows the number typed, as its first answer did
    return Issued(ch.id, mask_phone(target) if target else None, ch.expires_at, ch.resend_at)


def verify(svc: Services, challenge_id: str, purpose: str, code: str) -> OtpChallenge:
    """Check the code; mark the challenge verified. Raises on every failure.

    Raises:
        OtpExpired: unknown, used or expired challenge.
        OtpGuessesExhausted: the subject's budget of wrong codes is spent (even the
            right code is refused until its window has passed).
        OtpTooManyAttempts: this code's attempts are spent.
        OtpInvalid: a wrong code (``attempts_left`` for this code).
    """
    ch = load(svc, challenge_id, purpose)
    budget = _budget_rows(svc, ch)
    _refuse_if_spent(svc, budget)
    limit = svc.settings.otp_max_attempts
    if ch.attempts >= limit:
        raise OtpTooManyAttempts("Too many wrong codes. Ask for a new code.")
    code = (code or "").strip()
    good = ch.code_hash is not None and hmac.compare_digest(
        ch.code_hash, _code_hash(svc.key, ch.id, code))
    if not good:
        ch.attempts += 1
        _count_wrong(svc, budget)
        svc.session.flush()
        _refuse_if_spent(svc, budget)
        left = limit - ch.attempts
        if left <= 0:
            raise OtpTooManyAttempts("Too many wrong codes. Ask for a new code.")
        raise OtpInvalid(f"The code is not correct. {left} attempt(s) left.", attempts_left=left)
    ch.verified_at = svc.now  # written with the request's commit (autoflush before any query)
    return ch


_Budget = list[tuple[Throttle, int, timedelta]]


def _budget_keys(ch: OtpChallenge) -> list[str]:
    keys = [] if ch.purpose in _SUBJECT_NOT_TYPED or ch.subject in ("", "-") else [f"id:{ch.subject}"]
    target = _target(ch)
    return keys + ([f"phone:{target}"] if target else [])


def _budget_rows(svc: Services, ch: OtpChallenge) -> _Budget:
    """The subject's counters, one per key and window, locked in a fixed order so that
    parallel guesses wait for each other (``SELECT ... FOR UPDATE`` on PostgreSQL)."""
    spec = svc.settings.rate_limits.get("otp_guesses_per_subject") or GUESS_BUDGET
    wanted: list[tuple[str, int, timedelta]] = []
    for item in parse_many(spec):
        window = timedelta(seconds=item.get_expiry())
        for key in _budget_keys(ch):
            digest = hashlib.sha256(key.encode()).hexdigest()[:40]
            wanted.append((f"otp_guess:{item.get_expiry()}:{digest}", item.amount, window))
    budget: _Budget = []
    for row_key, amount, window in sorted(wanted):
        insert_if_absent(svc.session, Throttle, {"key": row_key, "failures": 0,
                                                 "window_start": svc.now, "locked_until": None})
        row = svc.session.get(Throttle, row_key, with_for_update=True, populate_existing=True)
        assert row is not None  # inserted above if it was absent
        budget.append((row, amount, window))
    return budget


def _refuse_if_spent(svc: Services, budget: _Budget) -> None:
    until = max((row.locked_until for row, _, _ in budget
                 if row.locked_until is not None and svc.now < row.locked_until), default=None)
    if until is None:
        return
    wait = int((until - svc.now).total_seconds()) + 1
    raise OtpGuessesExhausted(
        f"Too many wrong codes for this account. Codes are refused for {max(1, wait // 60)} "
        "minute(s); then ask for a new code. Meanwhile you can sign in by scanning the QR code "
        "with your activated phone.", retry_after=wait)


def _count_wrong(svc: Services, budget: _Budget) -> None:
    for row, amount, window in budget:
        if not row.failures or svc.now - row.window_start >= window:
            row.failures, row.window_start, row.locked_until = 0, svc.now, None
        row.failures += 1
        if row.failures >= amount:
            row.locked_until = row.window_start + window


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

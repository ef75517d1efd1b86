"""The login transaction and its transitions: pure functions of (transaction, input,
now, rng) -> new transaction. The store persists the result with compare-and-set
on ``version``, so two racing transitions cannot both win (qr-login.md point 8).

Timing (qr-login.md point 2): the QR rotates every ``QR_TTL``; at most
``MAX_ROTATIONS`` times; the whole transaction lives ``LIFETIME``; the redeem
code ``REDEEM_TTL``; an approval must be signed within ``APPROVAL_SKEW`` of now.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Any

from eid.clock import Rng
from eid.qr_login import tokens
from eid.qr_login.errors import (
    AlreadyScanned,
    BadState,
    Expired,
    InvalidQr,
    RedeemInvalid,
    RotationLimit,
    Stale,
    ThumbprintMismatch,
)
from eid.qr_login.states import DenyReason, State

QR_TTL = timedelta(seconds=25)
MAX_ROTATIONS = 8
LIFETIME = timedelta(minutes=4)
DECISION_WINDOW = timedelta(minutes=2)
REDEEM_TTL = timedelta(seconds=30)
APPROVAL_SKEW = timedelta(seconds=60)


@dataclass(frozen=True)
class LoginTransaction:
    id: str
    version: int
    state: State
    created_at: datetime
    expires_at: datetime
    secret_hash: str
    qr_generation: int
    qr_expires_at: datetime
    desktop_jkt: str
    desktop_jwk: dict[str, str]
    cookie_hash: str
    desktop_ip: str
    desktop_ua: str
    service: str
    required_level: int = 1
    qr_ttl_s: int = int(QR_TTL.total_seconds())
    max_rotations: int = MAX_ROTATIONS
    account_id: int | None = None
    device_id: int | None = None
    scanned_at: datetime | None = None
    numbers: list[int] = field(default_factory=list)
    correct_number: int | None = None
    context_hash: str | None = None
    redeem_hash: str | None = None
    redeem_expires_at: datetime | None = None
    deny_reason: DenyReason | None = None
    flags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            key, value = f.name, getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, State | DenyReason):
                value = value.value
            elif isinstance(value, list | dict):
                value = value.copy()  # flat JSON values: a shallow copy keeps the core's own
            out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoginTransaction:
        kw = dict(data)
        for key in ("created_at", "expires_at", "qr_expires_at", "scanned_at", "redeem_expires_at"):
            if kw.get(key):
                kw[key] = datetime.fromisoformat(kw[key])
        kw["state"] = State(kw["state"])
        kw["deny_reason"] = DenyReason(kw["deny_reason"]) if kw.get("deny_reason") else None
        return cls(**kw)


def _next(tx: LoginTransaction, **changes: Any) -> LoginTransaction:
    return replace(tx, version=tx.version + 1, **changes)


@dataclass(frozen=True)
class Timing:
    lifetime: timedelta = LIFETIME
    qr_ttl: timedelta = QR_TTL
    max_rotations: int = MAX_ROTATIONS


def start(tx_id: str, *, desktop_jwk: dict[str, str], cookie_hash: str, ip: str, user_agent: str,
          service: str, now: datetime, rng: Rng, required_level: int = 1,
          timing: Timing = Timing()) -> tuple[LoginTransaction, str]:
    """A new PENDING transaction bound to the desktop's key and pre-login cookie.

    Returns the transaction and the QR secret (never stored in clear).
    """
    secret = tokens.new_secret(rng)
    tx = LoginTransaction(
        id=tx_id, version=1, state=State.PENDING, created_at=now, expires_at=now + timing.lifetime,
        secret_hash=tokens.hash_secret(secret), qr_generation=1,
        qr_expires_at=now + timing.qr_ttl, desktop_jkt=tokens.thumbprint(desktop_jwk),
        desktop_jwk=dict(desktop_jwk), cookie_hash=cookie_hash, desktop_ip=ip,
        desktop_ua=user_agent[:300], service=service, required_level=required_level,
        qr_ttl_s=int(timing.qr_ttl.total_seconds()), max_rotations=timing.max_rotations)
    return tx, secret


def check_live(tx: LoginTransaction, now: datetime) -> None:
    """Raises Expired when the transaction's lifetime is over (or it already expired)."""
    if tx.state is State.EXPIRED or (not tx.state.terminal and now >= tx.expires_at):
        raise Expired()


def expire_if_due(tx: LoginTransaction, now: datetime) -> LoginTransaction:
    if not tx.state.terminal and now >= tx.expires_at:
        return _next(tx, state=State.EXPIRED)
    return tx


def rotate(tx: LoginTransaction, *, now: datetime, rng: Rng) -> tuple[LoginTransaction, str]:
    """A new QR secret; the old one dies at once. Only while PENDING, capped.

    Raises:
        Expired, BadState (already scanned or finished), RotationLimit.
    """
    check_live(tx, now)
    if tx.state is not State.PENDING:
        raise BadState()
    if tx.qr_generation >= tx.max_rotations:
        raise RotationLimit()
    secret = tokens.new_secret(rng)
    new = _next(tx, secret_hash=tokens.hash_secret(secret), qr_generation=tx.qr_generation + 1,
                qr_expires_at=min(now + timedelta(seconds=tx.qr_ttl_s), tx.expires_at))
    return new, secret


def scan(tx: LoginTransaction, secret: str, *, account_id: int, device_id: int, now: datetime,
         rng: Rng) -> LoginTransaction:
    """PENDING -> SCANNED by one phone, with the current QR only (point 3).

    Raises:
        Expired; AlreadyScanned (a second scan, to be flagged); InvalidQr (wrong,
        rotated or expired secret).
    """
    check_live(tx, now)
    if not tokens.same_hash(tx.secret_hash, secret):
        raise InvalidQr()
    if tx.state is not State.PENDING:
        raise AlreadyScanned()
    if now >= tx.qr_expires_at:
        raise InvalidQr()
    numbers, right = tokens.three_numbers(rng)
    return _next(tx, state=State.SCANNED, account_id=account_id, device_id=device_id,
                 scanned_at=now, numbers=numbers, correct_number=numbers[right])


def attach_context(tx: LoginTransaction, context_hash: str) -> LoginTransaction:
    return _next(tx, context_hash=context_hash)


def _check_decision(tx: LoginTransaction, a: tokens.Approval, *, account_id: int, device_id: int,
                    audience: str, now: datetime) -> None:
    check_live(tx, now)
    if tx.state is not State.SCANNED or tx.account_id != account_id or tx.device_id != device_id:
        raise BadState()
    if tx.scanned_at is not None and now - tx.scanned_at > DECISION_WINDOW:
        raise Expired()
    if a.tx != tx.id or a.aud != audience:
        raise BadState("The approval is for another sign-in.")
    if a.thumbprint != tx.desktop_jkt:
        raise ThumbprintMismatch()
    if a.context_hash != tx.context_hash:
        raise BadState("The approval does not sign what the phone was shown.")
    if abs(now - datetime.fromtimestamp(a.iat, tz=now.tzinfo)) > APPROVAL_SKEW:
        raise Stale()


def approve(tx: LoginTransaction, a: tokens.Approval, *, account_id: int, device_id: int,
            account_level: int, audience: str, now: datetime,
            redeem_code: str) -> tuple[LoginTransaction, str | None]:
    """SCANNED -> APPROVED with the one-time ``redeem_code`` (points 4, 5); the wrong
    number or a too-low level ends the transaction as DENIED instead (no code).

    Raises:
        Expired, BadState, ThumbprintMismatch, Stale (before any state change).
    """
    _check_decision(tx, a, account_id=account_id, device_id=device_id, audience=audience, now=now)
    if a.decision != "approve":
        return deny(tx, DenyReason.DECLINED), None
    if a.number != tx.correct_number:
        return deny(tx, DenyReason.WRONG_NUMBER), None
    if account_level < tx.required_level:
        return deny(tx, DenyReason.STEP_UP_REQUIRED), None
    return _next(tx, state=State.APPROVED, redeem_hash=tokens.hash_secret(redeem_code),
                 redeem_expires_at=now + REDEEM_TTL), redeem_code


def check_denial(tx: LoginTransaction, a: tokens.Approval, *, account_id: int, device_id: int,
                 audience: str, now: datetime) -> LoginTransaction:
    """A signed "deny" from the phone."""
    _check_decision(tx, a, account_id=account_id, device_id=device_id, audience=audience, now=now)
    return deny(tx, DenyReason.DECLINED)


def deny(tx: LoginTransaction, reason: DenyReason) -> LoginTransaction:
    if tx.state.terminal:
        raise BadState()
    return _next(tx, state=State.DENIED, deny_reason=reason)


def report(tx: LoginTransaction, *, account_id: int, now: datetime) -> LoginTransaction:
    """"I did not start this": ends any live transaction the phone scanned, flagged."""
    if tx.account_id != account_id:
        raise BadState()
    if tx.state.terminal:
        return _next(tx, flags=[*tx.flags, "reported_after_end"])
    return _next(tx, state=State.DENIED, deny_reason=DenyReason.REPORTED,
                 flags=[*tx.flags, "reported"])


def flag(tx: LoginTransaction, what: str) -> LoginTransaction:
    return _next(tx, flags=[*tx.flags, what])


def redeem(tx: LoginTransaction, code: str, *, cookie_hash: str, signature: str,
           now: datetime) -> LoginTransaction:
    """APPROVED -> CONSUMED by the browser that started it (point 5).

    The browser proves its pre-login cookie and signs ``"<tx>.<code>"`` with the key
    whose thumbprint the QR carried.

    Raises:
        Expired; RedeemInvalid (wrong state, code, cookie or expired code);
        BadSignature (not the desktop's key).
    """
    check_live(tx, now)
    if tx.state is not State.APPROVED or tx.redeem_hash is None or tx.redeem_expires_at is None:
        raise RedeemInvalid()
    if now >= tx.redeem_expires_at:
        raise Expired()
    if not tokens.same_hash(tx.redeem_hash, code) or \
            not hmac.compare_digest(tx.cookie_hash, cookie_hash):
        raise RedeemInvalid()
    tokens.verify_signature(tx.desktop_jwk, f"{tx.id}.{code}".encode(), signature)
    return _next(tx, state=State.CONSUMED, redeem_hash=None)

"""Server-side sessions: a fresh random token at every sign-in, idle and absolute
timeouts, a list of one's sessions, revoke one or all.

The client holds the token (a cookie for pages, a bearer token for the app); the
database holds only its SHA-256, so a leaked table does not sign anyone in.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from eid.accounts.context import Services
from eid.accounts.errors import NotAuthenticated, NotFound, SessionExpired
from eid.models.accounts import Account, WebSession

LAST_SEEN_GRANULARITY = timedelta(seconds=30)


@dataclass(frozen=True)
class NewSession:
    token: str
    session: WebSession


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(svc: Services, account: Account, kind: str = "web") -> NewSession:
    token = base64.urlsafe_b64encode(svc.rng.token_bytes(32)).rstrip(b"=").decode()
    absolute = timedelta(seconds=svc.settings.session_absolute_seconds)
    row = WebSession(
        token_hash=token_hash(token), account_id=account.id, kind=kind, created_at=svc.now,
        last_seen_at=svc.now, expires_at=svc.now + absolute, ip=svc.client.ip[:45],
        user_agent=svc.client.user_agent[:300], browser_id=svc.client.browser_id,
    )
    svc.session.add(row)
    svc.session.flush()
    return NewSession(token, row)


def authenticate(svc: Services, token: str | None) -> tuple[WebSession, Account]:
    """The live session for ``token``, touching its idle clock.

    Raises:
        NotAuthenticated: no token, or not one we issued.
        SessionExpired: revoked, idle too long, or past its absolute lifetime.
    """
    if not token:
        raise NotAuthenticated("Sign in first.")
    row = svc.session.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    if row is None:
        raise NotAuthenticated("Sign in first.")
    if (row.revoked_at is not None or svc.now >= row.expires_at
            or is_idle_expired(row, svc.now, svc.settings.session_idle_seconds)):
        raise SessionExpired("Your session has ended. Sign in again.")
    if svc.now - row.last_seen_at >= LAST_SEEN_GRANULARITY:
        row.last_seen_at = svc.now
        svc.session.flush()
    account = svc.session.get(Account, row.account_id)
    assert account is not None
    return row, account


def list_for(svc: Services, account_id: int) -> list[WebSession]:
    cutoff = idle_cutoff(svc.now, svc.settings.session_idle_seconds)
    rows = svc.session.scalars(
        select(WebSession).where(WebSession.account_id == account_id,
                                 WebSession.revoked_at.is_(None),
                                 WebSession.expires_at > svc.now,
                                 WebSession.last_seen_at >= cutoff)
        .order_by(WebSession.last_seen_at.desc()))
    return list(rows)


def set_web_login(svc: Services, account: Account, enabled: bool) -> None:
    """The app's switch for signing browsers in by QR (off: scans are refused)."""
    account.web_login_enabled = enabled
    svc.audit("settings.web_login", "on" if enabled else "off", actor_account_id=account.id)


def revoke(svc: Services, account_id: int, session_id: int, reason: str = "user") -> WebSession:
    row = svc.session.get(WebSession, session_id)
    if row is None or row.account_id != account_id:
        raise NotFound("No such session.")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_reason = svc.now, reason
        svc.session.flush()
    return row


def revoke_all(svc: Services, account_id: int, reason: str, *, except_id: int | None = None) -> int:
    stmt = update(WebSession).where(WebSession.account_id == account_id,
                                    WebSession.revoked_at.is_(None))
    if except_id is not None:
        stmt = stmt.where(WebSession.id != except_id)
    result = svc.session.execute(stmt.values(revoked_at=svc.now, revoked_reason=reason))
    svc.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def end(svc: Services, row: WebSession) -> None:
    row.revoked_at, row.revoked_reason = svc.now, "signed_out"
    svc.session.flush()


def idle_cutoff(now: datetime, idle_seconds: int) -> datetime:
    """The one idle rule: a session last seen at or after this instant is still live.

    ``authenticate`` (through ``is_idle_expired``) and ``list_for`` (in SQL) both
    use it, so a session that still signs in is always listed, and the reverse.
    """
    return now - timedelta(seconds=idle_seconds)


def is_idle_expired(row: WebSession, now: datetime, idle_seconds: int) -> bool:
    return row.last_seen_at < idle_cutoff(now, idle_seconds)

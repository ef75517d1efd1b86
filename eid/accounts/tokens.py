"""Access and refresh tokens for the phone app.

Access tokens live ``ACCESS_TTL``; refresh tokens rotate: each use returns a new
pair and marks the old refresh token used. Presenting a used refresh token again
means it was copied, so the whole family (that sign-in on that device) is
revoked (OAuth 2.0 Security BCP, refresh token rotation). A family records the
assurance level and, when acting for a company or a dependent, ``act``.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from eid.accounts.context import Services
from eid.accounts.errors import AccountsError, NotAuthenticated, NotFound, SessionExpired
from eid.accounts.proof import Proof
from eid.models.accounts import Account
from eid.models.devices import Device, IssuedToken, TokenFamily

ACCESS_TTL = timedelta(minutes=10)
REFRESH_TTL = timedelta(days=30)
LAST_USED_GRAIN = timedelta(minutes=1)


class RefreshReused(AccountsError):
    error = "refresh_token_reused"
    status = 401
    message = "This refresh token was already used; every token of this sign-in is now revoked."


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    family: TokenFamily

    def as_json(self) -> dict[str, Any]:
        fam = self.family
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "token_type": "DPoP" if fam.device_id else "Bearer",
                "expires_in": self.expires_in, "level": fam.level, "act": fam.act}


@dataclass(frozen=True)
class BoundDevice:
    """The phone a token is bound to, as every request needs it (without loading the
    device's row as an object; ``devices`` has the whole record)."""

    id: int
    jkt: str
    last_used_at: datetime | None


@dataclass
class Authenticated:
    token: IssuedToken
    family: TokenFamily
    account: Account
    device: BoundDevice | None
    proof: Proof | None = None  # the request's verified device-key proof, once checked

    @property
    def device_jwk(self) -> Mapping[str, Any]:
        """The bound phone's public key: the one in the verified proof, whose thumbprint
        is the device's."""
        if self.device is None or self.proof is None or self.proof.jkt != self.device.jkt:
            raise NotAuthenticated("This call needs a device-key proof.")
        return self.proof.jwk

    @property
    def act(self) -> dict[str, str] | None:
        return self.family.act


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new(svc: Services, kind: str, family: TokenFamily, ttl: timedelta) -> str:
    raw = base64.urlsafe_b64encode(svc.rng.token_bytes(32)).rstrip(b"=").decode()
    svc.session.add(IssuedToken(token_hash=_hash(raw), kind=kind, family_id=family.id,
                                issued_at=svc.now, expires_at=svc.now + ttl))
    return raw


def issue(svc: Services, account: Account, device: Device | BoundDevice | None, *,
          act: dict[str, str] | None = None) -> TokenPair:
    """A new family (one sign-in) with its first access and refresh token."""
    family = TokenFamily(account_id=account.id, device_id=device.id if device else None,
                         level=account.level, act=act, created_at=svc.now)
    svc.session.add(family)
    svc.session.flush()
    return _pair(svc, family)


def _pair(svc: Services, family: TokenFamily) -> TokenPair:
    access = _new(svc, "access", family, ACCESS_TTL)
    refresh_token = _new(svc, "refresh", family, REFRESH_TTL)
    svc.session.flush()
    return TokenPair(access, refresh_token, int(ACCESS_TTL.total_seconds()), family)


def _live_family(svc: Services, family_id: int) -> tuple[TokenFamily, Device | None]:
    family = svc.session.get(TokenFamily, family_id)
    if family is None or family.revoked_at is not None:
        raise SessionExpired("This sign-in has been ended. Sign in again.")
    device = None
    if family.device_id is not None:
        device = svc.session.get(Device, family.device_id)
        if device is None or device.deactivated_at is not None:
            raise SessionExpired("This phone is no longer active for the account.")
    return family, device


def authenticate(svc: Services, token: str | None) -> Authenticated:
    """Raises NotAuthenticated (unknown) or SessionExpired (expired or revoked)."""
    if not token:
        raise NotAuthenticated("Send 'Authorization: DPoP <access token>' (or Bearer).")
    found = svc.session.execute(  # one round trip: token, sign-in, account and phone
        select(IssuedToken, TokenFamily, Account, Device.id, Device.jkt, Device.deactivated_at,
               Device.last_used_at)
        .join(TokenFamily, TokenFamily.id == IssuedToken.family_id)
        .join(Account, Account.id == TokenFamily.account_id)
        .outerjoin(Device, Device.id == TokenFamily.device_id)
        .where(IssuedToken.token_hash == _hash(token))).first()
    if found is None or found[0].kind != "access":
        raise NotAuthenticated("Unknown access token.")
    row, family, account, device_id, jkt, deactivated_at, last_used_at = found
    if svc.now >= row.expires_at:
        raise SessionExpired("The access token has expired; use the refresh token.")
    if family.revoked_at is not None:
        raise SessionExpired("This sign-in has been ended. Sign in again.")
    if family.device_id is not None and (device_id is None or deactivated_at is not None):
        raise SessionExpired("This phone is no longer active for the account.")
    device = BoundDevice(device_id, jkt, last_used_at) if device_id is not None else None
    return Authenticated(row, family, account, device)


def touch_device(svc: Services, device: BoundDevice) -> None:
    """Record the phone's last use, at most once per ``LAST_USED_GRAIN``."""
    if device.last_used_at is None or svc.now - device.last_used_at > LAST_USED_GRAIN:
        svc.session.execute(update(Device).where(Device.id == device.id)
                            .values(last_used_at=svc.now))


def refresh(svc: Services, refresh_token: str, *, proof_jkt: str | None) -> TokenPair:
    """Rotate. A reused refresh token revokes its family.

    Raises:
        NotAuthenticated: unknown token. RefreshReused: replay (family revoked).
        SessionExpired: expired, revoked, or the device proof is from another key.
    """
    row = svc.session.scalar(select(IssuedToken).where(IssuedToken.token_hash == _hash(refresh_token)))
    if row is None or row.kind != "refresh":
        raise NotAuthenticated("Unknown refresh token.")
    if row.used_at is not None:
        revoke_family(svc, row.family_id, "refresh_reuse")
        svc.audit("token.refresh", "reuse_detected", details={"family_id": row.family_id})
        raise RefreshReused()
    if svc.now >= row.expires_at:
        raise SessionExpired("The refresh token has expired. Sign in again.")
    family, device = _live_family(svc, row.family_id)
    if device is not None and proof_jkt != device.jkt:
        raise SessionExpired("Refreshing needs a proof signed by this phone's device key.")
    row.used_at = svc.now
    return _pair(svc, family)


def revoke_family(svc: Services, family_id: int, reason: str) -> None:
    svc.session.execute(update(TokenFamily).where(TokenFamily.id == family_id,
                                                  TokenFamily.revoked_at.is_(None))
                        .values(revoked_at=svc.now, revoked_reason=reason))
    svc.session.flush()


def revoke_own_family(svc: Services, account_id: int, family_id: int, reason: str) -> None:
    """Revoke one of this account's app sign-ins (already revoked: nothing changes).

    Raises:
        NotFound: no such family, or it belongs to another account (the same answer,
            so a caller cannot probe other accounts' sign-ins).
    """
    family = svc.session.get(TokenFamily, family_id)
    if family is None or family.account_id != account_id:
        raise NotFound("No such sign-in.")
    revoke_family(svc, family_id, reason)


def revoke_all(svc: Services, account_id: int, reason: str, *, device_id: int | None = None,
               except_family_id: int | None = None) -> int:
    stmt = update(TokenFamily).where(TokenFamily.account_id == account_id,
                                     TokenFamily.revoked_at.is_(None))
    if device_id is not None:
        stmt = stmt.where(TokenFamily.device_id == device_id)
    if except_family_id is not None:
        stmt = stmt.where(TokenFamily.id != except_family_id)
    result = svc.session.execute(stmt.values(revoked_at=svc.now, revoked_reason=reason))
    svc.session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def families_for(svc: Services, account_id: int) -> list[TokenFamily]:
    rows = svc.session.scalars(select(TokenFamily).where(
        TokenFamily.account_id == account_id, TokenFamily.revoked_at.is_(None))
        .order_by(TokenFamily.id.desc()))
    return list(rows)

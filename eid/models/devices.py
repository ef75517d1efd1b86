"""Phone devices bound to an account, the tokens issued to them, and used proof ids."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base
from eid.models.types import UtcDateTime


class Device(Base):
    """A phone's ECDSA P-256 public key. One active device per account (as VNeID)."""

    __tablename__ = "device"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str] = mapped_column(String(20))
    jwk: Mapped[dict[str, str]] = mapped_column(JSON)
    jkt: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    deactivated_reason: Mapped[str | None] = mapped_column(String(40))
    bound_by: Mapped[str] = mapped_column(String(20))  # first | old_device_code | chip


class TokenFamily(Base):
    """One sign-in on one device: its refresh tokens rotate within the family, and
    a reused refresh token revokes the whole family."""

    __tablename__ = "token_family"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    act: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class IssuedToken(Base):
    """An access or refresh token; only its SHA-256 is stored."""

    __tablename__ = "issued_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # access | refresh
    family_id: Mapped[int] = mapped_column(ForeignKey("token_family.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class UsedProof(Base):
    """Proof ids (``jti``) already seen, kept until the proof would be stale anyway."""

    __tablename__ = "used_proof"

    jti: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

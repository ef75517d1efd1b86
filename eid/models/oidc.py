"""Tables of the OpenID provider: relying parties, signing keys, consents, grants
(refresh-token families), spent refresh tokens, subjects, and the short-lived
records (codes, PAR request_uris, pending authorizations) kept here when there is
no Redis."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base
from eid.models.types import UtcDateTime


class OidcClient(Base):
    """A relying party. Only the SHA-256 of a confidential client's secret is kept."""

    __tablename__ = "oidc_client"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    auth_method: Mapped[str] = mapped_column(String(40))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    backchannel_logout_uri: Mapped[str | None] = mapped_column(String(500))
    require_par: Mapped[bool] = mapped_column(Boolean, default=False)
    dpop_bound: Mapped[bool] = mapped_column(Boolean, default=False)
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OidcSigningKey(Base):
    """A token-signing key: ``next`` (published, not yet used), ``current`` (signs),
    ``retired`` (published until the tokens it signed have expired). The private key
    is encrypted (Fernet, a key derived from the app's secret)."""

    __tablename__ = "oidc_signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), index=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OidcConsent(Base):
    """The claims a person let one relying party read (remembered, revocable)."""

    __tablename__ = "oidc_consent"
    __table_args__ = (UniqueConstraint("account_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oidc_client.client_id", ondelete="CASCADE"))
    claims: Mapped[list[str]] = mapped_column(JSON, default=list)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OidcGrant(Base):
    """What one authorization code issued: a refresh-token family (the current token's
    hash), bound to a web session (``sid``) and, with DPoP, to a key (``dpop_jkt``)."""

    __tablename__ = "oidc_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oidc_client.client_id", ondelete="CASCADE"),
                                           index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    web_session_id: Mapped[int | None] = mapped_column(ForeignKey("web_session.id"), index=True)
    sid: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(500))
    claims: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    acr: Mapped[str] = mapped_column(String(10))
    amr: Mapped[list[str]] = mapped_column(JSON, default=list)
    auth_time: Mapped[datetime] = mapped_column(UtcDateTime())
    act: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dpop_jkt: Mapped[str | None] = mapped_column(String(64))
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    logged_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OidcSpentRefresh(Base):
    """A refresh token that was exchanged already: presented again, its family dies."""

    __tablename__ = "oidc_spent_refresh"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("oidc_grant.id", ondelete="CASCADE"), index=True)
    spent_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OidcSubject(Base):
    """The opaque ``sub`` of an account (random, never the ID number)."""

    __tablename__ = "oidc_subject"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    sub: Mapped[str] = mapped_column(String(43), unique=True)


class OidcEphemeral(Base):
    """Single-use, short-lived records (codes, request_uris, pending authorizations,
    client-assertion ids) when no Redis is configured; only hashes as keys."""

    __tablename__ = "oidc_ephemeral"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

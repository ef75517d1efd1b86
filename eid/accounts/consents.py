"""The person's connected services: the relying parties (portals signing in through
eid's OpenID provider) they agreed to share details with, and withdrawing that consent.

One use case for the account page (``eid.oidc.pages``) and the phone API
(``eid.mobile_api.connected_services``), which may not import each other: withdrawing
marks the remembered consent revoked and revokes every grant the client holds for the
person (refresh tokens stop at once; access tokens are checked against their grant), so
the next sign-in at that service asks again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from eid.accounts.context import Services
from eid.accounts.errors import NotFound
from eid.models.oidc import OidcClient, OidcConsent, OidcGrant


@dataclass(frozen=True)
class ConnectedService:
    client_id: str
    name: str
    claims: tuple[str, ...]
    granted_at: datetime


def list_for(svc: Services, account_id: int) -> list[ConnectedService]:
    """The services holding a standing consent of the person's, newest first."""
    rows = svc.session.execute(
        select(OidcConsent, OidcClient).join(OidcClient, OidcClient.client_id == OidcConsent.client_id)
        .where(OidcConsent.account_id == account_id, OidcConsent.revoked_at.is_(None))
        .order_by(OidcConsent.granted_at.desc(), OidcConsent.id.desc())).all()
    return [ConnectedService(c.client_id, c.name, tuple(k.claims), k.granted_at) for k, c in rows]


def withdraw(svc: Services, account_id: int, client_id: str, *, via: str) -> int:
    """End the consent given to ``client_id`` and revoke its grants; the number revoked.

    Raises:
        NotFound: the person has no standing consent with that service.
    """
    row = svc.session.scalar(select(OidcConsent).where(
        OidcConsent.account_id == account_id, OidcConsent.client_id == client_id,
        OidcConsent.revoked_at.is_(None)))
    if row is None:
        raise NotFound("No such connected service.")
    row.revoked_at = svc.now
    result = svc.session.execute(
        update(OidcGrant).where(OidcGrant.account_id == account_id, OidcGrant.client_id == client_id,
                                OidcGrant.revoked_at.is_(None))
        .values(revoked_at=svc.now, revoked_reason="consent_revoked", refresh_hash=None))
    revoked = int(result.rowcount or 0)  # type: ignore[attr-defined]
    svc.audit("oidc.consent", "revoked", actor_account_id=account_id,
              details={"client_id": client_id, "grants": revoked, "via": via})
    svc.session.flush()
    return revoked

"""Codes, grants and tokens (RFC 6749 §4.1.2-§4.1.4 and §6, RFC 7636, RFC 9449, RFC 7009,
RFC 7662). A code is single-use and lives ``code_seconds``; presenting it again revokes
the grant it issued. Refresh tokens rotate; a spent one presented again revokes its
whole family. Tokens bound to a DPoP key (``cnf.jkt``) need a proof by that key."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from eid.models.accounts import WebSession
from eid.models.oidc import OidcClient, OidcGrant, OidcSpentRefresh
from eid.oidc import tokens
from eid.oidc.context import Context
from eid.oidc.errors import InvalidDpopProof, InvalidGrant, InvalidToken, UnauthorizedClient
from eid.oidc.request import AuthRequest, verifier_matches


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _ts(t: datetime) -> int:
    return int(t.timestamp())


@dataclass(frozen=True)
class Approved:
    """The outcome of a finished authorization, kept with its code."""

    request: AuthRequest
    account_id: int
    sub: str
    web_session_id: int
    auth_time: datetime
    acr: str
    amr: tuple[str, ...]
    released: tuple[str, ...]
    act: Mapping[str, str] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"request": self.request.as_json(), "account_id": self.account_id, "sub": self.sub,
                "web_session_id": self.web_session_id, "auth_time": _ts(self.auth_time), "acr": self.acr,
                "amr": list(self.amr), "released": list(self.released), "act": dict(self.act or {}) or None}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Approved:
        from datetime import UTC

        return cls(AuthRequest.from_json(d["request"]), d["account_id"], d["sub"], d["web_session_id"],
                   datetime.fromtimestamp(d["auth_time"], tz=UTC), d["acr"], tuple(d["amr"]),
                   tuple(d["released"]), d.get("act"))


def issue_code(ctx: Context, approved: Approved) -> str:
    code = ctx.token()
    ctx.store.put("code", code, approved.as_json(), ctx.settings.code_seconds, ctx.now)
    return code


@dataclass(frozen=True)
class Issued:
    grant: OidcGrant
    access_token: str
    refresh_token: str
    id_token: str | None
    token_type: str
    expires_in: int

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"access_token": self.access_token, "token_type": self.token_type,
                               "expires_in": self.expires_in, "refresh_token": self.refresh_token,
                               "scope": self.grant.scope}
        if self.id_token:
            out["id_token"] = self.id_token
        return out


def redeem_code(ctx: Context, client: OidcClient, form: Mapping[str, str], *, dpop_jkt: str | None,
                id_claims: Mapping[str, Any]) -> Issued:
    """Exchange a code (§4.1.3).

    Raises:
        InvalidGrant: unknown, expired or spent code (a spent one revokes its grant),
            another client's, another redirect_uri, PKCE failure, session ended.
        InvalidDpopProof: the code is bound to a DPoP key and the proof is by another.
    """
    code = form.get("code") or ""
    data = ctx.store.take("code", code, ctx.now) if code else None
    if data is None:
        spent = ctx.store.get("code-spent", code, ctx.now) if code else None
        if spent is not None:
            revoke_grant(ctx, int(spent["grant_id"]), "code_replayed")
            ctx.audit("oidc.code", "replayed", details={"grant_id": spent["grant_id"]})
        raise InvalidGrant("The code is unknown, has expired or was used already.")
    approved = Approved.from_json(data)
    req = approved.request
    if req.client_id != client.client_id:
        raise InvalidGrant("The code was issued to another client.")
    if form.get("redirect_uri") != req.redirect_uri:
        raise InvalidGrant("redirect_uri must be the one of the authorization request.")
    if req.code_challenge is not None:
        if not verifier_matches(req.code_challenge, form.get("code_verifier")):
            raise InvalidGrant("The PKCE code_verifier does not match.")
    elif form.get("code_verifier"):
        raise InvalidGrant("No code_challenge was sent with the authorization request.")
    if req.dpop_jkt is not None and dpop_jkt != req.dpop_jkt:
        raise InvalidDpopProof("The code is bound to another DPoP key.")
    web = ctx.session.get(WebSession, approved.web_session_id)
    if web is None or web.revoked_at is not None:
        raise InvalidGrant("The sign-in this code came from has ended.")
    grant = OidcGrant(
        client_id=client.client_id, account_id=approved.account_id, web_session_id=approved.web_session_id,
        sid=ctx.sid_for(approved.web_session_id), scope=" ".join(req.scope),
        claims={"request": req.claims.as_json(), "released": list(approved.released)},
        acr=approved.acr, amr=list(approved.amr), auth_time=approved.auth_time, act=approved.act,
        dpop_jkt=dpop_jkt, created_at=ctx.now,
        expires_at=ctx.now + timedelta(seconds=ctx.settings.refresh_seconds), generation=0)
    ctx.session.add(grant)
    ctx.session.flush()
    ctx.store.put("code-spent", code, {"grant_id": grant.id}, ctx.settings.code_seconds * 10, ctx.now)
    ctx.audit("oidc.token", "code", actor_account_id=approved.account_id,
              details={"client_id": client.client_id, "grant_id": grant.id, "acr": approved.acr})
    return _issue(ctx, grant, approved.sub, id_claims={**id_claims, "nonce": req.nonce})


def _issue(ctx: Context, grant: OidcGrant, sub: str, *, id_claims: Mapping[str, Any] | None) -> Issued:
    refresh = ctx.token()
    grant.refresh_hash = _h(refresh)
    ctx.session.flush()
    access = access_token(ctx, grant, sub)
    id_token = None
    if id_claims is not None:
        id_token = _id_token(ctx, grant, sub, access, id_claims)
    token_type = "DPoP" if grant.dpop_jkt else "Bearer"
    return Issued(grant, access, refresh, id_token, token_type, ctx.settings.access_seconds)


def access_token(ctx: Context, grant: OidcGrant, sub: str) -> str:
    claims: dict[str, Any] = {
        "iss": ctx.issuer, "sub": sub, "aud": ctx.issuer, "client_id": grant.client_id,
        "scope": grant.scope, "jti": ctx.token(16), "iat": _ts(ctx.now),
        "exp": _ts(ctx.now) + ctx.settings.access_seconds, "auth_time": _ts(grant.auth_time),
        "acr": grant.acr, "amr": list(grant.amr), "sid": grant.sid, "gid": grant.id,
    }
    if grant.dpop_jkt:
        claims["cnf"] = {"jkt": grant.dpop_jkt}
    if grant.act:
        claims["act"] = dict(grant.act)
    return tokens.sign(ctx, claims, typ="at+jwt")


def _id_token(ctx: Context, grant: OidcGrant, sub: str, access: str, extra: Mapping[str, Any]) -> str:
    claims: dict[str, Any] = {
        "iss": ctx.issuer, "sub": sub, "aud": grant.client_id, "azp": grant.client_id,
        "iat": _ts(ctx.now), "exp": _ts(ctx.now) + ctx.settings.id_token_seconds,
        "auth_time": _ts(grant.auth_time), "acr": grant.acr, "amr": list(grant.amr), "sid": grant.sid,
        "at_hash": tokens.half_hash(access),
    }
    claims.update({k: v for k, v in extra.items() if v is not None and k not in claims})
    return tokens.sign(ctx, claims, typ="JWT")


def refresh(ctx: Context, client: OidcClient, form: Mapping[str, str], *, dpop_jkt: str | None,
            sub_of: Any) -> Issued:
    """Rotate a refresh token (§6); a spent one revokes its family.

    Raises:
        InvalidGrant: unknown, spent, revoked or expired, another client's, session ended.
        InvalidDpopProof: the family is bound to a DPoP key and the proof is missing or by another.
    """
    token = form.get("refresh_token") or ""
    h = _h(token)
    grant = ctx.session.scalar(select(OidcGrant).where(OidcGrant.refresh_hash == h)) if token else None
    if grant is None:
        spent = ctx.session.get(OidcSpentRefresh, h) if token else None
        if spent is not None:
            revoke_grant(ctx, spent.grant_id, "refresh_reused")
            ctx.audit("oidc.refresh", "reused", details={"grant_id": spent.grant_id})
        raise InvalidGrant("The refresh token is unknown or was used already.")
    if grant.client_id != client.client_id:
        raise InvalidGrant("The refresh token was issued to another client.")
    if grant.revoked_at is not None or grant.expires_at <= ctx.now:
        raise InvalidGrant("The refresh token has been revoked or has expired.")
    if grant.dpop_jkt is not None and dpop_jkt != grant.dpop_jkt:
        raise InvalidDpopProof("This refresh token is bound to a DPoP key: send a proof by it.")
    if "scope" in form and not set(form["scope"].split()) <= set(grant.scope.split()):
        raise InvalidGrant("A refresh cannot widen the scope.")
    won = ctx.session.execute(update(OidcGrant).where(OidcGrant.id == grant.id, OidcGrant.refresh_hash == h)
                              .values(refresh_hash=None, generation=grant.generation + 1))
    if not won.rowcount:  # type: ignore[attr-defined]
        raise InvalidGrant("The refresh token was used already.")
    ctx.session.add(OidcSpentRefresh(token_hash=h, grant_id=grant.id, spent_at=ctx.now))
    ctx.session.flush()
    ctx.session.refresh(grant)
    return _issue(ctx, grant, sub_of(grant.account_id), id_claims=None)


def revoke_grant(ctx: Context, grant_id: int, reason: str) -> None:
    ctx.session.execute(update(OidcGrant).where(OidcGrant.id == grant_id, OidcGrant.revoked_at.is_(None))
                        .values(revoked_at=ctx.now, revoked_reason=reason, refresh_hash=None))
    ctx.session.flush()


def check_grant_type(client: OidcClient, grant_type: str) -> None:
    if grant_type not in ("authorization_code", "refresh_token"):
        raise UnauthorizedClient()


@dataclass(frozen=True)
class AccessToken:
    claims: dict[str, Any]
    grant: OidcGrant


def authenticate_access(ctx: Context, token: str) -> AccessToken:
    """A live access token whose grant still stands.

    Raises:
        InvalidToken: bad signature, wrong type, expired, revoked, grant revoked.
    """
    claims = tokens.verify_live(ctx, token, typ="at+jwt")
    grant = ctx.session.get(OidcGrant, claims.get("gid")) if isinstance(claims.get("gid"), int) else None
    if grant is None or grant.revoked_at is not None:
        raise InvalidToken("The access token has been revoked.")
    if ctx.store.get("revoked-at", str(claims.get("jti")), ctx.now) is not None:
        raise InvalidToken("The access token has been revoked.")
    return AccessToken(claims, grant)


def revoke_token(ctx: Context, client: OidcClient, token: str, hint: str | None) -> None:
    """RFC 7009: a refresh token revokes its family; an access token is blocked until it
    expires. Unknown tokens and other clients' tokens are ignored (§2.2)."""
    grant = ctx.session.scalar(select(OidcGrant).where(OidcGrant.refresh_hash == _h(token)))
    if grant is not None:
        if grant.client_id == client.client_id:
            revoke_grant(ctx, grant.id, "revoked_by_client")
        return
    try:
        claims = tokens.verify(ctx, token, typ="at+jwt")
    except InvalidToken:
        return
    if claims.get("client_id") == client.client_id:
        ttl = max(1, int(claims.get("exp", 0)) - _ts(ctx.now) + 5)
        ctx.store.put("revoked-at", str(claims.get("jti")), {}, ttl, ctx.now)


def introspect(ctx: Context, client: OidcClient, token: str) -> dict[str, Any]:
    """RFC 7662 §2.2: ``active`` and, for this client's live tokens, what they carry."""
    if not token:
        return {"active": False}
    grant = ctx.session.scalar(select(OidcGrant).where(OidcGrant.refresh_hash == _h(token)))
    if grant is not None:
        if grant.client_id != client.client_id or grant.revoked_at is not None or grant.expires_at <= ctx.now:
            return {"active": False}
        return {"active": True, "token_type": "refresh_token", "client_id": grant.client_id,
                "scope": grant.scope, "exp": _ts(grant.expires_at), "iat": _ts(grant.created_at),
                "acr": grant.acr, "iss": ctx.issuer}
    try:
        at = authenticate_access(ctx, token)
    except InvalidToken:
        return {"active": False}
    if at.claims.get("client_id") != client.client_id:
        return {"active": False}
    keep = ("iss", "sub", "aud", "client_id", "scope", "jti", "iat", "exp", "auth_time", "acr", "amr",
            "sid", "cnf", "act")
    return {"active": True, "token_type": "DPoP" if at.grant.dpop_jkt else "Bearer",
            **{k: at.claims[k] for k in keep if k in at.claims}}


def grants_of_session(ctx: Context, web_session_id: int) -> list[OidcGrant]:
    return list(ctx.session.scalars(select(OidcGrant).where(OidcGrant.web_session_id == web_session_id,
                                                            OidcGrant.logged_out_at.is_(None))))

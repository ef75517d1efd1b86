"""Relying parties: registration by the operator (``flask oidc client ...``) and client
authentication at the token, PAR, revocation and introspection endpoints
(RFC 6749 §2.3.1 ``client_secret_basic`` / ``client_secret_post``, RFC 7523 §2.2 and
OpenID Connect Core §9 ``private_key_jwt``; public clients send only ``client_id``)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from eid.models.oidc import OidcClient
from eid.oidc.errors import InvalidClient, InvalidRequest
from eid.oidc.request import ClientInfo

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGS = ("ES256", "RS256", "PS256")
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")


class ClientError(InvalidRequest):
    error = "invalid_client_metadata"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_uri(uri: str, what: str, *, allow_http_loopback: bool = True) -> str:
    parts = urlsplit(uri)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment:
        raise ClientError(f"{what} must be an absolute http(s) URL without a fragment: {uri!r}")
    if parts.scheme == "http" and not (loopback and allow_http_loopback):
        raise ClientError(f"{what} must use https (http only on a loopback address): {uri!r}")
    return uri


def add(session: Session, now: datetime, *, name: str, redirect_uris: Sequence[str], public: bool = False,
        require_par: bool = False, dpop: bool = False, post_logout_uris: Sequence[str] = (),
        backchannel_logout_uri: str | None = None, jwks: Mapping[str, Any] | None = None,
        client_id: str | None = None) -> tuple[OidcClient, str | None]:
    """Register a client; returns it and its secret (shown once; None for public or
    ``private_key_jwt`` clients).

    Raises:
        ClientError: no redirect URI, a bad URI, or a bad JWKS.
    """
    if not name.strip() or not redirect_uris:
        raise ClientError("A client needs a name and at least one redirect URI.")
    uris = [_check_uri(u, "redirect_uri") for u in redirect_uris]
    logout = [_check_uri(u, "post_logout_redirect_uri") for u in post_logout_uris]
    bcl = _check_uri(backchannel_logout_uri, "backchannel_logout_uri") if backchannel_logout_uri else None
    if jwks is not None:
        try:
            KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ClientError("The client's JWKS is not valid.") from exc
    secret = None if public or jwks is not None else secrets.token_urlsafe(32)
    method = "none" if public else ("private_key_jwt" if jwks is not None else "client_secret_basic")
    row = OidcClient(client_id=client_id or secrets.token_urlsafe(16), name=name.strip()[:200], public=public,
                     secret_hash=secret_hash(secret) if secret else None, auth_method=method,
                     redirect_uris=uris, post_logout_redirect_uris=logout, backchannel_logout_uri=bcl,
                     require_par=require_par, dpop_bound=dpop, jwks=dict(jwks) if jwks else None,
                     created_at=now)
    session.add(row)
    session.flush()
    return row, secret


def rotate_secret(session: Session, client: OidcClient, now: datetime) -> str:
    if client.public or client.jwks is not None:
        raise ClientError("Only clients that authenticate with a secret have one to rotate.")
    secret = secrets.token_urlsafe(32)
    client.secret_hash, client.secret_rotated_at = secret_hash(secret), now
    session.flush()
    return secret


def as_json(c: OidcClient, secret: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "client_id": c.client_id, "client_name": c.name,
        "token_endpoint_auth_method": c.auth_method, "redirect_uris": list(c.redirect_uris),
        "post_logout_redirect_uris": list(c.post_logout_redirect_uris),
        "backchannel_logout_uri": c.backchannel_logout_uri,
        "require_pushed_authorization_requests": c.require_par,
        "dpop_bound_access_tokens": c.dpop_bound, "public": c.public,
        "created_at": c.created_at.isoformat(),
    }
    if secret is not None:
        out["client_secret"] = secret
    return out


def info(c: OidcClient) -> ClientInfo:
    return ClientInfo(c.client_id, c.name, c.public, tuple(c.redirect_uris), c.require_par, c.dpop_bound)


def find(session: Session, client_id: str | None) -> OidcClient | None:
    if not client_id or len(client_id) > 64:
        return None
    return session.get(OidcClient, client_id)


def all_clients(session: Session) -> list[OidcClient]:
    return list(session.scalars(select(OidcClient).order_by(OidcClient.created_at)))


@dataclass(frozen=True)
class Credentials:
    """What the request carried: the Authorization header and the form."""

    authorization: str
    form: Mapping[str, str]


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidClient("The Basic credentials are not valid base64.") from exc
    cid, sep, secret = raw.partition(":")
    if not sep:
        raise InvalidClient("The Basic credentials need client_id:client_secret.")
    return unquote(cid), unquote(secret)  # RFC 6749 §2.3.1: form-urlencoded first


def authenticate(session: Session, creds: Credentials, *, now: datetime, audiences: Sequence[str],
                 jti_unused: Callable[[str, int], bool]) -> OidcClient:
    """The client the request authenticates as.

    Raises:
        InvalidClient: unknown client, wrong secret, a bad assertion, or two methods at once.
    """
    basic = _basic(creds.authorization)
    form = creds.form
    methods = [m for m, present in (("basic", basic), ("post", form.get("client_secret")),
                                    ("jwt", form.get("client_assertion"))) if present]
    if len(methods) > 1:
        raise InvalidClient("Use one client authentication method.")
    if basic:
        return _by_secret(session, basic[0], basic[1], form.get("client_id"))
    if form.get("client_secret"):
        return _by_secret(session, form.get("client_id") or "", form["client_secret"], None)
    if form.get("client_assertion"):
        return _by_assertion(session, form, now=now, audiences=audiences, jti_unused=jti_unused)
    client = find(session, form.get("client_id"))
    if client is None or not client.public:
        raise InvalidClient("Authenticate the client (client_secret_basic, client_secret_post or "
                            "private_key_jwt).")
    return client


def _by_secret(session: Session, client_id: str, secret: str, form_id: str | None) -> OidcClient:
    client = find(session, client_id)
    if form_id and form_id != client_id:
        raise InvalidClient("client_id does not match the authenticated client.")
    expected = client.secret_hash if client is not None else secret_hash("dummy")
    ok = hmac.compare_digest(secret_hash(secret), expected or "")
    if client is None or not ok or client.secret_hash is None:
        raise InvalidClient()
    return client


def _by_assertion(session: Session, form: Mapping[str, str], *, now: datetime, audiences: Sequence[str],
                  jti_unused: Callable[[str, int], bool]) -> OidcClient:
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise InvalidClient("client_assertion_type must be " + ASSERTION_TYPE)
    assertion = form["client_assertion"]
    cid = _claimed_issuer(assertion)  # which keys to try; the signature is checked next
    client = find(session, cid)
    if client is None or not client.jwks:
        raise InvalidClient("Unknown client, or it has no registered keys.")
    try:
        token = jwt.decode(assertion, KeySet.import_key_set(client.jwks), algorithms=ASSERTION_ALGS)
    except (JoseError, ValueError) as exc:
        raise InvalidClient("The client assertion's signature is not valid.") from exc
    c = token.claims
    aud = c.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    exp = c.get("exp")
    if c.get("iss") != client.client_id or c.get("sub") != client.client_id:
        raise InvalidClient("The assertion's iss and sub must be the client_id.")
    if not any(a in audiences for a in auds):
        raise InvalidClient("The assertion's aud must be the token endpoint or the issuer.")
    if not isinstance(exp, int | float) or exp <= now.timestamp() or exp > now.timestamp() + 600:
        raise InvalidClient("The assertion has expired or lives too long (10 minutes at most).")
    jti = c.get("jti")
    if not isinstance(jti, str) or not jti or not jti_unused(f"{client.client_id}:{jti}",
                                                            int(exp - now.timestamp()) + 60):
        raise InvalidClient("The assertion needs a jti that was not used before.")
    if form.get("client_id") and form["client_id"] != client.client_id:
        raise InvalidClient("client_id does not match the assertion.")
    return client


def _claimed_issuer(assertion: str) -> str | None:
    import json

    try:
        body = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError):
        raise InvalidClient("The client assertion is not a signed JWT.") from None
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return sub if isinstance(sub, str) else None

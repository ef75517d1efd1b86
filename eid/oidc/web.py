"""The provider's request plumbing: the blueprint, the per-request :class:`Context`, the
shared store, client authentication from the request, DPoP proofs, and OAuth error
responses (RFC 6749 §5.2 bodies, RFC 6750 §3 ``WWW-Authenticate``)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from eid.accounts import proof
from eid.models.oidc import OidcClient
from eid.oidc import clients
from eid.oidc.context import Context, OidcSettings
from eid.oidc.errors import InvalidClient, InvalidDpopProof, OidcError
from eid.oidc.keys import KeyRing
from eid.oidc.store import RedisStore, SqlStore, Store
from eid.web.db import db
from eid.web.unit_of_work import mark_expected_error, parts, services

bp = Blueprint("oidc", __name__, template_folder=None)
JSON_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def issuer() -> str:
    return str(current_app.config.get("OIDC_ISSUER") or current_app.config["PUBLIC_URL"]).rstrip("/")


def store() -> Store:
    app = current_app
    found: Store | None = app.extensions.get("eid.oidc_store")
    if found is None:
        if app.config.get("REDIS_URL"):
            import redis

            found = RedisStore(redis.Redis.from_url(app.config["REDIS_URL"]),
                               app.config.get("RATELIMIT_KEY_PREFIX", "eid") + ":oidc:")
        else:
            found = SqlStore(lambda: db.session())
        app.extensions["eid.oidc_store"] = found
    return found


def keyring() -> KeyRing:
    ring: KeyRing | None = current_app.extensions.get("eid.oidc_keys")
    if ring is None:
        ring = KeyRing(current_app.config["SECRET_KEY"].encode())
        current_app.extensions["eid.oidc_keys"] = ring
    return ring


def context() -> Context:
    svc = services()  # opens the request's unit of work: commit or roll back at its end
    return Context(session=svc.session, now=svc.now, rng=svc.rng, issuer=issuer(), keyring=keyring(),
                   store=store(), key=svc.key, settings=OidcSettings.from_config(current_app.config),
                   audit=svc.audit, defer=svc.defer)


def oauth_error(exc: OidcError, status: int | None = None) -> Response:
    """``{"error", "error_description"}`` (and the house's ``message``), never cached."""
    mark_expected_error()  # the operation finished its own writes (a revoked family stays revoked)
    resp = jsonify({"error": exc.error, "error_description": exc.detail_message,
                    "message": exc.detail_message})
    resp.status_code = status or exc.status
    resp.headers.update(JSON_HEADERS)
    basic = request.headers.get("Authorization", "").lower().startswith("basic")
    if isinstance(exc, InvalidClient) and basic:
        resp.headers["WWW-Authenticate"] = 'Basic realm="eid"'
    return resp


def no_store(payload: dict[str, Any], status: int = 200) -> Response:
    resp = jsonify(payload)
    resp.status_code = status
    resp.headers.update(JSON_HEADERS)
    return resp


def form() -> dict[str, str]:
    """The POST form, each parameter once (RFC 6749 §3.1: a repeated one is refused)."""
    from eid.oidc.errors import InvalidRequest

    out: dict[str, str] = {}
    for key in request.form:
        values = request.form.getlist(key)
        if len(values) > 1:
            raise InvalidRequest(f"The parameter {key} is repeated.")
        out[key] = values[0]
    return out


def authenticate_client(ctx: Context, data: dict[str, str]) -> OidcClient:
    endpoints = [ctx.issuer, ctx.endpoint(request.path), request.base_url]
    return clients.authenticate(
        ctx.session, clients.Credentials(request.headers.get("Authorization", ""), data), now=ctx.now,
        audiences=endpoints, jti_unused=lambda k, ttl: ctx.store.add("assertion", k, ttl, ctx.now))


def request_url() -> str:
    if current_app.config.get("TRUST_PUBLIC_URL"):
        return issuer() + request.path
    return f"{request.scheme}://{request.host}{request.path}"


def dpop_proof(ctx: Context, *, access_token: str | None = None, expected_jkt: str | None = None,
               required: bool = False) -> str | None:
    """The DPoP proof's key thumbprint (RFC 9449 §4.3), checked with the phone's verifier.

    Raises:
        InvalidDpopProof: a bad proof, or none where one is required.
    """
    header = request.headers.getlist("DPoP")
    if len(header) > 1:
        raise InvalidDpopProof("Send one DPoP proof.")
    if not header:
        if required:
            raise InvalidDpopProof("This client's tokens are DPoP-bound: send a DPoP proof.")
        return None
    try:
        p = proof.verify(header[0], method=request.method, url=request_url(), now=ctx.now,
                         seen=lambda k, exp: not ctx.store.add(
                             "dpop", k, int((exp - ctx.now).total_seconds()) + 1, ctx.now),
                         access_token=access_token, expected_jkt=expected_jkt)
    except proof.ProofError as exc:
        raise InvalidDpopProof(exc.detail_message) from exc
    return p.jkt


def redirect_with(uri: str, params: dict[str, str | None]) -> Response:
    from flask import redirect

    query = urlencode({k: v for k, v in params.items() if v is not None})
    return redirect(uri + ("&" if "?" in uri else "?") + query, code=302)


def clock_now() -> Any:
    return parts().clock.now()

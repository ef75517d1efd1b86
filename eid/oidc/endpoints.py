"""The machine-facing endpoints: discovery (OpenID Connect Discovery 1.0, RFC 8414), JWKS,
PAR (RFC 9126), token (RFC 6749 §3.2, §4.1.3, §6; RFC 9449), userinfo (Core §5.3),
revocation (RFC 7009) and introspection (RFC 7662). Each parses, calls one operation and
serialises; every failure is an OAuth error body, never a 500."""
from __future__ import annotations

from typing import Any

from flask import Response, request

from eid.oidc import acr as acr_rules
from eid.oidc import claims as claim_rules
from eid.oidc import clients, grants, people
from eid.oidc import request as auth_request
from eid.oidc.errors import (
    InvalidClient,
    InvalidRequest,
    InvalidToken,
    OidcError,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from eid.oidc.web import (
    authenticate_client,
    bp,
    context,
    dpop_proof,
    form,
    no_store,
    oauth_error,
)
from eid.web.ratelimit import limiter
from eid.web.unit_of_work import services

SIGNING_ALGS = ["ES256", "RS256"]


def metadata(issuer: str) -> dict[str, Any]:
    e = issuer.rstrip("/")
    return {
        "issuer": e,
        "authorization_endpoint": f"{e}/oidc/authorize",
        "pushed_authorization_request_endpoint": f"{e}/oidc/par",
        "token_endpoint": f"{e}/oidc/token",
        "userinfo_endpoint": f"{e}/oidc/userinfo",
        "jwks_uri": f"{e}/oidc/jwks",
        "revocation_endpoint": f"{e}/oidc/revoke",
        "introspection_endpoint": f"{e}/oidc/introspect",
        "end_session_endpoint": f"{e}/oidc/logout",
        "scopes_supported": list(claim_rules.SUPPORTED_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": SIGNING_ALGS,
        "userinfo_signing_alg_values_supported": SIGNING_ALGS,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": list(clients.ASSERTION_ALGS),
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                       "private_key_jwt", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                          "private_key_jwt"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid",
                             "azp", "at_hash", *claim_rules.SUPPORTED_CLAIMS],
        "claims_parameter_supported": True,
        "claim_types_supported": ["normal"],
        "acr_values_supported": list(acr_rules.SUPPORTED),
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "display_values_supported": ["page", "popup", "touch", "wap"],
        "ui_locales_supported": ["vi", "en"],
        "claims_locales_supported": ["vi"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": True,
        "require_request_uri_registration": True,
        "require_pushed_authorization_requests": False,
        "authorization_response_iss_parameter_supported": True,
        "dpop_signing_alg_values_supported": ["ES256"],
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "frontchannel_logout_supported": False,
        "verified_claims_supported": True,
        "trust_frameworks_supported": [claim_rules.TRUST_FRAMEWORK],
        "evidence_supported": ["electronic_record", "document"],
        "documents_supported": ["idcard"],
        "claims_in_verified_claims_supported": list(claim_rules.VERIFIABLE),
        "service_documentation": f"{e}/oidc/docs",
    }


@bp.get("/.well-known/openid-configuration")
@bp.get("/.well-known/oauth-authorization-server")
def discovery() -> Response:
    resp = no_store(metadata(context().issuer))
    resp.headers["Cache-Control"] = "public, max-age=300"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


@bp.get("/oidc/jwks")
def jwks() -> Response:
    resp = no_store(context().ring.jwks)
    resp.headers["Cache-Control"] = "public, max-age=60"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return resp


def _token_limit() -> str:
    from flask import current_app

    return str(current_app.config.get("OIDC_TOKEN_RATE_LIMIT", "600/minute"))


@bp.post("/oidc/par")
@limiter.limit(_token_limit)
def par() -> Response:
    ctx = context()
    try:
        data = form()
        client = authenticate_client(ctx, data)
        jkt = dpop_proof(ctx, required=False)
        if data.get("request_uri"):
            raise InvalidRequest("request_uri is not allowed in a pushed request.")
        params = {k: v for k, v in data.items() if not k.startswith(("client_assertion", "client_secret"))}
        params["client_id"] = client.client_id
        try:
            auth_request.parse(params, clients.info(client), via_par=True, dpop_jkt=jkt)
        except auth_request.RedirectableError as exc:
            raise exc.error from exc
        uri = auth_request.PAR_PREFIX + ctx.token()
        ctx.store.put("par", uri, {"params": params, "dpop_jkt": jkt, "client_id": client.client_id},
                      ctx.settings.par_seconds, ctx.now)
        return no_store({"request_uri": uri, "expires_in": ctx.settings.par_seconds}, 201)
    except OidcError as exc:
        return oauth_error(exc)


@bp.post("/oidc/token")
@limiter.limit(_token_limit)
def token() -> Response:
    ctx = context()
    try:
        data = form()
        client = authenticate_client(ctx, data)
        grant_type = data.get("grant_type")
        if not grant_type:
            raise InvalidRequest("grant_type is required.")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise UnsupportedGrantType()
        jkt = dpop_proof(ctx, required=client.dpop_bound)
        if grant_type == "authorization_code":
            if not data.get("code"):
                raise InvalidRequest("code is required.")
            issued = grants.redeem_code(ctx, client, data, dpop_jkt=jkt, id_claims=_id_claims(ctx, data))
        else:
            if not data.get("refresh_token"):
                raise InvalidRequest("refresh_token is required.")
            issued = grants.refresh(ctx, client, data, dpop_jkt=jkt,
                                    sub_of=lambda aid: people.sub_for(ctx.session, aid, ctx.rng))
        return no_store(issued.as_json())
    except OidcError as exc:
        return oauth_error(exc)


def _id_claims(ctx: Any, data: dict[str, str]) -> dict[str, Any]:
    """Claims asked for the ID token (``claims.id_token``) that the person allowed, read
    before the code is spent: the code's record names them."""
    peek = ctx.store.get("code", data.get("code", ""), ctx.now)
    if peek is None:
        return {}
    approved = grants.Approved.from_json(peek)
    names = [n for n in approved.request.claims.id_token if n not in claim_rules.PROTOCOL_CLAIMS]
    if not names and not approved.act:
        return {}
    from eid.models.accounts import Account

    account = ctx.session.get(Account, approved.account_id)
    if account is None:
        return {}
    person = people.person(ctx.session, account, services().registries.population, ctx.rng, act=approved.act)
    spec = approved.request.claims.id_token.get(claim_rules.VERIFIED)
    out = claim_rules.release(person, names, approved.released, verified_spec=spec)
    out.pop("sub", None)
    if approved.act:
        out["act"] = dict(approved.act)
    return out


def _bearer() -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    body = request.form.get("access_token") if request.method == "POST" else None
    if request.args.get("access_token"):
        raise InvalidRequest("Send the access token in the Authorization header or the POST body.")
    if header and body:
        raise InvalidRequest("Send the access token once.")
    if body:
        return "bearer", body
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in ("bearer", "dpop") or not value.strip():
        raise InvalidToken("Send 'Authorization: Bearer <token>' (or DPoP).")
    return scheme.lower(), value.strip()


@bp.route("/oidc/userinfo", methods=["GET", "POST"])
def userinfo() -> Response:
    ctx = context()
    try:
        scheme, tok = _bearer()
        at = grants.authenticate_access(ctx, tok)
        if at.grant.dpop_jkt:
            if scheme != "dpop":
                raise InvalidToken("This token is DPoP-bound: send 'Authorization: DPoP <token>' "
                                   "and a proof.")
            dpop_proof(ctx, access_token=tok, expected_jkt=at.grant.dpop_jkt, required=True)
        from eid.models.accounts import Account

        account = ctx.session.get(Account, at.grant.account_id)
        if account is None:
            raise InvalidToken("The account is gone.")
        person = people.person(ctx.session, account, services().registries.population, ctx.rng,
                               act=at.grant.act)
        req = claim_rules.ClaimsRequest(**{k: v for k, v in (at.grant.claims.get("request") or {}).items()
                                           if k in ("userinfo", "id_token")})
        names = {c for s in at.grant.scope.split() for c in claim_rules.SCOPE_CLAIMS.get(s, ())}
        names |= {n for n in req.userinfo if n in claim_rules.SUPPORTED_CLAIMS}
        released = at.grant.claims.get("released") or []
        spec = req.userinfo.get(claim_rules.VERIFIED)
        out = claim_rules.release(person, names, released, verified_spec=spec)
        return no_store(out)
    except InvalidRequest as exc:
        return _resource_error(exc, 400)
    except OidcError as exc:
        return _resource_error(exc, exc.status if exc.status in (401, 403) else 401)


def _resource_error(exc: OidcError, status: int) -> Response:
    resp = oauth_error(exc, status)
    scheme = "DPoP" if request.headers.get("Authorization", "").lower().startswith("dpop") else "Bearer"
    desc = exc.detail_message.replace('"', "'")
    resp.headers["WWW-Authenticate"] = (f'{scheme} realm="eid", error="{exc.error}", '
                                        f'error_description="{desc}"')
    return resp


@bp.post("/oidc/revoke")
@limiter.limit(_token_limit)
def revoke() -> Response:
    ctx = context()
    try:
        data = form()
        client = authenticate_client(ctx, data)
        if not data.get("token"):
            raise InvalidRequest("token is required.")
        grants.revoke_token(ctx, client, data["token"], data.get("token_type_hint"))
        return no_store({})
    except OidcError as exc:
        return oauth_error(exc)


@bp.post("/oidc/introspect")
@limiter.limit(_token_limit)
def introspect() -> Response:
    ctx = context()
    try:
        data = form()
        client = authenticate_client(ctx, data)
        if client.public:
            raise UnauthorizedClient("Public clients may not introspect tokens.")
        if not data.get("token"):
            raise InvalidRequest("token is required.")
        return no_store(grants.introspect(ctx, client, data["token"]))
    except OidcError as exc:
        return oauth_error(exc)


__all__ = ["InvalidClient", "bp", "metadata"]

"""The browser-facing endpoints: authorization (GET and POST, PAR ``request_uri``), the
hand-off to eid's sign-in pages and back, the consent page, the level-2 page, RP-initiated
logout (OpenID Connect RP-Initiated Logout 1.0) and the person's connected services."""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from flask import Response, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from eid.accounts import consents, sessions
from eid.accounts.errors import NotFound
from eid.models.accounts import Account
from eid.models.oidc import OidcClient, OidcConsent
from eid.oidc import acr as acr_rules
from eid.oidc import claims as claim_rules
from eid.oidc import clients, flow, grants, people, tokens
from eid.oidc import consent as consent_rules
from eid.oidc import request as auth_request
from eid.oidc.context import Context
from eid.oidc.errors import (
    AccessDenied,
    InvalidRequest,
    InvalidRequestUri,
    InvalidToken,
    OidcError,
    UnmetAuthenticationRequirements,
)
from eid.oidc.web import bp, context, redirect_with
from eid.web.auth import clear_session_cookie, current
from eid.web.unit_of_work import mark_expected_error, services

BROWSER_COOKIE = "eid_oidc"
RESUME_PREFIX = "/oidc/authorize/resume?p="


def _origin(uri: str) -> str:
    return "{0.scheme}://{0.netloc}".format(urlsplit(uri))


@bp.after_app_request
def _sign_in_form_may_end_at_the_client(resp: Response) -> Response:
    """While a sign-in for a pending authorization runs on eid's own pages (the password,
    OTP and QR pages keep ``/oidc/authorize/resume?p=...`` as the flask session's
    ``next``), their forms' redirect chain ends at that request's checked
    ``redirect_uri``: Chromium applies ``form-action`` to every hop of a form's
    redirects, so the portal's ``form-action 'self'`` would stop the last one. Only the
    origin of that one pending request's registered redirect URI is added."""
    nxt = session.get("next") if resp.mimetype == "text/html" and "next" in session else None
    if not isinstance(nxt, str) or not nxt.startswith(RESUME_PREFIX):
        return resp
    ctx = context()
    data = ctx.store.get("pending", nxt[len(RESUME_PREFIX):].split("&")[0], ctx.now)
    if data is not None:
        g.csp_form_action = (_origin(auth_request.AuthRequest.from_json(data["request"]).redirect_uri),)
    return resp


def _params() -> dict[str, str]:
    src = request.form if request.method == "POST" else request.args
    return {k: src.get(k, "") for k in src if k != "csrf_token"}


def _error_page(exc: OidcError, status: int = 400) -> Response:
    mark_expected_error()
    body = render_template("oidc/error.html", error=exc.error, message=_(exc.detail_message))
    return make_response(body, status)


def _back_with_error(ctx: Context, exc: OidcError, redirect_uri: str, state: str | None) -> Response:
    mark_expected_error()
    return redirect_with(redirect_uri, {"error": exc.error, "error_description": exc.detail_message,
                                        "state": state, "iss": ctx.issuer})


def _browser_binding() -> tuple[str, bool]:
    value = request.cookies.get(BROWSER_COOKIE)
    return (value, False) if value and len(value) <= 64 else (secrets.token_urlsafe(24), True)


def _bind(resp: Response, value: str, new: bool) -> Response:
    if new:
        from flask import current_app

        resp.set_cookie(BROWSER_COOKIE, value, httponly=True, samesite="Lax", path="/oidc",
                        secure=current_app.config["COOKIE_SECURE"], max_age=3600)
    return resp


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@bp.route("/oidc/authorize", methods=["GET", "POST"])
def authorize() -> Response:
    ctx = context()
    params = _params()
    client = clients.find(ctx.session, params.get("client_id"))
    via_par, jkt = False, None
    try:
        if params.get("request_uri", "").startswith(auth_request.PAR_PREFIX) and client is not None:
            pushed = ctx.store.take("par", params["request_uri"], ctx.now)
            if pushed is None or pushed["client_id"] != client.client_id:
                raise InvalidRequestUri()  # shown, not redirected: no checked redirect_uri yet
            params, via_par, jkt = pushed["params"], True, pushed.get("dpop_jkt")
        req = auth_request.parse(params, clients.info(client) if client else None, via_par=via_par,
                                 dpop_jkt=jkt)
    except auth_request.RedirectableError as exc:
        return _back_with_error(ctx, exc.error, exc.redirect_uri, exc.state)
    except OidcError as exc:
        return _error_page(exc)
    binding, new = _browser_binding()
    pending = ctx.token(24)
    me = current()
    ctx.store.put("pending", pending, {"request": req.as_json(), "session": me[0].id if me else None,
                                       "browser": _h(binding)}, ctx.settings.pending_seconds, ctx.now)
    return _bind(_continue(ctx, pending, req, me[0].id if me else None), binding, new)


@bp.get("/oidc/authorize/resume")
def resume() -> Response:
    ctx = context()
    pending = request.args.get("p", "")
    data = ctx.store.get("pending", pending, ctx.now) if pending else None
    binding = request.cookies.get(BROWSER_COOKIE) or ""
    if data is None or data.get("browser") != _h(binding):
        return _error_page(InvalidRequest("This sign-in request has expired. Go back to the service "
                                          "and start again."))
    req = auth_request.AuthRequest.from_json(data["request"])
    return _continue(ctx, pending, req, data.get("session"))


def _signed_in(ctx: Context) -> tuple[Any, Account, flow.SignedIn] | None:
    me = current()
    if me is None:
        return None
    ws, account = me
    method = acr_rules.method_of(ws.kind)
    who = flow.SignedIn(account.id, account.id_number, people.sub_for(ctx.session, account.id, ctx.rng),
                        account.level, method, ws.created_at, ws.id)
    return ws, account, who


def _hint_sub(ctx: Context, req: auth_request.AuthRequest) -> str | None:
    if not req.id_token_hint:
        return None
    try:
        claims = tokens.verify(ctx, req.id_token_hint, typ=None)  # an expired hint still names the person
    except InvalidToken as exc:
        raise InvalidRequest("id_token_hint is not an ID token issued here.") from exc
    aud = claims.get("aud")
    if req.client_id not in (aud if isinstance(aud, list) else [aud]):
        raise InvalidRequest("id_token_hint was issued to another client.")
    return str(claims.get("sub"))


def _remembered(ctx: Context, account_id: int, client_id: str) -> list[str] | None:
    row = ctx.session.query(OidcConsent).filter_by(account_id=account_id, client_id=client_id).one_or_none()
    return list(row.claims) if row is not None and row.revoked_at is None else None


def _continue(ctx: Context, pending: str, req: auth_request.AuthRequest,
              session_at_request: int | None) -> Response:
    me = _signed_in(ctx)
    who = me[2] if me else None
    try:
        hint = _hint_sub(ctx, req)
        step = flow.next_step(req, who, now=ctx.now, session_at_request=session_at_request, hint_sub=hint,
                              remembered=_remembered(ctx, who.account_id, req.client_id) if who else None)
    except UnmetAuthenticationRequirements as exc:
        if "none" in req.prompt:
            return _back_with_error(ctx, exc, req.redirect_uri, req.state)
        return _unmet_page(ctx, req, exc)
    except OidcError as exc:
        return _back_with_error(ctx, exc, req.redirect_uri, req.state)
    if isinstance(step, flow.Login):
        return _to_login(ctx, pending, req, step, who, session_at_request)
    if isinstance(step, flow.Consent):
        return _consent_page(ctx, pending, req, step.names)
    assert me is not None and isinstance(step, flow.Issue)
    return _finish(ctx, pending, req, me, step.acr, step.released)


def _to_login(ctx: Context, pending: str, req: auth_request.AuthRequest, step: flow.Login,
              who: flow.SignedIn | None, session_at_request: int | None) -> Response:
    if step.reason == "step_up" and who is not None and who.session_id != session_at_request:
        return _unmet_page(ctx, req, None)  # signed in again since the request, still not strong enough
    args: dict[str, str] = {"next": url_for("oidc.resume", p=pending)}
    if step.reason != "signed_out":
        args["reauth"] = "1"
    args["tab"] = "qr" if step.strong else ("password" if req.login_hint else "qr")
    if req.login_hint:
        args["login_hint"] = req.login_hint[:12]
    lang = next((loc.split("-")[0] for loc in req.ui_locales if loc.split("-")[0] in ("vi", "en")), None)
    if lang:
        args["lang"] = lang
    return redirect(url_for("portal.login", **args))


def _client_row(ctx: Context, client_id: str) -> OidcClient:
    row = ctx.session.get(OidcClient, client_id)
    assert row is not None
    return row


def _consent_page(ctx: Context, pending: str, req: auth_request.AuthRequest,
                  names: frozenset[str]) -> Response:
    client = _client_row(ctx, req.client_id)
    essential = req.claims.essential()
    body = render_template("oidc/consent.html", client=client, pending=pending,
                           labels=[_(label) for label in claim_rules.labels(names)],
                           essential=[_(label) for label in claim_rules.labels(names & essential)],
                           full_id=claim_rules.NATIONAL_SCOPE in req.scope)
    resp = make_response(body)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(req.redirect_uri))
    resp.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"frame-ancestors 'none'; form-action 'self' {origin}; base-uri 'none'")
    return resp


@bp.post("/oidc/consent")
def consent() -> Response:
    ctx = context()
    pending = request.form.get("p", "")
    data = ctx.store.get("pending", pending, ctx.now) if pending else None
    if data is None or data.get("browser") != _h(request.cookies.get(BROWSER_COOKIE) or ""):
        return _error_page(InvalidRequest("This sign-in request has expired. Go back to the service "
                                          "and start again."))
    req = auth_request.AuthRequest.from_json(data["request"])
    me = _signed_in(ctx)
    if me is None:
        return redirect(url_for("oidc.resume", p=pending))
    if request.form.get("decision") != "allow":
        ctx.store.take("pending", pending, ctx.now)
        ctx.audit("oidc.consent", "denied", actor_account_id=me[1].id, details={"client_id": req.client_id})
        return _back_with_error(ctx, AccessDenied("The person declined to share the information."),
                                req.redirect_uri, req.state)
    names = claim_rules.requested(req.scope, req.claims)
    _remember(ctx, me[1].id, req.client_id, names)
    ctx.audit("oidc.consent", "granted", actor_account_id=me[1].id,
              details={"client_id": req.client_id, "claims": sorted(claim_rules.needs_consent(names))})
    return _continue(ctx, pending, req.without_prompt("consent", "login"), data.get("session"))


def _remember(ctx: Context, account_id: int, client_id: str, names: set[str]) -> None:
    row = ctx.session.query(OidcConsent).filter_by(account_id=account_id, client_id=client_id).one_or_none()
    if row is None:
        row = OidcConsent(account_id=account_id, client_id=client_id, claims=[], granted_at=ctx.now)
        ctx.session.add(row)
    before = row.claims if row.revoked_at is None else []
    row.claims, row.granted_at, row.revoked_at = consent_rules.merged(before, names), ctx.now, None
    ctx.session.flush()


def _finish(ctx: Context, pending: str, req: auth_request.AuthRequest, me: tuple[Any, Account, flow.SignedIn],
            acr: str, released: frozenset[str]) -> Response:
    ws, account, who = me
    remembered = set(_remembered(ctx, account.id, req.client_id) or ())
    allowed = tuple(sorted(n for n in released if n in remembered or n not in claim_rules.needs_consent({n})))
    approved = grants.Approved(req, account.id, who.sub, ws.id, ws.created_at, acr,
                               tuple(acr_rules.amr(who.method)), allowed)
    code = grants.issue_code(ctx, approved)
    ctx.store.take("pending", pending, ctx.now)
    ctx.audit("oidc.authorize", "code", actor_account_id=account.id,
              details={"client_id": req.client_id, "acr": acr, "par": req.via_par})
    return redirect_with(req.redirect_uri, {"code": code, "state": req.state, "iss": ctx.issuer})


def _unmet_page(ctx: Context, req: auth_request.AuthRequest, exc: OidcError | None) -> Response:
    mark_expected_error()
    error = exc or UnmetAuthenticationRequirements(
        "A level-2 sign-in with the QR code on the phone is needed.")
    client = _client_row(ctx, req.client_id)
    back = req.redirect_uri + ("&" if "?" in req.redirect_uri else "?")
    from urllib.parse import urlencode

    back += urlencode({k: v for k, v in {"error": error.error, "error_description": error.detail_message,
                                         "state": req.state, "iss": ctx.issuer}.items() if v is not None})
    me = current()
    level = me[1].level if me else None
    body = render_template("oidc/unmet.html", client=client, back=back, level=level,
                           strong_only=exc is None, login_url=url_for("portal.login", tab="qr", reauth="1"))
    resp = make_response(body, 403)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(req.redirect_uri))
    resp.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
        f"form-action 'self' {origin}; base-uri 'none'")
    return resp


# -- RP-initiated logout -------------------------------------------------------

@bp.route("/oidc/logout", methods=["GET", "POST"])
def end_session() -> Response:
    ctx = context()
    params = _params()
    claims: Mapping[str, Any] | None = None
    try:
        if params.get("id_token_hint"):
            try:
                claims = tokens.verify(ctx, params["id_token_hint"], typ=None)
            except InvalidToken as exc:
                raise InvalidRequest("id_token_hint is not an ID token issued here.") from exc
        aud = claims.get("aud") if claims else None
        client_id = params.get("client_id") or (aud[0] if isinstance(aud, list) else aud)
        auds = aud if isinstance(aud, list) else [aud]
        if claims and params.get("client_id") and params["client_id"] not in auds:
            raise InvalidRequest("client_id does not match the id_token_hint.")
        client = clients.find(ctx.session, client_id) if client_id else None
        target = params.get("post_logout_redirect_uri")
        if target and (client is None or target not in client.post_logout_redirect_uris):
            raise InvalidRequest("post_logout_redirect_uri is not registered for this client.")
    except OidcError as exc:
        return _error_page(exc)
    me = current()
    matches = me is not None and claims is not None and \
        people.sub_for(ctx.session, me[1].id, ctx.rng) == claims.get("sub")
    if me is not None and not matches and request.method == "GET":
        body = render_template("oidc/logout.html", client=client, params=params)
        return make_response(body)
    return _signed_out(ctx, me, target, params.get("state"))


@bp.post("/oidc/confirm-logout")
def confirm_logout() -> Response:
    ctx = context()
    params = _params()
    client = clients.find(ctx.session, params.get("client_id"))
    target = params.get("post_logout_redirect_uri")
    if target and (client is None or target not in client.post_logout_redirect_uris):
        target = None
    if request.form.get("decision") != "logout":
        return redirect(url_for("portal.account"))
    return _signed_out(ctx, current(), target, params.get("state"))


def _signed_out(ctx: Context, me: Any, target: str | None, state: str | None) -> Response:
    if me is not None:
        sessions.end(services(), me[0])
        ctx.audit("signout", "ok", actor_account_id=me[1].id, details={"via": "oidc"})
    resp = redirect_with(target, {"state": state}) if target else \
        make_response(render_template("oidc/signed_out.html"))
    clear_session_cookie(resp)
    return resp


# -- connected services ---------------------------------------------------------

@bp.get("/account/connected-services")
def connected() -> Response:
    me = current()
    if me is None:
        return redirect(url_for("portal.login", next=request.path))
    items = [{"client": s, "labels": [_(x) for x in claim_rules.labels(s.claims)]}
             for s in consents.list_for(services(), me[1].id)]
    return make_response(render_template("oidc/connected.html", items=items))


@bp.post("/account/connected-services/<client_id>/revoke")
def revoke_consent(client_id: str) -> Response:
    me = current()
    if me is None:
        return redirect(url_for("portal.login"))
    with suppress(NotFound):  # withdrawn already (another tab, the phone): the list says so
        consents.withdraw(services(), me[1].id, client_id, via="account_page")
    return redirect(url_for("oidc.connected"))

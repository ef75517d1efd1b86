"""Sign-in with ID number + password + OTP, refreshing the tokens, and signing out."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from eid.accounts import otp, sessions, signin, tokens
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated, device_for_signin, request_proof
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import challenge_json, token_response
from eid.mobile_api.spec import endpoint
from eid.models.accounts import Account
from eid.web import captcha
from eid.web.unit_of_work import services


@bp.post("/signin/start")
@endpoint(S.SigninStart, S.ChallengeOut, tags=("signin",),
          summary="ID number + password; an OTP goes to the registered phone",
          errors=("invalid_input", "captcha_invalid", "invalid_credentials", "account_locked"))
def signin_start(body: dict[str, Any]) -> Any:
    captcha.verify(body.pop("captcha_id"), body.pop("captcha"))
    id_number, password = signin.parse_credentials(body)
    return jsonify(challenge_json(signin.start(services(), id_number, password)))


@bp.post("/signin/resend")
@endpoint(S.ChallengeRef, S.ChallengeOut, tags=("signin",), summary="Send a new sign-in OTP",
          errors=("resend_too_soon", "otp_expired"))
def signin_resend(body: dict[str, Any]) -> Any:
    return jsonify(challenge_json(otp.resend(services(), body["challenge_id"], "signin")))


@bp.post("/signin/verify")
@endpoint(S.OtpIn, S.TokenOut, tags=("signin",), summary="Confirm the OTP; returns a session token",
          errors=("otp_invalid", "otp_expired", "otp_locked"))
def signin_verify(body: dict[str, Any]) -> Any:
    svc = services()
    account = signin.confirm_app(svc, body["challenge_id"], body["code"])
    device = device_for_signin(account)
    if device is None:
        signin.notify_new_device(svc, account)
    pair = tokens.issue(svc, account, device)
    return jsonify(token_response(pair, account))


@bp.post("/token/refresh")
@endpoint(S.RefreshIn, S.TokenOut, tags=("signin",),
          summary="Rotate the refresh token (with a DPoP proof once the phone is activated)",
          errors=("refresh_token_reused", "session_expired", "not_authenticated"))
def refresh(body: dict[str, Any]) -> Any:
    svc = services()
    jkt = request_proof().jkt if request.headers.get("DPoP") else None
    pair = tokens.refresh(svc, body["refresh_token"], proof_jkt=jkt)
    account = svc.session.get_one(Account, pair.family.account_id)
    return jsonify(token_response(pair, account))


@bp.post("/signout")
@endpoint(None, S.Ok, auth=True, tags=("session",), summary="End this sign-in on this phone",
          errors=("not_authenticated", "session_expired"))
def signout() -> Any:
    auth = authenticated()
    tokens.revoke_family(services(), auth.family.id, "signed_out")
    services().audit("signout", "ok", actor_account_id=auth.account.id)
    return jsonify({"ok": True})


@bp.post("/signout/everywhere")
@endpoint(None, S.Ok, auth=True, tags=("session",),
          summary="Sign out everywhere: every app sign-in and every web session",
          errors=("not_authenticated", "device_key_required"))
def signout_everywhere() -> Any:
    auth = authenticated(sensitive=True)
    svc = services()
    ended = tokens.revoke_all(svc, auth.account.id, "signout_everywhere")
    ended += sessions.revoke_all(svc, auth.account.id, "signout_everywhere")
    svc.audit("signout.everywhere", "ok", actor_account_id=auth.account.id,
              details={"ended": ended})
    return jsonify({"ok": True, "sessions_ended": ended})

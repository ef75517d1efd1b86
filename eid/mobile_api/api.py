"""``/api/mobile/v1``: the portal's flows as JSON for the phone app.

Every error is ``{"error": code, "message": text}`` (see eid.app.errors); the
OpenAPI document at ``/api/openapi.json`` is generated from the ``@endpoint``
metadata below.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from eid.accounts import devices, otp, recovery, sessions, signin, signup, tokens
from eid.accounts.phones import mask_phone
from eid.app.services import services
from eid.app.views import captcha_views
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated, request_proof
from eid.mobile_api.spec import endpoint
from eid.models.accounts import Account

bp = Blueprint("mobile_api", __name__, url_prefix="/api/mobile/v1")


def _challenge(issued: otp.Issued, masked: str | None = None) -> dict[str, Any]:
    return {"challenge_id": issued.challenge_id, "masked_phone": masked or issued.masked_phone,
            "expires_at": issued.expires_at.isoformat(), "resend_at": issued.resend_at.isoformat()}


def account_json(a: Any) -> dict[str, Any]:
    return {"id": a.id, "id_number": a.id_number, "full_name": a.full_name,
            "phone_masked": mask_phone(a.phone), "email": a.email, "level": a.level,
            "created_at": a.created_at.isoformat()}


def token_response(pair: tokens.TokenPair, account: Any) -> dict[str, Any]:
    return {**pair.as_json(), "account": account_json(account)}


def device_for_signin(account: Any) -> Any:
    """The account's active phone if this sign-in carries a proof by its key."""
    if not request.headers.get("DPoP"):
        return None
    p = request_proof()
    device = devices.active_device(services(), account.id)
    return device if device is not None and device.jkt == p.jkt else None


@bp.post("/captcha")
@endpoint(None, S.CaptchaOut, summary="A new captcha (image, with an audio alternative)",
          tags=("captcha",))
def new_captcha() -> Any:
    c = captcha_views.new()
    return jsonify({"captcha_id": c.id, "image_png_base64": c.image_data_uri.split(",", 1)[1],
                    "audio_url": c.audio_url})


# -- sign-up -----------------------------------------------------------------

@bp.post("/signup/start")
@endpoint(S.SignupStart, S.ChallengeOut, status=202, tags=("signup",),
          summary="Start sign-up; an OTP goes to the phone only if every detail matches",
          errors=("invalid_input", "captcha_invalid", "rate_limited"))
def signup_start(body: dict[str, Any]) -> Any:
    captcha_views.verify(body.pop("captcha_id"), body.pop("captcha"))
    req = signup.parse_request(body)
    issued = signup.start(services(), req)
    return jsonify(_challenge(issued, mask_phone(req.phone))), 202


@bp.post("/signup/resend")
@endpoint(S.ChallengeRef, S.ChallengeOut, tags=("signup",), summary="Send a new sign-up OTP",
          errors=("resend_too_soon", "otp_expired"))
def signup_resend(body: dict[str, Any]) -> Any:
    return jsonify(_challenge(otp.resend(services(), body["challenge_id"], "signup")))


@bp.post("/signup/verify")
@endpoint(S.OtpIn, S.Ok, tags=("signup",), summary="Confirm the sign-up OTP",
          errors=("otp_invalid", "otp_expired", "otp_locked", "already_registered"))
def signup_verify(body: dict[str, Any]) -> Any:
    signup.confirm_otp(services(), body["challenge_id"], body["code"])
    return jsonify({"ok": True, "next": "set_password"})


@bp.post("/signup/complete")
@endpoint(S.PasswordIn, S.AccountOut, status=201, tags=("signup",),
          summary="Set the password and create the level-1 account",
          errors=("weak_password", "invalid_input", "otp_expired", "already_registered"))
def signup_complete(body: dict[str, Any]) -> Any:
    account = signup.complete(services(), body["challenge_id"], body["password"], body["confirm"])
    return jsonify(account_json(account)), 201


# -- sign-in -----------------------------------------------------------------

@bp.post("/signin/start")
@endpoint(S.SigninStart, S.ChallengeOut, tags=("signin",),
          summary="ID number + password; an OTP goes to the registered phone",
          errors=("invalid_input", "captcha_invalid", "invalid_credentials", "account_locked"))
def signin_start(body: dict[str, Any]) -> Any:
    captcha_views.verify(body.pop("captcha_id"), body.pop("captcha"))
    id_number, password = signin.parse_credentials(body)
    return jsonify(_challenge(signin.start(services(), id_number, password)))


@bp.post("/signin/resend")
@endpoint(S.ChallengeRef, S.ChallengeOut, tags=("signin",), summary="Send a new sign-in OTP",
          errors=("resend_too_soon", "otp_expired"))
def signin_resend(body: dict[str, Any]) -> Any:
    return jsonify(_challenge(otp.resend(services(), body["challenge_id"], "signin")))


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
    account = svc.session.get(Account, pair.family.account_id)
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


# -- password ----------------------------------------------------------------

@bp.post("/password/forgot/start")
@endpoint(S.ForgotStart, S.ChallengeOut, status=202, tags=("password",),
          summary="Forgot password: ID + phone; an OTP goes to the phone on record if they match",
          errors=("invalid_input", "captcha_invalid", "rate_limited"))
def forgot_start(body: dict[str, Any]) -> Any:
    captcha_views.verify(body.pop("captcha_id"), body.pop("captcha"))
    id_number, phone = recovery.parse_request(body)
    issued = recovery.start(services(), id_number, phone)
    return jsonify(_challenge(issued, mask_phone(phone))), 202


@bp.post("/password/forgot/resend")
@endpoint(S.ChallengeRef, S.ChallengeOut, tags=("password",), summary="Send a new reset OTP",
          errors=("resend_too_soon", "otp_expired"))
def forgot_resend(body: dict[str, Any]) -> Any:
    return jsonify(_challenge(otp.resend(services(), body["challenge_id"], "reset")))


@bp.post("/password/forgot/verify")
@endpoint(S.OtpIn, S.Ok, tags=("password",), summary="Confirm the reset OTP",
          errors=("otp_invalid", "otp_expired", "otp_locked"))
def forgot_verify(body: dict[str, Any]) -> Any:
    recovery.confirm_otp(services(), body["challenge_id"], body["code"])
    return jsonify({"ok": True, "next": "set_password"})


@bp.post("/password/forgot/complete")
@endpoint(S.PasswordIn, S.Ok, tags=("password",),
          summary="Set the new password; every session is signed out",
          errors=("weak_password", "invalid_input", "otp_expired"))
def forgot_complete(body: dict[str, Any]) -> Any:
    recovery.complete(services(), body["challenge_id"], body["password"], body["confirm"])
    return jsonify({"ok": True, "next": "sign_in"})


@bp.post("/password/change")
@endpoint(S.ChangePassword, S.Ok, auth=True, tags=("password",),
          summary="Change the password; other sessions are signed out",
          errors=("weak_password", "invalid_input", "not_authenticated"))
def change_password(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    ended = recovery.change(services(), auth.account, body["current"], body["password"],
                            body["confirm"], keep_session_id=None, keep_family_id=auth.family.id)
    return jsonify({"ok": True, "sessions_ended": ended})


# -- the signed-in account ---------------------------------------------------

@bp.get("/me")
@endpoint(None, S.AccountOut, auth=True, tags=("account",), summary="The signed-in account",
          errors=("not_authenticated", "session_expired"))
def me() -> Any:
    auth = authenticated()
    return jsonify({**account_json(auth.account), "act": auth.act,
                    "device_id": auth.device.id if auth.device else None})


@bp.get("/sessions")
@endpoint(None, S.SessionList, auth=True, tags=("session",), summary="My sessions",
          errors=("not_authenticated",))
def list_sessions() -> Any:
    auth = authenticated()
    svc = services()
    web = [{"id": r.id, "kind": r.kind, "created_at": r.created_at.isoformat(),
            "last_seen_at": r.last_seen_at.isoformat(), "ip": r.ip, "user_agent": r.user_agent,
            "current": False} for r in sessions.list_for(svc, auth.account.id)]
    app = [{"id": f.id, "kind": "app", "created_at": f.created_at.isoformat(),
            "device_id": f.device_id, "act": f.act, "current": f.id == auth.family.id}
           for f in tokens.families_for(svc, auth.account.id)]
    return jsonify({"sessions": web, "app_sessions": app})


@bp.delete("/sessions/<int:session_id>")
@endpoint(None, S.Ok, auth=True, tags=("session",), summary="Revoke one of my sessions",
          errors=("not_authenticated", "not_found"))
def revoke_session(session_id: int) -> Any:
    account = authenticated().account
    sessions.revoke(services(), account.id, session_id)
    services().audit("session.revoke", "ok", actor_account_id=account.id,
                     details={"session_id": session_id})
    return jsonify({"ok": True})




@bp.delete("/app-sessions/<int:family_id>")
@endpoint(None, S.Ok, auth=True, tags=("session",), summary="Sign out one of my app sign-ins",
          errors=("not_authenticated", "not_found"))
def revoke_app_session(family_id: int) -> Any:
    from eid.accounts.errors import NotFound
    from eid.models.devices import TokenFamily

    auth = authenticated()
    svc = services()
    family = svc.session.get(TokenFamily, family_id)
    if family is None or family.account_id != auth.account.id:
        raise NotFound("No such sign-in.")
    tokens.revoke_family(svc, family_id, "user")
    svc.audit("app_session.revoke", "ok", actor_account_id=auth.account.id,
              details={"family_id": family_id})
    return jsonify({"ok": True})


from eid.mobile_api import (  # noqa: E402,F401 - routes
    acting_api,
    chip_api,
    devices_api,
    qr_api,
    registration_api,
)

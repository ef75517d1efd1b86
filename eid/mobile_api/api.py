"""``/api/mobile/v1``: the portal's flows as JSON for the phone app.

Every error is ``{"error": code, "message": text}`` (see eid.app.errors); the
OpenAPI document at ``/api/openapi.json`` is generated from the ``@endpoint``
metadata below.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from eid.accounts import otp, recovery, sessions, signin, signup
from eid.accounts.errors import NotAuthenticated
from eid.accounts.phones import mask_phone
from eid.app.services import services
from eid.app.views import captcha_views
from eid.mobile_api import schemas as S
from eid.mobile_api.spec import endpoint

bp = Blueprint("mobile_api", __name__, url_prefix="/api/mobile/v1")


def _challenge(issued: otp.Issued, masked: str | None = None) -> dict[str, Any]:
    return {"challenge_id": issued.challenge_id, "masked_phone": masked or issued.masked_phone,
            "expires_at": issued.expires_at.isoformat(), "resend_at": issued.resend_at.isoformat()}


def account_json(a: Any) -> dict[str, Any]:
    return {"id": a.id, "id_number": a.id_number, "full_name": a.full_name,
            "phone_masked": mask_phone(a.phone), "email": a.email, "level": a.level,
            "created_at": a.created_at.isoformat()}


def bearer() -> tuple[Any, Any]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise NotAuthenticated("Send 'Authorization: Bearer <access token>'.")
    return sessions.authenticate(services(), header[7:].strip())


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
    result = signin.confirm(services(), body["challenge_id"], body["code"], kind="mobile")
    return jsonify({"access_token": result.session.token, "token_type": "Bearer",
                    "expires_in": int(services().cfg["SESSION_ABSOLUTE_SECONDS"]),
                    "account": account_json(result.account)})


@bp.post("/signout")
@endpoint(None, S.Ok, auth=True, tags=("session",), summary="End this session",
          errors=("not_authenticated", "session_expired"))
def signout() -> Any:
    ws, me = bearer()
    sessions.end(services(), ws)
    services().audit("signout", "ok", actor_account_id=me.id)
    return jsonify({"ok": True})


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
    ws, me = bearer()
    ended = recovery.change(services(), me, body["current"], body["password"], body["confirm"],
                            keep_session_id=ws.id)
    return jsonify({"ok": True, "sessions_ended": ended})


# -- the signed-in account ---------------------------------------------------

@bp.get("/me")
@endpoint(None, S.AccountOut, auth=True, tags=("account",), summary="The signed-in account",
          errors=("not_authenticated", "session_expired"))
def me() -> Any:
    _, account = bearer()
    return jsonify(account_json(account))


@bp.get("/sessions")
@endpoint(None, S.SessionList, auth=True, tags=("session",), summary="My sessions",
          errors=("not_authenticated",))
def list_sessions() -> Any:
    ws, account = bearer()
    rows = sessions.list_for(services(), account.id)
    return jsonify({"sessions": [
        {"id": r.id, "kind": r.kind, "created_at": r.created_at.isoformat(),
         "last_seen_at": r.last_seen_at.isoformat(), "ip": r.ip, "user_agent": r.user_agent,
         "current": r.id == ws.id} for r in rows]})


@bp.delete("/sessions/<int:session_id>")
@endpoint(None, S.Ok, auth=True, tags=("session",), summary="Revoke one of my sessions",
          errors=("not_authenticated", "not_found"))
def revoke_session(session_id: int) -> Any:
    _, account = bearer()
    sessions.revoke(services(), account.id, session_id)
    services().audit("session.revoke", "ok", actor_account_id=account.id,
                     details={"session_id": session_id})
    return jsonify({"ok": True})



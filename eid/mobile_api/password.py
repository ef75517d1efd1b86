"""The password: forgot (ID + phone -> OTP -> new password) and change (signed in)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from eid.accounts import otp, recovery
from eid.accounts.phones import mask_phone
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import challenge_json
from eid.mobile_api.spec import endpoint
from eid.web import captcha
from eid.web.unit_of_work import services


@bp.post("/password/forgot/start")
@endpoint(S.ForgotStart, S.ChallengeOut, status=202, tags=("password",),
          summary="Forgot password: ID + phone; an OTP goes to the phone on record if they match",
          errors=("invalid_input", "captcha_invalid", "rate_limited"))
def forgot_start(body: dict[str, Any]) -> Any:
    captcha.verify(body.pop("captcha_id"), body.pop("captcha"))
    id_number, phone = recovery.parse_request(body)
    issued = recovery.start(services(), id_number, phone)
    return jsonify(challenge_json(issued, mask_phone(phone))), 202


@bp.post("/password/forgot/resend")
@endpoint(S.ChallengeRef, S.ChallengeOut, tags=("password",), summary="Send a new reset OTP",
          errors=("resend_too_soon", "otp_expired"))
def forgot_resend(body: dict[str, Any]) -> Any:
    return jsonify(challenge_json(otp.resend(services(), body["challenge_id"], "reset")))


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
          errors=("weak_password", "invalid_input", "not_authenticated", "account_locked"))
def change_password(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    ended = recovery.change(services(), auth.account, body["current"], body["password"],
                            body["confirm"], keep_session_id=None, keep_family_id=auth.family.id)
    return jsonify({"ok": True, "sessions_ended": ended})

"""Sign-up: ID details + captcha -> OTP to the phone -> password -> a level-1 account."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from eid.accounts import otp, signup
from eid.accounts.phones import mask_phone
from eid.mobile_api import schemas as S
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import account_json, challenge_json
from eid.mobile_api.spec import endpoint
from eid.web import captcha
from eid.web.unit_of_work import services


@bp.post("/signup/start")
@endpoint(S.SignupStart, S.ChallengeOut, status=202, tags=("signup",),
          summary="Start sign-up; an OTP goes to the phone only if every detail matches",
          errors=("invalid_input", "captcha_invalid", "rate_limited"))
def signup_start(body: dict[str, Any]) -> Any:
    captcha.verify(body.pop("captcha_id"), body.pop("captcha"))
    req = signup.parse_request(body)
    issued = signup.start(services(), req)
    return jsonify(challenge_json(issued, mask_phone(req.phone))), 202


@bp.post("/signup/resend")
@endpoint(S.ChallengeRef, S.ChallengeOut, tags=("signup",), summary="Send a new sign-up OTP",
          errors=("resend_too_soon", "otp_expired"))
def signup_resend(body: dict[str, Any]) -> Any:
    return jsonify(challenge_json(otp.resend(services(), body["challenge_id"], "signup")))


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

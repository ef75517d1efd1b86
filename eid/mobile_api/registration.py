"""App registration, VNeID style: ID + phone -> card QR -> confirm -> OTP -> the
register's details -> password. Nothing from the registers is answered before the OTP:
``register/qr`` and ``register/confirm`` answer the same whether or not the card, the
registers and the line agree (eid.accounts.app_registration)."""
from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import jsonify, request

from eid.accounts import app_registration as reg
from eid.accounts.errors import InvalidInput
from eid.mobile_api import schemas as S
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import account_json, challenge_json
from eid.mobile_api.spec import endpoint, parse_body
from eid.web.unit_of_work import services


@bp.post("/register/start")
@endpoint(S.RegisterStart, S.RegistrationOut, status=201, tags=("register",),
          summary="Start app registration with the ID number and your own mobile number",
          errors=("invalid_input", "rate_limited"))
def register_start(body: dict[str, Any]) -> Any:
    r = reg.start(services(), body)
    return jsonify({"registration_id": r.id, "next": "scan_card_qr",
                    "expires_at": r.expires_at.isoformat()}), 201


@bp.post("/register/qr")
@endpoint(None, S.QrCheckedOut, tags=("register",),
          summary="The card's QR: scanned text (JSON qr_text), a photo (JSON image_base64) or a "
                  "multipart upload (fields registration_id and image); the answer is the same "
                  "whether or not it matches the registers",
          errors=("invalid_input", "qr_invalid", "qr_form_mismatch", "under_14",
                  "too_many_attempts", "rate_limited", "wrong_step", "not_found"))
def register_qr() -> Any:
    if request.files or request.form:
        reg_id = request.form.get("registration_id", "")
        upload = request.files.get("image")
        if upload is None:
            raise InvalidInput("Attach the photo of the card as 'image'.", fields={"image": "required"})
        text = reg.decode_qr_image(upload.read())
    else:
        body = parse_body(S.RegisterQr)
        reg_id = body["registration_id"]
        text = body.get("qr_text") or _image_text(body.get("image_base64"))
    return jsonify(reg.check_qr(services(), reg_id, text).as_json())


def _image_text(b64: str | None) -> str:
    if not b64:
        raise InvalidInput("Send the QR's text or a photo of the card.", fields={"qr_text": "required"})
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("The photo is not valid base64.", fields={"image_base64": "invalid"}) from exc
    return reg.decode_qr_image(data)


@bp.post("/register/confirm")
@endpoint(S.RegistrationRef, S.ChallengeOut, tags=("register",),
          summary="Send the OTP to the phone (again: the same challenge, nothing sent)",
          errors=("wrong_step", "not_found", "sms_cap_reached", "otp_expired"))
def register_confirm(body: dict[str, Any]) -> Any:
    return jsonify(challenge_json(reg.confirm(services(), body["registration_id"])))


@bp.post("/register/resend")
@endpoint(S.RegistrationRef, S.ChallengeOut, tags=("register",), summary="Send a new OTP",
          errors=("resend_too_soon", "sms_cap_reached", "otp_expired", "wrong_step", "not_found"))
def register_resend(body: dict[str, Any]) -> Any:
    return jsonify(challenge_json(reg.resend(services(), body["registration_id"])))


@bp.post("/register/verify")
@endpoint(S.RegisterOtp, S.RegisterVerifiedOut, tags=("register",),
          summary="Confirm the OTP; the answer shows the register's details to confirm",
          errors=("otp_invalid", "otp_expired", "otp_locked", "otp_guesses_exhausted",
                  "already_registered", "wrong_step", "not_found"))
def register_verify(body: dict[str, Any]) -> Any:
    details = reg.verify(services(), body["registration_id"], body["code"])
    return jsonify({"ok": True, "next": "set_password", "details": details.as_json()})


@bp.post("/register/complete")
@endpoint(S.RegisterPassword, S.AccountOut, status=201, tags=("register",),
          summary="Set the password; the level-1 account is created",
          errors=("weak_password", "invalid_input", "wrong_step"))
def register_complete(body: dict[str, Any]) -> Any:
    account = reg.complete(services(), body["registration_id"], body["password"], body["confirm"])
    return jsonify(account_json(account)), 201

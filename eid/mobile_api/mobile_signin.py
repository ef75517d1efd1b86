"""Sign-in by mobile number (my.gov.ir style): the line's OTP, the owner's national
code and birth date, the postal code on record; and the address-update requests it files."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from eid.accounts import mobile_signin, tokens
from eid.accounts.phones import mask_phone
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated, device_for_signin
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import challenge_json, token_response
from eid.mobile_api.spec import endpoint
from eid.web import captcha
from eid.web.unit_of_work import services


@bp.post("/signin/mobile/start")
@endpoint(S.MobileStart, S.ChallengeOut, status=202, tags=("signin-mobile",),
          summary="Mobile number + captcha: an OTP goes to the line if the operators know its owner",
          errors=("invalid_input", "captcha_invalid", "rate_limited"))
def mobile_start(body: dict[str, Any]) -> Any:
    captcha.verify(body.pop("captcha_id"), body.pop("captcha"))
    issued, phone = mobile_signin.start(services(), body["phone"])
    return jsonify(challenge_json(issued, mask_phone(phone))), 202


@bp.post("/signin/mobile/email")
@endpoint(S.ChallengeRef, S.EmailSentOut, tags=("signin-mobile",),
          summary="No SMS? Send the code to the registered e-mail instead",
          errors=("no_email", "otp_expired"))
def mobile_email(body: dict[str, Any]) -> Any:
    return jsonify({"sent_to": mobile_signin.send_by_email(services(), body["challenge_id"])})


@bp.post("/signin/mobile/verify")
@endpoint(S.OtpIn, S.Ok, tags=("signin-mobile",), summary="Confirm the code",
          errors=("otp_invalid", "otp_expired", "otp_locked"))
def mobile_verify(body: dict[str, Any]) -> Any:
    mobile_signin.verify(services(), body["challenge_id"], body["code"])
    return jsonify({"ok": True, "next": "identity"})


@bp.post("/signin/mobile/identity")
@endpoint(S.MobileIdentity, S.PostalOut, tags=("signin-mobile",),
          summary="National code + birth date of the line's owner; returns the postal code on record",
          errors=("identity_mismatch", "invalid_input", "otp_expired"))
def mobile_identity(body: dict[str, Any]) -> Any:
    check = mobile_signin.identify(services(), body["challenge_id"], body)
    return jsonify({"postal_code": check.postal_code, "address": check.address})


@bp.post("/signin/mobile/finish")
@endpoint(S.MobileFinish, S.TokenOut, tags=("signin-mobile",),
          summary="Confirm the postal code, or give the right one to file an address-update request",
          errors=("invalid_input", "otp_expired"))
def mobile_finish(body: dict[str, Any]) -> Any:
    svc = services()
    account = mobile_signin.finish(svc, body["challenge_id"], confirm=body["confirm"],
                                   postal_code=body.get("postal_code"))
    pair = tokens.issue(svc, account, device_for_signin(account))
    return jsonify(token_response(pair, account))


@bp.get("/address-requests")
@endpoint(None, S.AddressRequestList, auth=True, tags=("account",),
          summary="My address-update requests and their status", errors=("not_authenticated",))
def address_requests() -> Any:
    auth = authenticated()
    rows = mobile_signin.address_requests(services(), auth.account.id)
    return jsonify({"requests": [
        {"id": r.id, "requested_postal_code": r.requested_postal_code,
         "registry_postal_code": r.registry_postal_code, "status": r.status,
         "created_at": r.created_at.isoformat()} for r in rows]})

"""The phone's device key: activate (OTP + proof of possession), list, transfer
code on the old phone, remote deactivation."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from eid.accounts import chip_binding, devices, tokens
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import access_token, authenticated, request_proof
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import challenge_json, token_response
from eid.mobile_api.spec import endpoint
from eid.models.devices import Device
from eid.web.unit_of_work import services


def device_json(d: Device) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "platform": d.platform, "jkt": d.jkt,
            "active": d.deactivated_at is None, "created_at": d.created_at.isoformat(),
            "last_used_at": d.last_used_at.isoformat() if d.last_used_at else None,
            "bound_by": d.bound_by}


@bp.post("/devices/activate/start")
@endpoint(None, S.ChallengeOut, auth=True, tags=("devices",),
          summary="Start activating this phone: an OTP goes to the registered number",
          errors=("not_authenticated",))
def activate_start() -> Any:
    auth = authenticated()
    return jsonify(challenge_json(devices.start_activation(services(), auth.account)))


@bp.post("/devices/activate/complete")
@endpoint(S.DeviceActivate, S.ActivationOut, status=201, auth=True, tags=("devices",),
          summary="Register the public key that signs the DPoP header; returns tokens bound to it",
          errors=("invalid_proof", "otp_invalid", "old_device_or_chip_required", "conflict"))
def activate_complete(body: dict[str, Any]) -> Any:
    auth = authenticated()
    svc = services()
    p = request_proof(None, access_token())
    chip_ok = chip_binding.chip_verified_for_activation(svc, auth.account, body.get("chip_session_id"))
    device = devices.complete_activation(
        svc, auth.account, challenge_id=body["challenge_id"], code=body["code"], proof=p,
        name=body["name"], platform=body["platform"], transfer=body.get("transfer_code"),
        chip_verified=chip_ok)
    if auth.device is None:
        tokens.revoke_family(svc, auth.family.id, "device_activated")
    pair = tokens.issue(svc, auth.account, device, act=None)
    return jsonify({**token_response(pair, auth.account), "device": device_json(device)}), 201


@bp.get("/devices")
@endpoint(None, S.DeviceList, auth=True, tags=("devices",), summary="My phones",
          errors=("not_authenticated",))
def list_devices() -> Any:
    auth = authenticated()
    return jsonify({"devices": [device_json(d) for d in devices.list_for(services(), auth.account.id)]})


@bp.post("/devices/transfer-code")
@endpoint(None, S.TransferCodeOut, auth=True, tags=("devices",),
          summary="On the old phone: a code that lets a new phone take over",
          errors=("device_key_required",))
def transfer_code() -> Any:
    auth = authenticated(sensitive=True)
    code, expires = devices.transfer_code(services(), auth.account, auth.device)
    return jsonify({"code": code, "expires_at": expires.isoformat()})


@bp.delete("/devices/<int:device_id>")
@endpoint(None, S.Ok, auth=True, tags=("devices",), summary="Deactivate one of my phones",
          errors=("not_found", "not_authenticated"))
def deactivate(device_id: int) -> Any:
    auth = authenticated()
    devices.deactivate(services(), auth.account, device_id, reason="user")
    return jsonify({"ok": True})

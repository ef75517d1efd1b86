"""The phone's side of desktop QR login: scan, approve or deny (signed with the
device key), "I did not start this", web sessions with instant revoke, and the
switch that turns web sign-in off."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify

from eid.accounts import sessions
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import session_list_json
from eid.mobile_api.spec import endpoint
from eid.web.qr_wiring import qr_service
from eid.web.socket_emit import session_revoked
from eid.web.unit_of_work import client_ip, services


@bp.post("/qr-login/scan")
@endpoint(S.QrScanIn, S.QrScanOut, auth=True, tags=("qr-login",),
          summary="Scan the desktop's QR: returns what is asking and three numbers",
          errors=("invalid_qr", "already_scanned", "expired", "web_login_disabled",
                  "device_key_required"))
def scan(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    result = qr_service().scan(body["uri"], account_id=auth.account.id, device_id=auth.device.id,
                               phone_ip=client_ip(), web_login_enabled=auth.account.web_login_enabled)
    services().audit("qr.scan", "ok", actor_account_id=auth.account.id,
                     details={"tx": result.tx.id, "mismatch": result.context.location_mismatch})
    return jsonify({"tx": result.tx.id, "context": result.context.as_dict(),
                    "thumbprint": result.tx.desktop_jkt, "audience": current_app.config["PUBLIC_URL"],
                    "expires_at": result.tx.expires_at.isoformat()})


@bp.post("/qr-login/decision")
@endpoint(S.QrDecisionIn, S.QrStateOut, auth=True, tags=("qr-login",),
          summary="Approve or deny: canonical JSON {tx, thumbprint, number, aud, iat, jti, "
                  "decision, context_hash} signed (ES256, base64url) with the device key",
          errors=("bad_signature", "wrong_number", "thumbprint_mismatch", "replayed", "stale",
                  "expired", "bad_state"))
def decision(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    svc = services()
    tx = qr_service().decide(body["approval"], body["signature"], device_jwk=auth.device_jwk,
                             account_id=auth.account.id, device_id=auth.device.id,
                             account_level=auth.account.level)
    svc.audit("qr.decision", tx.state.value, actor_account_id=auth.account.id,
              details={"tx": tx.id, "reason": tx.deny_reason.value if tx.deny_reason else None})
    reason = tx.deny_reason.value if tx.deny_reason else None
    return jsonify({"tx": tx.id, "state": tx.state.value, "reason": reason})


@bp.post("/qr-login/report")
@endpoint(S.QrTxIn, S.QrStateOut, auth=True, tags=("qr-login",),
          summary="\"I did not start this\": cancel the sign-in and flag it",
          errors=("bad_state", "invalid_qr"))
def report(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    tx = qr_service().report(body["tx"], account_id=auth.account.id)
    services().audit("qr.reported", "flagged", actor_account_id=auth.account.id,
                     details={"tx": tx.id, "desktop_ip": tx.desktop_ip})
    return jsonify({"tx": tx.id, "state": tx.state.value, "reason": "reported"})


@bp.get("/web-sessions")
@endpoint(None, S.WebSessionList, auth=True, tags=("qr-login",),
          summary="My signed-in browsers (device, IP, place, time)", errors=("not_authenticated",))
def web_sessions() -> Any:
    auth = authenticated()
    listed = session_list_json(sessions.list_for(services(), auth.account.id), described=True)
    return jsonify({**listed, "web_login_enabled": auth.account.web_login_enabled})


@bp.delete("/web-sessions/<int:session_id>")
@endpoint(None, S.Ok, auth=True, tags=("qr-login",),
          summary="Sign a browser out at once (its socket is dropped too)",
          errors=("not_found", "device_key_required"))
def revoke_web_session(session_id: int) -> Any:
    auth = authenticated(sensitive=True)
    sessions.revoke(services(), auth.account.id, session_id, reason="revoked_from_phone")
    services().audit("session.revoke", "ok", actor_account_id=auth.account.id,
                     details={"session_id": session_id, "from": "phone"})
    services().defer(lambda: session_revoked(session_id))
    return jsonify({"ok": True})


@bp.put("/settings/web-login")
@endpoint(S.WebLoginIn, S.Ok, auth=True, tags=("qr-login",),
          summary="Turn web sign-in by QR code on or off", errors=("device_key_required",))
def web_login_setting(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    sessions.set_web_login(services(), auth.account, bool(body["enabled"]))
    return jsonify({"ok": True})

"""The desktop side of QR login over HTTP: the same steps the Socket.IO namespace
offers, for browsers whose WebSocket is blocked (polling fallback), plus the redeem
step that turns an approval into a session cookie (qr-login.md points 5 and 6)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, session

from eid.accounts import signin
from eid.qr_login.service import desktop_event
from eid.web.auth import set_session_cookie
from eid.web.qr_wiring import begin, current_cookie_hash, qr_json, qr_service
from eid.web.unit_of_work import services

bp = Blueprint("qr", __name__)


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@bp.post("/login/qr/start")
def http_start() -> Any:
    services()  # open the request's unit of work (committed after the response)
    return jsonify({"qr": qr_json(begin(_body()))})


@bp.post("/login/qr/rotate")
def http_rotate() -> Any:
    services()
    return jsonify({"qr": qr_json(qr_service().rotate(str(_body().get("tx", "")),
                                                      current_cookie_hash()))})


@bp.get("/login/qr/status")
def http_status() -> Any:
    services()
    return jsonify(qr_service().status(request.args.get("tx", ""), current_cookie_hash()))


@bp.post("/login/qr/redeem")
def http_redeem() -> Any:
    svc = services()
    body = _body()
    tx = qr_service().redeem(str(body.get("tx", "")), str(body.get("code", "")),
                             cookie_hash=current_cookie_hash(), signature=str(body.get("signature", "")))
    result = signin.open_qr_session(svc, tx.account_id, tx_id=tx.id, device_id=tx.device_id)
    target = session.get("next") or "/account"  # set by GET /login?next= (checked there)
    session.clear()
    resp = jsonify({"ok": True, "next": target, "event": desktop_event(tx, None)})
    set_session_cookie(resp, result.session.token)
    return resp

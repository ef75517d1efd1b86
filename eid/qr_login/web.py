"""The desktop side over HTTP: the same steps the Socket.IO namespace offers, for
browsers whose WebSocket is blocked (polling fallback), plus the redeem step that
turns an approval into a session cookie (qr-login.md points 5 and 6)."""
from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from typing import Any

import qrcode
import qrcode.constants
from flask import Blueprint, Flask, current_app, jsonify, request, session

from eid.qr_login.errors import InvalidQr
from eid.qr_login.machine import Timing
from eid.qr_login.service import QrLogin, ShownQr, cookie_hash, desktop_event
from eid.qr_login.store import RedisStore, SqlStore, Store

bp = Blueprint("qr", __name__)
NONCE_KEY = "qr_nonce"


def cookie_name() -> str:
    return "__Host-eid_qr" if current_app.config["COOKIE_SECURE"] else "eid_qr"


def ensure_prelogin(resp: Any) -> Any:
    """Give the browser its pre-login cookie (HttpOnly, SameSite=Strict) if it has none."""
    if not request.cookies.get(cookie_name()):
        resp.set_cookie(cookie_name(), secrets.token_urlsafe(32), httponly=True, samesite="Strict",
                        secure=current_app.config["COOKIE_SECURE"], path="/", max_age=3600)
    return resp


def new_nonce() -> str:
    nonce = secrets.token_urlsafe(24)
    session[NONCE_KEY] = nonce
    return nonce


def current_cookie_hash() -> str:
    cookie = request.cookies.get(cookie_name())
    if not cookie:
        raise InvalidQr("Reload the page: this browser's sign-in cookie is missing.")
    return cookie_hash(cookie)


def store_for(app: Flask) -> Store:
    store: Store | None = app.extensions.get("eid.qr_store")
    if store is None:
        if app.config.get("REDIS_URL"):
            import redis

            store = RedisStore(redis.Redis.from_url(app.config["REDIS_URL"]),
                               prefix=app.config.get("RATELIMIT_KEY_PREFIX", "eid") + ":qr:")
        else:
            from eid.app.db import db

            store = SqlStore(lambda: db.session())
        app.extensions["eid.qr_store"] = store
    return store


def _notify_after_commit(tx_id: str, event: dict[str, Any]) -> None:
    """Tell the desktop only once the new state is committed: it acts on the event at
    once (redeems), and must find the state it was told about."""
    from eid.app.realtime import notify_desktop
    from eid.app.services import after_commit

    after_commit(lambda: notify_desktop(tx_id, event))


def qr_service() -> QrLogin:
    from eid.app.services import parts

    clock = parts().clock
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cfg = app.config
    timing = Timing(lifetime=timedelta(seconds=cfg["QR_LIFETIME_SECONDS"]),
                    qr_ttl=timedelta(seconds=cfg["QR_TTL_SECONDS"]),
                    max_rotations=cfg["QR_MAX_ROTATIONS"])
    from eid.app.services import derive_key

    return QrLogin(store_for(app), now=clock.now(), rng=clock.rng, audience=cfg["PUBLIC_URL"],
                   notify=_notify_after_commit, timing=timing,
                   redeem_key=derive_key(cfg["SECRET_KEY"], "qr-redeem"))


def svg_data_uri(uri: str) -> str:
    """The QR as an SVG data URI: ``qrcode`` encodes, we draw one path.

    A fixed mask pattern (all eight are valid, ISO/IEC 18004 §7.8) skips qrcode's
    pure-Python search for the best one, which costs ~8 ms per code; rotation
    draws a new code every 25 s for every waiting desktop.
    """
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=2)
    qr.add_data(uri)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row)
                   if dark)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
           f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
           f'<path d="{path}" fill="#000"/></svg>')
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_json(shown: ShownQr) -> dict[str, Any]:
    now = qr_service().now
    rotate_in = max(1, int((shown.tx.qr_expires_at - now).total_seconds()) - 2)
    expires_in = int((shown.tx.expires_at - now).total_seconds())
    return {"tx": shown.tx.id, "qr_uri": shown.uri, "qr_svg": svg_data_uri(shown.uri),
            "rotate_in": rotate_in, "expires_in": expires_in,
            "lifetime": int((shown.tx.expires_at - shown.tx.created_at).total_seconds())}


def begin(data: dict[str, Any]) -> ShownQr:
    from eid.app.services import client_ip

    jwk = data.get("jwk")
    if not isinstance(jwk, dict):
        raise InvalidQr("Send the browser's public key (jwk).")
    return qr_service().begin(
        desktop_jwk={k: str(v) for k, v in jwk.items()}, nonce=session.get(NONCE_KEY, ""),
        nonce_signature=str(data.get("signature", "")), cookie_hash=current_cookie_hash(),
        ip=client_ip(), user_agent=request.headers.get("User-Agent", ""),
        service=current_app.config.get("SERVICE_NAME", "Cổng Định danh điện tử"),
        required_level=int(current_app.config.get("QR_REQUIRED_LEVEL", 1)))


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@bp.post("/login/qr/start")
def http_start() -> Any:
    from eid.app.services import services

    services()  # open the request's unit of work (committed after the response)
    return jsonify({"qr": qr_json(begin(_body()))})


@bp.post("/login/qr/rotate")
def http_rotate() -> Any:
    from eid.app.services import services

    services()
    return jsonify({"qr": qr_json(qr_service().rotate(str(_body().get("tx", "")),
                                                      current_cookie_hash()))})


@bp.get("/login/qr/status")
def http_status() -> Any:
    from eid.app.services import services

    services()
    return jsonify(qr_service().status(request.args.get("tx", ""), current_cookie_hash()))


@bp.post("/login/qr/redeem")
def http_redeem() -> Any:
    from eid.accounts import signin
    from eid.accounts.errors import Forbidden
    from eid.app.services import services
    from eid.app.views.auth import set_session_cookie
    from eid.models.accounts import Account

    svc = services()
    body = _body()
    tx = qr_service().redeem(str(body.get("tx", "")), str(body.get("code", "")),
                             cookie_hash=current_cookie_hash(), signature=str(body.get("signature", "")))
    account = svc.session.get(Account, tx.account_id)
    if account is None or not account.web_login_enabled:
        raise Forbidden("Web sign-in is turned off for this account.")
    result = signin.open_session(svc, account, kind="qr", method="qr")
    svc.audit("signin.qr", "ok", actor_account_id=account.id,
              details={"tx": tx.id, "device_id": tx.device_id, "session_id": result.session.session.id})
    session.clear()
    resp = jsonify({"ok": True, "next": "/account", "event": desktop_event(tx, None)})
    set_session_cookie(resp, result.session.token)
    return resp

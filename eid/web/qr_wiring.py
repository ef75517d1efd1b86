"""The one place that wires desktop QR login: the store (Redis when ``REDIS_URL`` is
set, the database otherwise), the service built per request with the app's clock and
keys, the after-commit push to the desktop, the browser's pre-login cookie and nonce,
and the JSON the desktop is shown. The HTTP views (``eid.app.views.qr_login``), the
Socket.IO namespace (``eid.app.realtime``) and the phone's API call only this."""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import redis
from flask import Flask, current_app, request, session

from eid.qr_login.errors import InvalidQr
from eid.qr_login.machine import Timing
from eid.qr_login.service import QrLogin, ShownQr, cookie_hash
from eid.qr_login.store import RedisStore, SqlDecisionLog, SqlStore, Store
from eid.web import socket_emit
from eid.web.db import db
from eid.web.qr_svg import svg_data_uri
from eid.web.unit_of_work import after_commit, client_ip, derive_key, parts

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
            store = RedisStore(redis.Redis.from_url(app.config["REDIS_URL"]),
                               prefix=app.config.get("RATELIMIT_KEY_PREFIX", "eid") + ":qr:")
        else:
            store = SqlStore(lambda: db.session())
        app.extensions["eid.qr_store"] = store
    return store


def _notify_after_commit(tx_id: str, event: dict[str, Any]) -> None:
    """Tell the desktop only once the new state is committed: it acts on the event at
    once (redeems), and must find the state it was told about."""
    after_commit(lambda: socket_emit.notify_desktop(tx_id, event))


def qr_service() -> QrLogin:
    clock = parts().clock
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cfg = app.config
    timing = Timing(lifetime=timedelta(seconds=cfg["QR_LIFETIME_SECONDS"]),
                    qr_ttl=timedelta(seconds=cfg["QR_TTL_SECONDS"]),
                    max_rotations=cfg["QR_MAX_ROTATIONS"])
    return QrLogin(store_for(app), now=clock.now(), rng=clock.rng, audience=cfg["PUBLIC_URL"],
                   notify=_notify_after_commit, timing=timing,
                   redeem_key=derive_key(cfg["SECRET_KEY"], "qr-redeem"),
                   decisions=SqlDecisionLog(lambda: db.session()))


def qr_json(shown: ShownQr) -> dict[str, Any]:
    now = qr_service().now
    rotate_in = max(1, int((shown.tx.qr_expires_at - now).total_seconds()) - 2)
    expires_in = int((shown.tx.expires_at - now).total_seconds())
    return {"tx": shown.tx.id, "qr_uri": shown.uri, "qr_svg": svg_data_uri(shown.uri),
            "rotate_in": rotate_in, "expires_in": expires_in,
            "lifetime": int((shown.tx.expires_at - shown.tx.created_at).total_seconds())}


def begin(data: dict[str, Any]) -> ShownQr:
    jwk = data.get("jwk")
    if not isinstance(jwk, dict):
        raise InvalidQr("Send the browser's public key (jwk).")
    return qr_service().begin(
        desktop_jwk={k: str(v) for k, v in jwk.items()}, nonce=session.get(NONCE_KEY, ""),
        nonce_signature=str(data.get("signature", "")), cookie_hash=current_cookie_hash(),
        ip=client_ip(), user_agent=request.headers.get("User-Agent", ""),
        service=current_app.config.get("SERVICE_NAME", "Cổng Định danh điện tử"),
        required_level=int(current_app.config.get("QR_REQUIRED_LEVEL", 1)))

"""Flask-SocketIO's namespaces: the desktop's QR-login namespace and the signed-in
page's session namespace. The server object and the pushes live in
:mod:`eid.web.socket_emit`; the login's wiring in :mod:`eid.web.qr_wiring`."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_socketio import Namespace, join_room

from eid.errors import EidError
from eid.web.auth import current
from eid.web.db import db
from eid.web.input_guard import check_json
from eid.web.qr_wiring import begin, cookie_name, current_cookie_hash, qr_json, qr_service
from eid.web.ratelimit import limit_event
from eid.web.socket_emit import QR_NS, SESSION_NS, socketio


def init_app(app: Flask, async_mode: str | None = None) -> None:
    socketio.init_app(app, message_queue=app.config.get("REDIS_URL"),
                      channel=app.config.get("RATELIMIT_KEY_PREFIX", "eid") + "-socketio",
                      async_mode=async_mode or app.config.get("SOCKETIO_ASYNC_MODE") or "threading",
                      manage_session=False, ping_interval=25, ping_timeout=20)
    socketio.on_namespace(QrNamespace(QR_NS))
    socketio.on_namespace(SessionNamespace(SESSION_NS))


def _finish(ok: bool) -> None:
    """A socket event is its own unit of work: commit (or roll back) and close it."""
    if ok:
        db.session.commit()
    else:
        db.session.rollback()
    db.session.remove()


def _guard(fn: Callable[[dict[str, Any]], dict[str, Any]], data: Any) -> dict[str, Any]:
    try:
        check_json(data)  # the same text rule as every HTTP request (eid.web.input_guard)
        out = fn(data if isinstance(data, dict) else {})
        _finish(True)
        return out
    except EidError as exc:
        _finish(True)
        return {"state": "error", "error": exc.error, "message": exc.detail_message}
    except Exception:  # a socket handler must answer, never hang the page
        _finish(False)
        socketio.server.logger.exception("qr-login handler failed")
        return {"state": "error", "error": "internal_error", "message": "Please reload the page."}


def _start(data: dict[str, Any]) -> dict[str, Any]:
    limit_event(QR_NS, "start")
    shown = begin(data)
    join_room(f"tx:{shown.tx.id}")
    return {"qr": qr_json(shown)}


def _rotate(data: dict[str, Any]) -> dict[str, Any]:
    limit_event(QR_NS, "rotate")
    shown = qr_service().rotate(str(data.get("tx", "")), current_cookie_hash())
    join_room(f"tx:{shown.tx.id}")
    return {"qr": qr_json(shown)}


class QrNamespace(Namespace):
    """The desktop waits here: start (key proof), rotate, and receives qr_event."""

    def on_connect(self, auth: Any = None) -> bool:
        return bool(request.cookies.get(cookie_name()))

    def on_start(self, data: Any) -> dict[str, Any]:
        return _guard(_start, data)

    def on_rotate(self, data: Any) -> dict[str, Any]:
        return _guard(_rotate, data)


class SessionNamespace(Namespace):
    """A signed-in page listens here, so a revoke from the phone reaches it at once."""

    def on_connect(self, auth: Any = None) -> bool:
        me = current()
        _finish(True)
        if me is None:
            return False
        join_room(f"session:{me[0].id}")
        return True

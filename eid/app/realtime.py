"""Flask-SocketIO: the desktop's QR-login namespace and the signed-in page's
session namespace. With ``REDIS_URL`` set, a Redis message queue lets an event
emitted on one worker (the phone's approval) reach a socket held by another.
"""
from __future__ import annotations

import contextlib
import time
from typing import Any

from flask import Flask, g, has_request_context, request
from flask_socketio import Namespace, SocketIO, join_room

from eid.errors import EidError

socketio = SocketIO()
QR_NS, SESSION_NS = "/qr-login", "/session"
_GREEN = ("gevent", "gevent_uwsgi", "eventlet")


def init_app(app: Flask, async_mode: str | None = None) -> None:
    socketio.init_app(app, message_queue=app.config.get("REDIS_URL"),
                      channel=app.config.get("RATELIMIT_KEY_PREFIX", "eid") + "-socketio",
                      async_mode=async_mode or app.config.get("SOCKETIO_ASYNC_MODE") or "threading",
                      manage_session=False, ping_interval=25, ping_timeout=20)
    socketio.on_namespace(QrNamespace(QR_NS))
    socketio.on_namespace(SessionNamespace(SESSION_NS))


def notify_desktop(tx_id: str, event: dict[str, Any]) -> None:
    if has_request_context():
        g.eid_emit_at = time.perf_counter()  # for Server-Timing (see services)
    socketio.emit("qr_event", event, to=f"tx:{tx_id}", namespace=QR_NS)
    if socketio.async_mode in _GREEN:
        # The socket's writer greenlet sends only when this request yields: yield now, so
        # the desktop learns of its approval before the phone's response is finished.
        socketio.sleep(0)


def session_revoked(session_id: int) -> None:
    """Tell the browser of that session at once, and drop its socket."""
    room = f"session:{session_id}"
    socketio.emit("revoked", {"session": session_id}, to=room, namespace=SESSION_NS)
    with contextlib.suppress(KeyError, ValueError):
        socketio.close_room(room, namespace=SESSION_NS)


def _finish(ok: bool) -> None:
    from eid.app.db import db

    if ok:
        db.session.commit()
    else:
        db.session.rollback()
    db.session.remove()


def _guard(fn: Any, data: Any) -> dict[str, Any]:
    try:
        out: dict[str, Any] = fn(data if isinstance(data, dict) else {})
        _finish(True)
        return out
    except EidError as exc:
        _finish(True)
        return {"state": "error", "error": exc.error, "message": exc.detail_message}
    except Exception:  # a socket handler must answer, never hang the page
        _finish(False)
        socketio.server.logger.exception("qr-login handler failed")
        return {"state": "error", "error": "internal_error", "message": "Please reload the page."}


class QrNamespace(Namespace):
    """The desktop waits here: start (key proof), rotate, and receives qr_event."""

    def on_connect(self, auth: Any = None) -> bool:
        from eid.qr_login.web import cookie_name

        return bool(request.cookies.get(cookie_name()))

    def on_start(self, data: Any) -> dict[str, Any]:
        def run(d: dict[str, Any]) -> dict[str, Any]:
            from eid.qr_login.web import begin, qr_json

            shown = begin(d)
            join_room(f"tx:{shown.tx.id}")
            return {"qr": qr_json(shown)}

        return _guard(run, data)

    def on_rotate(self, data: Any) -> dict[str, Any]:
        def run(d: dict[str, Any]) -> dict[str, Any]:
            from eid.qr_login.web import current_cookie_hash, qr_json, qr_service

            shown = qr_service().rotate(str(d.get("tx", "")), current_cookie_hash())
            join_room(f"tx:{shown.tx.id}")
            return {"qr": qr_json(shown)}

        return _guard(run, data)


class SessionNamespace(Namespace):
    """A signed-in page listens here, so a revoke from the phone reaches it at once."""

    def on_connect(self, auth: Any = None) -> bool:
        from eid.app.views.auth import current

        me = current()
        _finish(True)
        if me is None:
            return False
        join_room(f"session:{me[0].id}")
        return True

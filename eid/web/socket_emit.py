"""The Socket.IO server object and the two pushes the rest of the app makes: a QR-login
event to the desktop's room and "revoked" to a signed-in page. With ``REDIS_URL`` set,
Flask-SocketIO's Redis message queue carries an emit from the worker that made it to the
worker that holds the socket."""
from __future__ import annotations

import contextlib
import time
from typing import Any

from flask import g, has_request_context
from flask_socketio import SocketIO

socketio = SocketIO()
QR_NS, SESSION_NS = "/qr-login", "/session"
_GREEN = ("gevent", "gevent_uwsgi", "eventlet")


def notify_desktop(tx_id: str, event: dict[str, Any]) -> None:
    if has_request_context():
        g.eid_emit_at = time.perf_counter()  # for Server-Timing (see eid.web.unit_of_work)
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

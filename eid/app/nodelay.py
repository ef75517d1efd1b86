"""TCP_NODELAY on accepted sockets.

A Socket.IO push that follows another small packet otherwise waits ~40 ms: Nagle's
algorithm holds it until the browser's delayed ACK for the previous one arrives.
Measured on this project (issue 4): every async mode pays it unless the server
sets TCP_NODELAY. Used by the development server and the gunicorn worker.
"""
from __future__ import annotations

import contextlib
import socket
from typing import Any

from werkzeug.serving import WSGIRequestHandler


def set_nodelay(sock: Any) -> None:
    with contextlib.suppress(OSError, AttributeError):  # not TCP (unix socket, test double)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with TCP_NODELAY on the connection."""

    def setup(self) -> None:
        set_nodelay(self.request)
        super().setup()


def gevent_worker_class() -> type:
    """gunicorn's gevent worker, with TCP_NODELAY on each accepted client.

    The plain worker (not the PyWSGI one) exposes ``gunicorn.socket``, so the
    WebSocket layer (simple-websocket) uses the connection as it is instead of
    duplicating it: one file descriptor per waiting desktop, not two.
    """
    from gunicorn.workers.ggevent import GeventWorker

    class NoDelayGeventWorker(GeventWorker):
        def handle(self, listener: Any, client: Any, addr: Any) -> None:
            set_nodelay(client)
            super().handle(listener, client, addr)

    return NoDelayGeventWorker

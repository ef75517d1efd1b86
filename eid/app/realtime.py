"""The Flask-SocketIO extension. With ``REDIS_URL`` set, a Redis message queue lets
an event emitted on one worker reach a socket held by another."""
from __future__ import annotations

from flask import Flask
from flask_socketio import SocketIO

socketio = SocketIO()


def init_app(app: Flask, async_mode: str | None = None) -> None:
    socketio.init_app(app, message_queue=app.config.get("REDIS_URL"),
                      async_mode=async_mode or app.config.get("SOCKETIO_ASYNC_MODE") or "threading",
                      manage_session=False)

"""The baseline: a bare Flask-SocketIO app under the same gunicorn worker. Sockets
join room ``?room=``; ``POST /emit/<room>`` emits one event to it."""
from __future__ import annotations

import os

from flask import Flask, request
from flask_socketio import SocketIO, join_room

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", message_queue=os.environ.get("REDIS_URL"),
                    channel=os.environ.get("EID_REDIS_PREFIX", "bare") + "-socketio")


@socketio.on("connect", namespace="/bare")
def _connect(auth=None):  # type: ignore[no-untyped-def]
    join_room(request.args.get("room", "none"))


@app.post("/emit/<room>")
def emit(room: str):  # type: ignore[no-untyped-def]
    socketio.emit("evt", {"room": room}, to=room, namespace="/bare")
    return {"ok": True}

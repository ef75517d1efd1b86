"""The baseline: a bare Flask-SocketIO app under the same gunicorn worker. Sockets
join room ``?room=``; ``POST /emit/<room>`` emits one event to it and says, as the
product does in development and test, when it emitted (``Server-Timing: emit``)."""
from __future__ import annotations

import os
import time

from flask import Flask, g, request
from flask_socketio import SocketIO, join_room

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", message_queue=os.environ.get("REDIS_URL"),
                    channel=os.environ.get("EID_REDIS_PREFIX", "bare") + "-socketio")


@app.before_request
def _started() -> None:
    g.t0 = time.perf_counter()


@socketio.on("connect", namespace="/bare")
def _connect(auth=None):  # type: ignore[no-untyped-def]
    join_room(request.args.get("room", "none"))


@app.post("/emit/<room>")
def emit(room: str):  # type: ignore[no-untyped-def]
    emitted = time.perf_counter()
    socketio.emit("evt", {"room": room}, to=room, namespace="/bare")
    return {"ok": True}, 200, {"Server-Timing": f"emit;dur={(emitted - g.t0) * 1000:.3f}"}

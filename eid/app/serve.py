"""``python -m eid.app.serve``: the development server (one process, Socket.IO
with threads and WebSocket via simple-websocket) on 127.0.0.1:$PORT."""
from __future__ import annotations

import os


def main() -> None:
    from eid.app import create_app
    from eid.web.socket_emit import socketio

    app = create_app()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f" * eid ({app.config['EID_ENV']}) on http://{host}:{port}", flush=True)
    from eid.app.nodelay import NoDelayRequestHandler

    socketio.run(app, host=host, port=port, debug=False, use_reloader=False,
                 allow_unsafe_werkzeug=True, log_output=False,
                 request_handler=NoDelayRequestHandler)


if __name__ == "__main__":
    main()

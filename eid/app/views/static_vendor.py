"""Browser libraries installed from npm at setup (``frontend/node_modules``), served
as static files. Nothing third-party is copied into the repository."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__)
NODE_MODULES = Path(__file__).resolve().parents[3] / "frontend" / "node_modules"
FILES = {"socket.io.min.js": "socket.io-client/dist/socket.io.min.js"}


@bp.get("/vendor/<name>")
def vendor(name: str):  # type: ignore[no-untyped-def]
    rel = FILES.get(name)
    if rel is None or not (NODE_MODULES / rel).is_file():
        abort(404)
    return send_from_directory(NODE_MODULES, rel, max_age=3600)

"""``/healthz``: liveness and database reachability, for load balancers and tests."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from eid.web.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    db.session.execute(text("select 1"))
    return jsonify({"status": "ok", "env": current_app.config["EID_ENV"]})

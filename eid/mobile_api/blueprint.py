"""The phone API's blueprint, ``/api/mobile/v1``.

Every flow module adds its routes to this one blueprint (so endpoint names stay
``mobile_api.<view>``); :mod:`eid.mobile_api.routes` imports them all and registers it.
Every error is ``{"error": code, "message": text}`` (see eid.app.errors).
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("mobile_api", __name__, url_prefix="/api/mobile/v1")

"""Every route of the phone API, ``/api/mobile/v1``: the flow modules, each adding its
routes to the one blueprint, and :func:`register`, the app factory's single entry point.

Nothing else imports this module (import-linter's "leaves" contract); the flow modules
import only the blueprint and the shared serialisers, never each other or this module.
"""
from __future__ import annotations

from types import ModuleType

from flask import Flask

from eid.mobile_api import (
    account,
    acting,
    captcha,
    chip,
    connected_services,
    devices,
    mobile_signin,
    password,
    qr,
    registration,
    signin,
    signup,
)
from eid.mobile_api.blueprint import bp

FLOWS: tuple[ModuleType, ...] = (captcha, signup, signin, password, account, mobile_signin,
                                 acting, chip, devices, qr, registration, connected_services)


def register(app: Flask) -> None:
    """Register the phone API (every module in :data:`FLOWS` has added its routes)."""
    app.register_blueprint(bp)

"""The Flask application factory.

Blueprints, the Socket.IO namespace and the CLI are imported inside
:func:`create_app` (the Flask tutorial's pattern), so importing a core never
builds an app.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from eid.clock import Clock


def create_app(env: Mapping[str, str] | None = None, *, overrides: dict[str, Any] | None = None,
               clock: Clock | None = None) -> Flask:
    import os

    import eid.models  # noqa: F401  (registers every table)
    from eid.app import csrf, i18n, security
    from eid.app.config import load_config
    from eid.app.errors import register_error_handlers
    from eid.web import input_guard, ratelimit
    from eid.web import unit_of_work as services
    from eid.web.db import db

    source = os.environ if env is None else env
    instance = source.get("EID_INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance)
    app.config.update(load_config(env, instance_path=app.instance_path))
    app.config.update(overrides or {})
    db.init_app(app)
    app.extensions["eid.parts"] = _build_parts(app, clock or Clock())
    register_error_handlers(app)
    input_guard.init_app(app)
    ratelimit.init_app(app)
    services.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    security.init_app(app)
    from eid.app import realtime

    realtime.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    from eid.web import housekeeping, proxies

    housekeeping.init_app(app)
    proxies.init_app(app)  # outermost WSGI layer: pages, API and Socket.IO see the client
    return app


def _build_parts(app: Flask, clock: Clock) -> Any:
    from eid.accounts.passwords import Hasher, PasswordPolicy
    from eid.accounts.registries.adapters import registries_from_config
    from eid.accounts.sms import sender_from_config
    from eid.web.db import db
    from eid.web.hashing import OffLoopHasher
    from eid.web.unit_of_work import AppParts

    def session_factory() -> Any:
        return db.session

    profile = app.config["PASSWORD_PROFILE"]
    hasher = OffLoopHasher(Hasher.for_tests() if profile == "test" else Hasher.production())
    independent = _independent_sessions(app)
    from eid.web.replay import replay_cache_for

    sms = sender_from_config(app.config, independent)
    return AppParts(
        clock=clock, hasher=hasher, policy=PasswordPolicy(), replay=replay_cache_for(app.config),
        sms=sms, mail=_mailer(app, sms),
        registries_factory=lambda s: registries_from_config(app.config, lambda: s),
    )


def _mailer(app: Flask, sms: Any) -> Any:
    """E-mail for the OTP fallback: the development outbox (the same table as SMS,
    addressed to the e-mail) or an HTTP mail gateway (``EMAIL_GATEWAY_URL``)."""
    if app.config["DEV_MODE"]:
        return sms
    url = app.config.get("EMAIL_GATEWAY_URL")
    if not url:
        return None
    from eid.accounts.sms import HttpGatewaySender

    return HttpGatewaySender(str(url), app.config.get("EMAIL_GATEWAY_TOKEN"))


def _independent_sessions(app: Flask) -> Any:
    """Sessions of their own (for work that runs after the request's session closed)."""
    from sqlalchemy.orm import sessionmaker

    return sessionmaker(bind=app.extensions["eid.engine"], expire_on_commit=False)


def _register_blueprints(app: Flask) -> None:
    from eid.app.views import captcha_views, desk, dev, health, portal, qr_login, static_vendor
    from eid.mobile_api import openapi
    from eid.mobile_api import routes as mobile_api

    app.register_blueprint(portal.bp)
    app.register_blueprint(captcha_views.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(qr_login.bp)
    app.register_blueprint(static_vendor.bp)
    mobile_api.register(app)
    from eid.oidc import routes as oidc

    oidc.register(app)
    app.register_blueprint(openapi.bp)
    if app.config["DEV_MODE"]:
        app.register_blueprint(dev.bp)


def _register_cli(app: Flask) -> None:
    from eid.app.cli import register_db_cli
    from eid.app.registry_cli import group as registry_group

    register_db_cli(app)
    app.cli.add_command(registry_group)

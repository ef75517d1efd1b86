"""The one entry the app factory imports: registers the provider's blueprint, its CLI
and its back-channel logout hooks."""
from __future__ import annotations

from flask import Flask

from eid.oidc import endpoints, pages  # noqa: F401  (their routes are on the blueprint)
from eid.oidc.web import bp

#: the endpoints relying parties call (not the person's pages): errors as OAuth JSON bodies
OAUTH_ENDPOINTS = frozenset({"oidc.discovery", "oidc.jwks", "oidc.token", "oidc.par", "oidc.introspect",
                             "oidc.revoke", "oidc.userinfo"})


def register(app: Flask) -> None:
    from eid.oidc import backchannel
    from eid.oidc.cli import group

    app.register_blueprint(bp)
    app.cli.add_command(group)
    backchannel.init_app(app)
    app.extensions["eid.oauth_endpoints"] = OAUTH_ENDPOINTS  # their 429s: OAuth bodies (eid.app.errors)
